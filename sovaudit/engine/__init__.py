"""The rules engine: asset views, conditions, rule packs, evaluation, waivers."""
