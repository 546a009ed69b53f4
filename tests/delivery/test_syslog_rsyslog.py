"""Findings to a real rsyslogd over UDP, TCP and TLS: what arrives is exactly what we meant."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from sovaudit.delivery import DeliveryOutcome, SyslogTarget, deliver, parse_syslog_url
from tests.delivery.conftest import STARTED_AT
from tests.delivery.rsyslog import HOST, Rsyslog, free_port
from tests.delivery.sd_parser import parse_sd

pytestmark = pytest.mark.integration

EXPECTED_SEVERITY = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}


def target(rsyslog: Rsyslog, transport: str, app: str, **changes: Any) -> SyslogTarget:
    base = parse_syslog_url(f"{transport}://{HOST}:{rsyslog.ports[transport]}")
    ca = {"ca_file": rsyslog.ca_file} if transport == "tls" else {}
    return SyslogTarget(**{**base.__dict__, "app_name": app, **ca, **changes})


def send(
    findings: list[dict[str, Any]], summary: dict[str, Any] | None, syslog: SyslogTarget
) -> DeliveryOutcome:
    [outcome] = deliver(findings, summary, [syslog])
    return outcome


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_every_finding_arrives_as_one_rfc5424_message(
    rsyslog: Rsyslog,
    app: str,
    findings: list[dict[str, Any]],
    summary_event: dict[str, Any],
    transport: str,
) -> None:
    outcome = send(findings, summary_event, target(rsyslog, transport, app))

    assert outcome == DeliveryOutcome(
        f"syslog {transport}://{HOST}:{rsyslog.ports[transport]}", len(findings), 0, None, 0
    )
    lines = rsyslog.received(transport, app, len(findings) + 1)
    assert len(lines) == len(findings) + 1  # one per finding, then the summary: nothing split
    *finding_lines, summary_line = lines
    for finding, line in zip(findings, finding_lines, strict=True):
        assert json.loads(line["msg"]) == finding
        assert line["msgid"] == "finding"
        assert line["protocol"] == "1"
        assert line["procid"] == str(os.getpid())
        assert line["time"] == STARTED_AT
        assert line["host"] == socket.gethostname()
        severity = 6 if finding["status"] == "waived" else EXPECTED_SEVERITY[finding["severity"]]
        assert int(line["pri"]) == 16 * 8 + severity, finding["severity"]
        assert parse_sd(line["sd"]) == {
            "sovaudit@32473": {
                "finding": finding["id"],
                "rule": finding["rule_id"],
                "severity": finding["severity"],
                "asset": finding["asset_id"],
                "status": finding["status"],
            }
        }
        assert not line["raw"].startswith("\ufeff")
        assert "\ufeff" not in line["raw"]
    assert summary_line["msgid"] == "summary"
    assert int(summary_line["pri"]) == 16 * 8 + 6
    assert json.loads(summary_line["msg"]) == summary_event
    assert parse_sd(summary_line["sd"]) == {"sovaudit@32473": {"started": STARTED_AT, "home": "MX"}}


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_utf8_arrives_intact(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]], transport: str
) -> None:
    queretaro = findings[-1]  # see conftest.make_findings

    outcome = send([queretaro], None, target(rsyslog, transport, app))

    assert outcome.sent == 1
    assert outcome.error is None
    [line] = rsyslog.received(transport, app, 1)
    assert "Querétaro" in line["raw"]
    assert "niño, año, ü, 東京, 🇲🇽" in line["msg"]
    assert json.loads(line["msg"])["asset"]["location"]["city"] == "Querétaro"


def test_every_severity_has_its_pri_with_another_facility(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]]
) -> None:
    picked = {f["severity"]: f for f in findings if f["status"] == "open"}
    ordered = [picked[s] for s in EXPECTED_SEVERITY]

    send(ordered, None, target(rsyslog, "tcp", app, facility="local7"))

    lines = rsyslog.received("tcp", app, 5)
    assert [int(line["pri"]) for line in lines] == [23 * 8 + 2, 23 * 8 + 3, 188, 189, 190]
    assert [line["facility"] for line in lines] == ["23"] * 5
    assert [line["severity"] for line in lines] == ["2", "3", "4", "5", "6"]


HOSTILE = 'evil\n<13>1 2026-01-01T00:00:00Z forged app - - - injected\r\n] " \\ ]'


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_attacker_strings_cannot_forge_messages_or_break_fields(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]], transport: str
) -> None:
    hostile = copy.deepcopy(findings[0])
    hostile["asset_id"] = hostile["asset"]["id"] = HOSTILE
    hostile["rule_id"] = 'rule"] [x@1 a="b'
    hostile["asset"]["tags"] = {"owner\n": HOSTILE, "]": "\\"}
    hostile["title"] = "\x00\x1b[31m" + HOSTILE
    honest = findings[1]

    outcome = send([hostile, honest], None, target(rsyslog, transport, app))

    assert (outcome.sent, outcome.failed) == (2, 0)
    lines = rsyslog.received(transport, app, 2)
    assert len(lines) == 2
    assert not any(line["app"] == "forged" for line in rsyslog.lines(transport))
    assert json.loads(lines[0]["msg"]) == hostile
    assert json.loads(lines[1]["msg"]) == honest
    params = parse_sd(lines[0]["sd"])["sovaudit@32473"]
    # Control characters become U+FFFD in structured data (the JSON keeps them escaped).
    assert params["asset"] == HOSTILE.replace("\n", "\ufffd").replace("\r", "\ufffd")
    assert params["rule"] == 'rule"] [x@1 a="b'
    assert lines[0]["msgid"] == "finding"
    assert lines[0]["app"] == app


def test_tls_via_ssl_cert_file(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ca_file the default trust store is used, and it honours SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(rsyslog.ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    syslog = target(rsyslog, "tls", app, ca_file=None)

    outcome = send(findings[:3], None, syslog)

    assert (outcome.sent, outcome.error) == (3, None)
    assert len(rsyslog.received("tls", app, 3)) == 3


def test_tls_with_the_wrong_ca_fails_clearly(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]], other_ca_file: Path
) -> None:
    outcome = send(findings, None, target(rsyslog, "tls", app, ca_file=other_ca_file))

    assert (outcome.sent, outcome.failed) == (0, len(findings))
    assert outcome.error is not None
    assert outcome.error.startswith("TLS certificate verification failed")
    assert not [line for line in rsyslog.lines("tls") if line["app"] == app]


@contextlib.contextmanager
def tls_listener(ca: trustme.CA, *names: str) -> Iterator[int]:
    """A bare TLS server (not rsyslog) presenting a certificate for ``names`` only."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    listener = socket.create_server((HOST, 0))
    listener.settimeout(5)

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn = listener.accept()[0]
            with conn, context.wrap_socket(conn, server_side=True):
                pass  # the client refuses the certificate first

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        thread.join(5)
        listener.close()


