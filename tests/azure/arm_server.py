"""A stand-in for Azure Resource Manager: HTTPS on 127.0.0.1, ARM-shaped JSON, a request log.

It answers the three list calls the provider makes, with bodies shaped as the real API's
(``Subscription``, ``GenericResourceExpanded``, ``StorageAccount`` in the SDKs' models and the
Azure REST reference): ``{"value": [...], "nextLink": "<absolute URL>"}``. Behaviour the tests
need is data on the server object, so each test can shape it:

- ``subscriptions``: what ``GET /subscriptions`` lists, served two per page;
- ``resources[sub]`` / ``storage_accounts[sub]``: what each subscription holds; resources are
  served ``page_size`` per page with a ``$skiptoken`` nextLink, like ARM;
- ``forbidden``: subscriptions that answer 403 AuthorizationFailed to everything;
- ``throttle_once``: paths (without query) that answer 429 with ``Retry-After: 1`` the first
  time and normally after that;
- ``requests``: every request received, as ``(method, path-with-query)``, in arrival order;
- ``graph``: whether Resource Graph answers (False, the default: 403, as for an identity
  without Resource Graph access, so the provider lists each subscription through ARM); when
  it does, ``POST /providers/Microsoft.ResourceGraph/resources`` answers the ``Resources``
  query with every readable subscription's resources and storage accounts as rows (type
  lower-cased, ``subscriptionId`` added, as Resource Graph writes them), ``graph_page_size``
  rows per page with ``$skipToken``, and the ``ResourceContainers`` query with the readable
  subscriptions; ``graph_rows[sub]`` adds rows of types ARM's listing does not return;
  ``graph_quota_spent_once`` makes the first page say the user quota is spent;
  ``graph_bodies`` keeps each query's JSON body.

Requests without a bearer token answer 401, as ARM does; any method other than GET answers
405 (and is logged, which is what the read-only tests look for).
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
import time
import urllib.parse
from typing import Any

HOST = "127.0.0.1"
GRAPH_PATH = "/providers/microsoft.resourcegraph/resources"
SUBSCRIPTIONS_PAGE = 2


# How long a silent subscription holds a request before closing it: longer than a test waits.
SILENT_FOR = 30.0


class ArmServer:
    """The server, its data and its log. ``url`` is the base to pass as ``--azure-endpoint``."""

    def __init__(self, ssl_context: ssl.SSLContext, page_size: int = 2) -> None:
        self.page_size = page_size
        self.subscriptions: list[dict[str, Any]] = []
        self.resources: dict[str, list[dict[str, Any]]] = {}
        self.storage_accounts: dict[str, list[dict[str, Any]]] = {}
        self.forbidden: set[str] = set()
        self.throttle_once: set[str] = set()
        self.requests: list[tuple[str, str]] = []
        self.tokens: list[str] = []
        self.delay = 0.0  # seconds before each answer (bench/bench_azure.py: a real round trip)
        self.graph = False
        self.graph_page_size = 2
        self.graph_rows: dict[str, list[dict[str, Any]]] = {}
        self.graph_quota_spent_once = False
        self.graph_bodies: list[dict[str, Any]] = []
        self._graph_cache: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        self._throttled: set[str] = set()
        self._lock = threading.Lock()
        # Set to let every silent request go (at stop); each waits at most SILENT_FOR anyway.
        self.release = threading.Event()
        self._httpd = http.server.ThreadingHTTPServer((HOST, 0), _handler(self))
        self._httpd.daemon_threads = True
        self._httpd.socket = ssl_context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self.url = f"https://{HOST}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def never_answers(self, path: str) -> bool:
        """Whether a request for ``path`` belongs to a subscription that never answers."""
        parts = urllib.parse.urlsplit(path).path.strip("/").split("/")
        return len(parts) >= 2 and parts[0] == "subscriptions" and parts[1] in self.silent

    def reset(self) -> None:
        with self._lock:
            self.subscriptions = []
            self.resources = {}
            self.storage_accounts = {}
            self.forbidden = set()
            self.throttle_once = set()
            self.silent = set()  # subscriptions whose requests are never answered
            self.garbled = set()  # subscriptions answered 200 with JSON of the wrong shape
            self.requests = []
            self.tokens = []
            self._throttled = set()
            self.graph = False
            self.graph_page_size = 2
            self.graph_rows = {}
            self.graph_quota_spent_once = False
            self.graph_bodies = []
            self._graph_cache = {}

    @property
    def methods(self) -> set[str]:
        return {method for method, _ in self.requests}

    @property
    def writes(self) -> list[tuple[str, str]]:
        """Requests that are neither a GET nor the Resource Graph query (a read sent as POST)."""
        return [
            (method, path)
            for method, path in self.requests
            if method != "GET"
            and not (
                method == "POST"
                and urllib.parse.urlsplit(path).path.rstrip("/").casefold() == GRAPH_PATH
            )
        ]

    # --- routing ---------------------------------------------------------------------------

    def answer(
        self, method: str, raw_path: str, authorization: str | None, body: bytes = b""
    ) -> tuple[int, dict[str, str], Any]:
        """Status, extra headers and JSON body for one request."""
        with self._lock:
            self.requests.append((method, raw_path))
        if not authorization or not authorization.startswith("Bearer "):
            return 401, {}, _error("AuthenticationFailed", "Authentication failed.")
        with self._lock:
            self.tokens.append(authorization.removeprefix("Bearer "))
        if (
            method == "POST"
            and urllib.parse.urlsplit(raw_path).path.rstrip("/").casefold() == GRAPH_PATH
        ):
            return self._graph(raw_path, body)
        if method != "GET":
            return 405, {}, _error("MethodNotAllowed", f"{method} is not served by the stand-in")
        parsed = urllib.parse.urlsplit(raw_path)
        query = urllib.parse.parse_qs(parsed.query)
        if "api-version" not in query:
            return 400, {}, _error("MissingApiVersionParameter", "The api-version is missing.")
        path = parsed.path.rstrip("/")
        with self._lock:
            if path in self.throttle_once and path not in self._throttled:
                self._throttled.add(path)
                return (
                    429,
                    {"Retry-After": "1"},
                    _error("TooManyRequests", "The request is being throttled."),
                )
        skip = int(query.get("$skiptoken", ["0"])[0])
        parts = path.strip("/").split("/")
        if parts == ["subscriptions"]:
            return 200, {}, self._page(raw_path, self.subscriptions, skip, SUBSCRIPTIONS_PAGE)
        if len(parts) >= 2 and parts[0] == "subscriptions":
            sub = parts[1]
            if sub in self.garbled:  # well-formed JSON, every field of the wrong type
                return (
                    200,
                    {},
                    {"value": [{"id": 5, "location": ["x"], "tags": "none"}], "nextLink": 7},
                )
            if sub in self.forbidden:
                return 403, {}, _forbidden(sub, path)
            known = {s["subscriptionId"] for s in self.subscriptions}
            if sub not in known and sub not in self.resources:
                return (
                    404,
                    {},
                    _error("SubscriptionNotFound", f"The subscription '{sub}' could not be found."),
                )
            rest = [p.casefold() for p in parts[2:]]
            if rest == ["resources"]:
                return (
                    200,
                    {},
                    self._page(raw_path, self.resources.get(sub, []), skip, self.page_size),
                )
            if rest == ["providers", "microsoft.storage", "storageaccounts"]:
                return 200, {}, {"value": self.storage_accounts.get(sub, [])}
        return 404, {}, _error("InvalidResourceType", f"No route for {path} in the stand-in.")

    # --- Resource Graph --------------------------------------------------------------------

    def _readable(self) -> list[str]:
        known = [s["subscriptionId"] for s in self.subscriptions] + list(self.resources)
        bad = self.forbidden | self.silent | self.garbled
        return [sub for sub in dict.fromkeys(known) if sub not in bad]

    def _graph_rows(self, subscriptions: list[str]) -> list[dict[str, Any]]:
        rows = []
        for sub in subscriptions:
            listed = [*self.resources.get(sub, []), *self.storage_accounts.get(sub, [])]
            by_id: dict[str, dict[str, Any]] = {}
            for item in listed:  # the storage API's entry is the fuller one
                by_id[str(item["id"]).casefold()] = item
            for item in [*by_id.values(), *self.graph_rows.get(sub, [])]:
                row = {**item, "type": str(item.get("type", "")).casefold(), "subscriptionId": sub}
                row.setdefault("properties", {})
                rows.append(row)
        return rows

    def _graph(self, raw_path: str, body: bytes) -> tuple[int, dict[str, str], Any]:
        if "api-version" not in urllib.parse.parse_qs(urllib.parse.urlsplit(raw_path).query):
            return 400, {}, _error("MissingApiVersionParameter", "The api-version is missing.")
        if not self.graph:
            return (
                403,
                {},
                _error(
                    "AuthorizationFailed",
                    "The client does not have authorization to perform action "
                    "'Microsoft.ResourceGraph/resources/read'.",
                ),
            )
        request = json.loads(body or b"{}")
        with self._lock:
            self.graph_bodies.append(request)
        readable = self._readable()
        asked = request.get("subscriptions") or readable
        denied = [sub for sub in asked if sub in self.forbidden]
        if denied:
            return 403, {}, _forbidden(denied[0], "/providers/Microsoft.ResourceGraph/resources")
        subscriptions = [sub for sub in asked if sub in readable]
        query = str(request.get("query", ""))
        key = (query, tuple(subscriptions))
        rows = self._graph_cache.get(key)  # the same query's pages share one result
        if rows is None:
            if query.startswith("ResourceContainers"):
                rows = [{"subscriptionId": sub} for sub in subscriptions]
            else:
                rows = self._graph_rows(subscriptions)
            if request.get("options", {}).get("$skipToken"):
                self._graph_cache[key] = rows
            else:
                self._graph_cache = {key: rows}
        options = request.get("options") or {}
        skip = int(options.get("$skipToken") or 0)
        size = min(int(options.get("$top") or 1000), self.graph_page_size)
        page = rows[skip : skip + size]
        answer: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "resultTruncated": "false",
            "data": page,
            "facets": [],
        }
        if skip + size < len(rows):
            answer["$skipToken"] = str(skip + size)
        headers = {"x-ms-user-quota-remaining": "14", "x-ms-user-quota-resets-after": "00:00:05"}
        if self.graph_quota_spent_once and skip == 0:
            self.graph_quota_spent_once = False
            headers = {"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:01"}
        return 200, headers, answer

    def _page(self, raw_path: str, items: list[dict[str, Any]], skip: int, size: int) -> Any:
        page: dict[str, Any] = {"value": items[skip : skip + size]}
        if skip + size < len(items):
            parsed = urllib.parse.urlsplit(raw_path)
            query = urllib.parse.parse_qs(parsed.query)
            query["$skiptoken"] = [str(skip + size)]
            page["nextLink"] = (
                f"{self.url}{parsed.path}?{urllib.parse.urlencode(query, doseq=True)}"
            )
        return page


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _forbidden(sub: str, path: str) -> dict[str, Any]:
    """ARM's 403 for a caller with no role on the subscription, as the real API words it."""
    return _error(
        "AuthorizationFailed",
        "The client 'aaaaaaaa-0000-0000-0000-000000000001' with object id "
        "'aaaaaaaa-0000-0000-0000-000000000001' does not have authorization to perform action "
        f"'Microsoft.Resources/subscriptions/resources/read' over scope '/subscriptions/{sub}' "
        "or the scope is invalid. If access was recently granted, please refresh your "
        "credentials.",
    )


def _handler(server: ArmServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if server.never_answers(self.path):
                server.release.wait(SILENT_FOR)  # accept, then say nothing
                self.close_connection = True
                return
            if server.delay:
                time.sleep(server.delay)
            status, headers, answer = server.answer(
                self.command, self.path, self.headers.get("Authorization"), body
            )
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-ms-request-id", "00000000-0000-0000-0000-000000000000")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve
        do_PUT = _serve
        do_POST = _serve
        do_PATCH = _serve
        do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


class StaticCredential:
    """A TokenCredential that hands out a fixed token: no identity endpoint is ever contacted.

    Counts its calls so tests can tell when the provider asked for a token.
    """

    TOKEN = "sovaudit-test-token"

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken(self.TOKEN, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        self.scopes.append(scopes)
        return AccessTokenInfo(self.TOKEN, int(time.time()) + 3600)
