"""One row per finding, for the spreadsheet a compliance team keeps its remediation plan in.

Asset names, tags and ids come from the estate being audited, so anyone who can name a bucket
can put text in this file. Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(...)`` exfiltrates on click), so such cells are defused with
a leading ``'``, as OWASP recommends; the value stays readable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sovaudit.model import Asset, Finding, ScanResult

COLUMNS = (
    "finding_id",
    "severity",
    "status",
    "rule_id",
    "title",
    "asset_id",
    "asset_name",
    "provider",
    "region",
    "countries",
    "subdivision",
    "city",
    "classification",
    "copy_countries",
    "message",
    "remediation",
    "references",
    "waiver_reason",
    "waiver_owner",
    "waiver_expires",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 500


def defuse(value: str | None) -> str:
    """``value`` as a cell a spreadsheet shows as text, never evaluates."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _row(finding: Finding, asset: Asset | None) -> list[str]:
    waiver = finding.waiver
    location = asset.location if asset is not None else None
    values = (
        finding.id,
        finding.severity.value,
        finding.status,
        finding.rule_id,
        finding.title,
        finding.asset_id,
        asset.name if asset else None,
        asset.provider if asset else None,
        asset.region if asset else None,
        ";".join(location.countries) if location else None,
        location.subdivision if location else None,
        location.city if location else None,
        asset.classification.value if asset else None,
        ";".join(asset.copy_countries) if asset else None,
        finding.message,
        finding.remediation,
        "; ".join(finding.references),
        waiver.reason if waiver else None,
        waiver.owner if waiver else None,
        waiver.expires if waiver else None,
    )
    return [defuse(value) for value in values]


def _write(rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def render_csv(result: ScanResult) -> Iterator[str]:
    """A header and one row per finding, in the order the scan reported them."""
    assets = {asset.id: asset for asset in result.assets}
    yield _write([COLUMNS])
    findings = result.findings
    for start in range(0, len(findings), _BATCH):
        batch = findings[start : start + _BATCH]
        yield _write(_row(f, assets.get(f.asset_id)) for f in batch)
