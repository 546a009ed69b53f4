"""Which assets are copies of which, and whether some copy of the data is at home.

These are facts about an estate, not about rules: the rules engine offers them to conditions
(``copied_from``, ``has_home_copy``), and the summary and the reports count the personal data
with no copy at home from the same functions, so a rule and a report can never disagree on
what "has a copy at home" means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sovaudit.model import Asset, Location


def within(location: Location, home: str) -> bool:
    """Every country ``location`` may be in is ``home`` (an unknown location is not)."""
    countries = location.countries
    # Most locations are one country: compare the tuple before looping.
    return countries == (home,) or (len(countries) > 1 and all(c == home for c in countries))


def copy_sources(assets: Iterable[Asset]) -> dict[str, list[Asset]]:
    """For each asset id named as a copy's ``target``, the assets it is a copy of.

    A replica is often an asset of its own; this is what lets it know its source.
    """
    sources: dict[str, list[Asset]] = {}
    for asset in assets:
        for copy in asset.copies:
            if copy.target and copy.target != asset.id:
                sources.setdefault(copy.target, []).append(asset)
    return sources


def has_home_copy(asset: Asset, home: str, sources: Mapping[str, list[Asset]]) -> bool:
    """The data, a copy of it, or the asset it is a copy of, is wholly in ``home``."""
    return (
        within(asset.location, home)
        or any(within(copy.location, home) for copy in asset.copies)
        or any(within(source.location, home) for source in sources.get(asset.id, ()))
    )
