"""Locating codes: every trap DOMAIN.md lists, table-driven."""

from __future__ import annotations

import pytest

from sovaudit.copies import has_home_copy
from sovaudit.inputs.inventory.build import build_location
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset, Confidence, Copy, LocationSource


@pytest.mark.parametrize(
    ("provider", "region", "service", "zone", "countries", "subdivision"),
    [
        # Mexico, every provider, every spelling
        ("aws", "mx-central-1", None, None, ("MX",), "MX-QUE"),
        ("aws", "mx-central-1a", None, None, ("MX",), "MX-QUE"),  # an AZ given as region
        ("aws", "us-east-1", "ec2", "us-east-1-qro-1a", ("MX",), "MX-QUE"),  # Local Zone
        ("aws", "us-east-1", "ec2", "mx-central-1b", ("MX",), "MX-QUE"),
        ("aws", "us-east-1-qro-1", None, None, ("MX",), "MX-QUE"),
        ("gcp", "NORTHAMERICA-SOUTH1", "gcs", None, ("MX",), "MX-QUE"),
        ("gcp", "northamerica-south1", None, "northamerica-south1-b", ("MX",), "MX-QUE"),
        ("azure", "mexicocentral", None, None, ("MX",), "MX-QUE"),
        ("azure", "Mexico Central", None, None, ("MX",), "MX-QUE"),
        ("azure", "MEXICO CENTRAL", None, None, ("MX",), "MX-QUE"),
        ("oci", "mx-monterrey-1", None, None, ("MX",), "MX-NLE"),
        ("oci", "MTY", None, None, ("MX",), "MX-NLE"),
        ("oci", "mx-queretaro-1", None, "Uocm:MX-QUERETARO-1-AD-1", ("MX",), "MX-QUE"),
        # S3 quirks: null is us-east-1, EU is eu-west-1 (Ireland)
        ("aws", None, "s3", None, ("US",), "US-VA"),
        ("aws", "", "s3", None, ("US",), "US-VA"),
        ("aws", "EU", "s3", None, ("IE",), None),
        # Local Zone of us-east-1 is Virginia's region but not the zone's country
        ("aws", "us-east-1", "ec2", "us-east-1a", ("US",), "US-VA"),
        # Hong Kong
        ("aws", "ap-east-1", None, None, ("HK",), None),
        ("gcp", "asia-east2", None, None, ("HK",), None),
        ("azure", "eastasia", None, None, ("HK",), None),
        # Azure Service Tags short names
        ("azure", "centralfrance", None, None, ("FR",), None),
    ],
)
def test_locate_traps(
    locator: Locator,
    provider: str,
    region: str | None,
    service: str | None,
    zone: str | None,
    countries: tuple[str, ...],
    subdivision: str | None,
) -> None:
    location = locator.locate(provider, region, service=service, zone=zone)
    assert location.countries == countries
    assert location.source is LocationSource.CATALOGUE
    if subdivision is not None or countries == ("HK",):
        assert location.subdivision == subdivision


@pytest.mark.parametrize(
    ("code", "countries"),
    [
        ("NAM4", {"US"}),
        ("nam4", {"US"}),
        ("EUR4", {"FI", "NL"}),
        ("ASIA1", {"JP"}),
        ("EU", None),
        ("US", {"US"}),
        ("ASIA", None),
    ],
)
def test_gcs_dual_and_multi_regions(
    locator: Locator, code: str, countries: set[str] | None
) -> None:
    location = locator.locate("gcp", code, service="gcs")
    assert "MX" not in location.countries
    assert not location.within("MX")
    if countries is None:
        assert len(location.countries) > 1
        assert location.note
        assert "any of" in location.note
    else:
        assert set(location.countries) == countries


def test_configurable_dual_region_with_queretaro_spans_mexico_and_the_us(locator: Locator) -> None:
    location = locator.locate("gcp", "US", data_locations=["northamerica-south1", "us-south1"])
    assert location.countries == ("MX", "US")
    assert location.touches("MX")
    assert not location.within("MX")
    assert location.subdivision is None


def test_dual_region_with_an_unknown_member_is_unknown(locator: Locator) -> None:
    location = locator.locate("gcp", "US", data_locations=["us-east1", "mars-north1"])
    assert location.countries == ()
    assert "mars-north1" in location.note


@pytest.mark.parametrize(
    ("provider", "region", "reason"),
    [
        ("aws", "mx-centrl-1", "not in the catalogue"),
        ("aws", None, "has no region"),
        ("aws", "EU", "not in the catalogue"),  # EU is only an S3 code, not for EC2
        ("digitalocean", "nyc3", "no region catalogue for provider 'digitalocean'"),
        ("azure", "brazilne", "country is not published"),  # catalogued, country unknown
    ],
)
def test_unknown_codes_are_unknown_never_home(
    locator: Locator, provider: str, region: str | None, reason: str
) -> None:
    location = locator.locate(provider, region, service="ec2")
    assert location.countries == ()
    assert location.confidence is Confidence.LOW
    assert location.source is LocationSource.UNKNOWN
    assert not location.within("MX")
    assert reason in location.note


def test_explain_unknown_suggests_the_closest_code(locator: Locator) -> None:
    message = locator.explain_unknown("aws", "ec2", "mx-centrl-1")
    assert "did you mean 'mx-central-1'" in message
    assert locator.explain_unknown("aws", "s3", "EU") is None
    assert locator.explain_unknown("onprem", None, "rack-3") is None  # nothing to check against


def test_locate_asset_fills_in_copies_and_keeps_declared_locations(locator: Locator) -> None:
    asset = Asset(
        id="db",
        provider="azure",
        region="brazilsouth",
        copies=(
            Copy(kind="secondary", region="southcentralus"),
            Copy(kind="backup", provider="aws", region="mx-central-1"),
            Copy(kind="export", location=build_location({"country": "ca"})),
        ),
    )
    located = locator.locate_asset(asset)
    assert located.location.countries == ("BR",)
    assert [c.location.countries for c in located.copies] == [("US",), ("MX",), ("CA",)]
    assert located.copy_countries == ("US", "MX", "CA")
    assert has_home_copy(located, "MX", {})
    assert asset.location.countries == ()  # the original is untouched


def test_a_declared_location_wins_but_a_disagreement_is_noted(locator: Locator) -> None:
    asset = Asset(
        id="vm", provider="aws", region="us-east-1", location=build_location({"country": "MX"})
    )
    located = locator.locate_asset(asset)
    assert located.location.countries == ("MX",)
    assert located.location.source is LocationSource.DECLARED
    assert "catalogue places us-east-1 in US" in located.location.note


def test_locating_an_already_located_asset_returns_it_unchanged(locator: Locator) -> None:
    asset = locator.locate_asset(Asset(id="b", provider="aws", region="mx-central-1"))
    assert locator.locate_asset(asset) is asset
