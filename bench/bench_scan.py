#!/usr/bin/env python3
"""Scan cost against the cost of loading the inventory alone, with peak memory.

    python bench/bench_scan.py [--assets 100000] [--runs 3]

For a generated estate (bench/generate_estate.py) of --assets assets, measures in fresh
processes: reading and validating the inventory alone, and the whole
`sovaudit scan FILE --format json -o OUT` with every built-in rule. Prints medians, the ratio
(the goal is a scan within 2x of loading alone), peak RSS, and a per-stage breakdown of one
in-process run so the next optimisation goes where the time is.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_inventory import LOAD_ONLY, ROOT, timed  # same folder: run as a script

STAGES = """
import gc, sys, time
gc.disable()  # as the commands run
from pathlib import Path
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.classify.tags import Classifier, default_conventions
from sovaudit.engine.evaluate import evaluate
from sovaudit.engine.rules import load_rules
from sovaudit.inputs.inventory.reader import read_inventory
from sovaudit.locate.regions import Locator
from sovaudit.model import ScanResult
from sovaudit.pipeline import prepare
from sovaudit.report.json_document import iter_json, scan_document
from sovaudit.summary import summarise
marks = [("start", time.perf_counter())]
locator, rules = Locator(load_catalogue()), load_rules()
classifier = Classifier(default_conventions())
marks.append(("catalogue+rules", time.perf_counter()))
assets = read_inventory(Path(sys.argv[1]), locator.explain_unknown)
marks.append(("read+validate", time.perf_counter()))
assets = prepare(assets, locator, classifier)
marks.append(("locate+classify", time.perf_counter()))
findings, _ = evaluate(assets, rules, "MX")
marks.append(("rules", time.perf_counter()))
result = ScanResult("t0", "t1", "MX", tuple(assets), tuple(findings))
summary = summarise(result)
marks.append(("summary", time.perf_counter()))
with open(sys.argv[2], "w", encoding="utf-8") as out:
    out.writelines(iter_json(scan_document(result, summary)))
marks.append(("render+write json", time.perf_counter()))
for (_, before), (name, after) in zip(marks, marks[1:]):
    print(f"  {name:<20} {after - before:7.2f} s")
print(f"  {len(findings)} findings")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        estate = Path(tmp) / "estate.json"
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate_estate.py"),
                str(args.assets),
                "-o",
                str(estate),
            ],
            check=True,
        )
        print(f"estate: {args.assets:,} assets, {estate.stat().st_size / 2**20:.0f} MiB JSON")
        loads, scans = [], []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-c", LOAD_ONLY, str(estate)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            loads.append((float(out[0]), int(out[1])))
            scans.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "sovaudit",
                        "scan",
                        str(estate),
                        "--format",
                        "json",
                        "-o",
                        str(Path(tmp) / "scan.json"),
                        "--fail-on",
                        "never",
                    ],
                    runs=1,
                )
            )
        load = statistics.median(t for t, _ in loads)
        scan = statistics.median(t for t, _ in scans)
        print(
            f"load alone (read + validate): {load:7.2f} s   peak RSS "
            f"{max(m for _, m in loads) / 1024:7.0f} MiB"
        )
        print(
            f"whole scan --format json:      {scan:7.2f} s   peak RSS "
            f"{max(m for _, m in scans) / 1024:7.0f} MiB   (process, start-up included)"
        )
        print(f"ratio scan / load:             {scan / load:7.2f}x   (goal: 2x)")
        print("one in-process run, by stage:")
        subprocess.run(
            [sys.executable, "-c", STAGES, str(estate), str(Path(tmp) / "s.json")], check=True
        )


if __name__ == "__main__":
    main()
