#!/usr/bin/env python3
"""Make the trimmed excerpts of the clouds' published IP range files used by the tests.

The real files are 2-4 MB each; the tests need every region name they mention and a few real
prefixes per region, not every prefix. This keeps, for every distinct location key, the first
prefixes the real file lists for it, and leaves the structure of the file untouched.

    python scripts/trim_ip_ranges.py SOURCE_DIR tests/data/cloud-ip-ranges

SOURCE_DIR holds aws-ip-ranges.json (https://ip-ranges.amazonaws.com/ip-ranges.json),
google-cloud.json (https://www.gstatic.com/ipranges/cloud.json), azure-service-tags.json
(Microsoft download 56519, "Azure IP Ranges and Service Tags - Public Cloud") and
oracle-public-ip-ranges.json (https://docs.oracle.com/iaas/tools/public_ip_ranges.json).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PER_KEY = 2


def _keep_first(items: list[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    seen: dict[Any, int] = {}
    kept = []
    for item in items:
        k = key(item)
        if seen.get(k, 0) < PER_KEY:
            seen[k] = seen.get(k, 0) + 1
            kept.append(item)
    return kept


def trim_aws(data: dict[str, Any]) -> dict[str, Any]:
    def key(p: dict[str, Any]) -> tuple[str, str, str]:
        return p["region"], p["network_border_group"], p["service"]

    return {
        **data,
        "prefixes": _keep_first(data["prefixes"], key),
        "ipv6_prefixes": _keep_first(data["ipv6_prefixes"], key),
    }


def trim_google(data: dict[str, Any]) -> dict[str, Any]:
    def key(p: dict[str, Any]) -> tuple[str, bool]:
        return p["scope"], "ipv4Prefix" in p

    return {**data, "prefixes": _keep_first(data["prefixes"], key)}


def trim_azure(data: dict[str, Any]) -> dict[str, Any]:
    # Every regional tag is kept (the region names are the point); prefixes are cut short.
    values = []
    for value in data["values"]:
        props = value["properties"]
        if not (
            value["name"].startswith("AzureCloud.")
            or value["name"].startswith(("Storage.", "AzureFrontDoor."))
        ):
            continue
        values.append(
            {
                **value,
                "properties": {**props, "addressPrefixes": props["addressPrefixes"][:PER_KEY]},
            }
        )
    return {**data, "values": values}


def trim_oracle(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "regions": [{**r, "cidrs": r["cidrs"][:PER_KEY]} for r in data["regions"]]}


TRIMMERS = {
    "aws-ip-ranges.json": trim_aws,
    "google-cloud.json": trim_google,
    "azure-service-tags.json": trim_azure,
    "oracle-public-ip-ranges.json": trim_oracle,
}


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, trim in TRIMMERS.items():
        data = json.loads((source / name).read_text(encoding="utf-8"))
        text = json.dumps(trim(data), indent=1, ensure_ascii=False) + "\n"
        (target / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(text) // 1024} KiB")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
