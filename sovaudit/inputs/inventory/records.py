"""The inventory file format as typed records, decoded and checked in one pass by msgspec.

These classes accept exactly what ``schemas/inventory.schema.json`` accepts (the schema stays
the published contract that editors and users validate with; a test holds the two together
on valid and invalid documents). Decoding a 100,000-asset JSON file straight into them is
faster than ``json.loads`` alone, where parsing, checking against the schema and building
the model from dictionaries took ten times as long. When a document does not decode, the
reader asks the schema why, so error messages stay those of the schema check, with their
line (sovaudit.inputs.inventory.reader).

Fields the schema forbids to be ``null`` default to ``UNSET``, so that "absent" and "given"
stay apart (``classification_source`` is "declared" only when a classification was given).
A few of the schema's rules are not types: ``country`` with ``countries``, the enums inside
``content_sample`` and how deep ``attributes`` nest. ``beyond_types`` checks those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from sovaudit.errors import InputError
from sovaudit.inputs.documents import MAX_DEPTH, LineFinder, depth_exceeds
from sovaudit.inputs.validation import field_path
from sovaudit.model import Classification, Confidence, LocationSource

# \Z, not $: Python's $ also matches before a final newline, which the schema (as JSON
# Schema's ECMA-262 patterns read it, and as fastjsonschema checks it) does not accept.
Country = Annotated[str, Meta(pattern=r"^[A-Za-z]{2}\Z")]
Subdivision = Annotated[str, Meta(pattern=r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}\Z")]
NonEmpty = Annotated[str, Meta(min_length=1)]
Code = Annotated[str, Meta(min_length=1, max_length=200)]
City = Annotated[str, Meta(max_length=200)]
# JSON Schema's "number" is an integer or a float, never a boolean (msgspec's int is not bool).
Scalar = str | int | float | bool


class LocationRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    countries: list[Country] | UnsetType = UNSET
    country: Country | UnsetType = UNSET
    subdivision: Subdivision | None = None
    city: City | None = None
    source: LocationSource | UnsetType = UNSET
    confidence: Confidence | UnsetType = UNSET
    note: str | None = None


class CopyRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    kind: NonEmpty
    region: str | None = None
    provider: str | None = None
    target: str | None = None
    location: LocationRecord | UnsetType = UNSET


class AssetRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    id: Code
    provider: NonEmpty | UnsetType = UNSET
    service: str | None = None
    kind: str | None = None
    name: str | None = None
    account: str | int | float | None = None
    region: str | None = None
    zone: str | None = None
    data_locations: list[NonEmpty] = msgspec.field(default_factory=list)
    location: LocationRecord | UnsetType = UNSET
    copies: list[CopyRecord] = msgspec.field(default_factory=list)
    classification: Classification | UnsetType = UNSET
    classification_source: str | UnsetType = UNSET
    # Keys are Any because YAML may write `2024: x`, which the schema accepts (and the model
    # keeps as "2024"); JSON object keys are strings anyway.
    tags: dict[Any, Scalar] | None = None
    owner: str | None = None
    description: str | None = None
    attributes: dict[Any, Any] | None = None
    content_sample: dict[Any, Any] | UnsetType = UNSET


class InventoryRecords(msgspec.Struct, frozen=True):
    """An inventory file; a previous scan's JSON is one too (its other keys are skipped)."""

    assets: list[AssetRecord]
    schema_version: Any = UNSET


_CLASSIFICATIONS = frozenset(c.value for c in Classification)
# The document, its assets list and the asset: attributes start three levels down.
_ATTRIBUTE_DEPTH = MAX_DEPTH - 3


def _locations(record: AssetRecord) -> Iterator[LocationRecord]:
    if record.location is not UNSET:
        yield record.location
    for copy in record.copies:
        if copy.location is not UNSET:
            yield copy.location


def _content_sample_fits(sample: dict[Any, Any]) -> bool:
    for key in ("classification", "declared_classification"):
        if key in sample and not (isinstance(sample[key], str) and sample[key] in _CLASSIFICATIONS):
            return False
    source = sample.get("declared_source")
    return source is None or isinstance(source, str)


def beyond_types(records: InventoryRecords) -> bool:
    """True when the schema's rules that are not types reject something in ``records``."""
    return any(asset_beyond_types(record) for record in records.assets)


def asset_beyond_types(record: AssetRecord) -> bool:
    """True when the schema's rules that are not types reject something in ``record``."""
    if (
        record.location is UNSET
        and not record.copies
        and not record.attributes
        and record.content_sample is UNSET
    ):
        return False  # most records: nothing here that the types do not check
    for location in _locations(record):
        if location.country is not UNSET and location.countries is not UNSET:
            return True
    if record.attributes and depth_exceeds(record.attributes, _ATTRIBUTE_DEPTH):
        return True
    return record.content_sample is not UNSET and (
        not _content_sample_fits(record.content_sample)
        or depth_exceeds(record.content_sample, _ATTRIBUTE_DEPTH)
    )


class InventoryOutline(msgspec.Struct, frozen=True):
    """An inventory file with each asset left encoded (a view into the file's bytes): the
    assets are then decoded one at a time, so a file's records are never all held at once."""

    assets: list[msgspec.Raw]
    schema_version: Any = UNSET


_outline_decoder = msgspec.json.Decoder(InventoryOutline)
_asset_decoder = msgspec.json.Decoder(AssetRecord)


def decode_outline(data: bytes | memoryview) -> InventoryOutline:
    """Raises msgspec.DecodeError (syntax and schema alike) or RecursionError."""
    return _outline_decoder.decode(data)


def decode_asset(raw: msgspec.Raw) -> AssetRecord:
    """Raises msgspec.DecodeError or RecursionError."""
    return _asset_decoder.decode(raw)


def convert(document: Any) -> InventoryRecords:
    """The records of a document already parsed (YAML, CSV rows); msgspec.ValidationError."""
    return msgspec.convert(document, InventoryRecords)


def convert_asset(data: Any) -> AssetRecord:
    return msgspec.convert(data, AssetRecord)


def convert_location(data: Any) -> LocationRecord:
    return msgspec.convert(data, LocationRecord)


# msgspec says where: "Expected `str`, got `int` - at `$.assets[3].tags`" (or "at `key` in").
_WHERE = re.compile(r" - at `(?:key` in `)?\$(?P<path>[^`]*)`$")
_STEP = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]")


def records_error(exc: msgspec.ValidationError, file: str, find_line: LineFinder) -> InputError:
    """``exc`` as the one line every input error is: file, line, field, message."""
    text = str(exc)
    where = _WHERE.search(text)
    path: list[str | int] = []
    if where:
        text = text[: where.start()]
        for step in _STEP.finditer(where["path"]):
            path.append(int(step["index"]) if step["index"] else step["name"])
    message = text.replace("`", "'")
    return InputError(file, message, line=find_line(path), field=field_path(path) or None)
