"""Syslog transports: UDP (a datagram per message), TCP and TLS (octet-counted frames).

TCP and TLS use octet-counting framing (RFC 6587 3.4.1, the only framing RFC 5425 allows for
TLS): ``LEN SP MSG``. Unlike newline framing it cannot be broken by anything inside the
message, so a value with a newline cannot forge a second message.

A stream is closed in order (TLS close_notify, then our end of the TCP stream) and we wait for
the receiver to close its end: a receiver closes only after reading everything before our end,
so a clean close confirms the messages were read; a reset instead is reported as an error.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
from collections.abc import Iterable, Sequence
from typing import Any

from sovaudit.delivery.events import DeliveryOutcome, EncodedEvent
from sovaudit.delivery.rfc5424 import Formatter
from sovaudit.delivery.targets import SyslogTarget

log = logging.getLogger("sovaudit.delivery")

# Frames are written in chunks of about this size: one system call per message would cap a
# TLS stream at a few thousand messages per second.
CHUNK_BYTES = 64 * 1024
# How long to wait, after the last datagram, for an ICMP "port unreachable" to come back.
UDP_SETTLE_SECONDS = 0.05


class _Failed(Exception):
    """Sending stopped: ``delivered`` messages (in order) made it, the rest did not."""

    def __init__(self, delivered: int, reason: str) -> None:
        super().__init__(reason)
        self.delivered = delivered
        self.reason = reason


def _describe_os_error(exc: BaseException, target: SyslogTarget) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        hint = " (is that a plain TCP port?)" if exc.reason == "WRONG_VERSION_NUMBER" else ""
        return f"TLS error: {exc.reason or exc}{hint}"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {target.host}: {exc.strerror or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the collector listening on that port?)"
    if isinstance(exc, TimeoutError):
        return f"timed out after {target.timeout:g}s"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _address(target: SyslogTarget, kind: socket.SocketKind) -> tuple[socket.AddressFamily, Any]:
    family, _, _, _, address = socket.getaddrinfo(target.host, target.port, type=kind)[0]
    return family, address


def _send_udp(target: SyslogTarget, messages: Iterable[bytes]) -> int:
    """One datagram per message on a connected socket, so that ICMP errors are reported.

    Linux reports "port unreachable" on the send after the refused datagram, so when a send is
    refused the previous datagram is counted as lost too.
    """
    try:
        family, address = _address(target, socket.SOCK_DGRAM)
        sock = socket.socket(family, socket.SOCK_DGRAM)
    except OSError as exc:
        raise _Failed(0, _describe_os_error(exc, target)) from exc
    delivered = 0
    with sock:
        try:
            sock.connect(address)
            for message in messages:
                sock.send(message)
                delivered += 1
            sock.settimeout(UDP_SETTLE_SECONDS)
            with contextlib.suppress(TimeoutError):
                sock.recv(1)  # nothing is ever sent back: this only collects a late ICMP error
        except ConnectionRefusedError as exc:
            raise _Failed(max(delivered - 1, 0), _describe_os_error(exc, target)) from exc
        except OSError as exc:
            raise _Failed(delivered, _describe_os_error(exc, target)) from exc
    return delivered


def _connect_stream(target: SyslogTarget) -> socket.socket:
    context = None
    if target.transport == "tls":
        # Hostname verification is on (default context); without ca_file the default trust
        # store is used, which honours SSL_CERT_FILE / SSL_CERT_DIR.
        try:
            context = ssl.create_default_context(
                cafile=str(target.ca_file) if target.ca_file is not None else None
            )
        except OSError as exc:  # unreadable, or no certificate in it (ssl.SSLError)
            reason = getattr(exc, "reason", None) or exc.strerror or exc
            raise _Failed(0, f"cannot use CA file {target.ca_file}: {reason}") from exc
    sock = socket.create_connection((target.host, target.port), timeout=target.timeout)
    if context is None:
        return sock
    try:
        return context.wrap_socket(sock, server_hostname=target.host)
    except TimeoutError as exc:
        sock.close()
        # A plain-TCP syslog port takes the TLS hello for the start of a message and waits.
        reason = f"TLS handshake timed out after {target.timeout:g}s (is that a TLS port?)"
        raise _Failed(0, reason) from exc
    except BaseException:
        sock.close()
        raise


def _close_stream(sock: socket.socket, target: SyslogTarget) -> None:
    """Close in order and wait for the receiver's close, the proof it read everything."""
    try:
        if isinstance(sock, ssl.SSLSocket):
            try:
                sock = sock.unwrap()  # send close_notify; returns once the peer answers
            except (ssl.SSLEOFError, ssl.SSLZeroReturnError):
                return  # rsyslog closes TCP instead of answering close_notify: also a clean end
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(4096):
            pass
    except TimeoutError:
        log.debug("%s: no close from the receiver within %gs", target.describe(), target.timeout)


def _send_stream(target: SyslogTarget, messages: Iterable[bytes]) -> int:
    try:
        sock = _connect_stream(target)
    except OSError as exc:
        raise _Failed(0, _describe_os_error(exc, target)) from exc
    delivered = 0
    with sock:
        buffer = bytearray()
        pending = 0
        try:
            for message in messages:
                buffer += b"%d " % len(message)
                buffer += message
                pending += 1
                if len(buffer) >= CHUNK_BYTES:
                    sock.sendall(buffer)
                    delivered += pending
                    buffer.clear()
                    pending = 0
            if buffer:
                sock.sendall(buffer)
                delivered += pending
        except OSError as exc:
            raise _Failed(delivered, _describe_os_error(exc, target)) from exc
        try:
            _close_stream(sock, target)
        except OSError as exc:
            # The receiver reset the connection instead of closing it: what it read is unknown.
            raise _Failed(0, "connection reset before the receiver confirmed reading") from exc
    return delivered


def send_syslog(
    target: SyslogTarget,
    findings: Sequence[EncodedEvent],
    summary: EncodedEvent | None,
    epoch: float,
) -> DeliveryOutcome:
    """Every finding as one message, then the summary; never raises for a network failure."""
    formatter = Formatter(target, epoch)
    truncated = 0

    def messages() -> Iterable[bytes]:
        nonlocal truncated
        for event in findings:
            message, shrunk = formatter.finding(event)
            if shrunk:
                truncated += 1
                log.info(
                    "%s: finding %s shrunk to fit %d bytes",
                    target.describe(),
                    event.data.get("id"),
                    target.max_message_bytes,
                )
            yield message
        if summary is not None:
            message, shrunk = formatter.summary(summary)
            truncated += shrunk
            yield message

    total = len(findings)
    error = None
    try:
        delivered = _send_udp if target.transport == "udp" else _send_stream
        count = delivered(target, messages())
    except _Failed as failure:
        count = failure.delivered
        error = failure.reason
    sent = min(count, total)
    if error is not None and sent == total and summary is not None:
        error = f"the summary message was not delivered: {error}"
    return DeliveryOutcome(target.describe(), sent, total - sent, error, truncated)
