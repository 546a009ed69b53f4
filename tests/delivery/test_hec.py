"""Findings to the HEC stand-in: body format, batching, retries, and what is not retried."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import pytest

from sovaudit.delivery import DeliveryOutcome, HecTarget, deliver
from tests.delivery.conftest import STARTED_EPOCH, TOKEN
from tests.delivery.hec_server import Answer, HecServer
from tests.delivery.rsyslog import HOST, free_port

pytestmark = pytest.mark.integration

INVALID_TOKEN = Answer(403, {"text": "Invalid token", "code": 4})
UNAVAILABLE = Answer(503, {"text": "Server is busy", "code": 9})


def hec_target(server: HecServer | str, **changes: Any) -> HecTarget:
    url = server if isinstance(server, str) else server.url
    return HecTarget(url=url, token=TOKEN, **{"backoff": 0.001, **changes})


def send(
    findings: list[dict[str, Any]], summary: dict[str, Any] | None, hec: HecTarget
) -> DeliveryOutcome:
    [outcome] = deliver(findings, summary, [hec])
    return outcome


def many(findings: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return [{**findings[i % len(findings)], "id": f"f-{i:05d}"} for i in range(count)]


def test_batches_then_the_summary(
    hec: HecServer, findings: list[dict[str, Any]], summary_event: dict[str, Any]
) -> None:
    batch = many(findings, 250)

    outcome = send(batch, summary_event, hec_target(hec, index="sovereignty"))

    assert outcome == DeliveryOutcome(
        f"hec http://{HOST}:{hec.port}/services/collector/event", 250, 0, None, 0
    )
    assert [len(r.events()) for r in hec.requests] == [100, 100, 50, 1]
    for request in hec.requests:
        assert request.path == "/services/collector/event"
        assert request.headers["Authorization"] == f"Splunk {TOKEN}"
        assert request.headers["Content-Type"].startswith("application/json")
    events = hec.events()
    for finding, event in zip(batch, events[:-1], strict=True):
        assert event == {
            "time": STARTED_EPOCH,
            "host": socket.gethostname(),
            "source": "sovaudit",
            "sourcetype": "sovaudit:finding",
            "index": "sovereignty",
            "event": finding,
        }
    assert events[-1]["sourcetype"] == "sovaudit:summary"
    assert events[-1]["event"] == summary_event
    assert b"\xef\xbb\xbf" not in b"".join(r.body for r in hec.requests)


def test_utf8_and_no_index(hec: HecServer, findings: list[dict[str, Any]]) -> None:
    outcome = send(findings[-1:], None, hec_target(hec))

    assert outcome.ok
    [event] = hec.events()
    assert "index" not in event
    assert "Querétaro" in hec.requests[0].body.decode("utf-8")
    assert event["event"] == findings[-1]


def test_a_given_path_and_query_are_kept(hec: HecServer, findings: list[dict[str, Any]]) -> None:
    outcome = send(findings[:2], None, hec_target(f"{hec.url}/proxy/hec?channel=abc"))

    assert outcome.ok
    assert [r.path for r in hec.requests] == ["/proxy/hec?channel=abc"]
    assert outcome.target == f"hec http://{HOST}:{hec.port}/proxy/hec"  # no query in messages


def test_5xx_is_retried_then_succeeds(
    hec: HecServer, findings: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    hec.answer_next(UNAVAILABLE, UNAVAILABLE)

    with caplog.at_level(logging.WARNING, logger="sovaudit.delivery"):
        outcome = send(findings[:5], None, hec_target(hec))

    assert (outcome.sent, outcome.failed, outcome.error) == (5, 0, None)
    assert len(hec.requests) == 3
    assert hec.requests[0].body == hec.requests[2].body  # the same batch again
    assert "HTTP 503: Server is busy (code 9); retry 1 of 3" in caplog.text


def test_5xx_until_the_retries_run_out_stops_the_delivery(
    hec: HecServer, findings: list[dict[str, Any]], summary_event: dict[str, Any]
) -> None:
    hec.answer_next(*[UNAVAILABLE] * 3)

    outcome = send(many(findings, 250), summary_event, hec_target(hec, retries=2))

    assert (outcome.sent, outcome.failed) == (0, 250)
    assert len(hec.requests) == 3  # one batch, three attempts; the others are not tried
    assert outcome.error == "batch 1 of 3: HTTP 503: Server is busy (code 9) (after 3 attempts)"


def test_429_honours_retry_after(hec: HecServer, findings: list[dict[str, Any]]) -> None:
    hec.answer_next(Answer(429, {"text": "Too many", "code": 9}, (("Retry-After", "1"),)))

    outcome = send(findings[:3], None, hec_target(hec))

    assert outcome.ok
    first, second = hec.requests
    assert second.at - first.at >= 0.95  # Retry-After, not the 1 ms backoff


def test_retry_after_is_capped(hec: HecServer, findings: list[dict[str, Any]]) -> None:
    hec.answer_next(Answer(429, {"text": "Too many", "code": 9}, (("Retry-After", "3600"),)))

    outcome = send(findings[:3], None, hec_target(hec, retry_after_cap=0.2))

    assert outcome.ok
    first, second = hec.requests
    assert 0.19 <= second.at - first.at < 2


def test_an_invalid_token_is_not_retried_and_stops(
    hec: HecServer, findings: list[dict[str, Any]], summary_event: dict[str, Any]
) -> None:
    hec.answer_next(INVALID_TOKEN)

    outcome = send(many(findings, 250), summary_event, hec_target(hec))

    assert (outcome.sent, outcome.failed) == (0, 250)
    assert len(hec.requests) == 1
    assert outcome.error == "batch 1 of 3: HTTP 403: Invalid token (code 4)"


def test_a_bad_batch_fails_alone(
    hec: HecServer, findings: list[dict[str, Any]], summary_event: dict[str, Any]
) -> None:
    hec.answer_next(Answer(), Answer(400, {"text": "Invalid data format", "code": 6}))

    outcome = send(many(findings, 250), summary_event, hec_target(hec))

    assert (outcome.sent, outcome.failed) == (150, 100)
    assert outcome.error == "batch 2 of 3: HTTP 400: Invalid data format (code 6)"
    assert [len(r.events()) for r in hec.requests] == [100, 100, 50, 1]  # no retry of batch 2
    assert hec.events()[-1]["sourcetype"] == "sovaudit:summary"


def test_a_failed_summary_is_an_error(
    hec: HecServer, findings: list[dict[str, Any]], summary_event: dict[str, Any]
) -> None:
    hec.answer_next(Answer(), Answer(400, {"text": "Invalid data format", "code": 6}))

    outcome = send(findings[:3], summary_event, hec_target(hec))

    assert (outcome.sent, outcome.failed) == (3, 0)
    assert outcome.error == "summary event: HTTP 400: Invalid data format (code 6)"
    assert not outcome.ok


def test_a_redirect_is_not_followed(hec: HecServer, findings: list[dict[str, Any]]) -> None:
    hec.answer_next(Answer(302, b"", (("Location", "http://127.0.0.1:9/elsewhere"),)))

    outcome = send(findings[:2], None, hec_target(hec))

    assert (outcome.sent, outcome.failed) == (0, 2)
    assert len(hec.requests) == 1  # the token went nowhere else
    assert outcome.error is not None
    assert "HTTP 302" in outcome.error
    assert "http://127.0.0.1:9/elsewhere" in outcome.error


def test_connection_refused_fails_everything(findings: list[dict[str, Any]]) -> None:
    url = f"http://{HOST}:{free_port(socket.SOCK_STREAM)}"

    outcome = send(many(findings, 150), None, hec_target(url, retries=2))

    assert (outcome.sent, outcome.failed) == (0, 150)
    assert outcome.error == (
        "batch 1 of 2: connection refused (is the HEC listening on that port?) (after 3 attempts)"
    )


def test_a_timeout_is_retried(hec: HecServer, findings: list[dict[str, Any]]) -> None:
    hec.answer_next(Answer(delay=1.0))

    outcome = send(findings[:2], None, hec_target(hec, timeout=0.2))

    assert (outcome.sent, outcome.error) == (2, None)
    assert len(hec.requests) == 2


def test_https_with_the_ca_file(
    hec_tls: HecServer, findings: list[dict[str, Any]], ca_file: Path
) -> None:
    outcome = send(findings[:4], None, hec_target(hec_tls, ca_file=ca_file))

    assert (outcome.sent, outcome.error) == (4, None)
    assert outcome.target.startswith("hec https://")
    assert [e["event"] for e in hec_tls.events()] == findings[:4]


def test_https_via_ssl_cert_file(
    hec_tls: HecServer,
    findings: list[dict[str, Any]],
    ca_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    outcome = send(findings[:1], None, hec_target(hec_tls))

    assert outcome.ok


def test_https_with_the_wrong_ca_is_not_retried(
    hec_tls: HecServer, findings: list[dict[str, Any]], other_ca_file: Path
) -> None:
    outcome = send(many(findings, 150), None, hec_target(hec_tls, ca_file=other_ca_file))

    assert (outcome.sent, outcome.failed) == (0, 150)
    assert outcome.error is not None
    assert outcome.error.startswith("batch 1 of 2: TLS certificate verification failed")
    assert "after" not in outcome.error
    assert hec_tls.requests == []


@pytest.mark.parametrize(("content", "reason"), [(None, "No such file"), ("junk", "NO_CERT")])
def test_an_unusable_ca_file_is_an_outcome(
    hec_tls: HecServer,
    findings: list[dict[str, Any]],
    tmp_path: Path,
    content: str | None,
    reason: str,
) -> None:
    ca = tmp_path / "ca.pem"
    if content is not None:
        ca.write_text(content)

    outcome = send(findings[:3], None, hec_target(hec_tls, ca_file=ca))

    assert (outcome.sent, outcome.failed) == (0, 3)
    assert outcome.error is not None
    assert outcome.error.startswith(f"cannot use CA file {ca}: ")
    assert reason in outcome.error
    assert hec_tls.requests == []


def test_https_to_a_plain_http_port_is_not_retried(
    hec: HecServer, findings: list[dict[str, Any]]
) -> None:
    outcome = send(findings[:2], None, hec_target(hec.url.replace("http:", "https:")))

    assert (outcome.sent, outcome.failed) == (0, 2)
    assert outcome.error is not None
    assert outcome.error.startswith("batch 1 of 1: TLS error: ")
    assert len(hec.requests) == 0
