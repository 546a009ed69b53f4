#!/usr/bin/env python3
"""A Cloud Asset Inventory export scanned, against reading it.

    python bench/bench_cloud_asset.py [--assets 100000] [--runs 3]

Generates an organisation's `gcloud asset export --content-type=resource` file (NDJSON, one
asset per line: buckets, BigQuery datasets, Cloud SQL instances with replicas and backups,
Spanner instances, disks, snapshots, VMs, topics, and networking that holds no data), then, in
fresh processes and in one run, best of --runs each: the baseline (every line through
``json.loads``), and ``sovaudit scan FILE --format json``. Prints times, ratios to the
baseline and peak RSS; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scan import SOVAUDIT, best_of, installed_env

REGIONS = ["northamerica-south1", "us-central1", "us-east1", "europe-west1", "southamerica-east1"]
LABELS = [{"datos-personales": "si"}, {"data-classification": "sensitive"}, {"pii": "no"}, {}]


def _asset(rng: random.Random, n: int) -> dict[str, Any]:
    project = f"proyecto-{n % 40}"
    region = rng.choice(REGIONS)
    zone = f"{region}-{rng.choice('abc')}"
    labels = rng.choice(LABELS)
    roll = rng.random()
    if roll < 0.2:
        kind, name = "storage.googleapis.com/Bucket", f"//storage.googleapis.com/b{n}"
        data: dict[str, Any] = {"location": rng.choice(["US", "EU", region.upper()])}
    elif roll < 0.3:
        kind, name = (
            "bigquery.googleapis.com/Dataset",
            f"//bigquery.googleapis.com/projects/{project}/datasets/d{n}",
        )
        data = {"location": rng.choice(["US", "EU", region])}
    elif roll < 0.4:
        kind, name = (
            "sqladmin.googleapis.com/Instance",
            f"//cloudsql.googleapis.com/projects/{project}/instances/sql{n}",
        )
        data = {
            "name": f"sql{n}",
            "region": region,
            "gceZone": zone,
            "settings": {
                "backupConfiguration": {"enabled": True, "location": rng.choice(["", "us", region])}
            },
        }
        if n % 7 == 0 and n > 7:
            data["masterInstanceName"] = f"{project}:sql{n - 7}"
    elif roll < 0.45:
        kind, name = (
            "spanner.googleapis.com/Instance",
            f"//spanner.googleapis.com/projects/{project}/instances/s{n}",
        )
        config = rng.choice(["nam3", "nam-eur-asia1", f"regional-{region}"])
        data = {"config": f"projects/{project}/instanceConfigs/{config}"}
    elif roll < 0.6:
        kind, name = (
            "compute.googleapis.com/Disk",
            f"//compute.googleapis.com/projects/{project}/zones/{zone}/disks/d{n}",
        )
        data = {"zone": f"https://www.googleapis.com/compute/v1/projects/{project}/zones/{zone}"}
    elif roll < 0.7:
        kind, name = (
            "compute.googleapis.com/Snapshot",
            f"//compute.googleapis.com/projects/{project}/global/snapshots/s{n}",
        )
        data = {"storageLocations": [rng.choice(["us", "eu", region])]}
    elif roll < 0.8:
        kind, name = (
            "pubsub.googleapis.com/Topic",
            f"//pubsub.googleapis.com/projects/{project}/topics/t{n}",
        )
        data = {"name": f"projects/{project}/topics/t{n}"}
    else:
        kind, name = (
            "compute.googleapis.com/Subnetwork",
            f"//compute.googleapis.com/projects/{project}/regions/{region}/subnetworks/n{n}",
        )
        data = {
            "region": f"https://www.googleapis.com/compute/v1/projects/{project}/regions/{region}"
        }
    return {
        "name": name,
        "asset_type": kind,
        "resource": {"version": "v1", "location": region, "data": {**data, "labels": labels}},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.json"
        with export.open("w", encoding="utf-8") as out:
            for n in range(args.assets):
                out.write(json.dumps(_asset(rng, n), separators=(",", ":")) + "\n")
        size = export.stat().st_size / 2**20
        print(f"export: {args.assets:,} assets, {size:.0f} MiB of NDJSON; best of {args.runs}")
        env = installed_env(Path(tmp) / "pycache")
        best_of([*SOVAUDIT, "--version"], 1, env)  # compiles and caches the bytecode
        load = "import json, sys\nfor line in open(sys.argv[1]): json.loads(line)"
        baseline = best_of([sys.executable, "-c", load, str(export)], args.runs, env)
        scan = [
            *SOVAUDIT,
            "scan",
            str(export),
            "--format",
            "json",
            "-o",
            str(Path(tmp) / "out.json"),
        ]
        rows = [
            ("json.loads per line", *baseline),
            ("scan --format json", *best_of([*scan, "--fail-on", "never"], args.runs, env)),
        ]
        for name, seconds, rss in rows:
            print(
                f"{name:<22} {seconds:8.2f} s  {seconds / baseline[0]:6.2f}x  {rss / 1024:6.0f} MiB"
            )


if __name__ == "__main__":
    main()
