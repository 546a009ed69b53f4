"""The region catalogue: its shape, and its completeness against lists written by others."""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest

from sovaudit.errors import CatalogueError
from sovaudit.locate import iso3166
from sovaudit.locate.catalogue import Catalogue, load_catalogue
from tests.conftest import DATA

RANGES = DATA / "cloud-ip-ranges"


def _json(name: str) -> dict:
    return json.loads((RANGES / name).read_text(encoding="utf-8"))


def test_bundled_catalogue_covers_the_five_providers(catalogue: Catalogue) -> None:
    assert {"aws", "gcp", "azure", "oci", "huawei"} <= set(catalogue.providers)


def test_every_botocore_region_of_every_partition_is_catalogued(catalogue: Catalogue) -> None:
    endpoints = json.loads(
        (Path(botocore.__file__).parent / "data" / "endpoints.json").read_text("utf-8")
    )
    regions = [r for p in endpoints["partitions"] for r in p["regions"]]
    assert len(regions) > 40
    missing = [r for r in regions if catalogue.lookup("aws", r) is None]
    assert missing == []


def test_every_aws_ip_range_region_and_border_group_is_catalogued(catalogue: Catalogue) -> None:
    data = _json("aws-ip-ranges.json")
    codes = {
        p[k]
        for p in data["prefixes"] + data["ipv6_prefixes"]
        for k in ("region", "network_border_group")
    }
    # GLOBAL is AWS's label for edge networks (CloudFront), not a place.
    codes.discard("GLOBAL")
    assert "us-east-1-qro-1" in codes
    assert sorted(c for c in codes if catalogue.lookup("aws", c) is None) == []


def test_every_azure_cloud_service_tag_region_is_catalogued(catalogue: Catalogue) -> None:
    tags = [
        v["name"].split(".", 1)[1]
        for v in _json("azure-service-tags.json")["values"]
        if v["name"].startswith("AzureCloud.")
    ]
    assert "mexicocentral" in tags
    assert len(tags) > 60
    assert [t for t in tags if catalogue.lookup("azure", t) is None] == []


def test_every_google_cloud_scope_is_catalogued(catalogue: Catalogue) -> None:
    scopes = {p["scope"] for p in _json("google-cloud.json")["prefixes"]} - {"global"}
    assert "northamerica-south1" in scopes
    assert sorted(s for s in scopes if catalogue.lookup("gcp", s) is None) == []


def test_every_oracle_region_is_catalogued(catalogue: Catalogue) -> None:
    regions = [r["region"] for r in _json("oracle-public-ip-ranges.json")["regions"]]
    assert {"mx-queretaro-1", "mx-monterrey-1"} <= set(regions)
    assert [r for r in regions if catalogue.lookup("oci", r) is None] == []


@pytest.mark.parametrize(
    ("provider", "code", "subdivision"),
    [
        ("aws", "mx-central-1", "MX-QUE"),
        ("aws", "us-east-1-qro-1", "MX-QUE"),
        ("gcp", "northamerica-south1", "MX-QUE"),
        ("azure", "mexicocentral", "MX-QUE"),
        ("oci", "mx-queretaro-1", "MX-QUE"),
        ("oci", "mx-monterrey-1", "MX-NLE"),
        ("huawei", "na-mexico-1", "MX-CMX"),
        ("huawei", "la-north-2", "MX-CMX"),
    ],
)
def test_regions_in_mexico(
    catalogue: Catalogue, provider: str, code: str, subdivision: str
) -> None:
    region = catalogue.lookup(provider, code)
    assert region is not None
    assert region.countries == ("MX",)
    assert region.subdivision == subdivision


