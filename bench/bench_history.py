#!/usr/bin/env python3
"""The run history at a year of nightly scans: recording, listing, changes, pruning, size.

    python bench/bench_history.py [--runs 365] [--findings 5000] [--churn 0.02]

Records --runs scans of --findings findings each into a fresh history file (each night
--churn of the findings are fixed and as many new ones appear, some are waived), then times,
on a freshly opened store as `sovaudit history` would use it: `runs()` (all, and the newest
30), `changes()` of the latest run, `previous_findings()`, and a prune of the oldest tenth.
Prints the file size with and without the WAL folded back in.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sovaudit.history import HistoryStore

T = TypeVar("T")
SEVERITIES = ("critical", "high", "medium", "low", "info")
FIRST_NIGHT = datetime.datetime(2025, 1, 1, 2, tzinfo=datetime.timezone.utc)
RULES = [f"rule-{name}" for name in ("outside-home", "no-home-copy", "copied-abroad", "unknown")]


def timed(action: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def make_finding(number: int, rng: random.Random) -> dict[str, Any]:
    rule = RULES[number % len(RULES)]
    asset = f"arn:aws:s3:::bucket-{number:06d}-clientes-{number % 97:02d}"
    digest = hashlib.sha256(f"{rule}|{asset}".encode()).hexdigest()[:16]
    return {
        "id": f"{rule}/{digest}",
        "rule_id": rule,
        "severity": SEVERITIES[number % 5],
        "asset_id": asset,
        "title": "Personal data stored outside the home country",
        "message": "…",
        "references": [],
        "remediation": "…",
        "status": "waived" if rng.random() < 0.03 else "open",
    }


def night(day: int, numbers: list[int], rng: random.Random) -> dict[str, Any]:
    findings = [make_finding(n, rng) for n in numbers]
    return {
        "schema_version": "1",
        "tool": {"name": "sovaudit", "version": "bench"},
        "started_at": _rfc3339(day, 0),
        "finished_at": _rfc3339(day, 10),
        "home_country": "MX",
        "summary": {
            "assets_total": 60_000,
            "personal_assets": 20_000,
            "personal_assets_outside_home": 9_000 + day,
            "personal_assets_without_home_copy": 4_000,
            "exposure_pct": round(45 + 5 * rng.random(), 1),
            "findings_by_severity": dict.fromkeys(SEVERITIES, len(findings) // 5),
            "assets_by_country": {"MX": 30_000, "US": 25_000, "BR": 5_000},
        },
        "assets": [],
        "findings": findings,
        "errors": [],
    }


def _rfc3339(day: int, minutes: int) -> str:
    moment = FIRST_NIGHT + datetime.timedelta(days=day, minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=365)
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--churn", type=float, default=0.02)
    args = parser.parse_args()
    rng = random.Random(42)
    numbers = list(range(args.findings))
    next_number = args.findings
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite"
        record_times = []
        with HistoryStore(path) as store:
            for day in range(args.runs):
                document = night(day, numbers, rng)
                _, seconds = timed(lambda d=document: store.record(d, exit_code=1))
                record_times.append(seconds)
                changed = int(len(numbers) * args.churn)
                for index in rng.sample(range(len(numbers)), changed):
                    numbers[index] = next_number
                    next_number += 1
            wal = path.with_name(path.name + "-wal")
            with_wal = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        size = path.stat().st_size
        print(
            f"recorded {args.runs} runs x {args.findings:,} findings "
            f"({args.runs * args.findings:,} finding rows) in {sum(record_times):.1f} s; "
            f"record(): median {statistics.median(record_times) * 1000:.0f} ms, "
            f"max {max(record_times) * 1000:.0f} ms"
        )
        print(f"file: {size / 2**20:.1f} MiB ({with_wal / 2**20:.1f} MiB with its WAL open)")
        (store, opened) = timed(lambda: HistoryStore(path, create=False))
        with store:
            runs, all_runs = timed(store.runs)
            _, last_30 = timed(lambda: store.runs(30))
            changes, changes_time = timed(store.changes)
            baseline, baseline_time = timed(store.previous_findings)
            removed, prune_time = timed(lambda: store.prune(keep_runs=args.runs * 9 // 10))
        print(f"open: {opened * 1000:.1f} ms")
        print(
            f"runs(): {len(runs)} runs in {all_runs * 1000:.1f} ms; "
            f"runs(30): {last_30 * 1000:.1f} ms"
        )
        print(
            f"changes(latest): {len(changes.new)} new, {len(changes.resolved)} resolved in "
            f"{changes_time * 1000:.1f} ms; previous_findings(): {len(baseline):,} rows in "
            f"{baseline_time * 1000:.1f} ms"
        )
        print(f"prune(keep_runs=90%): {removed} runs removed in {prune_time * 1000:.0f} ms")
        print(f"file after prune: {path.stat().st_size / 2**20:.1f} MiB (freed pages are reused)")


if __name__ == "__main__":
    main()
