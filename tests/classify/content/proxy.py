"""A recording reverse proxy for the content-sampling tests (moto's server, the GCS emulator).

It forwards every request, remembers the method, path and Range header of each, and answers
instead of the upstream when ``refuse`` says so: how the tests get an AccessDenied on
GetObject, or a KMS refusal on one object, which neither stand-in produces by itself.
"""

from __future__ import annotations

import dataclasses
import http.client
import http.server
import threading
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

HOST = "127.0.0.1"
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


@dataclasses.dataclass(frozen=True)
class Seen:
    method: str
    path: str  # unquoted
    query: str
    range: str | None


# (request) -> None to forward, or (status, content type, body) to answer instead.
Refusal = Callable[[Seen], "tuple[int, str, bytes] | None"]


class RecordingProxy:
    def __init__(self, upstream: str, refuse: Refusal | None = None) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.refuse = refuse
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
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
                seen = Seen(self.command, unquote(url.path), url.query, self.headers.get("Range"))
                with proxy._lock:
                    proxy.seen.append(seen)
                answer = proxy.refuse(seen) if proxy.refuse is not None else None
                if answer is not None:
                    status, content_type, payload = answer
                    self._send(status, payload, {"Content-Type": content_type})
                    return
                upstream = http.client.HTTPConnection(proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                upstream.close()
                if self.command == "HEAD":
                    payload = b""
                self._send(response.status, payload, dict(response.getheaders()))

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def ranges(self, path_suffix: str) -> list[str | None]:
        """The Range header of every GET whose path ends with ``path_suffix``."""
        with self._lock:
            return [
                s.range for s in self.seen if s.method == "GET" and s.path.endswith(path_suffix)
            ]

    @property
    def methods(self) -> set[str]:
        with self._lock:
            return {s.method for s in self.seen}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
