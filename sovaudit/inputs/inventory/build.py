"""Build model objects from validated inventory objects (YAML, JSON or CSV rows alike)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sovaudit.model import (
    EMPTY_TAGS,
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


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_location(data: Mapping[str, Any] | None) -> Location:
    """A declared location; a catalogue-derived or empty one is left for the locator.

    Locations a previous scan took from the catalogue are recomputed, so a corrected
    catalogue row corrects old inventories too.
    """
    if not data:
        return unknown_location()
    countries = data.get("countries")
    if countries is None and data.get("country"):
        countries = [data["country"]]
    countries = tuple(dict.fromkeys(str(c).upper() for c in countries or ()))
    source = LocationSource(data.get("source") or LocationSource.DECLARED.value)
    if not countries or source in (LocationSource.CATALOGUE, LocationSource.UNKNOWN):
        return unknown_location(_text(data.get("note")))
    subdivision = _text(data.get("subdivision"))
    default_confidence = Confidence.MEDIUM if source is LocationSource.DECLARED else Confidence.HIGH
    return Location(
        countries=countries,
        subdivision=subdivision.upper() if subdivision else None,
        city=_text(data.get("city")),
        source=source,
        confidence=Confidence(data.get("confidence") or default_confidence.value),
        note=_text(data.get("note")),
    )


def build_copy(data: Mapping[str, Any]) -> Copy:
    return Copy(
        kind=str(data["kind"]),
        location=build_location(data.get("location")),
        region=_text(data.get("region")),
        provider=_text(data.get("provider")),
        target=_text(data.get("target")),
    )


def build_content(data: Any) -> ContentSample | None:
    """A previous scan's ``content_sample``, so its evidence survives the round trip."""
    if not isinstance(data, Mapping):
        return None
    return ContentSample.from_dict(data)


def build_asset(data: Mapping[str, Any]) -> Asset:
    """An Asset from one schema-valid inventory object."""
    classification = data.get("classification")
    tags = data.get("tags") or {}
    attributes = data.get("attributes") or {}
    return Asset(
        id=str(data["id"]),
        provider=str(data.get("provider") or DEFAULT_PROVIDER),
        location=build_location(data.get("location")),
        service=_text(data.get("service")),
        kind=_text(data.get("kind")),
        name=_text(data.get("name")),
        account=_text(data.get("account")),
        region=_text(data.get("region")),
        zone=_text(data.get("zone")),
        data_locations=tuple(str(d) for d in data.get("data_locations") or ()),
        copies=tuple(build_copy(c) for c in data.get("copies") or ()),
        classification=Classification(classification) if classification else Classification.UNKNOWN,
        classification_source=str(data.get("classification_source") or "declared")
        if classification
        else "default",
        tags=MappingProxyType({str(k): _text(v) or "" for k, v in tags.items()})
        if tags
        else EMPTY_TAGS,
        owner=_text(data.get("owner")),
        description=_text(data.get("description")),
        attributes=MappingProxyType(dict(attributes)) if attributes else EMPTY_TAGS,
        content=build_content(data.get("content_sample")),
    )