def test_the_mexico_list_has_no_stowaways(catalogue: Catalogue) -> None:
    in_mexico = {(r.provider, r.code) for r in catalogue.regions() if "MX" in r.countries}
    assert in_mexico == {
        ("aws", "mx-central-1"),
        ("aws", "us-east-1-qro-1"),
        ("gcp", "northamerica-south1"),
        ("azure", "mexicocentral"),
        ("oci", "mx-queretaro-1"),
        ("oci", "mx-monterrey-1"),
        ("huawei", "na-mexico-1"),
        ("huawei", "la-north-2"),
    }


def test_mexico_central_has_no_azure_pair_and_brazil_south_pairs_with_texas(
    catalogue: Catalogue,
) -> None:
    assert catalogue.lookup("azure", "mexicocentral").paired_region is None
    pair = catalogue.lookup("azure", "brazilsouth").paired_region
    assert pair == "southcentralus"
    texas = catalogue.lookup("azure", pair)
    assert (texas.countries, texas.subdivision) == (("US",), "US-TX")


@pytest.mark.parametrize(
    ("provider", "code"), [("aws", "ap-east-1"), ("gcp", "asia-east2"), ("azure", "eastasia")]
)
def test_hong_kong_is_hk_not_cn(catalogue: Catalogue, provider: str, code: str) -> None:
    assert catalogue.lookup(provider, code).countries == ("HK",)


def test_multi_and_dual_regions_are_the_union_of_their_members(catalogue: Catalogue) -> None:
    checked = 0
    for region in catalogue.regions():
        if region.kind != "dual-region" or not region.members:
            continue
        members = [catalogue.lookup(region.provider, m) for m in region.members]
        assert None not in members, region.code
        union = {c for m in members for c in m.countries}
        assert set(region.countries) == union, region.code
        checked += 1
    assert checked >= 6  # GCS predefined dual-regions at least


@pytest.mark.parametrize(
    ("code", "countries"),
    [("NAM4", {"US"}), ("ASIA1", {"JP"}), ("EUR4", {"FI", "NL"}), ("US", {"US"})],
)
def test_gcs_locations(catalogue: Catalogue, code: str, countries: set[str]) -> None:
    assert set(catalogue.lookup("gcp", code).countries) == countries


def test_gcs_multi_regions_eu_and_asia_span_several_countries(catalogue: Catalogue) -> None:
    for code in ("EU", "ASIA"):
        region = catalogue.lookup("gcp", code)
        assert region.kind == "multi-region"
        assert len(region.countries) > 1
        assert "MX" not in region.countries


def test_references_between_rows_resolve(catalogue: Catalogue) -> None:
    for region in catalogue.regions():
        for other in filter(None, (region.paired_region, region.parent_region)):
            assert catalogue.lookup(region.provider, other) is not None, (region.code, other)


def test_no_display_name_or_alias_is_ambiguous(catalogue: Catalogue) -> None:
    assert catalogue.ambiguous_names == frozenset()


def test_every_row_has_a_source(catalogue: Catalogue) -> None:
    assert all(r.source.strip() for r in catalogue.regions())


def test_every_catalogue_subdivision_is_an_iso_code_of_the_rows_country(
    catalogue: Catalogue,
) -> None:
    regions = [r for r in catalogue.regions() if r.subdivision]
    assert len(regions) > 100
    wrong = [
        (r.provider, r.code, r.subdivision)
        for r in regions
        if not iso3166.is_subdivision(r.subdivision)
        or r.subdivision.split("-", 1)[0] not in r.countries
    ]
    assert wrong == []


def test_every_catalogue_country_is_an_iso_code(catalogue: Catalogue) -> None:
    wrong = [
        (r.provider, r.code, c)
        for r in catalogue.regions()
        for c in r.countries
        if not iso3166.is_country(c)
    ]
    assert wrong == []


def test_iso_subdivisions_newer_than_the_bundled_release_and_renames() -> None:
    assert iso3166.is_subdivision("IN-TS")  # Telangana since 2023, added by hand
    assert iso3166.is_subdivision("IN-TG")  # its old code, still recognised
    # Gangwon was renamed in 2023 but kept its code; KR-51 was never assigned.
    assert iso3166.is_subdivision("KR-42")
    assert not iso3166.is_subdivision("KR-51")


