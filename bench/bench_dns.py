#!/usr/bin/env python3
"""Names resolved per second: one at a time against DnsResolver.resolve_many's thread pool.

    python bench/bench_dns.py [--names 2000] [--delay 0.005] [--workers 32] [--sequential 200]

An estate's endpoints are resolved against a real DNS server on 127.0.0.1 (the test
stand-in, tests/netstandins/dns_server.py) that waits --delay seconds before each answer,
to model the round trip to a real resolver; without it loopback DNS is so fast that the
figures would measure only Python. Each name costs two queries (A and AAAA), and half of
the names are two-hop CNAME chains as in real estates. The sequential run is timed over
--sequential names (it is slow by design) and reported as a rate. The server runs in its own
process, so that it does not compete with the client for the interpreter lock.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.netstandins: run as a script from anywhere

from multiprocessing.connection import Connection  # noqa: E402
from multiprocessing.synchronize import Event  # noqa: E402

from sovaudit.locate.net.dns import DnsResolver  # noqa: E402
from tests.netstandins.dns_server import Record, ZoneResolver, serve  # noqa: E402


def make_zone(count: int) -> dict[str, tuple[Record, ...]]:
    """`count` names: even ones straight to an address, odd ones via a two-hop chain."""
    zone: dict[str, tuple[Record, ...]] = {}
    for i in range(count):
        address = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"
        name = f"host{i}.bench.test"
        if i % 2:
            zone[name] = (("CNAME", f"app{i}.vendor.test"),)
            zone[f"app{i}.vendor.test"] = (("CNAME", f"lb{i}.cloud.test"),)
            zone[f"lb{i}.cloud.test"] = (("A", address),)
        else:
            zone[name] = (("A", address),)
    return zone


def run_server(
    zone: dict[str, tuple[Record, ...]], delay: float, conn: Connection, stop: Event
) -> None:
    """Child process: serve `zone`, send the port, wait to be told to stop."""
    with serve(ZoneResolver(zone, delay=delay)) as running:
        conn.send(running.port)
        stop.wait()
        conn.send(len(running.queries))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.005, help="server delay per query, s")
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--sequential", type=int, default=200, help="names timed one by one")
    args = parser.parse_args()

    zone = make_zone(args.names)
    names = [name for name in zone if name.startswith("host")]
    parent, child = multiprocessing.Pipe()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=run_server, args=(zone, args.delay, child, stop))
    server.start()
    try:
        port = parent.recv()
        resolver = DnsResolver([f"127.0.0.1:{port}"], timeout=10.0)

        subset = names[: args.sequential]
        started = time.perf_counter()
        sequential = [resolver.resolve(name) for name in subset]
        seq_elapsed = time.perf_counter() - started

        rows = []
        for workers in sorted({1, 8, args.workers, 64} - {1}):
            started = time.perf_counter()
            results = resolver.resolve_many(names, workers=workers)
            rows.append((workers, time.perf_counter() - started, results))
    finally:
        stop.set()
        queries = parent.recv() if parent.poll(10) else -1
        server.join(10)

    failures = sum(1 for result in sequential if result.error) + sum(
        1 for _, _, results in rows for result in results if result.error
    )
    seq_rate = len(subset) / seq_elapsed
    print(f"server delay {args.delay * 1000:g} ms per query, A+AAAA per name, {queries} queries")
    print(f"sequential     {len(subset):>6} names {seq_elapsed:8.2f} s {seq_rate:9.0f} names/s")
    for workers, elapsed, _ in rows:
        rate = len(names) / elapsed
        print(
            f"{workers:>3} workers    {len(names):>6} names {elapsed:8.2f} s "
            f"{rate:9.0f} names/s  x{rate / seq_rate:.1f}"
        )
    if failures:
        print(f"{failures} lookups failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
