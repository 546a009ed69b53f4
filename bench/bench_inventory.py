#!/usr/bin/env python3
"""Speed and memory figures for start-up, inventory and scan, printed as a small table.

    python bench/bench_inventory.py [--assets 100000] [--runs 5]

Measures, each in a fresh process so nothing is cached between runs:
- `sovaudit --version` (start-up cost every scheduled run pays);
- `sovaudit inventory` and `sovaudit scan` on the bundled sample estates (small estates, end
  to end, as a scheduled run pays them);
- for a generated estate of --assets assets: reading + validating only, and the whole
  `inventory -o` (read, locate, classify, write), with the peak RSS of each.
Figures are medians; they vary with the machine, so they are reported, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOVAUDIT = [sys.executable, "-m", "sovaudit"]

# Loading alone, in the same conditions as the commands run it (cyclic GC paused).
LOAD_ONLY = """
import gc, resource, sys, time
from pathlib import Path
gc.disable()
t = time.perf_counter()
from sovaudit.inputs.inventory.reader import read_inventory
assets = read_inventory(Path(sys.argv[1]))
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def timed(command: list[str], runs: int) -> tuple[float, int]:
    """Median wall time and the peak RSS (KiB) of ``command`` over ``runs`` runs."""
    times = []
    peak = 0
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr[-500:]}")
        peak = max(peak, int(result.stderr.strip().splitlines()[-1]))
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows: list[tuple[str, float, int]] = []
    rows.append(("sovaudit --version", *timed([*SOVAUDIT, "--version"], args.runs)))
    for sample in sorted((ROOT / "sample_inventories").glob("*.*")):
        if sample.suffix in (".yaml", ".json", ".csv"):
            for command in ("inventory", "scan"):
                rows.append(
                    (
                        f"{command} {sample.name}",
                        *timed([*SOVAUDIT, command, str(sample), "--format", "json"], args.runs),
                    )
                )
    with tempfile.TemporaryDirectory() as tmp:
        estate = Path(tmp) / f"estate-{args.assets}.json"
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
        runs = max(1, args.runs // 2)
        loads = []
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", LOAD_ONLY, str(estate)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            loads.append((float(out[0]), int(out[1])))
        load_time = statistics.median(t for t, _ in loads)
        rows.append(
            (
                f"read+validate {args.assets:,} assets (in-process)",
                load_time,
                max(m for _, m in loads),
            )
        )
        rows.append(
            (
                f"inventory {args.assets:,} assets -o json",
                *timed(
                    [*SOVAUDIT, "inventory", str(estate), "-o", str(Path(tmp) / "out.json")], runs
                ),
            )
        )
    width = max(len(name) for name, _, _ in rows)
    print(f"{'what':<{width}}  {'median s':>9}  {'peak RSS MiB':>12}")
    for name, seconds, rss in rows:
        print(f"{name:<{width}}  {seconds:>9.3f}  {rss / 1024:>12.1f}")


if __name__ == "__main__":
    main()
