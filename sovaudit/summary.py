"""The summary block: the figures a compliance officer reads first."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sovaudit.copies import copy_sources, has_home_copy
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
    personal = [a for a in assets if a.classification.is_personal]
    outside = [a for a in personal if not a.location.within(home)]
    sources = copy_sources(assets)
    without_copy = [a for a in personal if not has_home_copy(a, home, sources)]
    by_severity = {severity.value: 0 for severity in Severity}
    waived = 0
    for finding in result.findings:
        if finding.status == "open":
            by_severity[finding.severity.value] += 1
        else:
            waived += 1
    by_country: Counter[str] = Counter()
    personal_by_country: Counter[str] = Counter()
    for asset in assets:
        by_country.update(asset.location.countries)
        if asset.classification.is_personal:
            personal_by_country.update(asset.location.countries)
    return {
        "assets_total": len(assets),
        "personal_assets": len(personal),
        "personal_assets_outside_home": len(outside),
        "personal_assets_without_home_copy": len(without_copy),
        "exposure_pct": round(100.0 * len(outside) / len(personal), 1) if personal else 0.0,
        "findings_by_severity": by_severity,
        "assets_by_country": dict(by_country.most_common()),
        "assets_location_unknown": sum(1 for a in assets if not a.location.known),
        "personal_assets_location_unknown": sum(1 for a in personal if not a.location.known),
        "personal_assets_by_country": dict(personal_by_country.most_common()),
        "findings_waived": waived,
    }
