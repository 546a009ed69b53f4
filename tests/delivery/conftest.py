"""Fixtures for the delivery tests: one real rsyslogd and two HEC stand-ins per session.

- ``syslog_ca`` / ``rsyslog``: a trustme CA and an rsyslogd (tests/delivery/rsyslog.py) whose
  TLS input presents a certificate from it. Tests isolate their messages by APP-NAME: the
  ``app`` fixture is unique per test, and ``Rsyslog.received`` filters on it.
- ``hec`` / ``hec_tls``: the HEC stand-in over HTTP and over HTTPS (same CA), emptied before
  each test that uses them.
- ``findings``: realistic findings (the golden jsonl output) plus one per severity, a waived
  one and one in Querétaro, each with an id unique to the test.
- proxies are removed from the environment: every connection here is to 127.0.0.1.
"""

from __future__ import annotations

import copy
import itertools
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.delivery.hec_server import HecServer
from tests.delivery.rsyslog import Rsyslog, RsyslogError, running_rsyslog

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
TOKEN = "8c4b6c1e-5f2a-4d3b-9e7f-0a1b2c3d4e5f"  # a HEC token's shape; the stand-in takes any
STARTED_AT = "2026-11-22T08:00:00Z"
STARTED_EPOCH = 1795334400.0
_counter = itertools.count()


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "http_proxy",
        "https_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def syslog_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(syslog_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    syslog_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def other_ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA that signed nothing the stand-ins present: trusting only it must fail."""
    path = tmp_path_factory.mktemp("other-ca") / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def rsyslog(syslog_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rsyslog]:
    problem = None
    try:
        with running_rsyslog(tmp_path_factory.mktemp("rsyslog"), syslog_ca) as server:
            yield server
    except RsyslogError as exc:  # raised at start only: missing, bad config, not listening
        problem = str(exc)
    if problem is not None:
        pytest.fail(problem, pytrace=False)  # an error, never a skip


@pytest.fixture
def app() -> str:
    """An APP-NAME no other test uses: the messages of this test, and only them."""
    return f"t{next(_counter)}-{uuid.uuid4().hex[:8]}"


def _server(context: Any) -> Iterator[HecServer]:
    server = HecServer(context)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def hec_session() -> Iterator[HecServer]:
    yield from _server(None)


@pytest.fixture(scope="session")
def hec_tls_session(syslog_ca: trustme.CA) -> Iterator[HecServer]:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    syslog_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    yield from _server(context)


@pytest.fixture
def hec(hec_session: HecServer) -> HecServer:
    hec_session.reset()
    return hec_session


@pytest.fixture
def hec_tls(hec_tls_session: HecServer) -> HecServer:
    hec_tls_session.reset()
    return hec_tls_session


def golden_findings() -> list[dict[str, Any]]:
    findings = []
    for path in sorted(GOLDEN.glob("*.scan.jsonl")):
        findings += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return findings


def make_findings(tag: str) -> list[dict[str, Any]]:
    """Golden findings, then one per severity, a waived one and a Querétaro one; ids unique."""
    base = golden_findings()
    extra = []
    template = base[0]
    for severity in ("critical", "high", "medium", "low", "info"):
        extra.append({**copy.deepcopy(template), "severity": severity, "status": "open"})
    waived = {**copy.deepcopy(template), "severity": "critical", "status": "waived"}
    waived["waiver"] = {"reason": "migración en curso", "expires": "2027-01-31", "owner": "ti"}
    extra.append(waived)
    queretaro = copy.deepcopy(template)
    queretaro["asset"]["location"] = {
        "countries": ["MX"],
        "subdivision": "MX-QUE",
        "city": "Querétaro",
        "source": "catalogue",
        "confidence": "high",
    }
    queretaro["message"] = "Datos personales en Querétaro — niño, año, ü, 東京, 🇲🇽"
    extra.append(queretaro)
    findings = []
    for number, finding in enumerate(base + extra):
        finding = copy.deepcopy(finding)
        finding["id"] = f"{finding['rule_id']}/{tag}-{number:04d}"
        findings.append(finding)
    return findings


@pytest.fixture
def findings(app: str) -> list[dict[str, Any]]:
    return make_findings(app)


@pytest.fixture
def summary_event() -> dict[str, Any]:
    return {
        "tool": {"name": "sovaudit", "version": "test"},
        "started_at": STARTED_AT,
        "finished_at": "2026-11-22T08:00:05Z",
        "home_country": "MX",
        "summary": {
            "assets_total": 3,
            "findings_by_severity": {"critical": 1, "high": 0, "medium": 0, "low": 0, "info": 0},
            "assets_by_country": {"MX": 2, "US": 1},
        },
        "errors": 0,
    }
