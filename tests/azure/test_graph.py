"""The tenant through Resource Graph (the stand-in's POST /providers/Microsoft.ResourceGraph/
resources, driven through azure-mgmt-resourcegraph), and the same rows from an export file."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset
from sovaudit.providers.azure import AzureProvider
from sovaudit.providers.interface import ProviderError
from tests.azure import tenant
from tests.azure.arm_server import GRAPH_PATH, ArmServer, StaticCredential
from tests.azure.conftest import DENIED, HEALTHY

LOCATOR = Locator(load_catalogue())


def _provider(arm: ArmServer, **options: Any) -> AzureProvider:
    azure = AzureProvider.from_options(
        {"endpoint": arm.url, "credential": StaticCredential(), **options}
    )
    azure.locator = LOCATOR
    return azure


def _graph_posts(arm: ArmServer) -> list[str]:
    return [p for m, p in arm.requests if m == "POST" and p.split("?")[0].casefold() == GRAPH_PATH]


def _tenant(arm: ArmServer) -> None:
    arm.graph = True
    arm.subscriptions = [
        {"id": f"/subscriptions/{tenant.SUB}", "subscriptionId": tenant.SUB, "state": "Enabled"}
    ]
    arm.resources = {tenant.SUB: []}
    arm.graph_rows = {tenant.SUB: tenant.rows()}


def _located(assets: list[Asset]) -> dict[str, Asset]:
    return {a.id: LOCATOR.locate_asset(a) for a in assets}


def _copies(asset: Asset) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [
        (c.kind, c.region, LOCATOR.locate("azure", c.region).countries if c.region else ())
        for c in asset.copies
    ]


def _check_done_when(assets: dict[str, Asset]) -> None:
    cosmos = assets[tenant.COSMOS]
    assert cosmos.location.countries == ("MX",)
    assert _copies(cosmos) == [("replica", "South Central US", ("US",))]
    database = assets[tenant.DATABASE]
    assert database.location.countries == ("MX",)
    assert [(c.kind, c.region, c.target) for c in database.copies] == [
        ("replica", "southcentralus", f"{tenant.SERVER_TX}/databases/pedidos")
    ]  # defaultSecondaryLocation is where a replica could go, not one: no copy from it
    storage = assets[tenant.STORAGE]
    assert storage.location.countries == ("BR",)
    assert _copies(storage) == [("secondary", "southcentralus", ("US",))]  # the catalogue's pair
    assert assets[tenant.VAULT].copies == ()
    assert assets[tenant.VAULT].location.countries == ("MX",)
    front_door = assets[tenant.FRONT_DOOR]
    assert front_door.location.countries == ()
    assert "global" in (front_door.location.note or "")
    assert assets[tenant.VM].location.countries == ("MX",)
    assert not any("failoverGroups" in asset_id for asset_id in assets)  # a link, not an asset


def test_the_tenant_in_one_paged_query(arm: ArmServer):
    _tenant(arm)
    azure = _provider(arm)
    assets = _located(list(azure.collect()))
    _check_done_when(assets)
    assert azure.errors == []
    bodies = [b for b in arm.graph_bodies if b["query"].startswith("Resources")]
    assert len(bodies) == 5  # 9 rows, 2 per page
    assert [b["options"].get("$skipToken") for b in bodies] == [None, "2", "4", "6", "8"]
    assert all(b["subscriptions"] == [tenant.SUB] for b in bodies)  # every visible one
    listings = [
        p for _, p in arm.requests if p.startswith("/subscriptions/") and "/resources?" in p
    ]
    assert listings == []  # no per-subscription listing
    assert arm.writes == []


def test_the_same_rows_from_an_az_graph_query_export(tmp_path: Path):
    export = tmp_path / "graph.json"
    export.write_text(
        json.dumps({"count": 9, "data": tenant.rows(), "skip_token": None}), encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["scan", str(export), "--format", "json", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assets = {a["id"]: a for a in document["assets"]}
    assert assets[tenant.COSMOS]["copies"][0]["location"]["countries"] == ["US"]
    assert assets[tenant.STORAGE]["copies"][0]["region"] == "southcentralus"
    found = {(f["rule_id"], f["asset_id"]) for f in document["findings"]}
    assert ("personal-data-copied-abroad", tenant.COSMOS) in found
    assert ("personal-data-copied-abroad", tenant.DATABASE) in found
    assert ("personal-data-outside-home", tenant.STORAGE) in found
    assert not any(asset == tenant.VM for _, asset in found)
    assert not any(asset == tenant.VAULT for _, asset in found)


def test_live_and_export_give_the_same_assets(arm: ArmServer, tmp_path: Path):
    _tenant(arm)
    live = {a.id: a for a in _provider(arm).collect()}
    export = tmp_path / "rows.json"
    export.write_text(json.dumps(tenant.rows()), encoding="utf-8")  # a plain JSON list of rows
    from sovaudit.inputs.readers import FileContext, reader_for

    reader = reader_for(export)
    assert reader.name == "azure"
    offline = {a.id: a for a in reader.read(export, FileContext(LOCATOR))}
    assert offline == live
    _check_done_when(_located(list(offline.values())))


def test_a_subscription_resource_graph_cannot_read_is_an_error_entry(estate: ArmServer):
    estate.graph = True
    azure = _provider(estate)
    assets = list(azure.collect())
    assert {a.account for a in assets} == {HEALTHY}
    assert [e.scope for e in azure.errors] == [DENIED]
    assert "Reader role" in azure.errors[0].message


def test_without_resource_graph_access_each_subscription_is_listed_through_arm(
    estate: ArmServer, caplog: pytest.LogCaptureFixture
):
    estate.graph = False  # 403 to the query, as for an identity without the permission
    azure = _provider(estate)
    with caplog.at_level(logging.WARNING):
        assets = list(azure.collect())
    assert len(assets) == 8
    assert [e.scope for e in azure.errors] == [DENIED]
    assert "through ARM instead" in caplog.text
    assert any(p.startswith(f"/subscriptions/{HEALTHY}/resources?") for _, p in estate.requests)


def test_explicit_subscriptions_are_queried_and_a_denied_one_falls_back_to_arm(estate: ArmServer):
    estate.graph = True
    only = _provider(estate, subscriptions=[HEALTHY])
    assert {a.account for a in only.collect()} == {HEALTHY}
    assert estate.graph_bodies[0]["subscriptions"] == [HEALTHY]
    both = _provider(estate, subscriptions=[HEALTHY, DENIED])
    assets = list(both.collect())
    assert {a.account for a in assets} == {HEALTHY}
    assert [e.scope for e in both.errors] == [DENIED]  # from the ARM fallback, per subscription


def test_a_spent_quota_is_waited_out_between_pages(arm: ArmServer):
    _tenant(arm)
    arm.graph_quota_spent_once = True
    started = time.monotonic()
    assert len(list(_provider(arm).collect())) == 8
    assert time.monotonic() - started >= 1.0  # x-ms-user-quota-resets-after: 00:00:01


def test_a_throttled_query_is_retried(arm: ArmServer):
    _tenant(arm)
    arm.throttle_once = {"/providers/Microsoft.ResourceGraph/resources"}
    assets = list(_provider(arm).collect())
    assert len(assets) == 8


def test_management_groups_are_queried_and_need_resource_graph(arm: ArmServer):
    _tenant(arm)
    azure = _provider(arm, management_groups=["contoso-mx"])
    assert len(list(azure.collect())) == 8
    assert arm.graph_bodies[0]["managementGroups"] == ["contoso-mx"]
    arm.graph = False
    denied = _provider(arm, management_groups=["contoso-mx"])
    assert list(denied.collect()) == []
    assert [e.scope for e in denied.errors] == ["contoso-mx"]


def test_the_guard_lets_through_the_query_and_refuses_every_other_post_before_it_is_sent(
    arm: ArmServer,
):
    _tenant(arm)
    azure = _provider(arm)
    client = azure._session().resource_graph()
    sdk = azure._sdk_modules()
    for method, path in (
        ("POST", "/subscriptions/x/providers/Microsoft.ResourceGraph/resources"),
        ("PUT", "/providers/Microsoft.ResourceGraph/resources"),
        ("DELETE", "/providers/Microsoft.ResourceGraph/resources"),
        ("POST", "/providers/Microsoft.ResourceGraph/resources/../../subscriptions/x/delete"),
    ):
        request = sdk.HttpRequest(method, f"{arm.url}{path}?api-version=2024-04-01", json={})
        with pytest.raises(ProviderError, match="only reads Azure"):
            client._client.send_request(request)
    assert arm.requests == []
    list(azure.collect())
    assert arm.writes == []
    assert _graph_posts(arm)
