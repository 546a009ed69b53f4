"""Build time: the providers' official files parsed, attributed, merged and written.

Every prefix used here is a real one from the trimmed official files in
tests/data/cloud-ip-ranges (see SOURCE.md there).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from sovaudit.locate.catalogue import Catalogue
from sovaudit.locate.net.range_sources import (
    ParsedSource,
    parse_source,
    ranges_from_sources,
    render_snapshot,
)
from sovaudit.locate.net.ranges import CloudRanges, RangeDataError, read_snapshot

# --- parsing and attribution -----------------------------------------------------------------


def test_aws_mexico_region(ranges: CloudRanges) -> None:
    match = ranges.lookup("136.18.153.7")  # 136.18.152.0/21, AMAZON and EC2, mx-central-1
    assert match is not None
    assert (match.provider, match.region, match.network) == (
        "aws",
        "mx-central-1",
        "136.18.152.0/21",
    )
    assert match.service == "EC2"  # the specific service wins over the catch-all AMAZON
    assert not match.cdn
    assert match.source == "AWS ip-ranges.json 2025-07-24"


def test_aws_local_zone_is_the_border_group(ranges: CloudRanges, catalogue: Catalogue) -> None:
    # region says us-east-1; network_border_group us-east-1-qro-1 is Querétaro.
    match = ranges.lookup("15.220.184.1")
    assert match is not None
    assert match.region == "us-east-1-qro-1"
    region = catalogue.lookup("aws", match.region)
    assert region is not None
    assert region.countries == ("MX",)
    assert region.subdivision == "MX-QUE"


def test_cloudfront_is_cdn_without_region(ranges: CloudRanges) -> None:
    match = ranges.lookup("205.251.249.10")  # 205.251.249.0/24, CLOUDFRONT, GLOBAL
    assert match is not None
    assert (match.cdn, match.region, match.service) == (True, None, "CLOUDFRONT")
    match6 = ranges.lookup("2600:9000:3000::1")  # 2600:9000:3000::/36
    assert match6 is not None
    assert match6.cdn


def test_google_mexico(ranges: CloudRanges) -> None:
    match = ranges.lookup("34.51.10.20")  # 34.51.0.0/17
    assert match is not None
    assert (match.provider, match.region) == ("gcp", "northamerica-south1")
    assert match.source == "Google cloud.json 2025-07-24"
    global_match = ranges.lookup("34.8.1.1")  # 34.8.0.0/16, scope global
    assert global_match is not None
    assert global_match.region is None


def test_azure_mexico_central(ranges: CloudRanges, catalogue: Catalogue) -> None:
    match = ranges.lookup("20.33.130.77")  # Storage.MexicoCentral 20.33.130.0/24
    assert match is not None
    assert (match.provider, match.service) == ("azure", "Storage.MexicoCentral")
    assert match.region is not None
    region = catalogue.lookup("azure", match.region)
    assert region is not None
    assert region.code == "mexicocentral"


def test_azure_front_door_is_cdn(ranges: CloudRanges) -> None:
    match = ranges.lookup("13.107.4.9")  # AzureFrontDoor.FirstParty 13.107.4.0/22
    assert match is not None
    assert match.cdn
    assert match.service == "AzureFrontDoor.FirstParty"


@pytest.mark.parametrize(
    ("ip", "region"),
    [("140.84.170.1", "mx-queretaro-1"), ("40.233.31.255", "mx-monterrey-1")],
)
def test_oracle_mexico(ranges: CloudRanges, ip: str, region: str) -> None:
    match = ranges.lookup(ip)
    assert match is not None
    assert (match.provider, match.region, match.service) == ("oci", region, "OCI")
    assert match.source == "Oracle public_ip_ranges.json 2025-07-21"


def test_global_rows_covered_by_regional_ones_are_dropped() -> None:
    """Azure's global tag repeats regional prefixes: it must not hide the region."""
    azure = parse_source(
        "azure",
        b'{"changeNumber": 1, "values": ['
        b'{"name": "AzureCloud", "properties": {"region": "",'
        b' "addressPrefixes": ["20.33.130.0/24", "20.33.130.5/32"]}},'
        b'{"name": "Storage.MexicoCentral", "properties": {"region": "mexicocentral",'
        b' "addressPrefixes": ["20.33.130.0/24"]}}]}',
        date=datetime.date(2025, 7, 24),
    )
    ranges = ranges_from_sources([azure])
    assert len(ranges) == 1
    match = ranges.lookup("20.33.130.5")
    assert match is not None
    assert (match.region, match.service) == ("mexicocentral", "Storage.MexicoCentral")


def test_parse_errors_are_range_data_errors() -> None:
    with pytest.raises(RangeDataError, match="not a valid AWS"):
        parse_source("aws", b"<html>nope</html>")
    with pytest.raises(RangeDataError, match="createDate"):
        parse_source("aws", b'{"prefixes": [], "ipv6_prefixes": []}')
    with pytest.raises(RangeDataError, match="no prefixes"):
        parse_source("gcp", b'{"prefixes": [], "creationTime": "2025-07-24T00:00:00"}')


# --- writing the snapshot --------------------------------------------------------------------


def test_snapshot_round_trip(parsed: list[ParsedSource], tmp_path: Path) -> None:
    path = tmp_path / "snap.tsv.gz"
    data = render_snapshot(parsed)
    assert data == render_snapshot(parsed)  # reproducible: no timestamp in the gzip header
    path.write_bytes(data)
    sources, rows = read_snapshot(path)
    assert [s.info for s in parsed] == sources
    assert rows == list(ranges_from_sources(parsed).rows())