@pytest.mark.parametrize(
    ("provider", "code", "country", "subdivision"),
    [
        ("oci", "af-casablanca-1", "MA", "MA-06"),
        ("oci", "ap-chuncheon-1", "KR", "KR-42"),
        ("oci", "ap-hyderabad-1", "IN", "IN-TS"),
        ("aws", "ap-south-2", "IN", "IN-TS"),
        ("aws", "eu-central-1-waw-1", "PL", "PL-14"),
        ("azure", "koreasouth", "KR", "KR-26"),
        ("azure", "usgovvirginia", "US", "US-VA"),
        ("azure", "usgovtexas", "US", "US-TX"),
        ("azure", "usgovarizona", "US", "US-AZ"),
        ("huawei", "ae-ad-1", "AE", "AE-AZ"),
        ("huawei", "cn-east-4", "CN", "CN-AH"),
        ("huawei", "cn-east-5", "CN", "CN-SD"),
        ("huawei", "cn-north-2", "CN", "CN-BJ"),
        ("huawei", "cn-south-2", "CN", "CN-GD"),
    ],
)
def test_corrected_and_added_rows(
    catalogue: Catalogue, provider: str, code: str, country: str, subdivision: str
) -> None:
    region = catalogue.lookup(provider, code)
    assert region is not None
    assert (region.countries, region.subdivision) == ((country,), subdivision)


@pytest.mark.parametrize(
    ("key", "code"), [("JBP", "ap-kulai-2"), ("lej", "af-casablanca-1"), ("YNY", "ap-chuncheon-1")]
)
def test_oci_region_keys_find_their_region(catalogue: Catalogue, key: str, code: str) -> None:
    assert catalogue.lookup("oci", key).code == code


AZURE_GOVERNMENT = {
    "usgovvirginia": "usgovtexas",
    "usgovtexas": None,
    "usgovarizona": "usgovtexas",
    "usdodeast": "usdodcentral",
    "usdodcentral": "usdodeast",
}
AZURE_CHINA = {
    "chinanorth": "chinaeast",
    "chinaeast": "chinanorth",
    "chinanorth2": "chinaeast2",
    "chinaeast2": "chinanorth2",
    "chinanorth3": "chinaeast3",
    "chinaeast3": "chinanorth3",
}


@pytest.mark.parametrize(
    ("regions", "country"), [(AZURE_GOVERNMENT, "US"), (AZURE_CHINA, "CN")], ids=["gov", "china"]
)
def test_azure_sovereign_clouds_stay_in_their_country(
    catalogue: Catalogue, regions: dict[str, str | None], country: str
) -> None:
    for code, pair in regions.items():
        region = catalogue.lookup("azure", code)
        assert region is not None, code
        assert region.countries == (country,), code
        assert region.paired_region == pair, code
        assert "sovereign cloud" in (region.notes or ""), code
        if pair:
            assert catalogue.lookup("azure", pair).countries == (country,), code


def test_azure_locations_microsoft_does_not_publish_stay_empty(catalogue: Catalogue) -> None:
    for code in (*AZURE_CHINA, "usdodeast", "usdodcentral"):
        region = catalogue.lookup("azure", code)
        assert (region.subdivision, region.city) == (None, None), code
    assert catalogue.lookup("azure", "brazilus").countries == ()


# Every region ID in the region tables of huaweicloud-sdk-python-v3 release 3.1.211 (the
# */region/*_region.py files), cn-north-7 being a test mock there.
HUAWEI_SDK_REGIONS = [
    "ae-ad-1",
    "af-north-1",
    "af-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-north-1",
    "cn-north-11",
    "cn-north-12",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-south-1",
    "cn-south-2",
    "cn-south-4",
    "cn-southwest-2",
    "cn-southwest-3",
    "eu-west-0",
    "eu-west-101",
    "la-north-2",
    "la-south-2",
    "me-east-1",
    "my-kualalumpur-1",
    "na-mexico-1",
    "ru-moscow-1",
    "ru-northwest-2",
    "sa-brazil-1",
    "sa-peru-1",
    "tr-west-1",
]


