"""Storage accounts: the geo-redundant copy, and one asset per account across both listings."""

from __future__ import annotations

from typing import Any

from sovaudit.providers.azure.resources import resource_asset
from sovaudit.providers.azure.scope import Subscription
from sovaudit.providers.azure.storage import merge_listings, storage_asset

SUB = Subscription("s")
GENERIC_ID = (
    "/subscriptions/s/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/{}"
)
# The storage listing writes the resource group in lower case.
STORAGE_ID = (
    "/subscriptions/s/resourcegroups/rg-data/providers/Microsoft.Storage/storageAccounts/{}"
)


def account(name: str, sku: str, secondary: str | None = None, **extra: Any) -> dict[str, Any]:
    properties = {"primaryLocation": "brazilsouth", "statusOfPrimary": "available"}
    if secondary:
        properties["secondaryLocation"] = secondary
    return {
        "id": STORAGE_ID.format(name),
        "name": name,
        "type": "Microsoft.Storage/storageAccounts",
        "location": "brazilsouth",
        "kind": "StorageV2",
        "sku": {"name": sku},
        "properties": properties,
        **extra,
    }


def generic(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": GENERIC_ID.format(name),
        "name": name,
        "type": "Microsoft.Storage/storageAccounts",
        "location": "brazilsouth",
        **extra,
    }


def test_a_grs_account_has_its_secondary_as_a_copy() -> None:
    asset = storage_asset(SUB, account("clientesbr", "Standard_GRS", "southcentralus"))
    assert (asset.service, asset.kind, asset.region) == ("storage", "object_store", "brazilsouth")
    assert [(c.kind, c.region) for c in asset.copies] == [("secondary", "southcentralus")]
    assert asset.attributes["sku"] == "Standard_GRS"
    assert asset.attributes["storage_kind"] == "StorageV2"
    assert asset.attributes["primary_location"] == "brazilsouth"
    assert asset.attributes["secondary_location"] == "southcentralus"


def test_a_zone_redundant_account_has_no_copy() -> None:
    asset = storage_asset(SUB, account("clientesqro", "Standard_ZRS"))
    assert asset.copies == ()
    assert "secondary_location" not in asset.attributes


def test_each_account_is_one_asset_in_the_resource_listings_order() -> None:
    resources = [
        resource_asset(SUB, generic("clientesbr", tags={"data-classification": "personal"})),
        resource_asset(SUB, {"id": "/subscriptions/s/vm", "type": "Microsoft.Compute/vm"}),
        resource_asset(SUB, generic("clientesbr")),  # listed twice: the first is kept
    ]
    accounts = [
        storage_asset(SUB, account("clientesbr", "Standard_GRS", "southcentralus")),
        storage_asset(SUB, account("unlisted", "Standard_LRS")),
    ]
    merged = merge_listings(resources, accounts)
    assert [a.name for a in merged] == ["clientesbr", None, "unlisted"]
    grs = merged[0]
    assert grs.id == GENERIC_ID.format("clientesbr")  # the generic listing's spelling
    assert dict(grs.tags) == {"data-classification": "personal"}  # kept: storage has none
    assert [c.region for c in grs.copies] == ["southcentralus"]
    assert merged[2].id == STORAGE_ID.format("unlisted")


def test_the_storage_api_tags_win_over_the_generic_ones() -> None:
    [merged] = merge_listings(
        [resource_asset(SUB, generic("logs", tags={"old": "1"}))],
        [storage_asset(SUB, account("logs", "Standard_LRS", tags={"new": "2"}))],
    )
    assert dict(merged.tags) == {"new": "2"}
