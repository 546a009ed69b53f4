"""A real AWS stand-in for the AWS tests: moto's server over HTTP on 127.0.0.1.

Shared by every test under tests/aws. Fixture names are part of the tests' contract:

- ``moto_server`` (session): the endpoint URL of a ThreadedMotoServer on a free loopback port.
- ``aws_env`` (autouse): points boto3 at that server through the standard ``AWS_ENDPOINT_URL``,
  gives it fake credentials, cuts every other credential source (profiles, config files, the
  instance metadata service) so nothing probes a non-loopback address, and resets moto's state
  so each test starts from an empty account.
- ``recorded_operations``: the IAM actions (``s3:ListAllMyBuckets``...) of every call made
  through a guarded session during the test, in call order.
- ``deny_region_proxy``: a factory for a reverse proxy in front of moto that answers
  AccessDenied to requests signed for chosen regions (moto itself never denies).
- ``fault_proxy``: the same proxy with other faults per region or (region, service): an HTTP
  200 no parser accepts, JSON with the wrong field types, or no answer at all.
"""

from __future__ import annotations

import http.client
import http.server
import re
import threading
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

# The dev install brings these; without them the tests must fail, never skip.
import boto3
import moto.server  # noqa: F401
import pytest
from moto.server import ThreadedMotoServer

from sovaudit.providers.aws import guard

ACCOUNT = "123456789012"  # moto's default account
HOST = "127.0.0.1"
_CREDENTIAL_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_REGION",
)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset_moto(endpoint: str) -> None:
    """Forget every resource moto holds (all accounts, all regions)."""
    url = f"{endpoint}/moto-api/reset"
    assert url.startswith(f"http://{HOST}:")
    request = urllib.request.Request(url, method="POST")  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        answer.read()


def point_at(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """Send every boto3 client to ``endpoint`` via the standard override."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)


@pytest.fixture(autouse=True)
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for name in _CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    missing = tmp_path / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(missing))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(missing))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("NO_PROXY", HOST)
    monkeypatch.setenv("no_proxy", HOST)
    point_at(monkeypatch, moto_server)
    reset_moto(moto_server)
    return moto_server


@pytest.fixture
def recorded_operations() -> Iterator[list[str]]:
    with guard.recording() as actions:
        yield actions


# --- a reverse proxy that denies chosen regions ------------------------------------------------

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


def _denial(service: str) -> tuple[str, bytes]:
    """An AccessDenied body in the protocol the service speaks."""
    message = "User: arn:aws:iam::123456789012:user/audit is not authorized to perform this"
    if service in {"dynamodb", "organizations", "backup"}:
        body = f'{{"__type":"AccessDeniedException","message":"{message}"}}'
        return "application/x-amz-json-1.0", body.encode()
    if service == "s3":
        body = f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
        return "application/xml", body.encode()
    if service == "ec2":
        body = (
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
            f"<Message>{message}</Message></Error></Errors><RequestID>1</RequestID></Response>"
        )
        return "text/xml", body.encode()
    body = (
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
        f"<Message>{message}</Message></Error><RequestId>1</RequestId></ErrorResponse>"
    )
    return "text/xml", body.encode()


# What a faulty endpoint answers, by fault: a denial, an HTTP 200 whose body no parser accepts,
# well-formed JSON with the wrong field types, or nothing at all (the connection stays open).
DENY, GARBAGE, WRONG_TYPES, SILENT = "deny", "garbage", "wrong-types", "silent"
SILENT_FOR = 30.0  # seconds a silent answer waits before closing: longer than any client waits


def _fault_answer(fault: str, service: str) -> tuple[int, str, bytes]:
    if fault == DENY:
        return (403, *_denial(service))
    if fault == GARBAGE:
        return 200, "application/xml", b"\x00<<this is not an answer>> {["
    # JSON protocol services (DynamoDB, ...): every list and object a client expects is a string.
    body = '{"TableNames": "not-a-list", "Table": "not-an-object", "LastEvaluatedTableName": 5}'
    return 200, "application/x-amz-json-1.0", body.encode()


class FaultProxy:
    """Forwards to moto, except requests whose SigV4 credential scope matches a fault.

    ``faults`` maps a region, or a (region, service) pair, to DENY, GARBAGE, WRONG_TYPES or
    SILENT; ``faulted`` records the (region, service) of every request answered with a fault.
    """

    def __init__(self, upstream: str, faults: Mapping[object, str]) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.faults = dict(faults)
        self.faulted: list[tuple[str, str]] = []
        self._closing = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                match = _SCOPE.search(self.headers.get("Authorization", ""))
                fault = proxy.fault_for(*match.groups()) if match else None
                if fault is not None and match is not None:
                    proxy.faulted.append((match.group(1), match.group(2)))
                    if fault == SILENT:
                        proxy._closing.wait(SILENT_FOR)
                        self.close_connection = True
                        return
                    status, content_type, payload = _fault_answer(fault, match.group(2))
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                upstream = http.client.HTTPConnection(proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def fault_for(self, region: str, service: str) -> str | None:
        return self.faults.get((region, service), self.faults.get(region))

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fault_proxy(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Mapping[object, str]], FaultProxy]]:
    """``fault_proxy({"sa-east-1": GARBAGE, ("us-east-1", "sts"): SILENT})``: starts a proxy
    answering those scopes with those faults and points AWS_ENDPOINT_URL at it for the rest of
    the test; set up resources before calling it (or through moto_server)."""
    proxies: list[FaultProxy] = []

    def start(faults: Mapping[object, str]) -> FaultProxy:
        proxy = FaultProxy(moto_server, faults)
        proxies.append(proxy)
        point_at(monkeypatch, proxy.url)
        return proxy

    yield start
    for proxy in proxies:
        proxy.close()


@pytest.fixture
def deny_region_proxy(
    fault_proxy: Callable[[Mapping[object, str]], FaultProxy],
) -> Callable[..., FaultProxy]:
    """``deny_region_proxy("sa-east-1", ...)``: the fault proxy denying those regions."""
    return lambda *regions: fault_proxy(dict.fromkeys(regions, DENY))


def make_bucket(name: str, region: str = "us-east-1", tags: Mapping[str, str] | None = None) -> Any:
    """A bucket on the moto server (tagged when ``tags``); returns a client of its region."""
    client = boto3.client("s3", region_name=region)
    if region == "us-east-1":
        client.create_bucket(Bucket=name)
    else:
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if tags:
        client.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )
    return client
