"""The model's few behaviours: unknown is never home, copies, severity order, JSON."""

from __future__ import annotations

import pytest

from sovaudit.copies import has_home_copy
from sovaudit.model import (
    UNKNOWN_LOCATION,
    Asset,
    Classification,
    Confidence,
    Copy,
    Location,
    LocationSource,
    Severity,
)
from sovaudit.report.json_document import asset_to_dict

MX = Location(("MX",), LocationSource.CATALOGUE, Confidence.HIGH, "MX-QUE", "Querétaro")
MX_US = Location(("MX", "US"), LocationSource.CATALOGUE, Confidence.HIGH)


def test_unknown_is_never_within_any_country() -> None:
    assert not UNKNOWN_LOCATION.within("MX")
    assert not UNKNOWN_LOCATION.known
    assert MX.within("MX")
    assert not MX_US.within("MX")
    assert MX_US.touches("MX")


def test_assets_are_frozen() -> None:
    asset = Asset(id="a", provider="aws")
    with pytest.raises(AttributeError):
        asset.region = "us-east-1"  # type: ignore[misc]


def test_home_copy_counts_the_primary_and_wholly_home_copies_only() -> None:
    abroad = Location(("US",), LocationSource.CATALOGUE, Confidence.HIGH)
    assert has_home_copy(Asset(id="a", provider="x", location=MX), "MX", {})
    spread = Asset(id="a", provider="x", location=abroad, copies=(Copy("dual-region", MX_US),))
    assert not has_home_copy(spread, "MX", {})
    backed = Asset(id="a", provider="x", location=abroad, copies=(Copy("backup", MX),))
    assert has_home_copy(backed, "MX", {})


def test_personal_includes_sensitive() -> None:
    assert Classification.SENSITIVE.is_personal
    assert Classification.PERSONAL.is_personal
    assert not Classification.UNKNOWN.is_personal
    assert Severity.CRITICAL.rank > Severity.HIGH.rank > Severity.INFO.rank


def test_asset_json_has_every_contract_field_even_when_empty() -> None:
    data = asset_to_dict(Asset(id="a", provider="inventory"))
    assert list(data) == [
        "id",
        "provider",
        "service",
        "kind",
        "name",
        "account",
        "region",
        "location",
        "copies",
        "classification",
        "classification_source",
        "tags",
    ]
    assert data["location"] == {
        "countries": [],
        "subdivision": None,
        "city": None,
        "source": "unknown",
        "confidence": "low",
    }