def test_tls_checks_the_host_name(
    syslog_ca: trustme.CA, ca_file: Path, app: str, findings: list[dict[str, Any]]
) -> None:
    with tls_listener(syslog_ca, "syslog.example.net") as port:
        syslog = SyslogTarget(HOST, port, "tls", ca_file=ca_file, app_name=app)
        outcome = send(findings[:2], None, syslog)

    assert (outcome.sent, outcome.failed) == (0, 2)
    assert outcome.error is not None
    assert "TLS certificate verification failed" in outcome.error
    assert "mismatch" in outcome.error


@pytest.mark.parametrize("transport", ["udp", "tcp", "tls"])
def test_nothing_listening_fails_every_finding(
    app: str, findings: list[dict[str, Any]], summary_event: dict[str, Any], transport: str
) -> None:
    port = free_port(socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM)
    syslog = parse_syslog_url(f"{transport}://{HOST}:{port}")

    outcome = send(findings, summary_event, syslog)

    assert (outcome.sent, outcome.failed) == (0, len(findings))
    assert outcome.error is not None
    assert "connection refused" in outcome.error


def test_an_oversize_finding_is_shrunk_to_fit_rsyslogs_default_limit(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]]
) -> None:
    """rsyslog keeps its default maxMessageSize (8k) here: what arrives must be whole JSON."""
    big = copy.deepcopy(findings[0])
    big["asset"]["tags"] = {f"tag-{i}": "x" * 200 for i in range(100)}
    big["asset"]["attributes"] = {"policy": "y" * 5000}
    before, after = findings[1], findings[2]

    outcome = send([before, big, after], None, target(rsyslog, "tcp", app))

    assert (outcome.sent, outcome.failed, outcome.truncated) == (3, 0, 1)
    lines = rsyslog.received("tcp", app, 3)
    assert len(lines) == 3  # not cut into a second message
    shrunk = json.loads(lines[1]["msg"])
    assert len(lines[1]["raw"].encode()) <= 8192
    assert big["asset"]["description"]  # free text: dropped with the tags and attributes
    assert shrunk["truncated"] == ["asset.tags", "asset.attributes", "asset.description"]
    assert {k: v for k, v in shrunk["asset"].items()} == {
        k: v for k, v in big["asset"].items() if k not in ("tags", "attributes", "description")
    }
    expected = {k: v for k, v in big.items() if k != "asset"}
    assert {k: v for k, v in shrunk.items() if k not in ("asset", "truncated")} == expected
    assert shrunk["asset"]["id"] == big["asset"]["id"]
    assert json.loads(lines[0]["msg"]) == before
    assert json.loads(lines[2]["msg"]) == after


