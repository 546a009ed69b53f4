#!/usr/bin/env python3
"""Findings per second delivered to a real rsyslogd (TCP, TLS) and to the HEC stand-in.

    python bench/bench_delivery.py [--findings 10000] [--batch-size 100] [--transports tcp,tls]

The findings are the golden scans' jsonl findings (assets inlined, 1-3 KB each, Spanish text),
repeated with unique ids. rsyslogd is the one the tests start (tests/delivery/rsyslog.py: its
own configuration, 127.0.0.1, writing each message as a JSON line); the HEC stand-in
(tests/delivery/hec_server.py) runs in its own process so that it does not compete with the
client for the interpreter lock. Two figures per syslog transport: when ``deliver`` returned
(the receiver has read the stream: it closed after our end of stream) and when rsyslogd had
written the last message to its file. Over HTTP, when ``deliver`` returned (every batch got
its 200). Needs rsyslogd (Debian: rsyslog, rsyslog-gnutls) and the dev extras (trustme).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.delivery: run as a script from anywhere

from multiprocessing.connection import Connection  # noqa: E402
from multiprocessing.synchronize import Event  # noqa: E402

import trustme  # noqa: E402

from sovaudit.delivery import HecTarget, SyslogTarget, deliver  # noqa: E402
from sovaudit.delivery.events import encode_json  # noqa: E402
from tests.delivery.conftest import golden_findings  # noqa: E402
from tests.delivery.hec_server import HecServer  # noqa: E402
from tests.delivery.rsyslog import HOST, Rsyslog, running_rsyslog  # noqa: E402

TOKEN = "00000000-0000-0000-0000-000000000000"  # noqa: S105 - the stand-in takes any token


def make_findings(count: int) -> list[dict[str, Any]]:
    base = golden_findings()
    return [{**base[i % len(base)], "id": f"bench/{i:06d}"} for i in range(count)]


def summary_event() -> dict[str, Any]:
    return {"started_at": "2026-11-22T08:00:00Z", "home_country": "MX", "summary": {}}


def wait_written(server: Rsyslog, transport: str, app: str, count: int, limit: float) -> bool:
    marker = f'"app":"{app}"'.encode()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.output(transport).read_bytes().count(marker) >= count:
            return True
        time.sleep(0.01)
    return False


def bench_syslog(server: Rsyslog, transport: str, findings: list[dict[str, Any]]) -> None:
    app = f"bench-{transport}"
    target = SyslogTarget(
        HOST, server.ports[transport], transport, ca_file=server.ca_file, app_name=app
    )
    started = time.perf_counter()
    [outcome] = deliver(findings, summary_event(), [target])
    returned = time.perf_counter() - started
    written = wait_written(server, transport, app, len(findings) + 1, 60)
    on_disk = time.perf_counter() - started
    count = len(findings)
    print(
        f"syslog {transport:4} {count} findings: {count / returned:9,.0f} msg/s when deliver "
        f"returned ({returned:.2f}s), {count / on_disk:9,.0f} msg/s written by rsyslogd "
        f"({on_disk:.2f}s); sent={outcome.sent} failed={outcome.failed} "
        f"shrunk={outcome.truncated} all_written={written}"
    )


def run_hec(conn: Connection, stop: Event) -> None:
    """Child process: serve HEC over HTTP, send the URL, report the event count at the end."""
    server = HecServer()
    server.start()
    conn.send(server.url)
    stop.wait()
    conn.send(len(server.events()))
    server.stop()


def bench_hec(findings: list[dict[str, Any]], batch_size: int) -> None:
    parent, child = multiprocessing.Pipe()
    stop = multiprocessing.Event()
    process = multiprocessing.Process(target=run_hec, args=(child, stop))
    process.start()
    try:
        url = parent.recv()
        target = HecTarget(url, token=TOKEN, batch_size=batch_size)
        started = time.perf_counter()
        [outcome] = deliver(findings, summary_event(), [target])
        elapsed = time.perf_counter() - started
        stop.set()
        received = parent.recv()
    finally:
        stop.set()
        process.join(10)
    count = len(findings)
    print(
        f"hec  http  {count} findings: {count / elapsed:9,.0f} events/s "
        f"({elapsed:.2f}s, batches of {batch_size}); sent={outcome.sent} "
        f"failed={outcome.failed} received={received - 1} (+1 summary)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--transports", default="tcp,tls", help="comma-separated: udp,tcp,tls")
    args = parser.parse_args()
    findings = make_findings(args.findings)
    sizes = sorted(len(encode_json(f)) for f in findings)
    print(f"{len(findings)} findings, median {sizes[len(sizes) // 2]} bytes of JSON each")
    with (
        tempfile.TemporaryDirectory() as folder,
        running_rsyslog(Path(folder), trustme.CA()) as server,
    ):
        for transport in filter(None, args.transports.split(",")):
            bench_syslog(server, transport, findings)
    bench_hec(findings, args.batch_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
