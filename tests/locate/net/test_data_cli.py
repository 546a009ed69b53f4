"""`sovaudit data show` and `data update` through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from sovaudit.locate.net import range_sources, ranges
from tests.conftest import DATA


def test_data_show_names_every_source_and_its_date() -> None:
    result = CliRunner().invoke(
        cli, ["data", "show", "--geoip-db", str(DATA / "maxmind" / "GeoLite2-City-Test.mmdb")]
    )
    assert result.exit_code == 0
    for provider in ("aws", "gcp", "azure", "oci"):
        assert f"\n{provider} " in result.output
    assert "2025-07-24" in result.output
    assert "GeoIP: GeoLite2-City " in result.output
    assert "GeoLite2 data created by MaxMind" in result.output


def test_a_failed_update_keeps_the_old_cache_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    previous = cache / ranges.CACHE_FILENAME
    previous.write_bytes(b"previous snapshot")
    # Nothing listens on port 9 of the loopback: a real refused connection, no mock.
    for provider in list(range_sources.OFFICIAL_URLS):
        monkeypatch.setitem(range_sources.OFFICIAL_URLS, provider, f"http://127.0.0.1:9/{provider}")
    result = CliRunner().invoke(cli, ["data", "update", "--cache-dir", str(cache)])
    assert result.exit_code == 3
    assert "failed" in result.output
    assert "left unchanged" in result.output
    assert previous.read_bytes() == b"previous snapshot"
