"""The JSON rendering of the model (CONTRACT.md, schema_version "1").

Every machine format (json, jsonl, ocsf, inventory files) starts from these dictionaries, so
the contract's field names live in exactly one place. Fields the contract names are always
present (null when empty); sovaudit's extensions (zone, data_locations, owner, note...) only
when they carry something.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

from sovaudit import __version__
from sovaudit.json_text import dumps, json_lines, lines
from sovaudit.model import Asset, Copy, Finding, Location, ScanError, ScanResult, WaiverNotice

SCHEMA_VERSION = "1"
_Item = TypeVar("_Item")


# `_value_` rather than `.value` in these per-asset functions: on Python 3.11 `.value` is a
# descriptor call that costs more than building the rest of the dictionary.


def location_to_dict(location: Location) -> dict[str, Any]:
    data: dict[str, Any] = {
        "countries": list(location.countries),
        "subdivision": location.subdivision,
        "city": location.city,
        "source": location.source._value_,
        "confidence": location.confidence._value_,
    }
    if location.note:
        data["note"] = location.note
    return data


LocationRenderer = Callable[[Location], dict[str, Any]]


class SharedLocations:
    """``location_to_dict`` that renders each Location object once per document.

    An estate of 100,000 assets has a few dozen distinct locations (the locator shares them),
    so the same dictionary can stand for all of them in the output.
    """

    def __init__(self) -> None:
        self._rendered: dict[int, tuple[Location, dict[str, Any]]] = {}

    def __call__(self, location: Location) -> dict[str, Any]:
        hit = self._rendered.get(id(location))
        if hit is not None and hit[0] is location:
            return hit[1]
        data = location_to_dict(location)
        self._rendered[id(location)] = (location, data)
        return data


def copy_to_dict(copy: Copy, locations: LocationRenderer = location_to_dict) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": copy.kind,
        "region": copy.region,
        "location": locations(copy.location),
    }
    if copy.provider:
        data["provider"] = copy.provider
    if copy.target:
        data["target"] = copy.target
    return data


def asset_to_dict(asset: Asset, locations: LocationRenderer = location_to_dict) -> dict[str, Any]:
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
    data["location"] = locations(asset.location)
    data["copies"] = [copy_to_dict(c, locations) for c in asset.copies] if asset.copies else []
    data["classification"] = asset.classification._value_
    data["classification_source"] = asset.classification_source
    data["tags"] = dict(asset.tags)
    if asset.owner:
        data["owner"] = asset.owner
    if asset.description:
        data["description"] = asset.description
    if asset.attributes:
        data["attributes"] = dict(asset.attributes)
    if asset.content is not None:  # only with --sample-content: other outputs stay as they were
        data["content_sample"] = asset.content.to_dict()
    return data


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": finding.id,
        "rule_id": finding.rule_id,
        "severity": finding.severity._value_,
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


class Rendered(Sequence[dict[str, Any]]):
    """One of a document's long lists (assets, findings), each element rendered when read.

    ``iter_json`` reads it a batch at a time, so writing the document of a 1,000,000-asset
    estate never holds every element's dictionary at once: that alone took more memory than
    the rest of the scan.
    """

    def __init__(self, items: Sequence[_Item], render: Callable[[_Item], dict[str, Any]]) -> None:
        self._items = items
        self._render = render

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._render(item) for item in self._items[index]]
        return self._render(self._items[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self._render, self._items)


def inventory_document(assets: Sequence[Asset], errors: Iterable[ScanError]) -> dict[str, Any]:
    """What ``sovaudit inventory`` writes: an inventory file that ``scan`` accepts back."""
    locations = SharedLocations()
    return {
        "tool": tool_block(),
        "assets": Rendered(assets, lambda a: asset_to_dict(a, locations)),
        "errors": [error_to_dict(e) for e in errors],
    }


_BATCH = 1000


def iter_json(document: Mapping[str, Any]) -> Iterator[str]:
    """``document`` as JSON text in chunks: one line per element of its top-level lists.

    Readable, friendly to ``diff`` and ``grep``, and fast: each batch of elements is one
    call to the C encoder (an indented dump is many times slower on large estates).
    """
    yield "{"
    for position, (key, value) in enumerate(document.items()):
        yield ("," if position else "") + f"\n  {dumps(key)}: "
        if isinstance(value, Rendered) and not value:
            yield "[]"
        elif isinstance(value, (list, Rendered)) and value:
            yield "["
            for start in range(0, len(value), _BATCH):
                separator = "\n    " if start == 0 else ",\n    "
                yield separator + lines(value[start : start + _BATCH], ",\n    ")
            yield "\n  ]"
        else:
            yield dumps(value)
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
    locations = SharedLocations()
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": tool_block(),
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "home_country": result.home_country,
        "summary": dict(summary),
        "assets": Rendered(result.assets, lambda a: asset_to_dict(a, locations)),
        "findings": Rendered(result.findings, finding_to_dict),
        "errors": [error_to_dict(e) for e in result.errors],
        "waiver_notices": [waiver_notice_to_dict(n) for n in result.waiver_notices],
    }


def finding_events(result: ScanResult) -> Iterator[dict[str, Any]]:
    """Each finding with its asset inlined under ``asset``: a JSONL line, a SIEM event."""
    assets = {asset.id: asset for asset in result.assets}
    locations = SharedLocations()
    for finding in result.findings:
        event = finding_to_dict(finding)
        event["asset"] = asset_to_dict(assets[finding.asset_id], locations)
        yield event


def iter_jsonl(result: ScanResult) -> Iterator[str]:
    """One finding per line, its asset inlined under ``asset`` (for SIEM pipelines)."""
    return json_lines(finding_events(result))
