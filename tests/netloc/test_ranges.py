"""The clouds' published IP ranges: parsing the real files, lookups, the snapshot, updates.

Every prefix used here is a real one from the trimmed official files in
tests/data/cloud-ip-ranges (see SOURCE.md there); the updater is tested against a real HTTP
server on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import http.server
import ipaddress
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sovaudit.catalogue import Catalogue
from sovaudit.netloc.ranges import (
    CACHE_FILENAME,
    PROVIDERS,
    SOURCE_FILES,
    CloudRanges,
    ParsedSource,
    RangeDataError,
    bundled_snapshot,
    parse_directory,
    parse_source,
    read_snapshot,
    render_snapshot,
)
from sovaudit.netloc.update import update_ranges

DATA = Path(__file__).resolve().parent.parent / "data" / "cloud-ip-ranges"


@pytest.fixture(scope="module")
def parsed() -> list[ParsedSource]:
    return parse_directory(DATA, datetime.date(2025, 7, 24), on_source=lambda _: None)


@pytest.fixture(scope="module")
def ranges(parsed: list[ParsedSource]) -> CloudRanges:
    return CloudRanges.from_sources(parsed)


@pytest.fixture(scope="module")
def bundled() -> CloudRanges:
    return CloudRanges.read(bundled_snapshot())


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


@pytest.mark.parametrize(
    ("ip", "provider", "region"),
    [
        ("2600:1f69:7400:1::5", "aws", "mx-central-1"),
        ("2600:1900:4290::1", "gcp", "northamerica-south1"),
        ("::ffff:136.18.152.1", "aws", "mx-central-1"),  # IPv4-mapped: looked up as IPv4
    ],
)
def test_ipv6(ranges: CloudRanges, ip: str, provider: str, region: str) -> None:
    match = ranges.lookup(ip)
    assert match is not None
    assert (match.provider, match.region) == (provider, region)


@pytest.mark.parametrize("ip", ["192.0.2.1", "10.0.0.1", "2001:db8::1", "198.51.100.7"])
def test_address_in_no_range(ranges: CloudRanges, ip: str) -> None:
    assert ranges.lookup(ip) is None


def test_not_an_address(ranges: CloudRanges) -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        ranges.lookup("example.com")


def test_longest_prefix_wins(ranges: CloudRanges) -> None:
    # Real AWS nesting: 15.193.0.0/19 is AMAZON_CONNECT, GLOBAL; /24s inside are regional.
    inner = ranges.lookup("15.193.3.200")
    assert inner is not None
    assert (inner.network, inner.region) == ("15.193.3.0/24", "ap-southeast-2")
    outer = ranges.lookup("15.193.31.1")
    assert outer is not None
    assert (outer.network, outer.region) == ("15.193.0.0/19", None)
    before, after = ranges.lookup("15.193.4.255"), ranges.lookup("15.193.5.0")
    assert before is not None
    assert after is not None
    assert (before.region, after.region) == ("eu-central-1", "eu-west-2")


def _brute_force(rows: list[tuple[ipaddress.IPv4Network, int]], address: int) -> int | None:
    best: tuple[int, int] | None = None
    for network, index in rows:
        inside = int(network.network_address) <= address <= int(network.broadcast_address)
        if inside and (best is None or network.prefixlen > best[0]):
            best = (network.prefixlen, index)
    return None if best is None else best[1]


def test_lookup_agrees_with_brute_force(ranges: CloudRanges) -> None:
    """The flattened intervals give the same answer as checking every prefix."""
    rows = list(ranges.rows())
    v4 = [
        (net, index)
        for index, row in enumerate(rows)
        if isinstance(net := ipaddress.ip_network(row.network), ipaddress.IPv4Network)
    ]
    rng = random.Random(7)
    for _ in range(400):
        network, _ = rng.choice(v4)
        first = int(network.network_address)
        address = rng.randint(max(0, first - 300), int(network.broadcast_address) + 300)
        address = min(address, 2**32 - 1)
        expected = _brute_force(v4, address)
        match = ranges.lookup(str(ipaddress.IPv4Address(address)))
        assert (match.network if match else None) == (
            rows[expected].network if expected is not None else None
        )


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
    ranges = CloudRanges.from_sources([azure])
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


# --- the bundled snapshot --------------------------------------------------------------------


def test_bundled_snapshot_sources(bundled: CloudRanges) -> None:
    assert [source.provider for source in bundled.sources] == list(PROVIDERS)
    for source in bundled.sources:
        assert source.url.startswith("https://")
        assert source.date >= datetime.date(2025, 7, 1)
    assert bundled.oldest_date == datetime.date(2025, 7, 21)
    assert bundled.is_stale(datetime.date(2025, 12, 1))
    assert not bundled.is_stale(datetime.date(2025, 8, 1))


def test_bundled_snapshot_is_small_and_complete(bundled: CloudRanges) -> None:
    path = Path(str(bundled_snapshot()))
    assert path.stat().st_size < 1024 * 1024
    providers = {row.provider for row in bundled.rows()}
    assert providers == set(PROVIDERS)
    assert any(row.cdn and row.region is None for row in bundled.rows())
    match = bundled.lookup("15.220.184.1")
    assert match is not None
    assert match.region == "us-east-1-qro-1"


def test_every_bundled_region_is_in_the_catalogue(
    bundled: CloudRanges, catalogue: Catalogue
) -> None:
    """Guards the catalogue: Local Zones, Wavelength zones and Azure's short tag names."""
    missing = sorted(
        {
            (row.provider, row.region)
            for row in bundled.rows()
            if row.region is not None and catalogue.lookup(row.provider, row.region) is None
        }
    )
    assert missing == []


