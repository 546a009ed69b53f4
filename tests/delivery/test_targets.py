"""Targets: URL parsing, validation with one-line messages, and descriptions without secrets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sovaudit.delivery import HecTarget, SyslogTarget, parse_syslog_url
from sovaudit.errors import UsageError
from tests.delivery.conftest import TOKEN


@pytest.mark.parametrize(
    ("url", "host", "port", "transport"),
    [
        ("udp://siem.example.com", "siem.example.com", 514, "udp"),
        ("tcp://siem.example.com", "siem.example.com", 601, "tcp"),
        ("tls://siem.example.com", "siem.example.com", 6514, "tls"),
        ("TLS://10.0.0.5:10514", "10.0.0.5", 10514, "tls"),
        ("udp://[::1]", "::1", 514, "udp"),
        ("tcp://[2001:db8::5]:1514/", "2001:db8::5", 1514, "tcp"),
        ("tls://log_collector.internal:6514", "log_collector.internal", 6514, "tls"),
    ],
)
def test_syslog_urls(url: str, host: str, port: int, transport: str) -> None:
    target = parse_syslog_url(url)

    assert (target.host, target.port, target.transport) == (host, port, transport)
    assert (target.facility, target.app_name, target.max_message_bytes) == (
        "local0",
        "sovaudit",
        8192,
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("siem.example.com:514", "must start with udp://, tcp:// or tls://"),
        ("http://siem:514", "must start with udp://, tcp:// or tls://"),
        ("udp://", "a host name is missing"),
        ("udp://host:99999", "Port out of range"),
        ("udp://host:http", "Port could not be cast"),
        ("tcp://host:0", "port 0 is not a port"),
        ("tcp://::1:514", "write IPv6 addresses in brackets"),
        ("tcp://[siem]:514", "IPv6 address"),
        ("tls://user:pw@host", "take no user or password"),
        ("tcp://host:601/path", "only a host and a port"),
        ("tcp://host:601?x=1", "only a host and a port"),
        ("tcp://bad host:601", "is not a valid host name"),
    ],
)
def test_bad_syslog_urls_are_one_line_usage_errors(url: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_syslog_url(url)

    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert UsageError.exit_code == 2


def test_describe_brackets_ipv6() -> None:
    assert parse_syslog_url("tls://[::1]").describe() == "syslog tls://[::1]:6514"


def test_the_cli_can_replace_facility_and_ca_file(tmp_path: Path) -> None:
    """scan_inputs.delivery_targets uses dataclasses.replace: the checks run again."""
    target = parse_syslog_url("tls://siem")

    changed = dataclasses.replace(target, facility="LOCAL5", ca_file=tmp_path / "ca.pem")

    assert changed.facility_number == 21
    assert changed.ca_file == tmp_path / "ca.pem"
    with pytest.raises(UsageError, match="unknown syslog facility 'local9'"):
        dataclasses.replace(target, facility="local9")
    assert dataclasses.replace(target, facility="4").facility_number == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"transport": "sctp"}, "syslog transport 'sctp'"),
        ({"app_name": "sov audit"}, "APP-NAME"),
        ({"app_name": "x" * 49}, "APP-NAME"),
        ({"app_name": "audité"}, "APP-NAME"),
        ({"max_message_bytes": 1024}, "use 2048-65507 bytes for udp"),
        ({"max_message_bytes": 70000}, "use 2048-65507 bytes for udp"),
        ({"port": 70000}, "outside 1-65535"),
        ({"timeout": 0}, "timeout must be positive"),
    ],
)
def test_syslog_target_checks(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        SyslogTarget(**{"host": "siem", "port": 514, "transport": "udp", **changes})  # type: ignore[arg-type]


def test_larger_messages_over_tcp() -> None:
    assert SyslogTarget("siem", 601, "tcp", max_message_bytes=65536).max_message_bytes == 65536


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("https://splunk:8088", "https://splunk:8088/services/collector/event"),
        ("https://splunk:8088/", "https://splunk:8088/services/collector/event"),
        ("http://[::1]:8088", "http://[::1]:8088/services/collector/event"),
        ("https://gw.example.com/splunk/hec", "https://gw.example.com/splunk/hec"),
        ("https://splunk:8088/services/collector", "https://splunk:8088/services/collector"),
        ("https://s:8088?channel=c1", "https://s:8088/services/collector/event?channel=c1"),
    ],
)
def test_hec_endpoints(url: str, endpoint: str) -> None:
    assert HecTarget(url, token=TOKEN).endpoint == endpoint


def test_hec_token_is_in_no_repr_str_or_description() -> None:
    target = HecTarget("https://splunk:8088?token=in-query", token=TOKEN, index="main")

    for text in (repr(target), str(target), target.describe()):
        assert TOKEN not in text
    assert "in-query" not in target.describe()
    assert target.describe() == "hec https://splunk:8088/services/collector/event"


@pytest.mark.parametrize(
    ("url", "token", "changes", "message"),
    [
        ("ftp://splunk", TOKEN, {}, "must start with https://"),
        ("splunk:8088", TOKEN, {}, "must start with https://"),
        ("https://admin:secret@splunk:8088", TOKEN, {}, "must not contain a user or password"),
        ("https://splunk:port", TOKEN, {}, "not a valid URL"),
        ("https://", TOKEN, {}, "a host name is missing"),
        ("https://splunk#x", TOKEN, {}, "#fragment"),
        ("https://splunk", "", {}, "HEC token: empty"),
        ("https://splunk", TOKEN + "\r\nX-Injected: 1", {}, "HEC token: empty, or has"),
        ("https://splunk", TOKEN, {"batch_size": 0}, "batch size"),
        ("https://splunk", TOKEN, {"retries": -1}, "retries"),
        ("https://splunk", TOKEN, {"timeout": 0}, "timeout must be positive"),
    ],
)
def test_hec_target_checks_never_echo_secrets(
    url: str, token: str, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        HecTarget(url, token=token, **changes)  # type: ignore[arg-type]

    assert TOKEN not in str(caught.value)
    assert "secret" not in str(caught.value)
