#!/usr/bin/env python3
"""Generate a large Terraform plan, in the shape ``terraform show -json PLANFILE`` writes.

    python bench/generate_plan.py 20000 -o plan.json [--seed 7]

A monorepo's plan: the root module and one module per team, each with its own aliased
providers (one region a variable, one a constant); AWS buckets (some replicated), RDS
instances with read replicas, DynamoDB tables with replicas, Azure GRS storage accounts and
Cosmos DB accounts with extra regions, BigQuery datasets and GCS buckets; and, as in real
plans, a majority of resources that hold no data (IAM, networking, DNS) and a few deletes.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

REGISTRY = "registry.terraform.io/hashicorp/"
AWS_REGIONS = ["mx-central-1", "us-east-1", "us-west-2", "sa-east-1", "eu-west-1"]
AZURE = ["mexicocentral", "brazilsouth", "southcentralus", "westeurope", "eastus"]
CLASSES = [{"datos-personales": "si"}, {"data-classification": "sensitive"}, {"pii": "no"}, {}]
NOISE = ["aws_iam_role", "aws_iam_policy", "aws_security_group", "aws_route53_record", "aws_subnet"]


def _change(
    address: str, module: str, kind: str, name: str, after: dict[str, Any], action: str
) -> dict[str, Any]:
    provider = REGISTRY + kind.split("_")[0]
    change: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": provider,
        "change": {
            "actions": [action],
            "before": None if action == "create" else after,
            "after": None if action == "delete" else after,
            "after_unknown": {"id": True, "arn": True},
        },
    }
    if module:
        change["module_address"] = module
    return change


def generate(count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    teams = max(1, count // 500)
    changes: list[dict[str, Any]] = []
    providers: dict[str, Any] = {
        "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}},
        "azurerm": {"name": "azurerm", "expressions": {"features": [{}]}},
        "google": {
            "name": "google",
            "expressions": {"region": {"constant_value": "northamerica-south1"}},
        },
    }
    calls: dict[str, Any] = {}
    root_resources: list[dict[str, Any]] = []
    for team in range(teams):
        module = f"module.equipo{team}"
        region = AWS_REGIONS[team % len(AWS_REGIONS)]
        providers[f"{module}:aws"] = {
            "name": "aws",
            "module_address": module,
            "expressions": {"region": {"references": ["var.region"]}},
        }
        providers[f"{module}:aws.dr"] = {
            "name": "aws",
            "alias": "dr",
            "module_address": module,
            "expressions": {"region": {"constant_value": "us-east-1"}},
        }
        calls[f"equipo{team}"] = {
            "source": "./modules/equipo",
            "expressions": {"region": {"constant_value": region}},
            "module": {"resources": [], "variables": {"region": {}}},
        }
    for n in range(count):
        team = n % teams
        module = f"module.equipo{team}" if n % 5 else ""
        prefix = f"{module}." if module else ""
        tags = rng.choice(CLASSES)
        roll = rng.random()
        action = "delete" if rng.random() < 0.01 else rng.choice(["create", "update", "no-op"])
        key = f"{module}:aws" if module else "aws"
        expressions: dict[str, Any] = {}
        if roll < 0.45:
            kind = rng.choice(NOISE)
            after: dict[str, Any] = {"name": f"r{n}"}
        elif roll < 0.65:
            kind, after = "aws_s3_bucket", {"bucket": f"b{n}", "tags": tags, "tags_all": tags}
            if rng.random() < 0.2:
                key = f"{module}:aws.dr" if module else "aws"
        elif roll < 0.72:
            kind, after = "aws_db_instance", {"identifier": f"db{n}", "tags": tags}
            if n % 3 == 0 and n > 10:
                expressions["replicate_source_db"] = {
                    "references": [f"aws_db_instance.r{n - 3}.arn"]
                }
        elif roll < 0.79:
            regions = rng.sample(AWS_REGIONS, 2)
            kind = "aws_dynamodb_table"
            after = {
                "name": f"t{n}",
                "tags": tags,
                "replica": [{"region_name": r} for r in regions],
            }
        elif roll < 0.87:
            kind = "azurerm_storage_account"
            after = {
                "name": f"sa{n}",
                "location": rng.choice(AZURE),
                "account_replication_type": rng.choice(["LRS", "GRS", "RAGRS", "ZRS"]),
                "tags": tags,
            }
        elif roll < 0.92:
            kind = "azurerm_cosmosdb_account"
            where = rng.sample(AZURE, 2)
            after = {
                "name": f"cosmos{n}",
                "location": where[0],
                "geo_location": [
                    {"location": w, "failover_priority": i} for i, w in enumerate(where)
                ],
                "tags": tags,
            }
        elif roll < 0.96:
            kind = "google_bigquery_dataset"
            after = {
                "dataset_id": f"d{n}",
                "location": rng.choice(["US", "EU", "northamerica-south1"]),
                "labels": tags,
            }
        else:
            kind = "google_storage_bucket"
            after = {
                "name": f"g{n}",
                "location": rng.choice(["US", "NAM4", "NORTHAMERICA-SOUTH1"]),
                "labels": tags,
            }
        if kind.startswith(("azurerm", "google")):
            key = kind.split("_")[0]
        name = f"r{n}"
        address = f"{prefix}{kind}.{name}"
        changes.append(_change(address, module, kind, name, after, action))
        config = {
            "address": f"{kind}.{name}",
            "mode": "managed",
            "type": kind,
            "name": name,
            "provider_config_key": key,
            "expressions": expressions,
        }
        if module:
            calls[module.removeprefix("module.")]["module"]["resources"].append(config)
        else:
            root_resources.append(config)
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": providers,
            "root_module": {"resources": root_resources, "module_calls": calls},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    # Compact, as `terraform show -json` writes it: one line.
    args.output.write_text(
        json.dumps(generate(args.count, args.seed), separators=(",", ":")), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
