"""Where findings go: a syslog collector or a Splunk-style HTTP Event Collector (HEC).

Targets are checked when they are built, so a typo in a URL fails before the scan starts
(exit 2, one line) rather than at its end. Nothing here opens a connection.

The HEC token is a secret: it is excluded from ``repr``/``str`` and from every message this
package writes; ``describe()`` is what a person (or a log line) sees of a target.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from sovaudit.errors import UsageError

DEFAULT_PORTS = {"udp": 514, "tcp": 601, "tls": 6514}

# RFC 5424 section 6.2.1 (facility numbers); "security" and "console" are the names most
# syslog daemons use for 13 and 14.
FACILITIES = {
    "kern": 0,
    "user": 1,
    "mail": 2,
    "daemon": 3,
    "auth": 4,
    "syslog": 5,
    "lpr": 6,
    "news": 7,
    "uucp": 8,
    "cron": 9,
    "authpriv": 10,
    "ftp": 11,
    "ntp": 12,
    "security": 13,
    "console": 14,
    "clock": 15,
    **{f"local{n}": 16 + n for n in range(8)},
}

# RFC 5424 section 6.1: every receiver SHOULD accept 2048 octets, so nothing smaller is useful.
MIN_MESSAGE_BYTES = 2048
# The largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP header octets).
MAX_UDP_BYTES = 65507

_HOST_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})?")
_PRINTUSASCII = re.compile(r"[\x21-\x7e]+")


def facility_code(facility: str) -> int:
    """The number of a facility given by name (``local0``) or number (``16``)."""
    name = facility.strip().lower()
    if name.isdigit() and 0 <= int(name) <= 23:
        return int(name)
    try:
        return FACILITIES[name]
    except KeyError:
        raise UsageError(
            f"unknown syslog facility {facility!r}: use one of {', '.join(FACILITIES)} or 0-23"
        ) from None


def _check_host(host: str, what: str) -> None:
    if not host:
        raise UsageError(f"{what}: a host name is missing")
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    if not _HOST_NAME.fullmatch(host):
        raise UsageError(f"{what}: {host!r} is not a valid host name or IP address")


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class SyslogTarget:
    """An RFC 5424 collector.

    ``max_message_bytes`` (8192) is rsyslog's default ``maxMessageSize``: rsyslog, the most
    common receiver, cuts anything longer at that byte (header included) and, over TCP, turns
    the rest into a second garbage message, so the finding's JSON would arrive broken. RFC 5424
    only promises 2048 octets; syslog-ng and most SIEM agents accept 64 KiB. Raise it when the
    receiver's limit is known to be higher; a longer message is shrunk (see rfc5424.shrink), never
    cut blindly. ``ca_file`` only matters for ``tls`` (it is ignored for udp and tcp so that one
    ``--syslog-ca-file`` can go with several URLs).
    """

    host: str
    port: int
    transport: str
    ca_file: Path | None = None
    facility: str = "local0"
    app_name: str = "sovaudit"
    max_message_bytes: int = 8192
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.transport not in DEFAULT_PORTS:
            raise UsageError(
                f"syslog transport {self.transport!r}: use one of {', '.join(DEFAULT_PORTS)}"
            )
        _check_host(self.host, "syslog target")
        if not 0 < self.port < 65536:
            raise UsageError(f"syslog port {self.port} is outside 1-65535")
        facility_code(self.facility)
        if not _PRINTUSASCII.fullmatch(self.app_name) or len(self.app_name) > 48:
            raise UsageError(
                f"syslog APP-NAME {self.app_name!r}: 1 to 48 printable ASCII characters, "
                "no spaces (RFC 5424)"
            )
        limit = MAX_UDP_BYTES if self.transport == "udp" else 16 * 1024 * 1024
        if not MIN_MESSAGE_BYTES <= self.max_message_bytes <= limit:
            raise UsageError(
                f"syslog max message size {self.max_message_bytes}: use "
                f"{MIN_MESSAGE_BYTES}-{limit} bytes for {self.transport}"
            )
        if self.timeout <= 0:
            raise UsageError("syslog timeout must be positive")

    @property
    def facility_number(self) -> int:
        return facility_code(self.facility)

    def describe(self) -> str:
        return f"syslog {self.transport}://{_netloc(self.host, self.port)}"


def parse_syslog_url(text: str) -> SyslogTarget:
    """``udp://host[:514]``, ``tcp://host[:601]``, ``tls://host[:6514]``; IPv6 as ``[::1]``."""
    what = f"syslog URL {text!r}"
    scheme, sep, _ = text.partition("://")
    if not sep or scheme.lower() not in DEFAULT_PORTS:
        raise UsageError(f"{what}: must start with udp://, tcp:// or tls://")
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"{what}: {exc} (write IPv6 addresses in brackets: [::1]:514)") from None
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{what}: syslog URLs take no user or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UsageError(f"{what}: only a host and a port are allowed after the scheme")
    host = parts.hostname or ""
    if host and parts.netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise UsageError(f"{what}: {host!r} in brackets is not an IPv6 address") from None
    elif ":" in host:
        raise UsageError(f"{what}: write IPv6 addresses in brackets: [::1]:514")
    transport = scheme.lower()
    if port == 0:
        raise UsageError(f"{what}: port 0 is not a port")
    return SyslogTarget(
        host=host, port=port if port is not None else DEFAULT_PORTS[transport], transport=transport
    )


