"""One row per finding, for the spreadsheet a compliance team keeps its remediation plan in.

Asset names, tags and ids come from the estate being audited, so anyone who can name a bucket
can put text in this file: ``sovaudit.csv_cells`` writes it so that no cell is a live formula
and no value breaks a row (formulas get a leading ``'``; see there).
"""

from __future__ import annotations

from collections.abc import Iterator

from sovaudit.csv_cells import csv_document
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


def _row(finding: Finding, asset: Asset | None) -> tuple[str | None, ...]:
    waiver = finding.waiver
    location = asset.location if asset is not None else None
    return (
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


def render_csv(result: ScanResult) -> Iterator[str]:
    """A header and one row per finding, in the order the scan reported them.

    The first chunk starts with the UTF-8 byte order mark, so it is the file's first bytes
    wherever the output goes (stdout, ``-o FILE``) and Excel shows accents.
    """
    assets = {asset.id: asset for asset in result.assets}
    return csv_document(COLUMNS, (_row(f, assets.get(f.asset_id)) for f in result.findings))
