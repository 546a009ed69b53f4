#!/usr/bin/env python3
"""How fast the bundled IP-range snapshot loads and attributes addresses.

    python bench/bench_ranges.py [--count 100000] [--seed 1]

``locate`` attributes every address a DNS sweep returns, so the goal is over 100,000
attributions a second once loaded, and a load well under a second on 2 cores. The addresses
are half drawn from inside real published prefixes (IPv4 and IPv6, in the snapshot's own
proportions) and half random IPv4 addresses (most of which are in no cloud range).
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import statistics
import time

from sovaudit.locate.net.ranges import CloudRanges, RangeRow, bundled_snapshot

GOAL_PER_SECOND = 100_000


def _inside(row: RangeRow, rng: random.Random) -> str:
    network = ipaddress.ip_network(row.network)
    offset = rng.randrange(min(network.num_addresses, 2**64))
    return str(network.network_address + offset)


def make_addresses(ranges: CloudRanges, count: int, rng: random.Random) -> list[str]:
    rows = list(ranges.rows())
    inside = [_inside(rng.choice(rows), rng) for _ in range(count // 2)]
    anywhere = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(count - len(inside))]
    addresses = inside + anywhere
    rng.shuffle(addresses)
    return addresses


def time_load(runs: int = 5) -> tuple[float, CloudRanges]:
    """Median wall time of CloudRanges.read on the bundled snapshot."""
    times = []
    ranges = None
    for _ in range(runs):
        start = time.perf_counter()
        ranges = CloudRanges.read(bundled_snapshot())
        times.append(time.perf_counter() - start)
    assert ranges is not None
    return statistics.median(times), ranges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    load_seconds, ranges = time_load()
    size = bundled_snapshot().read_bytes()
    print(f"snapshot: {len(size) / 1024:.0f} KiB, {len(ranges)} rows")
    print(f"load: {load_seconds * 1000:.0f} ms (median of 5)")
    addresses = make_addresses(ranges, args.count, random.Random(args.seed))
    lookup = ranges.lookup
    start = time.perf_counter()
    hits = sum(1 for address in addresses if lookup(address) is not None)
    elapsed = time.perf_counter() - start
    rate = len(addresses) / elapsed
    verdict = "meets" if rate > GOAL_PER_SECOND else "MISSES"
    print(f"lookups: {len(addresses)} in {elapsed:.3f} s = {rate:,.0f}/s ({hits} in a range)")
    print(f"goal {GOAL_PER_SECOND:,}/s: {verdict}")


if __name__ == "__main__":
    main()
