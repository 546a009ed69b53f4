"""The Azure provider against the ARM stand-in over real HTTPS on 127.0.0.1.

Every test gets an emptied server and a loopback-only environment (``arm`` in conftest); most
read the standard ``estate``: one readable subscription with resources in four location forms
and three storage accounts, and one subscription that answers 403.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest

from sovaudit.classify.tags import Classifier
from sovaudit.engine.rules import load_rules
from sovaudit.errors import ExitCode
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset, ScanError
from sovaudit.pipeline import build_sources
from sovaudit.providers import registry
from sovaudit.providers.azure import AzureProvider, ReadOnlyViolation
from sovaudit.providers.interface import ProviderError
from sovaudit.scan import exit_code, run_scan
from tests.azure.arm_server import ArmServer, StaticCredential
from tests.azure.conftest import DENIED, HEALTHY

pytestmark = pytest.mark.integration


def provider(arm: ArmServer, **options: Any) -> AzureProvider:
    return AzureProvider.from_options(
        {"endpoint": arm.url, "credential": StaticCredential(), **options}
    )


def by_name(assets: list[Asset]) -> dict[str, Asset]:
    return {str(a.name): a for a in assets}


def test_inventories_the_readable_subscription_and_reports_the_denied_one(
    estate: ArmServer, caplog: pytest.LogCaptureFixture
) -> None:
    azure = provider(estate)
    with caplog.at_level(logging.INFO, logger="sovaudit.progress"):
        assets = by_name(list(azure.collect()))
    assert set(assets) == {
        "vm-erp",
        "disk-sp",
        "crm",
        "example.mx",
        "no-location",
        "clientesbr",
        "clientesqro",
        "logseus2",
    }
    assert {a.account for a in assets.values()} == {HEALTHY}
    assert azure.errors == [ScanError("azure", DENIED, azure.errors[0].message)]
    message = azure.errors[0].message
    assert "AuthorizationFailed" in message
    assert "403" in message
    assert "Reader" in message
    finished = {
        r.progress["scope"]: r.progress["failed"]
        for r in caplog.records
        if r.name == "sovaudit.progress" and r.progress["event"] == "scope"
    }
    assert finished == {HEALTHY: False, DENIED: True}


def test_maps_resources_to_assets(estate: ArmServer) -> None:
    assets = by_name(list(provider(estate).collect()))
    vm = assets["vm-erp"]
    assert vm.id == (
        f"/subscriptions/{HEALTHY}/resourceGroups/rg-qro/providers/"
        "Microsoft.Compute/virtualMachines/vm-erp"
    )
    assert (vm.provider, vm.kind, vm.region, vm.service) == (
        "azure",
        "vm",
        "mexicocentral",
        "Microsoft.Compute/virtualMachines",
    )
    assert dict(vm.tags) == {"app": "erp"}
    assert vm.attributes["resource_group"] == "rg-qro"
    assert vm.attributes["subscription_name"] == "Producción"
    assert (assets["disk-sp"].kind, assets["disk-sp"].region) == ("disk", "Brazil South")
    sql = assets["crm"]
    assert (sql.service, sql.kind, sql.region) == ("sql", "database", "eastus2")


def test_global_and_location_less_resources_stay_unknown_with_a_note(
    estate: ArmServer,
) -> None:
    locator = Locator(load_catalogue())
    assets = by_name([locator.locate_asset(a) for a in provider(estate).collect()])
    dns = assets["example.mx"]
    assert dns.region is None
    assert dns.attributes["azure_location"] == "global"
    assert dns.location.countries == ()
    assert "global" in (dns.location.note or "")
    spec = assets["no-location"]
    assert spec.region is None
    assert spec.location.countries == ()
    assert "no location" in (spec.location.note or "")


def test_storage_accounts_appear_once_with_sku_and_secondary(estate: ArmServer) -> None:
    assets = list(provider(estate).collect())
    storage = [a for a in assets if a.attributes.get("type") == "Microsoft.Storage/storageAccounts"]
    assert sorted(str(a.name) for a in storage) == ["clientesbr", "clientesqro", "logseus2"]
    named = by_name(storage)
    grs = named["clientesbr"]
    assert (grs.service, grs.kind, grs.region) == ("storage", "object_store", "brazilsouth")
    assert grs.attributes["sku"] == "Standard_GRS"
    assert grs.attributes["storage_kind"] == "StorageV2"
    assert [(c.kind, c.region) for c in grs.copies] == [("secondary", "southcentralus")]
    # the generic listing's id spelling is kept; its tags survive the merge
    assert "/resourceGroups/rg-data/" in grs.id
    assert dict(grs.tags) == {"data-classification": "personal"}
    assert named["clientesqro"].attributes["sku"] == "Standard_ZRS"
    assert named["clientesqro"].copies == ()
    assert [(c.kind, c.region) for c in named["logseus2"].copies] == [("secondary", "centralus")]


def test_located_assets_get_the_right_countries(estate: ArmServer) -> None:
    locator = Locator(load_catalogue())
    assets = by_name([locator.locate_asset(a) for a in provider(estate).collect()])
    assert assets["vm-erp"].location.countries == ("MX",)
    assert assets["vm-erp"].location.subdivision == "MX-QUE"
    assert assets["disk-sp"].location.countries == ("BR",)
    assert assets["crm"].location.countries == ("US",)
    brazil = assets["clientesbr"]
    assert brazil.location.countries == ("BR",)
    assert [(c.location.countries, c.location.subdivision) for c in brazil.copies] == [
        (("US",), "US-TX")
    ]
    assert assets["clientesqro"].location.subdivision == "MX-QUE"
    assert assets["clientesqro"].copy_countries == ()
    assert assets["logseus2"].copies[0].location.subdivision == "US-IA"


def test_follows_next_links_across_pages(estate: ArmServer) -> None:
    list(provider(estate).collect())
    pages = [p for m, p in estate.requests if f"/subscriptions/{HEALTHY}/resources?" in p]
    assert len(pages) == 4  # 8 resources, 2 a page: the last page has no nextLink
    assert sum("%24skiptoken" in p or "$skiptoken" in p for p in pages) == 3
    listing = [p for _, p in estate.requests if p.startswith("/subscriptions?")]
    assert len(listing) == 1  # two subscriptions fit one page


def test_subscription_list_pages_too(estate: ArmServer) -> None:
    extra = "33333333-3333-3333-3333-333333333333"
    estate.subscriptions.append(
        {
            "id": f"/subscriptions/{extra}",
            "subscriptionId": extra,
            "displayName": "Vacía",
            "state": "Enabled",
        }
    )
    azure = provider(estate)
    list(azure.collect())
    assert len([p for _, p in estate.requests if p.startswith("/subscriptions?")]) == 2
    assert any(f"/subscriptions/{extra}/resources" in p for _, p in estate.requests)
    assert [e.scope for e in azure.errors] == [DENIED]


def test_a_429_with_retry_after_is_waited_out(estate: ArmServer) -> None:
    path = f"/subscriptions/{HEALTHY}/providers/Microsoft.Storage/storageAccounts"
    estate.throttle_once.add(path)
    azure = provider(estate)
    assets = by_name(list(azure.collect()))
    assert assets["clientesbr"].copies  # the storage call succeeded on the retry
    assert len([p for _, p in estate.requests if p.startswith(path + "?")]) == 2
    assert [e.scope for e in azure.errors] == [DENIED]


def test_only_reads_reach_the_server(estate: ArmServer) -> None:
    credential = StaticCredential()
    azure = AzureProvider(endpoint=estate.url, credential=credential)
    list(azure.collect())
    assert estate.writes == []
    assert set(estate.tokens) == {StaticCredential.TOKEN}
    assert credential.scopes
    assert all(scopes == (f"{estate.url}/.default",) for scopes in credential.scopes)


def test_a_mutating_call_is_refused_before_it_is_sent(estate: ArmServer) -> None:
    azure = provider(estate)
    with azure.resource_client(HEALTHY) as client, pytest.raises(ReadOnlyViolation) as caught:
        client.resource_groups.create_or_update("rg-new", {"location": "mexicocentral"})
    assert caught.value.method == "PUT"
    with azure.storage_client(HEALTHY) as client, pytest.raises(ReadOnlyViolation):
        client.storage_accounts.delete("rg-data", "clientesbr")
    assert estate.requests == []


def test_named_subscriptions_skip_the_listing(estate: ArmServer) -> None:
    azure = provider(estate, subscriptions=[HEALTHY])
    assets = list(azure.collect())
    assert len(assets) == 8
    assert azure.errors == []
    assert not any(p.startswith("/subscriptions?") for _, p in estate.requests)


def test_bounded_concurrency_reads_many_subscriptions(arm: ArmServer) -> None:
    ids = [f"{n:08d}-0000-0000-0000-000000000000" for n in range(6)]
    for sub in ids:
        arm.resources[sub] = [
            {
                "id": f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/disks/d",
                "name": "d",
                "type": "Microsoft.Compute/disks",
                "location": "mexicocentral",
            }
        ]
    azure = provider(arm, subscriptions=ids, max_workers=2)
    assets = list(azure.collect())
    assert [a.account for a in assets] == ids  # subscription order, whatever the threads did
    assert azure.errors == []


def test_an_unreadable_storage_listing_keeps_the_resources(
    estate: ArmServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from azure.core.exceptions import ServiceRequestError

    azure = provider(estate, subscriptions=[HEALTHY])
    real = azure.storage_client

    def unreachable(subscription_id: str) -> Any:
        client = real(subscription_id)

        def fail(**kwargs: Any) -> Any:
            raise ServiceRequestError("connection reset")

        monkeypatch.setattr(client.storage_accounts, "list", fail)
        return client

    monkeypatch.setattr(azure, "storage_client", unreachable)
    assets = by_name(list(azure.collect()))
    assert len(assets) == 8
    assert assets["clientesbr"].copies == ()  # the generic entry, without redundancy facts
    assert [e.scope for e in azure.errors] == [f"{HEALTHY}/Microsoft.Storage/storageAccounts"]
    assert "storage accounts" in azure.errors[0].message


def test_the_subscription_list_itself_unreadable_is_a_provider_error(arm: ArmServer) -> None:
    azure = AzureProvider.from_options(
        {"endpoint": "https://127.0.0.1:1", "credential": StaticCredential()}
    )
    with pytest.raises(ProviderError) as caught:
        list(azure.collect())
    assert "cannot reach the Azure Resource Manager endpoint" in str(caught.value)


def test_a_credential_that_fails_is_one_provider_error(arm: ArmServer) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    class Refusing(StaticCredential):
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise ClientAuthenticationError("no token for you")

    azure = AzureProvider(endpoint=arm.url, credential=Refusing())
    with pytest.raises(ProviderError) as caught:
        list(azure.collect())
    assert "no Azure token" in str(caught.value)
    assert arm.requests == []


def test_default_credential_is_built_lazily_and_narrowed_by_env(
    arm: ArmServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DefaultAzureCredential narrowed to EnvironmentCredential, with no AZURE_CLIENT_* set:
    the chain has nothing to try, so it fails locally. The conftest refuses any connection
    but 127.0.0.1, so a managed-identity probe would fail the test rather than leave."""
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
    azure = AzureProvider.from_options({"endpoint": arm.url, "subscriptions": [HEALTHY]})
    assert azure.credential is None  # nothing built until collect()
    with pytest.raises(ProviderError) as caught:
        list(azure.collect())
    assert type(azure.credential).__name__ == "DefaultAzureCredential"
    assert "no Azure token" in str(caught.value)
    assert arm.requests == []


