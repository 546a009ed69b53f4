"""The copies one Azure resource's own properties declare, one interpreter per resource type.

Each interpreter reads a Resource Graph row (rows.py) and says where copies of the
resource's data are kept: a Cosmos DB account's other regions, geo-redundant backups of a SQL
database, a flexible server or a Recovery Services vault (kept in the region's pair, which no
property names: the catalogue's ``paired_region`` does; a region without a pair, such as Mexico
Central, gives a copy of unknown location, never home), a storage account's GRS secondary.
Copies another resource declares (failover groups, replicas) are links.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sovaudit.locate.catalogue import lookup_key
from sovaudit.model import Copy, unknown_location

# The region's pair, from the catalogue (None when it has none or the region is unknown).
Paired = Callable[[str], "str | None"]
GEO_REDUNDANT = frozenset({"geo", "geozone", "georedundant", "geozoneredundant"})
GRS_SKUS = ("GRS", "GZRS")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def paired_copy(kind: str, location: str | None, paired: Paired, why: str) -> Copy:
    pair = paired(location) if location else None
    if pair:
        return Copy(kind=kind, region=pair)
    where = location or "its region"
    note = f"{why}, but {where} has no paired region: Azure keeps the copy elsewhere or refuses"
    return Copy(kind=kind, location=unknown_location(note))


def _backups(row: Mapping[str, Any], paired: Paired, why: str) -> Copy:
    """A geo-redundant backup of the resource, in its region's pair."""
    return paired_copy("backup", _text(row.get("location")), paired, why)


def storage(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    """A GRS/GZRS account's secondary, when the listing does not name it (``az resource
    list`` carries no properties; the storage API's ``secondaryLocation`` is read elsewhere)."""
    sku = (_text(_mapping(row.get("sku")).get("name")) or "").upper()
    properties = _mapping(row.get("properties"))
    if sku.endswith(GRS_SKUS) and not _text(properties.get("secondaryLocation")):
        yield paired_copy(
            "secondary",
            _text(row.get("location")),
            paired,
            f"{sku} keeps a copy in the paired region",
        )


def cosmos(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    """Every region of the account other than its own holds a replica; periodic backups on
    geo-redundant storage are kept in the paired region."""
    properties = _mapping(row.get("properties"))
    home = lookup_key(_text(row.get("location")) or "")
    seen = {home}
    for key in ("locations", "writeLocations", "readLocations"):
        for entry in properties.get(key) or ():
            where = _text(_mapping(entry).get("locationName"))
            if where and lookup_key(where) not in seen:
                seen.add(lookup_key(where))
                yield Copy(kind="replica", region=where)
    backup = _mapping(_mapping(properties.get("backupPolicy")).get("periodicModeProperties"))
    redundancy = (_text(backup.get("backupStorageRedundancy")) or "").casefold()
    if redundancy in GEO_REDUNDANT:
        yield _backups(row, paired, "geo-redundant backups are kept in the paired region")


def sql_database(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    """Backups on geo-redundant storage (``Geo``, ``GeoZone``) are kept in the paired region.
    ``defaultSecondaryLocation`` is only where a geo-replica *could* go: not a copy."""
    properties = _mapping(row.get("properties"))
    redundancy = _text(properties.get("currentBackupStorageRedundancy")) or _text(
        properties.get("requestedBackupStorageRedundancy")
    )
    if (redundancy or "").casefold() in GEO_REDUNDANT:
        yield _backups(
            row, paired, f"{redundancy} backup storage keeps backups in the paired region"
        )


def flexible_server(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    backup = _mapping(_mapping(row.get("properties")).get("backup"))
    if (_text(backup.get("geoRedundantBackup")) or "").casefold() == "enabled":
        yield _backups(row, paired, "geo-redundant backups are kept in the paired region")


def recovery_vault(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    properties = _mapping(row.get("properties"))
    settings = _mapping(properties.get("redundancySettings"))
    redundancy = _text(settings.get("standardTierStorageRedundancy"))
    if (redundancy or "").casefold() in GEO_REDUNDANT:
        why = "a GeoRedundant vault keeps backups in the paired region"
        if (_text(settings.get("crossRegionRestore")) or "").casefold() == "enabled":
            why += " (cross-region restore is enabled)"
        yield _backups(row, paired, why)


def backup_vault(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    for setting in _mapping(row.get("properties")).get("storageSettings") or ():
        if (_text(_mapping(setting).get("type")) or "").casefold() in GEO_REDUNDANT:
            yield _backups(
                row, paired, "a GeoRedundant backup vault keeps backups in the paired region"
            )
            return


def key_vault(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    yield paired_copy(
        "secondary",
        _text(row.get("location")),
        paired,
        "Key Vault replicates its contents to the paired region",
    )


def geo_replicated_namespace(row: Mapping[str, Any], paired: Paired) -> Iterable[Copy]:
    """Event Hubs / Service Bus geo-replication: every region of the namespace but its own."""
    replication = _mapping(_mapping(row.get("properties")).get("geoDataReplication"))
    home = lookup_key(_text(row.get("location")) or "")
    for entry in replication.get("locations") or ():
        where = _text(_mapping(entry).get("locationName"))
        if where and lookup_key(where) != home:
            yield Copy(kind="replica", region=where)


# Resource type (case-folded) -> its interpreter.
INTERPRETERS: dict[str, Callable[[Mapping[str, Any], Paired], Iterable[Copy]]] = {
    "microsoft.storage/storageaccounts": storage,
    "microsoft.documentdb/databaseaccounts": cosmos,
    "microsoft.sql/servers/databases": sql_database,
    "microsoft.dbforpostgresql/flexibleservers": flexible_server,
    "microsoft.dbformysql/flexibleservers": flexible_server,
    "microsoft.recoveryservices/vaults": recovery_vault,
    "microsoft.dataprotection/backupvaults": backup_vault,
    "microsoft.keyvault/vaults": key_vault,
    "microsoft.eventhub/namespaces": geo_replicated_namespace,
    "microsoft.servicebus/namespaces": geo_replicated_namespace,
}


def own_copies(row: Mapping[str, Any], paired: Paired) -> list[Copy]:
    interpreter = INTERPRETERS.get(str(row.get("type") or "").casefold())
    return list(interpreter(row, paired)) if interpreter is not None else []
