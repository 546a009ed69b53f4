"""A stand-in for Splunk's HTTP Event Collector: HTTP or HTTPS on 127.0.0.1, a request log.

It accepts any POST the way HEC does (``200 {"text":"Success","code":0}``) and records it.
Tests script misbehaviour by queueing answers: ``answer_next(Answer(503))`` makes the next
request get a 503, whatever it is; the queue empties in order, then it is back to success.
HEC's error answers are JSON ``{"text": ..., "code": ...}`` as documented for Splunk
(e.g. 403 ``{"text":"Invalid token","code":4}``, 400 ``{"text":"Invalid data format","code":6}``).
An answer can also wait before replying (a slow collector) or echo the request's
Authorization header in its body (a misbehaving proxy), to prove the client scrubs it.
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
SUCCESS = {"text": "Success", "code": 0}


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: Any = field(default_factory=lambda: dict(SUCCESS))
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    echo_authorization: bool = False


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived

    def events(self) -> list[dict[str, Any]]:
        """The body as HEC reads it: JSON objects one after the other."""
        decoder = json.JSONDecoder()
        text = self.body.decode("utf-8")
        events, position = [], 0
        while position < len(text):
            if text[position].isspace():
                position += 1
                continue
            event, position = decoder.raw_decode(text, position)
            events.append(event)
        return events


class HecServer:
    """Running in a thread from ``start()`` to ``stop()``; ``url`` has no path."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.requests: list[Request] = []
        self._answers: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._httpd = http.server.ThreadingHTTPServer((HOST, 0), _handler(self))
        self._httpd.daemon_threads = True
        if ssl_context is not None:
            self._httpd.socket = ssl_context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = int(self._httpd.server_address[1])
        self.url = f"{'https' if ssl_context else 'http'}://{HOST}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests = []
            self._answers.clear()

    def answer_next(self, *answers: Answer) -> None:
        with self._lock:
            self._answers.extend(answers)

    def _take(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            return self._answers.popleft() if self._answers else Answer()

    def events(self) -> list[dict[str, Any]]:
        return [event for request in self.requests for event in request.events()]


def _handler(server: HecServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            request = Request("POST", self.path, dict(self.headers.items()), body, time.monotonic())
            answer = server._take(request)
            if answer.delay:
                time.sleep(answer.delay)
            payload = answer.body
            if answer.echo_authorization:
                payload = {"text": f"rejected {self.headers.get('Authorization')}", "code": 99}
            data = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (a timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet; and a request line must never reach a log

    return Handler