def test_ssl_cert_file_is_honoured(
    estate: ArmServer, monkeypatch: pytest.MonkeyPatch, arm_ca: tuple[Any, Any]
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.setenv("SSL_CERT_FILE", str(arm_ca[1]))
    azure = provider(estate, subscriptions=[HEALTHY])
    assert len(list(azure.collect())) == 8


def test_untrusted_tls_is_an_error_not_a_silent_fallback(
    estate: ArmServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import trustme

    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    azure = provider(estate)
    with pytest.raises(ProviderError):
        list(azure.collect())


def test_without_a_subscription_client_the_list_is_read_directly(
    estate: ArmServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    azure = provider(estate)
    sdk = azure._sdk_modules()
    monkeypatch.setattr(sdk, "SubscriptionClient", None)
    assets = list(azure.collect())
    assert len(assets) == 8
    assert [e.scope for e in azure.errors] == [DENIED]
    assert estate.writes == []


def test_missing_sdk_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "azure.identity", None)
    azure = AzureProvider(credential=StaticCredential())
    with pytest.raises(ProviderError) as caught:
        list(azure.collect())
    assert str(caught.value) == (
        "the Azure provider needs azure-identity and azure-mgmt-resource: "
        "pip install 'sovaudit[azure]'"
    )


def test_rejects_a_plain_http_endpoint() -> None:
    with pytest.raises(ValueError, match="https"):
        AzureProvider(endpoint="http://127.0.0.1:1")


def test_end_to_end_grs_brazil_south_is_a_finding(
    estate: ArmServer, monkeypatch: pytest.MonkeyPatch, classifier: Classifier
) -> None:
    monkeypatch.setitem(registry.BUILTIN, "azure", "sovaudit.providers.azure:AzureProvider")
    locator = Locator(load_catalogue())
    sources = build_sources(
        [],
        ["azure"],
        locator,
        {"azure": {"endpoint": estate.url, "credential": StaticCredential(), "subscriptions": []}},
    )
    result = run_scan(sources, locator=locator, classifier=classifier, rules=load_rules())
    grs_findings = [
        f for f in result.findings if f.rule_id == "geo-redundant-copy-in-another-country"
    ]
    flagged = {a.id: a.name for a in result.assets}
    assert sorted(flagged[f.asset_id] for f in grs_findings) == ["clientesbr"]
    assert "US" in grs_findings[0].message or "South Central" in grs_findings[0].message
    assert [(e.provider, e.scope) for e in result.errors] == [("azure", DENIED)]
    assert exit_code(result, None) == ExitCode.INCOMPLETE
    assert estate.writes == []


FAKE_AZ = """#!{python}
# A stand-in for the Azure CLI: what AzureCliCredential runs to get a token.
import json, sys
assert sys.argv[1:3] == ["account", "get-access-token"], sys.argv
print(json.dumps({{"accessToken": "token-from-fake-az", "expiresOn": "2099-01-01 00:00:00.000000",
                  "expires_on": 4070908800, "tokenType": "Bearer"}}))
"""


def test_the_cli_against_the_stand_in_with_the_credential_chain_narrowed(
    estate: ArmServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """CONTRACT: DefaultAzureCredential, narrowed by AZURE_TOKEN_CREDENTIALS (no network probe)."""
    import json
    import sys

    from click.testing import CliRunner

    from sovaudit.cli.main import cli

    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    az.write_text(FAKE_AZ.format(python=sys.executable))
    az.chmod(0o755)
    monkeypatch.setenv("PATH", f"{az.parent}:{os.environ.get('PATH', '')}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    result = CliRunner().invoke(
        cli, ["scan", "--provider", "azure", "--azure-endpoint", estate.url, "--format", "json"]
    )
    assert result.exit_code == 3, result.output  # the denied subscription
    document = json.loads(result.stdout)
    by_name = {a["name"]: a for a in document["assets"]}
    brazil = by_name["clientesbr"]
    assert brazil["location"]["countries"] == ["BR"]
    assert [c["location"]["subdivision"] for c in brazil["copies"]] == ["US-TX"]
    assert any(
        f["rule_id"] == "geo-redundant-copy-in-another-country" for f in document["findings"]
    )
    assert [e["scope"] for e in document["errors"]] == [DENIED]
