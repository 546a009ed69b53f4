"""The summary block: the figures a compliance officer reads first."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sovaudit.copies import copy_sources, has_home_copy, within
from sovaudit.model import ScanResult, Severity


def summarise(result: ScanResult) -> dict[str, Any]:
    """CONTRACT.md's summary, plus a few counts that explain it.

    ``personal_assets_outside_home`` counts personal assets not wholly in the home country,
    unknown locations included (sovaudit fails closed), so ``exposure_pct`` is never flattered
    by what nobody could locate. An asset spanning several countries is counted in each of
    them in ``assets_by_country``.
    """
    home = result.home_country
    assets = result.assets
    sources = copy_sources(assets)
    # One pass over the assets, counting as it goes: on a large estate a pass per figure
    # (and a Counter.update per asset) cost more than the rules.
    personal = outside = without_copy = unknown = personal_unknown = 0
    by_country: dict[str, int] = {}
    personal_by_country: dict[str, int] = {}
    for asset in assets:
        countries = asset.location.countries
        if not countries:
            unknown += 1
        for country in countries:
            by_country[country] = by_country.get(country, 0) + 1
        if not asset.classification.is_personal:
            continue
        personal += 1
        if not countries:
            personal_unknown += 1
        for country in countries:
            personal_by_country[country] = personal_by_country.get(country, 0) + 1
        if not within(asset.location, home):
            outside += 1
        if not has_home_copy(asset, home, sources):
            without_copy += 1
    by_severity = {severity.value: 0 for severity in Severity}
    waived = 0
    for finding in result.findings:
        if finding.status == "open":
            by_severity[finding.severity.value] += 1
        else:
            waived += 1
    return {
        "assets_total": len(assets),
        "personal_assets": personal,
        "personal_assets_outside_home": outside,
        "personal_assets_without_home_copy": without_copy,
        "exposure_pct": round(100.0 * outside / personal, 1) if personal else 0.0,
        "findings_by_severity": by_severity,
        "assets_by_country": dict(Counter(by_country).most_common()),
        "assets_location_unknown": unknown,
        "personal_assets_location_unknown": personal_unknown,
        "personal_assets_by_country": dict(Counter(personal_by_country).most_common()),
        "findings_waived": waived,
    }
