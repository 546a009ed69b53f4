"""A real Cloud Storage stand-in for the GCP tests: gcp-storage-emulator over HTTP on 127.0.0.1.

Shared by every test under tests/gcp. Fixture names are part of the tests' contract:

- ``gcs_emulator`` (session): the emulator, started in-process on a free loopback port, with
  its in-memory ``Storage``.
- ``gcs`` (autouse): a ``GcsStandIn`` for the test: an empty emulator, a proxy in front of it
  that ``STORAGE_EMULATOR_HOST`` points at, ``seed()`` to create buckets with full metadata,
  and every other credential source cut so nothing probes a non-loopback address.

Why the seeding goes into the emulator's storage and not through its API: the emulator's
``buckets.insert`` keeps only the name (every bucket comes out ``US``/``multi-region``, no
labels), and its PATCH does not accept ``locationType``, ``customPlacementConfig`` or ``rpo``.
The emulator serves the stored resource as it is, so writing the resource there is the way to
list a bucket exactly as Google would.

Why a proxy: the emulator enforces no permissions and ignores ``project`` when listing. The
proxy answers list-buckets for chosen projects with Google's JSON error (403 denied, or 403
API-disabled), scopes the listing of the others by ``projectNumber``, and records the method of
every request the provider sends, so a test can assert they were all GETs.
"""

from __future__ import annotations

import http.client
import http.server
import ipaddress
import json
import socket
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The dev install brings these; without them the tests must fail, never skip.
import gcp_storage_emulator  # noqa: F401
import google.cloud.storage  # noqa: F401
import pytest
from gcp_storage_emulator.handlers import buckets as emulator_buckets
from gcp_storage_emulator.server import APIThread
from gcp_storage_emulator.storage import Storage

HOST = "127.0.0.1"
_LOOPBACK_NAMES = {HOST, "localhost", "::1"}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
_LIST_PATHS = {"/storage/v1/b", "/b"}
_GOOGLE_VARS = (
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_CLOUD_PROJECT",
    "GCLOUD_PROJECT",
    "CLOUDSDK_CORE_PROJECT",
    "GOOGLE_CLOUD_QUOTA_PROJECT",
    "API_ENDPOINT_OVERRIDE",
)


# --- the emulator ---------------------------------------------------------------------------


class Emulator:
    """gcp-storage-emulator's HTTP thread over an in-memory Storage we keep a handle on."""

    def __init__(self, data_dir: Path) -> None:
        self.storage = Storage(use_memory_fs=True, data_dir=str(data_dir))
        self._api = APIThread(HOST, 0, self.storage, daemon=True)
        self._api.start()
        self._api.is_running.wait(10)
        # APIThread binds port 0 as asked; the port it got is on its HTTPServer.
        self.port = int(self._api._httpd.server_address[1])
        self.url = f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        self._api.join(timeout=1)


@pytest.fixture(scope="session")
def gcs_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emulator = Emulator(tmp_path_factory.mktemp("gcs-emulator"))
    try:
        yield emulator
    finally:
        emulator.stop()


# --- the proxy --------------------------------------------------------------------------------


def google_error(code: int, reason: str, message: str) -> bytes:
    """An error body as the Cloud Storage JSON API writes it."""
    return json.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}],
            }
        }
    ).encode()


_REFUSALS = {
    "denied": (
        403,
        "forbidden",
        "audit@example.iam.gserviceaccount.com does not have storage.buckets.list access to "
        "the Google Cloud project. Permission 'storage.buckets.list' denied on resource (or "
        "it may not exist).",
    ),
    "disabled": (
        403,
        "accessNotConfigured",
        "Cloud Storage JSON API has not been used in project 333 before or it is disabled.",
    ),
}


