"""RFC 5424 messages: one finding per message, its JSON as MSG, and always within the size limit.

``<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [sovaudit@32473 ...] {"id":...}``

Finding fields are attacker-controlled (tag values, resource names), so nothing of them goes
into the header: the header is built from our own values, checked against RFC 5424's
character and length rules; finding values only reach the structured data, escaped as
section 6.3.3 requires, and the MSG, which is JSON (no raw control characters) and framed by
octet counting or by its own datagram.
"""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sovaudit.delivery.events import EncodedEvent, encode_json
from sovaudit.delivery.targets import SyslogTarget

# RFC 5424 severities. A waived finding is an accepted risk: it goes as "info" so that
# alerting keyed on the syslog severity does not page for it; its real severity stays in the
# structured data and the JSON. A severity this version does not know goes as "warning".
SEVERITY_CODES = {"critical": 2, "high": 3, "medium": 4, "low": 5, "info": 6}
WAIVED_CODE = 6
UNKNOWN_CODE = 4
SUMMARY_CODE = 6

# 32473 is the enterprise number RFC 5612 reserves for documentation: a site that owns a
# private enterprise number can rewrite it, parsers key on the "sovaudit" part.
SD_ID = "sovaudit@32473"
NILVALUE = "-"

# Each structured-data value is cut to this many UTF-8 bytes (the full value is in the MSG);
# when the header and structured data would take over half the message, to the smaller one.
SD_VALUE_BYTES = 256
SD_VALUE_BYTES_TIGHT = 32


def printusascii(text: str, limit: int) -> str:
    """``text`` as RFC 5424 PRINTUSASCII (33-126), at most ``limit`` long; NILVALUE if empty."""
    cleaned = "".join(c if "!" <= c <= "~" else "_" for c in text)[:limit]
    return cleaned or NILVALUE


def header_hostname() -> str:
    """This machine's name for the HOSTNAME field (RFC 5424 6.2.4: at most 255, printable)."""
    return printusascii(socket.gethostname(), 255)


def timestamp(epoch: float) -> str:
    """RFC 5424 TIMESTAMP in UTC, with microseconds only when there are any."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def _cut_utf8(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut on a character boundary; lone surrogates as ``?``."""
    return text.encode("utf-8", "replace")[:limit].decode("utf-8", "ignore")


def sd_escape(value: Any, limit: int = SD_VALUE_BYTES) -> str:
    """A PARAM-VALUE: control characters replaced, ``"`` ``\\`` ``]`` escaped (RFC 5424 6.3.3)."""
    text = _cut_utf8(str(value), limit)
    text = "".join("\ufffd" if c < " " or c == "\x7f" else c for c in text)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _sd(params: list[tuple[str, Any]], limit: int) -> str:
    present = [f'{name}="{sd_escape(value, limit)}"' for name, value in params if value is not None]
    return f"[{SD_ID} {' '.join(present)}]" if present else NILVALUE


def finding_sd_params(finding: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("finding", finding.get("id")),
        ("rule", finding.get("rule_id")),
        ("severity", finding.get("severity")),
        ("asset", finding.get("asset_id")),
        ("status", finding.get("status")),
    ]


