"""One interpreter per resource type: the copies Resource Graph rows declare, one case each."""

from __future__ import annotations

from typing import Any

from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset
from sovaudit.providers.azure.estate import assets_from_rows

LOCATOR = Locator(load_catalogue())
SUB = "44444444-4444-4444-4444-444444444444"
BASE = f"/subscriptions/{SUB}/resourceGroups/g/providers"


def paired(location: str) -> str | None:
    region = LOCATOR.find_region("azure", location)
    return region.paired_region if region is not None else None


def row(path: str, resource_type: str, location: str, **properties: Any) -> dict[str, Any]:
    extra = properties.pop("_extra", {})
    return {
        "id": f"{BASE}/{path}",
        "name": path.rsplit("/", 1)[-1],
        "type": resource_type,
        "location": location,
        "properties": properties,
        **extra,
    }


def read(*rows: dict[str, Any]) -> dict[str, Asset]:
    return {a.id.rsplit("/", 1)[-1]: a for a in assets_from_rows(list(rows), paired)}


def copies(asset: Asset) -> list[tuple[str, str | None, tuple[str, ...]]]:
    out = []
    for copy in asset.copies:
        where = LOCATOR.locate("azure", copy.region).countries if copy.region else ()
        out.append((copy.kind, copy.region, where))
    return out


def test_geo_redundant_sql_backups_in_a_region_without_a_pair_are_unknown_never_home():
    [database] = read(
        row(
            "Microsoft.Sql/servers/s/databases/d",
            "microsoft.sql/servers/databases",
            "mexicocentral",
            currentBackupStorageRedundancy="Geo",
        )
    ).values()
    [backup] = database.copies
    assert backup.kind == "backup"
    assert backup.region is None
    assert "mexicocentral has no paired region" in (backup.location.note or "")


def test_a_geo_secondary_database_is_a_copy_of_its_source():
    source = "Microsoft.Sql/servers/mx/databases/d"
    assets = assets_from_rows(
        [
            row(source, "microsoft.sql/servers/databases", "brazilsouth"),
            row(
                "Microsoft.Sql/servers/tx/databases/d",
                "microsoft.sql/servers/databases",
                "southcentralus",
                secondaryType="Geo",
                sourceDatabaseId=f"{BASE}/{source}".upper(),  # ids compare case-insensitively
            ),
        ],
        paired,
    )
    primary = next(a for a in assets if "/servers/mx/" in a.id)
    secondary = next(a for a in assets if "/servers/tx/" in a.id)
    assert [(c.kind, c.region) for c in primary.copies] == [("replica", "southcentralus")]
    assert secondary.copies == ()


def test_flexible_server_geo_backup_and_read_replica():
    primary = "Microsoft.DBforPostgreSQL/flexibleServers/pg"
    assets = read(
        row(
            primary,
            "microsoft.dbforpostgresql/flexibleservers",
            "brazilsouth",
            backup={"geoRedundantBackup": "Enabled"},
        ),
        row(
            "Microsoft.DBforPostgreSQL/flexibleServers/pg-replica",
            "microsoft.dbforpostgresql/flexibleservers",
            "eastus",
            replicationRole="AsyncReplica",
            sourceServerResourceId=f"{BASE}/{primary}",
        ),
    )
    assert copies(assets["pg"]) == [
        ("backup", "southcentralus", ("US",)),
        ("read-replica", "eastus", ("US",)),
    ]
    assert assets["pg-replica"].copies == ()


def test_vaults_geo_redundant_or_not():
    assets = read(
        row(
            "Microsoft.RecoveryServices/vaults/grs",
            "microsoft.recoveryservices/vaults",
            "brazilsouth",
            redundancySettings={
                "standardTierStorageRedundancy": "GeoRedundant",
                "crossRegionRestore": "Enabled",
            },
        ),
        row(
            "Microsoft.DataProtection/backupVaults/bv",
            "microsoft.dataprotection/backupvaults",
            "westeurope",
            storageSettings=[{"datastoreType": "VaultStore", "type": "GeoRedundant"}],
        ),
        row(
            "Microsoft.DataProtection/backupVaults/local",
            "microsoft.dataprotection/backupvaults",
            "westeurope",
            storageSettings=[{"datastoreType": "VaultStore", "type": "LocallyRedundant"}],
        ),
    )
    assert copies(assets["grs"]) == [("backup", "southcentralus", ("US",))]
    assert copies(assets["bv"]) == [("backup", "northeurope", ("IE",))]
    assert assets["local"].copies == ()


