"""Rule packs, as YAML data. Installed as ``sovaudit.rules``."""
