"""Azure listings others published (``data/published``, with their licences), read offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sovaudit.inputs.readers import FileContext, reader_for
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset

PUBLISHED = Path(__file__).parent / "data" / "published"
FILES = sorted(PUBLISHED.glob("azure-*.json"))
LOCATOR = Locator(load_catalogue())


def _read(path: Path) -> dict[str, Asset]:
    reader = reader_for(path)
    assert reader.name == "azure"
    return {
        a.name or a.id: LOCATOR.locate_asset(a) for a in reader.read(path, FileContext(LOCATOR))
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_published_listing_is_recognised(path: Path):
    assert reader_for(path).name == "azure"


def test_arm_storage_listing_keeps_the_secondary_the_storage_api_names():
    accounts = _read(PUBLISHED / "azure-arm-storage-accounts-list-custodian.json")
    assert len(accounts) == 7
    ragrs = accounts["dfhteststore"]
    assert ragrs.location.countries == ("US",)
    assert [(c.kind, c.region) for c in ragrs.copies] == [("secondary", "westus")]
    assert [(c.kind, c.region) for c in accounts["dfhflowlogs"].copies] == [
        ("secondary", "eastus2")
    ]
    lrs = [a for a in accounts.values() if a.attributes.get("sku") == "Standard_LRS"]
    assert len(lrs) == 5
    assert all(a.copies == () for a in lrs)


def test_cosmos_geo_backups_go_to_the_paired_region():
    [account] = _read(PUBLISHED / "azure-arm-cosmosdb-accounts-list-custodian.json").values()
    assert account.region == "South Central US"  # the display name, as ARM wrote it
    assert account.location.countries == ("US",)
    assert [(c.kind, c.region) for c in account.copies] == [("backup", "northcentralus")]


def test_powershell_export_pascal_case_and_nested_children():
    accounts = _read(PUBLISHED / "azure-psrule-cosmos-accounts.json")
    assert len(accounts) == 12  # 7 accounts and 5 Mongo clusters; no extension resources
    assert [(c.kind, c.region) for c in accounts["nosql-B"].copies] == [("replica", "West US")]
    assert accounts["nosql-B"].location.countries == ("US",)
    assert accounts["graph-B"].copies == ()  # periodic backups on Local storage


def test_resource_graph_table_format():
    [account] = _read(PUBLISHED / "azure-resourcegraph-table-format-custodian.json").values()
    assert account.service == "storage"
    assert account.region == "southcentralus"
    assert account.copies == ()  # Standard_LRS


def test_sql_databases_default_secondary_location_is_not_a_copy():
    databases = _read(PUBLISHED / "azure-arm-sql-databases-list-custodian.json")
    assert set(databases) == {"cclongtermretentiondb", "cctestdb", "master"}
    for database in databases.values():
        assert database.location.countries == ("US",)
        assert not any(c.region == "centralus" and c.kind == "replica" for c in database.copies)


def test_failover_group_across_listings_joined_in_one_file(tmp_path: Path):
    """A tenant export holds servers and failover groups together; the published pieces are
    three listings, joined here into one list as `az graph query` would return them."""
    rows = []
    for name in (
        "azure-arm-sql-servers-list-custodian.json",
        "azure-arm-sql-failovergroups-sql1-custodian.json",
        "azure-arm-sql-failovergroups-sql2-custodian.json",
    ):
        rows.extend(json.loads((PUBLISHED / name).read_text("utf-8"))["value"])
    joined = tmp_path / "sql.json"
    joined.write_text(json.dumps(rows), encoding="utf-8")
    servers = _read(joined)
    assert set(servers) == {"293-sql1-green", "293-sql2-green"}
    primary = servers["293-sql1-green"]
    assert primary.location.countries == ("US",)
    [copy] = primary.copies
    assert copy.kind == "replica"
    assert copy.region == "northeurope"  # the partner as listed; the group says "North Europe"
    assert LOCATOR.locate("azure", copy.region).countries == ("IE",)
    assert servers["293-sql2-green"].copies == ()  # the secondary's group names the primary
