"""Run time: lookups in the range table, the bundled snapshot, and choosing what to load.

The table under test is built from the trimmed official files in tests/data/cloud-ip-ranges
(see SOURCE.md there) or read from the bundled snapshot.
"""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import ipaddress
import random
import subprocess
import sys
from pathlib import Path

import pytest

from sovaudit.locate.catalogue import Catalogue
from sovaudit.locate.net.range_sources import ParsedSource, render_snapshot
from sovaudit.locate.net.ranges import (
    CACHE_FILENAME,
    PROVIDERS,
    CloudRanges,
    RangeDataError,
    bundled_snapshot,
)


@pytest.fixture(scope="module")
def bundled() -> CloudRanges:
    return CloudRanges.read(bundled_snapshot())


# --- lookups ---------------------------------------------------------------------------------


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


_START_UP = """
import sys
from click.testing import CliRunner
from sovaudit.cli.main import cli
import sovaudit.providers.net
result = CliRunner().invoke(cli, ["locate", "15.220.184.1", "--format", "json"])
assert '"us-east-1-qro-1"' in result.stdout, result.output
print(sorted(m for m in sys.modules if m.startswith("sovaudit.locate.net")))
"""


def test_locating_does_not_import_the_parsers() -> None:
    """`locate` and the net provider read the snapshot only; the providers' formats are for
    `data update`. A fresh interpreter, because this test session imports both."""
    result = subprocess.run(
        [sys.executable, "-c", _START_UP], capture_output=True, text=True, check=True
    )
    assert "'sovaudit.locate.net.ranges'" in result.stdout
    assert "range_sources" not in result.stdout
    assert "sovaudit.locate.net.update" not in result.stdout
