#!/usr/bin/env python3
"""An Azure tenant read through Resource Graph pages against the per-subscription ARM listing.

    python bench/bench_azure.py [--subscriptions 50] [--resources 1000] [--delay 0.1]

The test suite's ARM stand-in (HTTPS on 127.0.0.1, tests/azure/arm_server.py) holds
--subscriptions subscriptions of --resources resources each (a tenth storage accounts, some
geo-redundant). The Azure provider then reads it twice: through Resource Graph (1,000 rows a
page, the service's maximum) and, with Resource Graph refused, through ARM (a subscription
list, then each subscription's resources, 1,000 a page, and its storage accounts, eight
subscriptions at a time). --delay adds that many seconds before each answer, to model the
round trip to a real ARM endpoint (100-200 ms from Mexico to the US). Prints wall time and
request count for each; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def estate(server: Any, subscriptions: int, resources: int) -> None:
    from tests.azure.conftest import _account, _resource

    server.subscriptions = []
    for n in range(subscriptions):
        sub = f"{n:08d}-0000-0000-0000-000000000000"
        server.subscriptions.append(
            {"id": f"/subscriptions/{sub}", "subscriptionId": sub, "state": "Enabled"}
        )
        listed, accounts = [], []
        for r in range(resources):
            location = ("mexicocentral", "brazilsouth", "southcentralus", "eastus")[r % 4]
            if r % 10 == 0:
                sku = ("Standard_LRS", "Standard_GRS", "Standard_RAGRS")[r % 3]
                account = _account(sub, "rg", f"st{n}x{r}", location, sku, None, {"pii": "true"})
                accounts.append(account)
                listed.append(
                    {
                        k: account[k]
                        for k in ("id", "name", "type", "location", "sku", "kind", "tags")
                    }
                )
            else:
                listed.append(
                    _resource(sub, "rg", "Microsoft.Compute/disks", f"disk{r}", location, tags={})
                )
        server.resources[sub] = listed
        server.storage_accounts[sub] = accounts


def timed(server: Any, graph: bool) -> tuple[float, int, int]:
    from sovaudit.providers.azure import AzureProvider
    from tests.azure.arm_server import StaticCredential

    server.graph = graph
    server.requests = []
    provider = AzureProvider(endpoint=server.url, credential=StaticCredential())
    started = time.perf_counter()
    assets = list(provider.collect())
    return time.perf_counter() - started, len(server.requests), len(assets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=50)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    import trustme

    from tests.azure import arm_server
    from tests.azure.arm_server import ArmServer

    arm_server.SUBSCRIPTIONS_PAGE = 1000  # ARM lists subscriptions in pages of hundreds

    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as tmp:
        pem = Path(tmp) / "ca.pem"
        ca.cert_pem.write_to_path(str(pem))
        os.environ["REQUESTS_CA_BUNDLE"] = str(pem)
        os.environ["NO_PROXY"] = "127.0.0.1,localhost"
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        server = ArmServer(context, page_size=1000)
        server.reset()
        server.graph_page_size = 1000
        server.delay = args.delay
        server.start()
        try:
            estate(server, args.subscriptions, args.resources)
            total = args.subscriptions * args.resources
            delay = f"{args.delay * 1000:.0f} ms per answer"
            print(f"tenant: {args.subscriptions} subscriptions, {total:,} resources; {delay}")
            for name, graph in (("Resource Graph", True), ("ARM per subscription", False)):
                seconds, requests, assets = timed(server, graph)
                print(f"{name:<22} {seconds:7.2f} s  {requests:5d} requests  {assets:,} assets")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
