"""Updating the cached snapshot from the official URLs, against a real server on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sovaudit.locate.net.range_sources import SOURCE_FILES
from sovaudit.locate.net.ranges import CACHE_FILENAME, CloudRanges, bundled_snapshot
from sovaudit.locate.net.update import update_ranges
from tests.locate.net.conftest import RANGE_FILES


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
            self.routes[path] = (200, (RANGE_FILES / name).read_bytes())
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