def test_event_hubs_pairing_and_geo_replication():
    primary = "Microsoft.EventHub/namespaces/eh-mx"
    assets = read(
        row(primary, "microsoft.eventhub/namespaces", "mexicocentral"),
        row(
            "Microsoft.EventHub/namespaces/eh-tx", "microsoft.eventhub/namespaces", "southcentralus"
        ),
        row(
            f"{primary}/disasterRecoveryConfigs/dr",
            "microsoft.eventhub/namespaces/disasterrecoveryconfigs",
            "mexicocentral",
            role="Primary",
            partnerNamespace=f"{BASE}/Microsoft.EventHub/namespaces/eh-tx",
        ),
        row(
            "Microsoft.ServiceBus/namespaces/sb",
            "microsoft.servicebus/namespaces",
            "Mexico Central",
            geoDataReplication={
                "locations": [
                    {"locationName": "mexicocentral", "roleType": "Primary"},
                    {"locationName": "westus3", "roleType": "Secondary"},
                ]
            },
        ),
    )
    assert copies(assets["eh-mx"]) == [("replica", "southcentralus", ("US",))]
    assert "dr" not in assets  # the pairing is a link, not an asset
    assert copies(assets["sb"]) == [("replica", "westus3", ("US",))]


def test_object_replication_and_app_configuration_replicas():
    source = f"{BASE}/Microsoft.Storage/storageAccounts/src"
    assets = read(
        row(
            "Microsoft.Storage/storageAccounts/src",
            "microsoft.storage/storageaccounts",
            "mexicocentral",
            _extra={"sku": {"name": "Standard_LRS"}},
        ),
        row(
            "Microsoft.Storage/storageAccounts/dst",
            "microsoft.storage/storageaccounts",
            "eastus",
            _extra={"sku": {"name": "Standard_LRS"}},
        ),
        row(
            "Microsoft.Storage/storageAccounts/dst/objectReplicationPolicies/p",
            "microsoft.storage/storageaccounts/objectreplicationpolicies",
            "",
            sourceAccount=source,
            destinationAccount=f"{BASE}/Microsoft.Storage/storageAccounts/dst",
        ),
        row(
            "Microsoft.AppConfiguration/configurationStores/cfg",
            "microsoft.appconfiguration/configurationstores",
            "mexicocentral",
        ),
        row(
            "Microsoft.AppConfiguration/configurationStores/cfg/replicas/tx",
            "microsoft.appconfiguration/configurationstores/replicas",
            "southcentralus",
        ),
    )
    assert copies(assets["src"]) == [("replica", "eastus", ("US",))]
    assert copies(assets["cfg"]) == [("replica", "southcentralus", ("US",))]
    assert "p" not in assets
    assert "tx" not in assets


def test_cosmos_multi_region_writes_each_other_region_once():
    [account] = read(
        row(
            "Microsoft.DocumentDB/databaseAccounts/c",
            "microsoft.documentdb/databaseaccounts",
            "mexicocentral",
            locations=[{"locationName": "Mexico Central"}, {"locationName": "West US 3"}],
            writeLocations=[{"locationName": "Mexico Central"}, {"locationName": "West US 3"}],
            readLocations=[{"locationName": "Mexico Central"}, {"locationName": "westus3"}],
            enableMultipleWriteLocations=True,
        )
    ).values()
    assert copies(account) == [("replica", "West US 3", ("US",))]


def test_a_type_with_no_interpreter_keeps_the_generic_reading():
    [asset] = read(row("Microsoft.Web/sites/app", "microsoft.web/sites", "Mexico Central")).values()
    assert asset.region == "Mexico Central"
    assert LOCATOR.locate_asset(asset).location.countries == ("MX",)
    assert asset.copies == ()
