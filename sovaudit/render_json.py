"""The JSON rendering of the model (CONTRACT.md, schema_version "1").

Every machine format (json, jsonl, ocsf, inventory files) starts from these dictionaries, so
the contract's field names live in exactly one place. Fields the contract names are always
present (null when empty); sovaudit's extensions (zone, data_locations, owner, note...) only
when they carry something.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sovaudit import __version__
from sovaudit.model import Asset, Copy, Finding, Location, ScanError, ScanResult, WaiverNotice

SCHEMA_VERSION = "1"


def location_to_dict(location: Location) -> dict[str, Any]:
    data: dict[str, Any] = {
        "countries": list(location.countries),
        "subdivision": location.subdivision,
        "city": location.city,
        "source": location.source.value,
        "confidence": location.confidence.value,
    }
    if location.note:
        data["note"] = location.note
    return data


def copy_to_dict(copy: Copy) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": copy.kind,
        "region": copy.region,
        "location": location_to_dict(copy.location),
    }
    if copy.provider:
        data["provider"] = copy.provider
    if copy.target:
        data["target"] = copy.target
    return data


def asset_to_dict(asset: Asset) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": asset.id,
        "provider": asset.provider,
        "service": asset.service,
        "kind": asset.kind,
        "name": asset.name,
        "account": asset.account,
        "region": asset.region,
    }
    if asset.zone:
        data["zone"] = asset.zone
    if asset.data_locations:
        data["data_locations"] = list(asset.data_locations)
    data.update(
        location=location_to_dict(asset.location),
        copies=[copy_to_dict(c) for c in asset.copies],
        classification=asset.classification.value,
        classification_source=asset.classification_source,
        tags=dict(asset.tags),
    )
    for key in ("owner", "description"):
        if getattr(asset, key):
            data[key] = getattr(asset, key)
    if asset.attributes:
        data["attributes"] = dict(asset.attributes)
    return data


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": finding.id,
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "asset_id": finding.asset_id,
        "title": finding.title,
        "message": finding.message,
        "references": list(finding.references),
        "remediation": finding.remediation,
        "status": finding.status,
    }
    if finding.waiver is not None:
        data["waiver"] = {
            "reason": finding.waiver.reason,
            "expires": finding.waiver.expires,
            "owner": finding.waiver.owner,
        }
    return data


def error_to_dict(error: ScanError) -> dict[str, Any]:
    return {"provider": error.provider, "scope": error.scope, "message": error.message}


def tool_block() -> dict[str, str]:
    return {"name": "sovaudit", "version": __version__}


def inventory_document(assets: Iterable[Asset], errors: Iterable[ScanError]) -> dict[str, Any]:
    """What ``sovaudit inventory`` writes: an inventory file that ``scan`` accepts back."""
    return {
        "tool": tool_block(),
        "assets": [asset_to_dict(a) for a in assets],
        "errors": [error_to_dict(e) for e in errors],
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def iter_json(document: Mapping[str, Any]) -> Iterator[str]:
    """``document`` as JSON text in chunks: one line per element of its top-level lists.

    Readable, friendly to ``diff`` and ``grep``, and fast: each element goes through the C
    encoder (an indented dump uses the pure-Python one, ten times slower on large estates).
    """
    yield "{"
    for position, (key, value) in enumerate(document.items()):
        yield ("," if position else "") + f"\n  {_dumps(key)}: "
        if isinstance(value, list) and value:
            yield "[\n    " + _dumps(value[0])
            for item in value[1:]:
                yield ",\n    " + _dumps(item)
            yield "\n  ]"
        else:
            yield _dumps(value)
    yield "\n}\n"


def waiver_notice_to_dict(notice: WaiverNotice) -> dict[str, Any]:
    return {
        "problem": notice.problem,
        "rule": notice.rule,
        "asset": notice.asset,
        "reason": notice.reason,
        "owner": notice.owner,
        "expires": notice.expires,
        "origin": notice.origin,
    }


def scan_document(result: ScanResult, summary: Mapping[str, Any]) -> dict[str, Any]:
    """``scan --format json`` (CONTRACT.md, schema_version "1")."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": tool_block(),
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "home_country": result.home_country,
        "summary": dict(summary),
        "assets": [asset_to_dict(a) for a in result.assets],
        "findings": [finding_to_dict(f) for f in result.findings],
        "errors": [error_to_dict(e) for e in result.errors],
        "waiver_notices": [waiver_notice_to_dict(n) for n in result.waiver_notices],
    }


def iter_jsonl(result: ScanResult) -> Iterator[str]:
    """One finding per line, its asset inlined under ``asset`` (for SIEM pipelines)."""
    assets = {asset.id: asset for asset in result.assets}
    for finding in result.findings:
        line = finding_to_dict(finding)
        line["asset"] = asset_to_dict(assets[finding.asset_id])
        yield _dumps(line) + "\n"
