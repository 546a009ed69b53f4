"""Scan times: written as RFC 3339 UTC strings (``2026-11-22T09:08:05Z``), read back here.

One reader for every consumer (history, SIEM delivery, OCSF, the trend chart): Python 3.10's
``fromisoformat`` does not take a trailing ``Z``, and a time without an offset is UTC.
"""

from __future__ import annotations

import datetime


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def rfc3339(moment: datetime.datetime) -> str:
    """``moment`` as scan documents write it; a naive time is taken as UTC."""
    return as_utc(moment).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """A naive time is UTC; an aware one is kept as it is."""
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def parse_rfc3339(text: object) -> datetime.datetime | None:
    """An aware datetime from an RFC 3339 string, or None when ``text`` is not one."""
    if not isinstance(text, str):
        return None
    try:
        return as_utc(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None