def test_a_huge_message_shrinks_further_over_udp(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]]
) -> None:
    big = copy.deepcopy(findings[0])
    big["message"] = "m" * 9000  # prose: dropping the asset's details is not enough

    outcome = send([big], None, target(rsyslog, "udp", app))

    assert (outcome.sent, outcome.truncated) == (1, 1)
    [line] = rsyslog.received("udp", app, 1)
    shrunk = json.loads(line["msg"])
    assert "message" not in shrunk
    assert "remediation" not in shrunk
    assert shrunk["asset"] == {
        "id": big["asset"]["id"],
        "provider": big["asset"]["provider"],
        "region": big["asset"]["region"],
        "location": {"countries": big["asset"]["location"]["countries"]},
    }
    assert shrunk["id"] == big["id"]
    assert shrunk["severity"] == big["severity"]


def test_no_summary_and_no_findings(rsyslog: Rsyslog, app: str) -> None:
    outcome = send([], None, target(rsyslog, "tcp", app))

    assert (outcome.sent, outcome.failed, outcome.error) == (0, 0, None)


def test_only_the_summary_when_there_is_no_finding(
    rsyslog: Rsyslog, app: str, summary_event: dict[str, Any]
) -> None:
    outcome = send([], summary_event, target(rsyslog, "tcp", app))

    assert outcome.ok
    [line] = rsyslog.received("tcp", app, 1)
    assert line["msgid"] == "summary"


@pytest.mark.parametrize(("content", "reason"), [(None, "No such file"), ("junk", "NO_CERT")])
def test_an_unusable_ca_file_is_an_outcome(
    rsyslog: Rsyslog,
    app: str,
    findings: list[dict[str, Any]],
    tmp_path: Path,
    content: str | None,
    reason: str,
) -> None:
    ca = tmp_path / "ca.pem"
    if content is not None:
        ca.write_text(content)

    outcome = send(findings[:3], None, target(rsyslog, "tls", app, ca_file=ca))

    assert (outcome.sent, outcome.failed) == (0, 3)
    assert outcome.error is not None
    assert outcome.error.startswith(f"cannot use CA file {ca}: ")
    assert reason in outcome.error


def test_tls_to_the_plain_tcp_port(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]]
) -> None:
    """rsyslog reads the TLS hello as the start of a message and waits: a timeout, explained."""
    syslog = SyslogTarget(
        HOST, rsyslog.ports["tcp"], "tls", ca_file=rsyslog.ca_file, app_name=app, timeout=0.3
    )

    outcome = send(findings[:2], None, syslog)

    assert (outcome.sent, outcome.failed) == (0, 2)
    assert outcome.error == "TLS handshake timed out after 0.3s (is that a TLS port?)"
