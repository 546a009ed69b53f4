"""ARM resources as assets, from the JSON the raw ARM pipeline and recorded listings give."""

from __future__ import annotations

import pytest

from sovaudit.providers.azure.resources import region_and_note, resource_asset, resource_group
from sovaudit.providers.azure.scope import Subscription

SUB = Subscription("11111111-1111-1111-1111-111111111111", display_name="Producción")
DB_ID = (
    f"/subscriptions/{SUB.subscription_id}/resourceGroups/rg-qro/providers/"
    "Microsoft.Sql/servers/sql-qro/databases/crm"
)


def test_a_database_keeps_its_region_group_sku_and_tags() -> None:
    asset = resource_asset(
        SUB,
        {
            "id": DB_ID,
            "name": "sql-qro/crm",
            "type": "Microsoft.Sql/servers/databases",
            "location": "mexicocentral",
            "sku": {"name": "GP_Gen5_2"},
            "tags": {"owner": "crm", "cost": 12},
        },
    )
    assert (asset.provider, asset.service, asset.kind) == ("azure", "sql", "database")
    assert (asset.account, asset.region, asset.name) == (
        SUB.subscription_id,
        "mexicocentral",
        "sql-qro/crm",
    )
    assert asset.attributes == {
        "type": "Microsoft.Sql/servers/databases",
        "resource_group": "rg-qro",
        "subscription_name": "Producción",
        "sku": "GP_Gen5_2",
    }
    assert dict(asset.tags) == {"owner": "crm", "cost": "12"}
    assert asset.location.note is None


def test_an_unknown_type_is_a_plain_resource_of_its_own_type() -> None:
    asset = resource_asset(
        Subscription("s"),
        {"id": "/subscriptions/s/x", "type": "Contoso.Widgets/gadgets", "location": "eastus"},
    )
    assert (asset.service, asset.kind) == ("Contoso.Widgets/gadgets", "resource")
    assert "resource_group" not in asset.attributes
    assert "subscription_name" not in asset.attributes


def test_a_global_resource_has_no_region_and_says_why() -> None:
    asset = resource_asset(
        SUB, {"id": DB_ID, "type": "Microsoft.Network/dnszones", "location": "Global"}
    )
    assert asset.region is None
    assert asset.attributes["azure_location"] == "Global"
    assert "not placed in one region" in (asset.location.note or "")


@pytest.mark.parametrize("location", [None, "", "  "])
def test_no_location_is_no_region(location: str | None) -> None:
    region, note = region_and_note(location, "Microsoft.Resources/templateSpecs")
    assert region is None
    assert note == "Azure reports no location for this Microsoft.Resources/templateSpecs resource"


def test_a_display_name_location_is_passed_on_for_the_locator_to_fold() -> None:
    assert region_and_note(" Brazil South ", "t") == ("Brazil South", None)


@pytest.mark.parametrize(
    ("resource_id", "group"),
    [
        ("/subscriptions/s/resourceGroups/rg-data/providers/x/y", "rg-data"),
        ("/subscriptions/s/resourcegroups/rg-data/providers/x/y", "rg-data"),
        ("/subscriptions/s/providers/Microsoft.Security/pricings/x", None),
        ("/subscriptions/s/resourceGroups/", None),
    ],
)
def test_resource_group_is_read_from_the_id_in_either_case(
    resource_id: str, group: str | None
) -> None:
    assert resource_group(resource_id) == group
