"""Small plans in the shape ``terraform show -json PLANFILE`` writes, for one case each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REGISTRY = "registry.terraform.io/hashicorp/"
# The sample a new user runs first: a pull request's plan for "Tienda" (README).
SAMPLE_PLAN = (
    Path(__file__).resolve().parents[3] / "sample_inventories" / "terraform" / "tienda_pr_plan.json"
)


def resource(
    address: str,
    after: dict[str, Any] | None,
    *,
    key: str | None = None,
    expressions: dict[str, Any] | None = None,
    unknown: dict[str, Any] | None = None,
    actions: tuple[str, ...] = ("create",),
    module: str | None = None,
) -> dict[str, Any]:
    """One resource: its change, and (unless ``key`` is None) its configuration."""
    local = address[len(module) + 1 :] if module else address
    kind, name = local.split("[")[0].split(".")[:2]
    provider = kind.split("_")[0]
    change: dict[str, Any] = {
        "address": address,
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_name": REGISTRY + provider,
        "change": {
            "actions": list(actions),
            "before": None,
            "after": after,
            "after_unknown": unknown or {"id": True},
        },
    }
    if module:
        change["module_address"] = module
    config = {
        "address": local.split("[")[0],
        "mode": "managed",
        "type": kind,
        "name": name,
        "provider_config_key": key or provider,
        "expressions": expressions or {},
    }
    return {"change": change, "config": config, "module": module}


def plan(
    *resources: dict[str, Any],
    providers: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None,
    module_calls: dict[str, Any] | None = None,
) -> dict[str, Any]:
    root: dict[str, Any] = {
        "resources": [r["config"] for r in resources if not r["module"]],
        "module_calls": module_calls or {},
    }
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {name: {"value": value} for name, value in (variables or {}).items()},
        "resource_changes": [r["change"] for r in resources],
        "configuration": {"provider_config": providers or {}, "root_module": root},
    }


def region(value: str) -> dict[str, Any]:
    return {"region": {"constant_value": value}}


def provider(name: str, expressions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "full_name": REGISTRY + name, "expressions": expressions, **extra}


def refs(*references: str) -> dict[str, Any]:
    return {"references": list(references)}


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path