def test_every_huawei_sdk_region_is_catalogued(catalogue: Catalogue) -> None:
    assert [r for r in HUAWEI_SDK_REGIONS if catalogue.lookup("huawei", r) is None] == []
    assert catalogue.lookup("huawei", "AP-Manila").countries == ("PH",)


HEADER = (
    "region,name,aliases,countries,subdivision,city,kind,members,paired_region,"
    "parent_region,source,notes\n"
)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("x-1,X,,MEX,,,region,,,,src,\n", "'MEX' is not an ISO 3166-1 alpha-2 code"),
        ("x-1,X,,MX,US-TX,,region,,,,src,\n", "subdivision 'US-TX' is not in"),
        ("x-1,X,,MX,,,zone,,,,src,\n", "kind 'zone' is not one of"),
        ("x-1,X,,MX,,,region,,,,,\n", "every row needs a source"),
        ("x-1,X,,MX\n", "wrong number of columns"),
    ],
)
def test_a_malformed_catalogue_row_names_file_and_line(
    tmp_path: Path, row: str, message: str
) -> None:
    (tmp_path / "acme.csv").write_text(HEADER + "ok-1,Ok,,US,,,region,,,,src,\n" + row)
    with pytest.raises(CatalogueError, match=r"acme\.csv:3") as info:
        load_catalogue(tmp_path)
    assert message in str(info.value)


def test_display_names_never_shadow_codes(tmp_path: Path) -> None:
    (tmp_path / "acme.csv").write_text(
        HEADER + "east,west,,US,,,region,,,,src,\nwest,West,,CA,,,region,,,,src,\n"
    )
    catalogue = load_catalogue(tmp_path)
    assert catalogue.lookup("acme", "west").countries == ("CA",)
    assert catalogue.lookup("acme", "WEST").countries == ("CA",)


@pytest.mark.parametrize(
    ("service", "code", "countries"),
    [
        ("spanner", "nam-eur-asia1", {"US", "BE", "TW"}),  # three continents
        ("spanner", "nam3", {"US"}),
        ("spanner", "eur3", {"BE", "NL", "FI"}),
        ("spanner", "eur5", {"GB", "BE", "NL"}),  # not GCS's EUR5 (Belgium + London)
        ("gcs", "EUR5", {"BE", "GB"}),
        ("spanner", "asia1", {"JP", "KR"}),  # not GCS's ASIA1 (Tokyo + Osaka)
        ("gcs", "ASIA1", {"JP"}),
        ("firestore", "nam5", {"US"}),
        ("firestore", "eur3", {"BE", "NL", "FI"}),
    ],
)
def test_spanner_and_firestore_multi_regions(
    catalogue: Catalogue, service: str, code: str, countries: set[str]
) -> None:
    from sovaudit.locate.regions import Locator

    location = Locator(catalogue).locate("gcp", code, service=service)
    assert set(location.countries) == countries


def test_spanner_and_firestore_multi_region_members_are_catalogued(catalogue: Catalogue) -> None:
    for code in (
        "nam3",
        "nam6",
        "nam7",
        "nam-eur-asia1",
        "eur3",
        "eur6",
        "spanner-eur5",
        "spanner-asia1",
        "nam5",
    ):
        region = catalogue.lookup("gcp", code)
        assert region is not None, code
        assert region.kind == "multi-region"
        members = [catalogue.lookup("gcp", member) for member in region.members]
        assert None not in members, code
        assert set(region.countries) == {c for m in members for c in m.countries}, code
