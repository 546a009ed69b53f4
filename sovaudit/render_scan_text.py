"""The terminal summary of a scan: the exposure figure first, then what to fix first."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sovaudit.model import ScanResult
from sovaudit.render_table import format_table

ROUNDTABLE_FIGURE = 90  # % of Mexican companies' data stored abroad (Mexico City roundtable)


def render_scan_table(result: ScanResult, summary: Mapping[str, Any]) -> Iterator[str]:
    home = result.home_country
    personal = summary["personal_assets"]
    outside = summary["personal_assets_outside_home"]
    yield (
        f"Exposure: {outside} of {personal} personal-data assets "
        f"({summary['exposure_pct']}%) are not wholly in {home}"
    )
    if home == "MX":
        yield (
            f" (the Mexico City roundtable on AI and data sovereignty put the figure for "
            f"Mexican companies at about {ROUNDTABLE_FIGURE}%)"
        )
    yield ".\n"
    yield (
        f"{summary['personal_assets_without_home_copy']} personal-data assets have no copy "
        f"in {home}; {summary['personal_assets_location_unknown']} could not be located.\n"
    )
    countries = ", ".join(f"{c} {n}" for c, n in summary["assets_by_country"].items())
    yield f"{summary['assets_total']} assets by country: {countries or 'none located'}.\n"
    counts = summary["findings_by_severity"]
    yield (
        "Open findings: "
        + ", ".join(f"{counts[s]} {s}" for s in counts)
        + (f"; {summary['findings_waived']} waived" if summary["findings_waived"] else "")
        + ".\n\n"
    )
    if result.findings:
        rows = [
            (
                f.severity.value.upper() if f.status == "open" else f"waived:{f.severity.value}",
                f.rule_id,
                f.asset_id,
                f.message,
            )
            for f in result.findings
        ]
        yield from format_table(("SEVERITY", "RULE", "ASSET", "FINDING"), rows, max_cell=90)
    for notice in result.waiver_notices:
        yield (
            f"\nWAIVER {notice.problem.upper()}: {notice.rule} / {notice.asset} "
            f"(owner {notice.owner}, expires {notice.expires}, {notice.origin})"
        )
    if result.waiver_notices:
        yield "\n"
    for error in result.errors:
        yield f"\nNOT READ: {error.provider} {error.scope}: {error.message}"
    if result.errors:
        yield "\nThe scan is incomplete: the figures above leave out what could not be read.\n"