class GcsProxy:
    """Forwards to the emulator; refuses chosen projects; scopes listings by project number."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.refused: dict[str, str] = {}  # project -> "denied" | "disabled"
        self.numbers: dict[str, str] = {}  # project -> projectNumber of its seeded buckets
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request received
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _send(self, status: int, payload: bytes, headers: Mapping[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                with proxy._lock:
                    proxy.requests.append((self.command, url.path))
                project = (parse_qs(url.query).get("project") or [""])[0]
                listing = self.command == "GET" and url.path in _LIST_PATHS
                if listing and project in proxy.refused:
                    status, reason, message = _REFUSALS[proxy.refused[project]]
                    payload = google_error(status, reason, message)
                    self._send(status, payload, {"Content-Type": "application/json"})
                    return
                upstream = http.client.HTTPConnection(proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                upstream.close()
                if listing and answer.status == 200 and project in proxy.numbers:
                    document = json.loads(payload)
                    number = proxy.numbers[project]
                    document["items"] = [
                        b for b in document.get("items", []) if b.get("projectNumber") == number
                    ]
                    payload = json.dumps(document).encode()
                self._send(answer.status, payload, dict(answer.getheaders()))

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        with self._lock:
            self.refused.clear()
            self.numbers.clear()
            self.requests.clear()

    @property
    def methods(self) -> set[str]:
        with self._lock:
            return {method for method, _ in self.requests}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def gcs_proxy(gcs_emulator: Emulator) -> Iterator[GcsProxy]:
    proxy = GcsProxy(gcs_emulator.url)
    try:
        yield proxy
    finally:
        proxy.close()


# --- what a test gets -------------------------------------------------------------------------


class GcsStandIn:
    """The emulator and proxy as one test sees them."""

    def __init__(self, emulator: Emulator, proxy: GcsProxy) -> None:
        self.emulator = emulator
        self.proxy = proxy

    @property
    def url(self) -> str:
        return self.proxy.url

    def seed(self, name: str, project: str, **metadata: Any) -> dict[str, Any]:
        """Create bucket ``name`` in ``project`` with its resource fields as the API names them
        (``location``, ``locationType``, ``labels``, ``customPlacementConfig``, ``encryption``,
        ``rpo``, ``storageClass``), written straight into the emulator's storage."""
        number = self.proxy.numbers.setdefault(project, str(100000 + len(self.proxy.numbers)))
        storage = self.emulator.storage
        resource = dict(emulator_buckets.create_bucket(name, storage) or storage.get_bucket(name))
        resource.update(metadata)
        resource["projectNumber"] = number
        storage.create_bucket(name, resource)
        return resource

    def refuse(self, project: str, how: str = "denied") -> None:
        """Answer list-buckets for ``project`` with a 403: ``denied`` or API ``disabled``."""
        assert how in _REFUSALS
        self.proxy.refused[project] = how


def _refuse_non_loopback(host: object) -> None:
    if host is None:
        return
    text = str(host)
    if text in _LOOPBACK_NAMES:
        return
    try:
        if ipaddress.ip_address(text).is_loopback:
            return
    except ValueError:
        pass
    raise OSError(f"test network guard: refused a connection to {text}")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GCP test may reach past 127.0.0.1: not Google, not the metadata server, not DNS."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _refuse_non_loopback(address[0])
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        _refuse_non_loopback(host.decode() if isinstance(host, bytes) else host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def gcs(
    gcs_emulator: Emulator,
    gcs_proxy: GcsProxy,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    loopback_only: None,
) -> GcsStandIn:
    for name in _GOOGLE_VARS:
        monkeypatch.delenv(name, raising=False)
    # No gcloud configuration, no metadata server: ADC has nothing to find even if asked.
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "no-gcloud"))
    monkeypatch.setenv("GCE_METADATA_HOST", f"{HOST}:9")
    monkeypatch.setenv("GCE_METADATA_IP", f"{HOST}:9")
    monkeypatch.setenv("NO_PROXY", HOST)
    monkeypatch.setenv("no_proxy", HOST)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_proxy.url)
    gcs_emulator.storage.wipe()
    gcs_proxy.reset()
    return GcsStandIn(gcs_emulator, gcs_proxy)