def test_snapshot_round_trip(parsed: list[ParsedSource], tmp_path: Path) -> None:
    path = tmp_path / "snap.tsv.gz"
    data = render_snapshot(parsed)
    assert data == render_snapshot(parsed)  # reproducible: no timestamp in the gzip header
    path.write_bytes(data)
    sources, rows = read_snapshot(path)
    assert [s.info for s in parsed] == sources
    assert rows == list(CloudRanges.from_sources(parsed).rows())


@pytest.mark.parametrize(
    "content", [b"", b"not gzip", gzip.compress(b"#something-else\t1\n"), b"\x1f\x8b\x08garbage"]
)
def test_corrupt_snapshot(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.tsv.gz"
    path.write_bytes(content)
    with pytest.raises(RangeDataError):
        CloudRanges.load(path)


def _dated(parsed: list[ParsedSource], day: datetime.date) -> list[ParsedSource]:
    return [dataclasses.replace(p, info=dataclasses.replace(p.info, date=day)) for p in parsed]


def test_load_prefers_a_fresher_cache(
    parsed: list[ParsedSource], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = tmp_path / "sovaudit" / CACHE_FILENAME
    cache.parent.mkdir()
    cache.write_bytes(render_snapshot(_dated(parsed, datetime.date(2030, 1, 1))))
    assert CloudRanges.load().origin == str(cache)
    cache.write_bytes(render_snapshot(_dated(parsed, datetime.date(2020, 1, 1))))
    assert CloudRanges.load().origin == str(bundled_snapshot())
    cache.write_bytes(b"corrupt")
    assert CloudRanges.load().origin == str(bundled_snapshot())


# --- updating from the official URLs (a real local server) ----------------------------------


class _Server:
    """Serves path -> (status, body); tests change the table between runs."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = routes.get(self.path, (404, b"not found"))
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def serve_trimmed_files(self) -> dict[str, str]:
        urls = {}
        for provider, name in SOURCE_FILES.items():
            path = (
                f"/{provider}/ServiceTags_Public_20250721.json"
                if provider == "azure"
                else f"/{provider}/{name}"
            )
            self.routes[path] = (200, (DATA / name).read_bytes())
            urls[provider] = self.base + path
        return urls


@pytest.fixture
def server() -> Iterator[_Server]:
    instance = _Server()
    thread = threading.Thread(target=instance.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield instance
    finally:
        instance.httpd.shutdown()
        instance.httpd.server_close()
        thread.join()


@pytest.mark.integration
def test_update_writes_a_new_cache(server: _Server, tmp_path: Path) -> None:
    urls = server.serve_trimmed_files()
    report = update_ranges(tmp_path / "cache", urls=urls)
    assert report.ok, report.lines()
    assert [s.status for s in report.sources] == ["downloaded"] * 4
    ranges = CloudRanges.read(report.path)
    dates = {s.provider: s.date.isoformat() for s in ranges.sources}
    assert dates == {
        "aws": "2025-07-24",
        "gcp": "2025-07-24",
        "azure": "2025-07-21",  # from the weekly file's name
        "oci": "2025-07-21",
    }
    match = ranges.lookup("140.84.160.1")
    assert match is not None
    assert match.region == "mx-queretaro-1"
    assert report.lines()[-1] == f"wrote {report.path}"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("provider", "status", "body", "reason"),
    [
        ("gcp", 500, b"internal error", "500"),
        ("oci", 200, b"<html>maintenance</html>", "not a valid Oracle"),
        ("aws", 200, b'{"prefixes": "x"}', "not a valid AWS"),
    ],
)
def test_failed_source_keeps_the_previous_cache(
    server: _Server, tmp_path: Path, provider: str, status: int, body: bytes, reason: str
) -> None:
    urls = server.serve_trimmed_files()
    first = update_ranges(tmp_path, urls=urls)
    assert first.ok
    before = first.path.read_bytes()
    server.routes[urls[provider].removeprefix(server.base)] = (status, body)
    report = update_ranges(tmp_path, urls=urls)
    assert not report.ok
    assert not report.written
    assert first.path.read_bytes() == before
    failed = [s for s in report.sources if s.status == "failed"]
    assert [s.provider for s in failed] == [provider]
    assert reason in failed[0].message
    assert "left unchanged" in report.lines()[-1]
    assert [p.name for p in tmp_path.iterdir()] == [CACHE_FILENAME]  # no temp file left


@pytest.mark.integration
def test_unreachable_server_is_reported(tmp_path: Path) -> None:
    report = update_ranges(tmp_path, urls={"aws": "http://127.0.0.1:9/ip-ranges.json"})
    assert not report.written
    assert report.sources[0].status == "failed"
    assert not (tmp_path / CACHE_FILENAME).exists()


@pytest.mark.integration
def test_azure_without_url_keeps_previous_rows(server: _Server, tmp_path: Path) -> None:
    urls = server.serve_trimmed_files()
    del urls["azure"]
    report = update_ranges(tmp_path, urls=urls)
    assert report.written, report.lines()
    azure = next(s for s in report.sources if s.provider == "azure")
    assert azure.status == "kept"
    assert "download" in azure.message
    ranges = CloudRanges.read(report.path)
    bundled_azure = next(
        s for s in CloudRanges.read(bundled_snapshot()).sources if s.provider == "azure"
    )
    assert next(s for s in ranges.sources if s.provider == "azure") == bundled_azure
    match = ranges.lookup("20.33.130.77")
    assert match is not None
    assert match.provider == "azure"
