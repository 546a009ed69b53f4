"""Build model objects from inventory records (JSON, YAML and CSV files alike).

The records (sovaudit.inputs.inventory.records) have been checked against the inventory
format already; what is left here is meaning: defaults, a declared location's confidence,
and which locations are left to the locator.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from msgspec import UNSET

from sovaudit.inputs.inventory.records import (
    AssetRecord,
    CopyRecord,
    LocationRecord,
    convert_asset,
    convert_location,
)
from sovaudit.model import (
    EMPTY_TAGS,
    UNKNOWN_LOCATION,
    Asset,
    Classification,
    Confidence,
    ContentSample,
    Copy,
    Location,
    LocationSource,
    unknown_location,
)

DEFAULT_PROVIDER = "inventory"
_LEFT_TO_THE_LOCATOR = (LocationSource.CATALOGUE, LocationSource.UNKNOWN)


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _tags(tags: dict[Any, Any] | None) -> Mapping[str, str]:
    """Tags as text: ``true``/``false`` for booleans, numbers as written, keys too."""
    if not tags:
        return EMPTY_TAGS
    if all(type(k) is str and type(v) is str for k, v in tags.items()):
        return MappingProxyType(tags)  # the usual case, and a 100,000-asset file's cost
    return MappingProxyType({str(k): _text(v) or "" for k, v in tags.items()})


def location_from_record(record: LocationRecord) -> Location:
    """A declared location; a catalogue-derived or empty one is left for the locator.

    Locations a previous scan took from the catalogue are recomputed, so a corrected
    catalogue row corrects old inventories too.
    """
    if record.countries is not UNSET:
        countries = tuple(dict.fromkeys(c.upper() for c in record.countries))
    elif record.country is not UNSET:
        countries = (record.country.upper(),)
    else:
        countries = ()
    source = LocationSource.DECLARED if record.source is UNSET else record.source
    note = record.note or None
    if not countries or source in _LEFT_TO_THE_LOCATOR:
        return unknown_location(note)
    if record.confidence is not UNSET:
        confidence = record.confidence
    else:
        confidence = Confidence.MEDIUM if source is LocationSource.DECLARED else Confidence.HIGH
    return Location(
        countries=countries,
        subdivision=record.subdivision.upper() if record.subdivision else None,
        city=record.city or None,
        source=source,
        confidence=confidence,
        note=note,
    )


def _location(record: LocationRecord | Any) -> Location:
    return UNKNOWN_LOCATION if record is UNSET else location_from_record(record)


def copy_from_record(record: CopyRecord) -> Copy:
    return Copy(
        kind=record.kind,
        location=_location(record.location),
        region=record.region or None,
        provider=record.provider or None,
        target=record.target or None,
    )


def asset_from_record(record: AssetRecord) -> Asset:
    """An Asset from one inventory record."""
    classification, classification_source = Classification.UNKNOWN, "default"
    if record.classification is not UNSET:
        classification = record.classification
        classification_source = record.classification_source or "declared"
    sample = record.content_sample
    return Asset(
        id=record.id,
        provider=DEFAULT_PROVIDER if record.provider is UNSET else record.provider,
        location=_location(record.location),
        service=record.service or None,
        kind=record.kind or None,
        name=record.name or None,
        account=_text(record.account),
        region=record.region or None,
        zone=record.zone or None,
        data_locations=tuple(record.data_locations),
        copies=tuple(copy_from_record(c) for c in record.copies) if record.copies else (),
        classification=classification,
        classification_source=classification_source,
        tags=_tags(record.tags),
        owner=record.owner or None,
        description=record.description or None,
        attributes=MappingProxyType(record.attributes) if record.attributes else EMPTY_TAGS,
        content=ContentSample.from_dict(sample) if sample is not UNSET else None,
    )


def build_location(data: Mapping[str, Any] | None) -> Location:
    """A Location from a mapping in the inventory's form (``{"country": "MX"}``)."""
    return location_from_record(convert_location(data)) if data else unknown_location()


def build_asset(data: Mapping[str, Any]) -> Asset:
    """An Asset from a mapping in the inventory's form (msgspec.ValidationError if not)."""
    return asset_from_record(convert_asset(data))
