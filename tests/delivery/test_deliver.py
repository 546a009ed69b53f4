"""deliver() over several real targets at once, the token's secrecy, and the scan command."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sovaudit.delivery import HecTarget, SyslogTarget, deliver, parse_syslog_url
from tests.delivery.conftest import STARTED_EPOCH, TOKEN
from tests.delivery.hec_server import Answer, HecServer
from tests.delivery.rsyslog import HOST, Rsyslog, free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = ROOT / "sample_inventories" / "retail_monterrey.yaml"


def test_one_call_every_target_each_finding_encoded_once(
    rsyslog: Rsyslog,
    hec: HecServer,
    app: str,
    findings: list[dict[str, Any]],
    summary_event: dict[str, Any],
) -> None:
    consumed = 0

    def stream() -> Iterator[dict[str, Any]]:  # a generator, as the CLI passes
        nonlocal consumed
        for finding in findings:
            consumed += 1
            yield finding

    targets: list[SyslogTarget | HecTarget] = [
        SyslogTarget(HOST, rsyslog.ports["tcp"], "tcp", app_name=app),
        HecTarget(hec.url, token=TOKEN, backoff=0.001),
        SyslogTarget(HOST, rsyslog.ports["udp"], "udp", app_name=app),
    ]

    outcomes = deliver(stream(), summary_event, targets)

    assert consumed == len(findings)
    assert [o.target for o in outcomes] == [t.describe() for t in targets]
    assert [(o.sent, o.failed, o.error) for o in outcomes] == [(len(findings), 0, None)] * 3
    for transport in ("tcp", "udp"):
        lines = rsyslog.received(transport, app, len(findings) + 1)
        assert [json.loads(line["msg"]) for line in lines] == [*findings, summary_event]
    assert [e["event"] for e in hec.events()] == [*findings, summary_event]


def test_one_failing_target_does_not_stop_the_others(
    rsyslog: Rsyslog, app: str, findings: list[dict[str, Any]]
) -> None:
    closed = free_port(socket.SOCK_STREAM)
    targets = [
        parse_syslog_url(f"tcp://{HOST}:{closed}"),
        SyslogTarget(HOST, rsyslog.ports["tls"], "tls", ca_file=rsyslog.ca_file, app_name=app),
    ]

    refused, delivered = deliver(findings, None, targets)

    assert (refused.sent, refused.failed) == (0, len(findings))
    assert not refused.ok
    assert (delivered.sent, delivered.failed, delivered.ok) == (len(findings), 0, True)
    assert len(rsyslog.received("tls", app, len(findings))) == len(findings)


def test_event_time_is_the_scans_start_else_now(
    hec: HecServer, findings: list[dict[str, Any]]
) -> None:
    target = HecTarget(hec.url, token=TOKEN)

    deliver(findings[:1], {"started_at": "2026-11-22T08:00:00Z"}, [target])
    before = time.time()
    deliver(findings[:1], None, [target])
    deliver(findings[:1], None, [target], event_time=12.5)

    times = [e["time"] for e in hec.events()]
    assert times[0] == STARTED_EPOCH
    assert before - 1 <= times[2] <= time.time() + 1
    assert times[3:] == [12.5]


def test_not_a_target_is_a_bug_not_an_outcome(findings: list[dict[str, Any]]) -> None:
    with pytest.raises(TypeError, match="not a delivery target: str"):
        deliver(findings, None, ["udp://siem"])  # type: ignore[list-item]


def test_the_token_appears_in_no_outcome_log_or_output(
    hec: HecServer,
    findings: list[dict[str, Any]],
    summary_event: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A proxy that echoes the request, an auth failure, a refused connection: never the token."""
    echo = Answer(500, echo_authorization=True)
    hec.answer_next(echo, echo, Answer(403, echo_authorization=True))
    targets = [
        HecTarget(hec.url, token=TOKEN, backoff=0.001),
        HecTarget(f"http://{HOST}:{free_port(socket.SOCK_STREAM)}", token=TOKEN, backoff=0.001),
    ]

    with caplog.at_level(logging.DEBUG):
        outcomes = deliver(findings, summary_event, targets)

    assert hec.requests[0].headers["Authorization"] == f"Splunk {TOKEN}"  # it was sent...
    assert [o.failed for o in outcomes] == [len(findings)] * 2
    assert outcomes[0].error == "batch 1 of 1: HTTP 403: rejected Splunk <token> (code 99)"
    assert "rejected Splunk <token>" in caplog.text  # the retries were logged, scrubbed
    captured = capsys.readouterr()
    for text in (
        repr(outcomes),
        str(outcomes),
        caplog.text,
        captured.out,
        captured.err,
        repr(targets),
        *(t.describe() for t in targets),
    ):
        assert TOKEN not in text  # ...and went nowhere else


def _scan(*delivery: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sovaudit",
            "scan",
            str(SAMPLE),
            "--format",
            "jsonl",
            "--fail-on",
            "never",
            *delivery,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SOVAUDIT_HEC_TOKEN": TOKEN, "LANG": "C.UTF-8", **(env or {})},
        timeout=60,
        check=False,
    )


@pytest.mark.e2e
def test_the_scan_command_delivers_what_it_prints(rsyslog: Rsyslog, hec: HecServer) -> None:
    result = _scan(
        "--syslog",
        f"tls://localhost:{rsyslog.ports['tls']}",
        "--syslog-ca-file",
        str(rsyslog.ca_file),
        "--syslog-facility",
        "local3",
        "--hec-url",
        hec.url,
        "--hec-index",
        "sovereignty",
    )

    assert result.returncode == 0, result.stderr
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    assert printed
    lines = rsyslog.received("tls", "sovaudit", len(printed) + 1)
    ours = [line for line in lines if line["procid"] != str(os.getpid())][-len(printed) - 1 :]
    assert [json.loads(line["msg"]) for line in ours[:-1]] == printed
    assert all(int(line["facility"]) == 19 for line in ours)
    assert ours[-1]["msgid"] == "summary"
    events = hec.events()
    assert [e["event"] for e in events[:-1]] == printed
    assert {e["index"] for e in events} == {"sovereignty"}
    assert events[-1]["sourcetype"] == "sovaudit:summary"
    assert TOKEN not in result.stderr


@pytest.mark.e2e
def test_the_scan_command_exits_5_when_a_siem_is_unreachable() -> None:
    closed = free_port(socket.SOCK_STREAM)

    result = _scan("--syslog", f"tcp://{HOST}:{closed}")

    assert result.returncode == 5
    assert f"delivery to syslog tcp://{HOST}:{closed} failed" in result.stderr
    assert result.stdout  # the output is written all the same
