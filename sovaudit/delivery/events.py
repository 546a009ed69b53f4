"""What every transport shares: an event encoded once, the time it carries, the outcome."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sovaudit.timestamps import parse_rfc3339


@dataclass(frozen=True)
class DeliveryOutcome:
    """What happened to one target. Every finding is counted once: ``sent`` or ``failed``.

    ``sent`` means the collector accepted it: the HEC answered 2xx, or the syslog stream was
    written and then closed in order (the receiver read up to our end of stream). When a
    stream breaks midway, what was written before the break counts as sent, the rest as
    failed. For UDP it can only mean "handed to the network": UDP has no acknowledgement,
    only refused datagrams are seen (ICMP port unreachable). ``truncated`` counts the
    messages that were shrunk to fit the syslog size limit (they are also in ``sent`` or
    ``failed``). ``error`` is set whenever anything (a finding or the summary) did not arrive;
    it never contains a credential.
    """

    target: str
    sent: int
    failed: int
    error: str | None = None
    truncated: int = 0

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.error is None


def _plain(value: Any) -> Any:
    """json's fallback: Mapping types other than dict (MappingProxyType...) as dicts."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# Compact (no spaces), UTF-8 as is. The event objects are trees built by json_document, never
# cyclic, so the cycle check is skipped.
_compact = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, separators=(",", ":"), default=_plain
).encode
_compact_ascii = json.JSONEncoder(
    ensure_ascii=True, check_circular=False, separators=(",", ":"), default=_plain
).encode


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, without a byte order mark.

    RFC 5424 allows a BOM before a UTF-8 MSG, but JSON parsers (Python's, Splunk's KV_MODE=json,
    Elastic's json processor) reject a document that starts with one, so it is left out. A
    string holding a lone surrogate (a file name read with surrogateescape) cannot be UTF-8: such
    a value is encoded with \\u escapes instead, which every JSON parser reads back.
    """
    try:
        return _compact(value).encode("utf-8")
    except UnicodeEncodeError:
        return _compact_ascii(value).encode("ascii")


@dataclass(frozen=True)
class EncodedEvent:
    """A finding (or the summary) and its JSON, encoded once for every target."""

    data: Mapping[str, Any]
    json: bytes

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> EncodedEvent:
        return cls(data, encode_json(data))


def scan_time(summary_event: Mapping[str, Any] | None) -> float | None:
    """The scan's ``started_at`` as epoch seconds, when the summary carries a valid one.

    Every event of a run carries that one time, so a SIEM search by time finds whole runs and
    the events line up with the JSON output and the run history, which use the same stamp.
    """
    if not summary_event:
        return None
    moment = parse_rfc3339(summary_event.get("started_at"))
    return None if moment is None else moment.timestamp()