def summary_sd_params(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [("started", summary.get("started_at")), ("home", summary.get("home_country"))]


def finding_severity(finding: Mapping[str, Any]) -> int:
    if finding.get("status") == "waived":
        return WAIVED_CODE
    return SEVERITY_CODES.get(str(finding.get("severity")), UNKNOWN_CODE)


_ASSET_DETAILS = ("tags", "attributes", "description")
_FINDING_PROSE = ("message", "references", "remediation", "waiver")
_FINDING_KEYS = ("id", "rule_id", "severity", "asset_id", "status", "title")


def _compact_asset(asset: Mapping[str, Any]) -> dict[str, Any]:
    location = asset.get("location")
    countries = location.get("countries") if isinstance(location, Mapping) else None
    return {
        "id": asset.get("id"),
        "provider": asset.get("provider"),
        "region": asset.get("region"),
        "location": {"countries": countries if countries is not None else []},
    }


def _cut_strings(data: Mapping[str, Any], keys: tuple[str, ...], limit: int) -> dict[str, Any]:
    return {
        key: data[key][:limit] if isinstance(data.get(key), str) else data.get(key)
        for key in keys
        if key in data
    }


def finding_shrinks(finding: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Ever smaller versions of a finding, each saying in ``truncated`` what it lost.

    1. the asset without its tags, attributes and description (free text, unbounded);
    2. the asset as ``{id, provider, region, location: {countries}}``;
    3. without the prose: message, references, remediation, waiver;
    4. only id, rule_id, severity, asset_id, status and title, each cut ever shorter.
    The order is fixed, so the same finding always shrinks the same way.
    """
    current = dict(finding)
    asset = finding.get("asset")
    dropped: list[str] = []
    if isinstance(asset, Mapping):
        details = [key for key in _ASSET_DETAILS if asset.get(key)]
        if details:
            dropped = [f"asset.{key}" for key in details]
            current["asset"] = {k: v for k, v in asset.items() if k not in _ASSET_DETAILS}
            yield {**current, "truncated": list(dropped)}
        dropped = ["asset"]
        current["asset"] = _compact_asset(asset)
        yield {**current, "truncated": list(dropped)}
    prose = [key for key in _FINDING_PROSE if key in current]
    if prose:
        dropped += prose
        current = {k: v for k, v in current.items() if k not in _FINDING_PROSE}
        yield {**current, "truncated": list(dropped)}
    others = sorted(key for key in current if key not in _FINDING_KEYS and key not in dropped)
    for limit in (1024, 256, 64, 16, 4):
        yield {**_cut_strings(current, _FINDING_KEYS, limit), "truncated": [*dropped, *others, "*"]}


def summary_shrinks(summary: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The summary event without its per-country counts, then its top-level scalars only."""
    inner = summary.get("summary")
    if isinstance(inner, Mapping) and "assets_by_country" in inner:
        lighter = {k: v for k, v in inner.items() if k != "assets_by_country"}
        yield {**summary, "summary": lighter, "truncated": ["summary.assets_by_country"]}
    scalars = tuple(k for k, v in summary.items() if isinstance(v, (str, int, float, bool)))
    for limit in (256, 64, 16):
        yield {**_cut_strings(summary, scalars, limit), "truncated": ["*"]}


class Formatter:
    """Builds the messages of one delivery to one target."""

    def __init__(self, target: SyslogTarget, epoch: float, hostname: str | None = None) -> None:
        self.target = target
        self.facility = target.facility_number
        host = hostname if hostname is not None else header_hostname()
        # TIMESTAMP HOSTNAME APP-NAME PROCID; MSGID and SD follow per message.
        self._fields = " ".join(
            (
                timestamp(epoch),
                printusascii(host, 255),
                printusascii(target.app_name, 48),
                printusascii(str(os.getpid()), 128),
            )
        )

    def finding(self, event: EncodedEvent) -> tuple[bytes, bool]:
        """The message for one finding, and whether it had to be shrunk."""
        finding = event.data
        return self._message(
            finding_severity(finding),
            "finding",
            finding_sd_params(finding),
            event.json,
            lambda: finding_shrinks(finding),
        )

    def summary(self, event: EncodedEvent) -> tuple[bytes, bool]:
        summary = event.data
        return self._message(
            SUMMARY_CODE,
            "summary",
            summary_sd_params(summary),
            event.json,
            lambda: summary_shrinks(summary),
        )

    def _message(
        self,
        severity: int,
        msgid: str,
        params: list[tuple[str, Any]],
        body: bytes,
        shrinks: Callable[[], Iterator[dict[str, Any]]],
    ) -> tuple[bytes, bool]:
        limit = self.target.max_message_bytes
        head = f"<{self.facility * 8 + severity}>1 {self._fields} {msgid} "
        prefix = (head + _sd(params, SD_VALUE_BYTES) + " ").encode("utf-8")
        if len(prefix) > limit // 2:
            prefix = (head + _sd(params, SD_VALUE_BYTES_TIGHT) + " ").encode("utf-8")
        if len(prefix) + len(body) <= limit:
            return prefix + body, False
        for smaller in shrinks():
            body = encode_json(smaller)
            if len(prefix) + len(body) <= limit:
                return prefix + body, True
        # Unreachable with the limits SyslogTarget enforces (>= 2048 bytes, bounded header).
        return prefix + b'{"truncated":["*"]}', True
