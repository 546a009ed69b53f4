#!/usr/bin/env python3
"""A large Terraform plan scanned as a pull request's check does, against reading it.

    python bench/bench_terraform.py [--resources 20000] [--runs 3]

For a generated plan (bench/generate_plan.py) of --resources resources, in fresh processes
and in one run, best of --runs each: the baseline ``json.load`` of the plan, then
``sovaudit scan PLAN --format sarif`` and ``--format json`` with every built-in rule. Prints
each time with its ratio to the baseline and its peak RSS; figures are printed, never
asserted (issue 20: a 20,000-resource plan scanned in a few seconds).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scan import SOVAUDIT, best_of, installed_env

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "tfplan.json"
        generate = [sys.executable, str(ROOT / "bench" / "generate_plan.py")]
        subprocess.run([*generate, str(args.resources), "-o", str(plan)], check=True)
        size = plan.stat().st_size / 2**20
        print(f"plan: {args.resources:,} resources, {size:.1f} MiB of JSON; best of {args.runs}")
        env = installed_env(Path(tmp) / "pycache")
        best_of([*SOVAUDIT, "--version"], 1, env)  # compiles and caches the bytecode
        load = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(plan)]
        baseline = best_of(load, args.runs, env)
        rows = [("json.load (baseline)", *baseline)]
        for fmt in ("sarif", "json"):
            command = [
                *SOVAUDIT,
                "scan",
                str(plan),
                "--format",
                fmt,
                "-o",
                str(Path(tmp) / f"out.{fmt}"),
            ]
            rows.append(
                (f"scan --format {fmt}", *best_of([*command, "--fail-on", "never"], args.runs, env))
            )
        width = max(len(name) for name, _, _ in rows)
        print(f"{'what':<{width}}  {'best s':>8}  {'x baseline':>10}  {'peak RSS MiB':>12}")
        for name, seconds, rss in rows:
            ratio = seconds / baseline[0]
            print(f"{name:<{width}}  {seconds:8.2f}  {ratio:9.2f}x  {rss / 1024:12.0f}")


if __name__ == "__main__":
    main()
