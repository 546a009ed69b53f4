"""Build model objects from inventory records (JSON, YAML and CSV files alike).

The records (sovaudit.inputs.inventory.records) have been checked against the inventory
format already; what is left here is meaning: defaults, a declared location's confidence,
and which locations are left to the locator.
"""

from __future__ import annotations

import functools
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
        return MappingProxyType({_shared(k) or k: v for k, v in tags.items()})
    return MappingProxyType({_shared(str(k)) or str(k): _text(v) or "" for k, v in tags.items()})


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
    return _declared(
        countries,
        record.subdivision.upper() if record.subdivision else None,
        record.city or None,
        source,
        confidence,
        note,
    )


@functools.lru_cache(maxsize=65536)
def _declared(
    countries: tuple[str, ...],
    subdivision: str | None,
    city: str | None,
    source: LocationSource,
    confidence: Confidence,
    note: str | None,
) -> Location:
    """One Location object for each declared place: assets declared in the same place share
    it, which later stages rely on to judge them once (engine.view.shared_key)."""
    return Location(countries, source, confidence, subdivision=subdivision, city=city, note=note)


# One string object for each value of the fields a large estate repeats (provider, service,
# kind, region, zone, account, tag keys): a decoder gives every occurrence its own copy, and
# at 1,000,000 assets the copies alone took a third of the scan's memory.
_SHARED: dict[str, str] = {}
_SHARED_MAX = 50_000


def _shared(text: str | None) -> str | None:
    """``text`` itself, or an equal string already held (None and "" are None)."""
    if not text:
        return None
    held = _SHARED.get(text)
    if held is not None:
        return held
    if len(_SHARED) >= _SHARED_MAX:  # an estate whose values never repeat: stop collecting
        _SHARED.clear()
    _SHARED[text] = text
    return text


def forget_shared() -> None:
    """Let the strings go once a file is read (its assets keep the ones they use)."""
    _SHARED.clear()


def _location(record: LocationRecord | Any) -> Location:
    return UNKNOWN_LOCATION if record is UNSET else location_from_record(record)


def copy_from_record(record: CopyRecord) -> Copy:
    return Copy(
        kind=_shared(record.kind) or record.kind,
        location=_location(record.location),
        region=_shared(record.region),
        provider=_shared(record.provider),
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
        provider=DEFAULT_PROVIDER if record.provider is UNSET else _shared(record.provider) or "",
        location=_location(record.location),
        service=_shared(record.service),
        kind=_shared(record.kind),
        name=record.name or None,
        account=_shared(_text(record.account)),
        region=_shared(record.region),
        zone=_shared(record.zone),
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
