"""A real rsyslogd on 127.0.0.1 for tests and the benchmark: UDP, TCP and TLS inputs.

It runs with its own configuration only (``-f``; no system config, no /dev/log socket, no
kernel log), its own work directory and pid file, all in a temporary folder. Each input has
its own ruleset and output file, and every message is written as one JSON line with the raw
RFC 5424 fields rsyslog parsed (``option.jsonf``), so tests can assert PRI, header fields,
structured data and MSG exactly, whatever characters the message holds:

    {"pri": "134", "facility": "16", "severity": "6", "host": ..., "app": ..., "procid": ...,
     "msgid": ..., "sd": "[sovaudit@32473 ...]", "msg": "{...}", "raw": "<134>1 ...",
     "time": "2026-11-22T08:00:00Z", "protocol": "1"}

UDP gets a 16 MB receive buffer: a burst of a hundred 3 KB findings overflows the kernel's
default (about 200 KB) while rsyslogd is still warming up, and UDP drops silently.
``maxMessageSize`` is left at rsyslog's default (8k), the receiver the default
``SyslogTarget.max_message_bytes`` is sized for. TLS uses the GnuTLS driver
(rsyslog-gnutls) with a certificate for 127.0.0.1 and localhost issued by the CA the caller
passes; clients are not asked for certificates (``authMode="anon"`` on the server side, the
client still verifies the server).

rsyslogd missing is an error, never a skip: CI installs the Debian packages rsyslog and
rsyslog-gnutls.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
TRANSPORTS = ("udp", "tcp", "tls")
PROBE_APP = "probe"


class RsyslogError(RuntimeError):
    """rsyslogd is missing, its configuration is invalid, or it did not come up."""


def find_rsyslogd() -> str:
    found = shutil.which("rsyslogd") or shutil.which("rsyslogd", path="/usr/sbin:/sbin")
    if not found:
        raise RsyslogError(
            "rsyslogd not found: the delivery tests need a real rsyslog; "
            "install the Debian packages 'rsyslog' and 'rsyslog-gnutls'"
        )
    return found


def free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# RFC 5424 fields as rsyslog's pmrfc5424 parser sees them (property names from the rsyslog
# documentation, "rsyslog Properties").
_FIELDS = (
    ("pri", "pri"),
    ("facility", "syslogfacility"),
    ("severity", "syslogseverity"),
    ("protocol", "protocol-version"),
    ("host", "hostname"),
    ("app", "app-name"),
    ("procid", "procid"),
    ("msgid", "msgid"),
    ("sd", "structured-data"),
    ("msg", "msg"),
    ("raw", "rawmsg"),
)


def config_text(folder: Path, ports: dict[str, int], cert: Path, key: Path, ca: Path) -> str:
    properties = "\n".join(
        f'  property(outname="{out}" name="{name}" format="jsonf")' for out, name in _FIELDS
    )
    rulesets = "\n".join(
        f'ruleset(name="{t}") {{ action(type="omfile" file="{folder / (t + ".jsonl")}" '
        f'template="fields") }}'
        for t in TRANSPORTS
    )
    return f"""
global(
  workDirectory="{folder / "work"}"
  defaultNetstreamDriverCAFile="{ca}"
  defaultNetstreamDriverCertFile="{cert}"
  defaultNetstreamDriverKeyFile="{key}"
)
module(load="imudp")
module(load="imtcp" maxSessions="200")
template(name="fields" type="list" option.jsonf="on") {{
{properties}
  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")
}}
{rulesets}
input(type="imudp" address="{HOST}" port="{ports["udp"]}" ruleset="udp" rcvbufSize="16m")
input(type="imtcp" address="{HOST}" port="{ports["tcp"]}" ruleset="tcp")
input(type="imtcp" address="{HOST}" port="{ports["tls"]}" ruleset="tls"
      streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
"""


@dataclass
class Rsyslog:
    """A running rsyslogd; ``received(transport, app)`` reads what it wrote."""

    folder: Path
    ports: dict[str, int]
    process: subprocess.Popen[bytes]
    ca_file: Path

    def output(self, transport: str) -> Path:
        return self.folder / f"{transport}.jsonl"

    def lines(self, transport: str) -> list[dict[str, Any]]:
        path = self.output(transport)
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8")
        # The last line may be half written: keep complete lines only.
        return [json.loads(line) for line in text.split("\n")[:-1]]

    def received(
        self, transport: str, app: str, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """The messages of ``app`` once ``count`` have arrived (AssertionError at the deadline)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.lines(transport) if line["app"] == app]
            if len(found) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        assert len(found) >= count, (
            f"rsyslog ({transport}) got {len(found)} of {count} messages from {app!r} "
            f"within {timeout}s; rsyslogd said:\n{self.log_tail()}"
        )
        return found

    def log_tail(self) -> str:
        path = self.folder / "rsyslogd.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


def _probe(transport: str, port: int, ca: Path) -> None:
    """Send one message; the caller checks that it arrived."""
    message = f"<14>1 - - {PROBE_APP} - - - ready {transport}".encode()
    if transport == "udp":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(message, (HOST, port))
        return
    context = ssl.create_default_context(cafile=str(ca))
    with contextlib.ExitStack() as stack:
        try:
            sock = stack.enter_context(socket.create_connection((HOST, port), timeout=2))
            if transport == "tls":
                sock = stack.enter_context(context.wrap_socket(sock, server_hostname=HOST))
            sock.sendall(b"%d %s" % (len(message), message))
            sock.shutdown(socket.SHUT_WR)
            sock.recv(1)
        except OSError:
            pass  # not listening yet: the caller tries again


def _wait_ready(server: Rsyslog, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(TRANSPORTS)
    while pending:
        if not server.alive:
            raise RsyslogError(f"rsyslogd exited at start:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            raise RsyslogError(
                f"rsyslogd did not accept messages on {sorted(pending)} within {timeout}s:\n"
                f"{server.log_tail()}"
            )
        for transport in sorted(pending):
            if any(line["app"] == PROBE_APP for line in server.lines(transport)):
                pending.discard(transport)
            else:
                _probe(transport, server.ports[transport], server.ca_file)
        time.sleep(0.05)


@contextlib.contextmanager
def running_rsyslog(folder: Path, ca: Any) -> Iterator[Rsyslog]:
    """Start rsyslogd with a certificate from ``ca`` (a trustme.CA); stop it on exit."""
    rsyslogd = find_rsyslogd()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "work").mkdir(exist_ok=True)
    cert, key, ca_file = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    issued = ca.issue_cert(HOST, "localhost")
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    ports = {
        "udp": free_port(socket.SOCK_DGRAM),
        "tcp": free_port(socket.SOCK_STREAM),
        "tls": free_port(socket.SOCK_STREAM),
    }
    conf = folder / "rsyslog.conf"
    conf.write_text(config_text(folder, ports, cert, key, ca_file), encoding="utf-8")
    check = subprocess.run(
        [rsyslogd, "-N1", "-f", str(conf)], capture_output=True, text=True, check=False
    )
    if check.returncode != 0:
        raise RsyslogError(
            f"rsyslogd -N1 rejected the test configuration (exit {check.returncode}):\n"
            f"{check.stdout}{check.stderr}\n--- {conf}:\n{conf.read_text()}"
        )
    log = (folder / "rsyslogd.log").open("wb")
    process = subprocess.Popen(
        [rsyslogd, "-n", "-f", str(conf), "-i", str(folder / "rsyslogd.pid")],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    server = Rsyslog(folder, ports, process, ca_file)
    try:
        _wait_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
