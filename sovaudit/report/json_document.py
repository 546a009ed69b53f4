"""The JSON rendering of the model (CONTRACT.md, schema_version "1").

Every machine format (json, jsonl, ocsf, inventory files) starts from these dictionaries, so
the contract's field names live in exactly one place. Fields the contract names are always
present (null when empty); sovaudit's extensions (zone, data_locations, owner, note...) only
when they carry something.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

import msgspec

from sovaudit import __version__
from sovaudit.json_text import builtins as _builtins
from sovaudit.json_text import encode, json_lines, lines
from sovaudit.model import Asset, Copy, Finding, Location, ScanError, ScanResult, WaiverNotice

SCHEMA_VERSION = "1"
_Item = TypeVar("_Item")


# `_value_` rather than `.value` in these per-asset functions: on Python 3.11 `.value` is a
# descriptor call that costs more than building the rest of the object.
#
# The shapes below are the contract's: msgspec encodes them in this field order, leaving out
# a field that has a default when it holds it (sovaudit's extensions: zone, data_locations,
# note, owner...); fields without a default are always written, null when empty. The
# dictionaries other formats build on (``asset_to_dict``...) are these same shapes; lists
# are lists (not tuples) so that those dictionaries are what json.loads would give.


class LocationJSON(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    countries: list[str]
    subdivision: str | None
    city: str | None
    source: str
    confidence: str
    note: str | None = None


class CopyJSON(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    kind: str
    region: str | None
    location: LocationJSON
    provider: str | None = None
    target: str | None = None


class AssetJSON(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    id: str
    provider: str
    service: str | None
    kind: str | None
    name: str | None
    account: str | None
    region: str | None
    zone: str | None = None
    data_locations: list[str] | None = None
    location: LocationJSON
    copies: list[CopyJSON]
    classification: str
    classification_source: str
    tags: Mapping[str, str]
    owner: str | None = None
    description: str | None = None
    attributes: Mapping[str, Any] | None = None
    content_sample: dict[str, Any] | None = None


class WaiverJSON(msgspec.Struct, kw_only=True, gc=False):
    reason: str
    expires: str | None
    owner: str | None


class FindingJSON(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    id: str
    rule_id: str
    severity: str
    asset_id: str
    title: str
    message: str
    references: list[str]
    remediation: str
    status: str
    waiver: WaiverJSON | None = None


def location_json(location: Location) -> LocationJSON:
    return LocationJSON(
        countries=list(location.countries),
        subdivision=location.subdivision,
        city=location.city,
        source=location.source._value_,
        confidence=location.confidence._value_,
        note=location.note or None,
    )


def location_to_dict(location: Location) -> dict[str, Any]:
    return _builtins(location_json(location))


LocationRenderer = Callable[[Location], LocationJSON]


class SharedLocations:
    """``location_json`` that renders each Location object once per document.

    An estate of 100,000 assets has a few dozen distinct locations (the locator shares them),
    so the same object can stand for all of them in the output.
    """

    def __init__(self) -> None:
        self._rendered: dict[int, tuple[Location, LocationJSON]] = {}

    def __call__(self, location: Location) -> LocationJSON:
        hit = self._rendered.get(id(location))
        if hit is not None and hit[0] is location:
            return hit[1]
        data = location_json(location)
        self._rendered[id(location)] = (location, data)
        return data


def copy_json(copy: Copy, locations: LocationRenderer = location_json) -> CopyJSON:
    return CopyJSON(
        kind=copy.kind,
        region=copy.region,
        location=locations(copy.location),
        provider=copy.provider or None,
        target=copy.target or None,
    )


def asset_json(asset: Asset, locations: LocationRenderer = location_json) -> AssetJSON:
    """The asset as CONTRACT's JSON writes it."""
    content = asset.content
    return AssetJSON(
        id=asset.id,
        provider=asset.provider,
        service=asset.service,
        kind=asset.kind,
        name=asset.name,
        account=asset.account,
        region=asset.region,
        zone=asset.zone or None,
        data_locations=list(asset.data_locations) if asset.data_locations else None,
        location=locations(asset.location),
        copies=[copy_json(c, locations) for c in asset.copies] if asset.copies else [],
        classification=asset.classification._value_,
        classification_source=asset.classification_source,
        tags=dict(asset.tags),
        owner=asset.owner or None,
        description=asset.description or None,
        attributes=asset.attributes or None,
        # Only with --sample-content: other outputs stay as they were.
        content_sample=content.to_dict() if content is not None else None,
    )