HEC_EVENT_PATH = "/services/collector/event"


@dataclass(frozen=True)
class HecTarget:
    """A Splunk HTTP Event Collector (or anything that speaks its protocol).

    ``url`` without a path means ``<url>/services/collector/event``; a path is kept as given
    (a proxy, or ``/services/collector`` on some forwarders). ``retries`` counts the attempts
    after the first; waits grow as ``backoff``, 2x, 4x... seconds, and a ``Retry-After`` is
    honoured up to ``retry_after_cap`` seconds.
    """

    url: str
    token: str = field(repr=False)
    index: str | None = None
    source: str = "sovaudit"
    sourcetype: str = "sovaudit:finding"
    ca_file: Path | None = None
    batch_size: int = 100
    retries: int = 3
    timeout: float = 10.0
    backoff: float = 1.0
    retry_after_cap: float = 60.0

    def __post_init__(self) -> None:
        try:
            parts = urllib.parse.urlsplit(self.url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise UsageError("HEC URL: not a valid URL (check the host and port)") from None
        if parts.scheme not in ("http", "https"):
            raise UsageError("HEC URL: must start with https:// (or http://)")
        # The URL is echoed in messages and logs: it must hold no secret.
        if parts.username is not None or parts.password is not None:
            raise UsageError("HEC URL: must not contain a user or password (use the token)")
        _check_host(parts.hostname or "", "HEC URL")
        if parts.fragment:
            raise UsageError("HEC URL: must not have a #fragment")
        if not self.token or not _PRINTUSASCII.fullmatch(self.token):
            # Never echo the token: say what is wrong with it, not what it is.
            raise UsageError("HEC token: empty, or has characters an HTTP header cannot carry")
        if self.batch_size < 1 or self.retries < 0:
            raise UsageError("HEC batch size must be at least 1 and retries at least 0")
        if self.timeout <= 0 or self.backoff < 0 or self.retry_after_cap < 0:
            raise UsageError("HEC timeout must be positive, backoff and retry cap not negative")

    @property
    def endpoint(self) -> str:
        """The URL that is posted to."""
        parts = urllib.parse.urlsplit(self.url)
        path = parts.path if parts.path not in ("", "/") else HEC_EVENT_PATH
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))

    def describe(self) -> str:
        """The endpoint without its query string (which some proxies use for credentials)."""
        parts = urllib.parse.urlsplit(self.endpoint)
        return "hec " + urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
