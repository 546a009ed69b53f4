#!/usr/bin/env python3
"""Generate a large, realistic inventory for benchmarks.

    python bench/generate_estate.py 100000 -o /tmp/estate-100k.json [--seed 7]

The mix follows the sample estates: buckets, databases, VMs and SaaS spread over the Mexican
regions and the usual foreign ones, a third personal or sensitive by tags, some with copies
abroad, a few with unknown or declared locations. Format by suffix: .json, .yaml or .csv.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

REGIONS = {
    "aws": [
        "mx-central-1",
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "sa-east-1",
        "eu-west-1",
        "ca-central-1",
        "us-east-1-qro-1",
    ],
    "gcp": [
        "northamerica-south1",
        "us-central1",
        "us-east1",
        "southamerica-east1",
        "US",
        "EU",
        "NAM4",
    ],
    "azure": ["mexicocentral", "southcentralus", "eastus2", "brazilsouth", "westeurope"],
    "oci": ["mx-queretaro-1", "mx-monterrey-1", "us-ashburn-1", "sa-saopaulo-1"],
}
SERVICES = {
    "aws": [
        ("s3", "object_store"),
        ("rds", "database"),
        ("ec2", "vm"),
        ("dynamodb", "database"),
        ("ebs", "disk"),
    ],
    "gcp": [("gcs", "object_store"), ("cloudsql", "database"), ("bigquery", "data_warehouse")],
    "azure": [("storage", "object_store"), ("sql", "database"), ("compute", "vm")],
    "oci": [("objectstorage", "object_store"), ("autonomous-db", "database")],
}
TAGS = [
    {"data-classification": "personal"},
    {"data-classification": "sensitive"},
    {"pii": "true"},
    {"datos-personales": "si"},
    {"classification": "public"},
    {"env": "prod"},
    {},
    {},
    {},
]


def asset(index: int, rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.05:
        return {
            "id": f"onprem-{index}",
            "provider": "onprem",
            "kind": "vm",
            "location": {
                "country": "MX",
                "subdivision": rng.choice(["MX-JAL", "MX-NLE", "MX-CMX"]),
            },
            "tags": dict(rng.choice(TAGS)),
        }
    if roll < 0.07:
        return {"id": f"saas-{index}", "provider": "saas", "kind": "saas", "tags": {"pii": "true"}}
    provider = rng.choice(list(REGIONS))
    service, kind = rng.choice(SERVICES[provider])
    region = rng.choice(REGIONS[provider])
    item: dict[str, Any] = {
        "id": f"{provider}:{service}:{index}",
        "provider": provider,
        "service": service,
        "kind": kind,
        "name": f"{service}-{index}",
        "account": f"acct-{index % 97}",
        "region": region,
        "tags": {**rng.choice(TAGS), "owner": f"team-{index % 13}"},
    }
    if rng.random() < 0.2:
        item["copies"] = [
            {
                "kind": rng.choice(["replica", "backup", "read-replica"]),
                "region": rng.choice(REGIONS[provider]),
            }
        ]
    return item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    assets = [asset(i, rng) for i in range(args.count)]
    suffix = args.output.suffix
    if suffix == ".json":
        args.output.write_text(json.dumps({"assets": assets}), encoding="utf-8")
    elif suffix in (".yaml", ".yml"):
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        args.output.write_text(yaml.dump({"assets": assets}, Dumper=dumper), encoding="utf-8")
    elif suffix == ".csv":
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from sovaudit.inputs.inventory.build import build_asset
        from sovaudit.inputs.inventory.csv_format import write_csv

        with args.output.open("w", encoding="utf-8") as handle:
            handle.writelines(write_csv(build_asset(a) for a in assets))
    else:
        parser.error("output must end in .json, .yaml or .csv")


if __name__ == "__main__":
    main()
