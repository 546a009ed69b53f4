"""A tenant as Resource Graph returns it: the rows of the issue's "done when", shaped as the
Resources table's rows are (lower-cased ``type``, ``subscriptionId``, ``properties`` as ARM
writes them), for the live stand-in and for an ``az graph query -o json`` export alike."""

from __future__ import annotations

from typing import Any

SUB = "33333333-3333-3333-3333-333333333333"
RG = f"/subscriptions/{SUB}/resourceGroups/datos/providers"
PERSONAL = {"datos-personales": "si"}

COSMOS = f"{RG}/Microsoft.DocumentDB/databaseAccounts/sesiones"
SERVER_MX = f"{RG}/Microsoft.Sql/servers/pedidos-mx"
SERVER_TX = f"{RG}/Microsoft.Sql/servers/pedidos-tx"
DATABASE = f"{SERVER_MX}/databases/pedidos"
STORAGE = f"{RG}/Microsoft.Storage/storageAccounts/expedientesbr"
VAULT = f"{RG}/Microsoft.RecoveryServices/vaults/respaldos"
FRONT_DOOR = f"{RG}/Microsoft.Cdn/profiles/tienda"
VM = f"{RG}/Microsoft.Compute/virtualMachines/caja01"


def _row(resource_id: str, resource_type: str, location: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": resource_id,
        "name": resource_id.rsplit("/", 1)[-1],
        "type": resource_type,
        "location": location,
        "subscriptionId": SUB,
        "resourceGroup": "datos",
        "tags": extra.pop("tags", {}),
        "properties": extra.pop("properties", {}),
        **extra,
    }


def rows() -> list[dict[str, Any]]:
    return [
        _row(
            COSMOS,
            "microsoft.documentdb/databaseaccounts",
            "Mexico Central",
            tags=PERSONAL,
            kind="GlobalDocumentDB",
            properties={
                "locations": [
                    {"locationName": "Mexico Central", "failoverPriority": 0},
                    {"locationName": "South Central US", "failoverPriority": 1},
                ],
                "readLocations": [
                    {"locationName": "Mexico Central"},
                    {"locationName": "South Central US"},
                ],
                "writeLocations": [{"locationName": "Mexico Central"}],
                "backupPolicy": {
                    "type": "Periodic",
                    "periodicModeProperties": {"backupStorageRedundancy": "Local"},
                },
            },
        ),
        _row(SERVER_MX, "microsoft.sql/servers", "mexicocentral"),
        _row(SERVER_TX, "microsoft.sql/servers", "southcentralus"),
        _row(
            DATABASE,
            "microsoft.sql/servers/databases",
            "mexicocentral",
            tags=PERSONAL,
            properties={
                "requestedBackupStorageRedundancy": "Local",
                "defaultSecondaryLocation": "southcentralus",
            },
        ),
        _row(
            f"{SERVER_MX}/failoverGroups/pedidos-fg",
            "microsoft.sql/servers/failovergroups",
            "Mexico Central",
            properties={
                "replicationRole": "Primary",
                "partnerServers": [
                    {
                        "id": SERVER_TX,
                        "location": "South Central US",
                        "replicationRole": "Secondary",
                    }
                ],
                "databases": [DATABASE],
            },
        ),
        _row(
            STORAGE,
            "microsoft.storage/storageaccounts",
            "brazilsouth",
            tags=PERSONAL,
            sku={"name": "Standard_RAGRS", "tier": "Standard"},
            kind="StorageV2",
            properties={"primaryLocation": "brazilsouth"},
        ),
        _row(
            VAULT,
            "microsoft.recoveryservices/vaults",
            "mexicocentral",
            tags=PERSONAL,
            properties={
                "redundancySettings": {
                    "standardTierStorageRedundancy": "LocallyRedundant",
                    "crossRegionRestore": "Disabled",
                }
            },
        ),
        _row(FRONT_DOOR, "microsoft.cdn/profiles", "global", tags=PERSONAL),
        _row(VM, "microsoft.compute/virtualmachines", "mexicocentral", tags=PERSONAL),
    ]
