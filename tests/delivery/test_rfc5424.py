"""RFC 5424 formatting without a network: header rules, escaping, shrinking, encoding.

rsyslog checks the same messages end to end (test_syslog_rsyslog.py); these pin the rules
that a receiver may forgive but the RFC does not (field lengths, character sets).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from sovaudit.delivery import SyslogTarget
from sovaudit.delivery.events import EncodedEvent, encode_json, scan_time
from sovaudit.delivery.rfc5424 import (
    Formatter,
    finding_shrinks,
    printusascii,
    sd_escape,
    timestamp,
)
from tests.delivery.conftest import STARTED_AT, STARTED_EPOCH
from tests.delivery.sd_parser import parse_sd

# RFC 5424 section 6: HEADER = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
HEADER = re.compile(
    rb"<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>[\x21-\x7e]{1,255}) (?P<app>[\x21-\x7e]{1,48}) "
    rb"(?P<procid>[\x21-\x7e]{1,128}) (?P<msgid>[\x21-\x7e]{1,32}) "
)


def split(message: bytes) -> tuple[re.Match[bytes], str, bytes]:
    """Header match, structured data text, MSG bytes."""
    header = HEADER.match(message)
    assert header, message[:200]
    rest = message[header.end() :].decode("utf-8")
    if rest.startswith("- "):
        return header, "-", rest[2:].encode()
    depth_end = re.match(r"(\[(?:[^\]\\]|\\.)*\])+", rest)
    assert depth_end, rest[:200]
    assert rest[depth_end.end()] == " "
    return header, depth_end.group(0), rest[depth_end.end() + 1 :].encode()


def formatter(hostname: str = "scanner-01", **changes: Any) -> Formatter:
    target = SyslogTarget(**{"host": "siem", "port": 514, "transport": "tcp", **changes})
    return Formatter(target, STARTED_EPOCH, hostname=hostname)


def test_a_finding_message(findings: list[dict[str, Any]]) -> None:
    finding = findings[0]

    message, shrunk = formatter().finding(EncodedEvent.of(finding))

    header, sd, body = split(message)
    assert not shrunk
    assert header.group("pri") == b"130"  # local0 (16) * 8 + critical (2)
    assert header.group("ts") == STARTED_AT.encode()
    assert (header.group("host"), header.group("app"), header.group("msgid")) == (
        b"scanner-01",
        b"sovaudit",
        b"finding",
    )
    assert parse_sd(sd)["sovaudit@32473"]["finding"] == finding["id"]
    assert json.loads(body) == finding
    assert b", " not in body.split(b'"')[0]
    assert body.startswith(b'{"id":')
    assert not body.startswith(b"\xef\xbb\xbf")


def test_header_fields_follow_the_rfc_whatever_the_host_name() -> None:
    f = Formatter(
        SyslogTarget("siem", 514, "udp"), STARTED_EPOCH + 0.25, hostname="ñandú host\n" * 40
    )

    message, _ = f.finding(EncodedEvent.of({"id": "x", "severity": "low", "status": "open"}))

    header, sd, _ = split(message)
    assert len(header.group("host")) == 255
    assert header.group("ts") == b"2026-11-22T08:00:00.250000Z"
    assert header.group("pri") == b"133"
    assert sd == '[sovaudit@32473 finding="x" severity="low" status="open"]'


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ('a"b', 'a\\"b'),
        ("a\\b", "a\\\\b"),
        ("a]b", "a\\]b"),
        ("line\nbreak\x00\x7f", "line\ufffdbreak\ufffd\ufffd"),
        ("Querétaro", "Querétaro"),
    ],
)
def test_sd_values_are_escaped(value: str, escaped: str) -> None:
    assert sd_escape(value) == escaped


def test_sd_values_are_cut_on_a_character_boundary() -> None:
    assert sd_escape("é" * 200, limit=255) == "é" * 127
    assert sd_escape("\udce9 lone surrogate") == "? lone surrogate"


def test_printusascii() -> None:
    assert printusascii("", 10) == "-"
    assert printusascii("a b\tc", 10) == "a_b_c"
    assert printusascii("x" * 300, 255) == "x" * 255


def test_timestamp_and_scan_time() -> None:
    assert timestamp(STARTED_EPOCH) == STARTED_AT
    assert scan_time({"started_at": STARTED_AT}) == STARTED_EPOCH
    assert scan_time({"started_at": "yesterday"}) is None
    assert scan_time(None) is None


def test_json_is_utf8_and_survives_lone_surrogates() -> None:
    assert encode_json({"city": "Querétaro"}) == '{"city":"Querétaro"}'.encode()
    odd = encode_json({"name": "file-\udcff"})
    assert json.loads(odd) == {"name": "file-\udcff"}
    assert odd.isascii()


def test_shrinking_is_deterministic_and_says_what_it_dropped(
    findings: list[dict[str, Any]],
) -> None:
    finding = copy.deepcopy(findings[0])
    finding["asset"]["attributes"] = {"k": "v"}

    levels = list(finding_shrinks(finding))

    assert levels == list(finding_shrinks(finding))
    assert [level["truncated"] for level in levels[:3]] == [
        ["asset.tags", "asset.attributes", "asset.description"],
        ["asset"],
        ["asset", "message", "references", "remediation"],
    ]
    assert levels[1]["asset"] == {
        "id": finding["asset"]["id"],
        "provider": finding["asset"]["provider"],
        "region": finding["asset"]["region"],
        "location": {"countries": finding["asset"]["location"]["countries"]},
    }
    assert set(levels[-1]) == {
        "id",
        "rule_id",
        "severity",
        "asset_id",
        "status",
        "title",
        "truncated",
    }
    assert finding == findings[0] | {"asset": finding["asset"]}  # the input is not changed


@pytest.mark.parametrize("size", [2048, 4096, 8192])
def test_every_message_fits_however_big_its_fields(size: int) -> None:
    huge = "ü" * 20000
    finding = {
        "id": huge,
        "rule_id": huge,
        "severity": "high",
        "asset_id": '"]\\' * 5000,
        "status": "open",
        "title": huge,
        "message": huge,
        "asset": {"id": huge, "tags": {"a": huge}, "location": {"countries": ["MX"] * 3000}},
    }
    f = formatter(max_message_bytes=size, hostname="h" * 255, app_name="a" * 48)

    message, shrunk = f.finding(EncodedEvent.of(finding))

    assert shrunk
    assert len(message) <= size
    _, sd, body = split(message)
    assert parse_sd(sd)["sovaudit@32473"]["severity"] == "high"
    shrunk = json.loads(body)
    assert shrunk["truncated"] == ["asset", "message", "*"]
    assert shrunk["severity"] == "high"
    assert shrunk["id"].startswith("üüü")


def test_an_oversize_summary_drops_the_country_counts() -> None:
    summary = {
        "started_at": STARTED_AT,
        "home_country": "MX",
        "summary": {"assets_total": 1, "assets_by_country": {f"C{i}": i for i in range(2000)}},
    }

    message, shrunk = formatter(max_message_bytes=2048).summary(EncodedEvent.of(summary))

    _, _, body = split(message)
    assert shrunk
    assert len(message) <= 2048
    assert json.loads(body) == {
        "started_at": STARTED_AT,
        "home_country": "MX",
        "summary": {"assets_total": 1},
        "truncated": ["summary.assets_by_country"],
    }