def asset_to_dict(asset: Asset, locations: LocationRenderer = location_json) -> dict[str, Any]:
    return _builtins(asset_json(asset, locations))


def finding_json(finding: Finding) -> FindingJSON:
    """The finding as CONTRACT's JSON writes it."""
    waiver = finding.waiver
    return FindingJSON(
        id=finding.id,
        rule_id=finding.rule_id,
        severity=finding.severity._value_,
        asset_id=finding.asset_id,
        title=finding.title,
        message=finding.message,
        references=list(finding.references),
        remediation=finding.remediation,
        status=finding.status,
        waiver=None
        if waiver is None
        else WaiverJSON(reason=waiver.reason, expires=waiver.expires, owner=waiver.owner),
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    return _builtins(finding_json(finding))


def error_to_dict(error: ScanError) -> dict[str, Any]:
    return {"provider": error.provider, "scope": error.scope, "message": error.message}


def tool_block() -> dict[str, str]:
    return {"name": "sovaudit", "version": __version__}


class Rendered(Sequence[dict[str, Any]]):
    """One of a document's long lists (assets, findings), each element rendered when read.

    ``iter_json`` encodes it a batch at a time (``encodable``: the JSON-shaped objects, which
    msgspec encodes without a dictionary per element), so writing the document of a
    1,000,000-asset estate never holds every element at once. Read as a sequence, it gives
    the elements as dictionaries (the history and the tests read them so).
    """

    def __init__(self, items: Sequence[_Item], as_json: Callable[[_Item], Any]) -> None:
        self._items = items
        self._as_json = as_json

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [_builtins(self._as_json(item)) for item in self._items[index]]
        return _builtins(self._as_json(self._items[index]))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (_builtins(self._as_json(item)) for item in self._items)

    def encodable(self, start: int, stop: int) -> list[Any]:
        """Elements ``start`` to ``stop`` as the objects the encoder writes."""
        return [self._as_json(item) for item in self._items[start:stop]]


def inventory_document(assets: Sequence[Asset], errors: Iterable[ScanError]) -> dict[str, Any]:
    """What ``sovaudit inventory`` writes: an inventory file that ``scan`` accepts back."""
    locations = SharedLocations()
    return {
        "tool": tool_block(),
        "assets": Rendered(assets, lambda a: asset_json(a, locations)),
        "errors": [error_to_dict(e) for e in errors],
    }


_BATCH = 1000


def iter_json(document: Mapping[str, Any]) -> Iterator[bytes]:
    """``document`` as JSON text in chunks: one line per element of its top-level lists.

    Readable, friendly to ``diff`` and ``grep``, and fast: each batch of elements is one
    call to the C encoder (an indented dump is many times slower on large estates).
    """
    yield b"{"
    for position, (key, value) in enumerate(document.items()):
        yield (b"," if position else b"") + b"\n  " + encode(key) + b": "
        if isinstance(value, Rendered) and not value:
            yield b"[]"
        elif isinstance(value, (list, Rendered)) and value:
            yield b"["
            for start in range(0, len(value), _BATCH):
                separator = b"\n    " if start == 0 else b",\n    "
                batch = (
                    value.encodable(start, start + _BATCH)
                    if isinstance(value, Rendered)
                    else value[start : start + _BATCH]
                )
                yield separator + lines(batch, b",\n    ")
            yield b"\n  ]"
        else:
            yield encode(value)
    yield b"\n}\n"


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
        "assets": Rendered(result.assets, lambda a: asset_json(a, locations)),
        "findings": Rendered(result.findings, finding_json),
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


def iter_jsonl(result: ScanResult) -> Iterator[bytes]:
    """One finding per line, its asset inlined under ``asset`` (for SIEM pipelines)."""
    return json_lines(finding_events(result))
