#!/usr/bin/env python3
"""The scan against reading its input file, in whole processes, with peak memory.

    python bench/bench_scan.py [--assets 100000] [--runs 3] [--formats json,table,html]

For a generated estate (bench/generate_estate.py) of --assets assets, in fresh processes and
in one run, best of --runs each:

- the baseline: ``python -c "import json; json.load(open(FILE))"``;
- ``sovaudit scan FILE --format F -o OUT`` for each of --formats, with every built-in rule;
- ``sovaudit inventory FILE -o OUT``;
- ``sovaudit --version`` and a scan of a bundled sample estate (what every night pays).

Prints each time with its ratio to the baseline and its peak RSS (the goals of issue 16:
the JSON scan within 2x of the baseline at 100,000 assets and within 2.5x at 1,000,000,
under 1.5 GiB), then the stages of one in-process run, so the next optimisation goes where
the time is. Figures vary with the machine: they are printed, never asserted. The commands
run as an installed package does, with compiled bytecode cached (see ``installed_env``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOVAUDIT = [sys.executable, "-m", "sovaudit"]
SAMPLE = ROOT / "sample_inventories" / "retail_monterrey.yaml"
SUFFIXES = {"json": ".json", "table": ".txt", "html": ".html", "jsonl": ".jsonl", "ocsf": ".ocsf"}

STAGES = """
import gc, resource, sys, time
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
marks = [("start", time.perf_counter(), 0)]
def mark(name):
    marks.append((name, time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
locator, rules = Locator(load_catalogue()), load_rules()
classifier = Classifier(default_conventions())
mark("catalogue + rules")
assets = read_inventory(Path(sys.argv[1]), locator.explain_unknown)
mark("read + check")
assets = prepare(assets, locator, classifier)
mark("locate + classify")
findings, _ = evaluate(assets, rules, "MX")
mark("rules")
result = ScanResult("t0", "t1", "MX", tuple(assets), tuple(findings))
summary = summarise(result)
mark("summary")
with open(sys.argv[2], "wb") as out:
    out.writelines(iter_json(scan_document(result, summary)))
mark("render + write json")
for (_, before, _), (name, after, peak) in zip(marks, marks[1:]):
    print(f"  {name:<22} {after - before:7.2f} s   peak RSS so far {peak / 1024:6.0f} MiB")
print(f"  {len(findings):,} findings")
"""


def installed_env(pycache: Path) -> dict[str, str]:
    """The environment of a run as an installed package runs: bytecode compiled once and
    cached (here out of the source tree), even where PYTHONDONTWRITEBYTECODE is set."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def best_of(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, int]:
    """The best wall time of ``command`` over ``runs`` runs, and its highest peak RSS (KiB)."""
    times, peak = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-500:]}")
        peak = max(peak, int(done.stderr.strip().splitlines()[-1]))
    return min(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="json,table,html")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        estate = Path(tmp) / "estate.json"
        generate = [sys.executable, str(ROOT / "bench" / "generate_estate.py")]
        subprocess.run([*generate, str(args.assets), "-o", str(estate)], check=True)
        size = estate.stat().st_size / 2**20
        print(f"estate: {args.assets:,} assets, {size:.0f} MiB of JSON; best of {args.runs}")
        env = installed_env(Path(tmp) / "pycache")
        sample = [*SOVAUDIT, "scan", str(SAMPLE), "--format", "json", "--fail-on", "never"]
        best_of(sample, 1, env)  # compiles and caches the bytecode
        rows: list[tuple[str, float, int]] = []
        load = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(estate)]
        baseline = best_of(load, args.runs, env)
        rows.append(("json.load (baseline)", *baseline))
        for fmt in args.formats.split(","):
            out = Path(tmp) / f"scan{SUFFIXES.get(fmt, '.out')}"
            command = [*SOVAUDIT, "scan", str(estate), "--format", fmt, "-o", str(out)]
            command += ["--fail-on", "never"]
            rows.append((f"scan --format {fmt}", *best_of(command, args.runs, env)))
        inventory = [*SOVAUDIT, "inventory", str(estate), "-o", str(Path(tmp) / "inv.json")]
        rows.append(("inventory -o json", *best_of(inventory, args.runs, env)))
        rows.append(("sovaudit --version", *best_of([*SOVAUDIT, "--version"], args.runs, env)))
        rows.append((f"scan {SAMPLE.name}", *best_of(sample, args.runs, env)))
        width = max(len(name) for name, _, _ in rows)
        print(f"{'what':<{width}}  {'best s':>8}  {'x baseline':>10}  {'peak RSS MiB':>12}")
        for name, seconds, rss in rows:
            ratio = seconds / baseline[0]
            print(f"{name:<{width}}  {seconds:8.2f}  {ratio:9.2f}x  {rss / 1024:12.0f}")
        print("one in-process run of the JSON scan, by stage:")
        subprocess.run(
            [sys.executable, "-c", STAGES, str(estate), str(Path(tmp) / "s.json")],
            check=True,
            env=env,
        )


if __name__ == "__main__":
    main()
