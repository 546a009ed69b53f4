"""Azure resource types (hashicorp/azurerm).

Every azurerm resource names its own ``location``; the provider has none, so a location
known only at apply time (taken from a data source, say) is unknown. A SQL database is where
its server is. Copies the plan declares: geo-redundant storage (``account_replication_type``
GRS, RA-GRS, GZRS, RA-GZRS: the secondary is the region's pair, which the plan never names;
Mexico Central has none), Cosmos DB ``geo_location`` regions, SQL failover groups and geo-
secondaries, SQL backups on geo-redundant storage (the default), PostgreSQL/MySQL flexible
servers' geo-redundant backups and read replicas, Key Vault (its contents are replicated to
the paired region), and Recovery Services / Backup vaults kept geo-redundant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sovaudit.inputs.terraform.resources import (
    Context,
    Draft,
    Drafts,
    Spec,
    blocks,
    text,
)
from sovaudit.locate.catalogue import lookup_key
from sovaudit.model import Copy
from sovaudit.providers.azure.copies import paired_copy

PROVIDER = "azure"
_LOCATION = ("region", "location")
GEO_REDUNDANT_SKUS = frozenset({"GRS", "RAGRS", "GZRS", "RAGZRS"})


def _paired(item: Draft, context: Context, kind: str, why: str) -> Copy:
    """A copy in the region's pair; unknown (never home) when the region has none."""
    return paired_copy(kind, item.region, lambda code: context.paired_region(PROVIDER, code), why)


def _storage_copies(item: Draft, context: Context) -> Iterable[Copy]:
    sku = (text(item.instance.known("account_replication_type")) or "").upper()
    if sku in GEO_REDUNDANT_SKUS:
        yield _paired(item, context, "secondary", f"{sku} keeps a copy in the paired region")


def _when(
    key: str, values: frozenset[object], kind: str, why: str, default: object = None
) -> Callable[[Draft, Context], Iterable[Copy]]:
    def copies(item: Draft, context: Context) -> Iterable[Copy]:
        value = item.instance.known(key)
        if value is None and not item.instance.is_unknown(key):
            value = default
        if value in values:
            yield _paired(item, context, kind, why)

    return copies


def _cosmos_regions(item: Draft, context: Context) -> Iterable[Copy]:
    home = lookup_key(item.region or "")
    for block in blocks(item.instance.values.get("geo_location")):
        where = text(block.get("location"))
        if where and lookup_key(where) != home:
            yield Copy(kind="replica", region=where)


_SQL_BACKUPS = _when(
    "storage_account_type",
    frozenset({"Geo", "GeoZone"}),
    "backup",
    "SQL backups on geo-redundant storage (the default) are kept in the paired region",
    default="Geo",
)

_GEO_BACKUPS = _when(
    "geo_redundant_backup_enabled",
    frozenset({True}),
    "backup",
    "geo-redundant backups are kept in the paired region",
)


def _key_vault_copies(item: Draft, context: Context) -> Iterable[Copy]:
    yield _paired(
        item, context, "secondary", "Key Vault replicates its contents to the paired region"
    )


def _at(
    service: str, kind: str, copies: Callable[[Draft, Context], Iterable[Copy]] | None = None
) -> Spec:
    """A type placed by its own ``location`` (the azurerm provider has no region)."""
    return Spec(service, kind, (_LOCATION,), uses_provider_region=False, copies=copies)


TYPES: dict[str, Spec] = {
    "azurerm_storage_account": _at("storage", "object_store", _storage_copies),
    "azurerm_cosmosdb_account": _at("cosmosdb", "database", _cosmos_regions),
    "azurerm_mssql_server": _at("sql", "database"),
    # Where its server is (linked below); its backups need that place too.
    "azurerm_mssql_database": Spec(
        "sql", "database", uses_provider_region=False, inherit="server_id"
    ),
    "azurerm_sql_database": _at("sql", "database"),
    "azurerm_mssql_managed_instance": _at("sql", "database"),
    "azurerm_postgresql_flexible_server": _at("postgresql", "database", _GEO_BACKUPS),
    "azurerm_mysql_flexible_server": _at("mysql", "database", _GEO_BACKUPS),
    "azurerm_key_vault": _at("keyvault", "secret", _key_vault_copies),
    "azurerm_recovery_services_vault": _at(
        "recoveryservices",
        "backup",
        _when(
            "storage_mode_type",
            frozenset({"GeoRedundant"}),
            "backup",
            "a GeoRedundant vault (the default) keeps backups in the paired region",
            default="GeoRedundant",
        ),
    ),
    "azurerm_data_protection_backup_vault": _at(
        "dataprotection",
        "backup",
        _when(
            "redundancy",
            frozenset({"GeoRedundant"}),
            "backup",
            "a GeoRedundant backup vault keeps backups in the paired region",
        ),
    ),
    "azurerm_linux_virtual_machine": _at("compute", "vm"),
    "azurerm_windows_virtual_machine": _at("compute", "vm"),
    "azurerm_virtual_machine": _at("compute", "vm"),
    "azurerm_managed_disk": _at("compute", "disk"),
    "azurerm_snapshot": _at("compute", "snapshot"),
    "azurerm_redis_cache": _at("redis", "database"),
    "azurerm_kubernetes_cluster": _at("aks", "cluster"),
    "azurerm_eventhub_namespace": _at("eventhub", "queue"),
    "azurerm_servicebus_namespace": _at("servicebus", "queue"),
    "azurerm_app_configuration": _at("appconfig", "database"),
}
LINKS = frozenset({"azurerm_mssql_failover_group", "azurerm_sql_failover_group"})
_SERVERS = ("azurerm_mssql_server", "azurerm_sql_server")


def _inherit_server(drafts: Drafts) -> None:
    for database in drafts.of_type("azurerm_mssql_database"):
        found = drafts.referenced(
            database.instance, database.instance.references("server_id"), *_SERVERS
        )
        if len(found) == 1 and found[0].region:
            database.region, database.note = found[0].region, None
        elif database.region is None:
            database.note = "its server (server_id) is not in this plan; its location is not known"


def _failover_groups(drafts: Drafts) -> None:
    for group in drafts.links("azurerm_mssql_failover_group"):
        expressions = group.instance.config.expressions if group.instance.config else {}
        partner_refs: list[str] = []
        for block in blocks(expressions.get("partner_server")):
            partner_refs.extend(block.get("id", {}).get("references") or ())
        partners = drafts.referenced(group.instance, partner_refs, *_SERVERS)
        databases = drafts.referenced(
            group.instance, group.instance.references("databases"), "azurerm_mssql_database"
        )
        for database in databases:
            for partner in partners:
                database.copy_to("replica", partner)


def _geo_secondaries(drafts: Drafts) -> None:
    for secondary in drafts.of_type("azurerm_mssql_database"):
        if text(secondary.instance.known("create_mode")) not in ("Secondary", "OnlineSecondary"):
            continue
        found = drafts.referenced(
            secondary.instance,
            secondary.instance.references("creation_source_database_id"),
            "azurerm_mssql_database",
        )
        if len(found) == 1 and found[0] is not secondary:
            found[0].copy_to("replica", secondary)
    for kind in ("azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server"):
        for replica in drafts.of_type(kind):
            found = drafts.referenced(
                replica.instance, replica.instance.references("source_server_id"), kind
            )
            if len(found) == 1 and found[0] is not replica:
                found[0].copy_to("read-replica", replica)


def link(drafts: Drafts, context: Context) -> None:
    _inherit_server(drafts)
    for database in drafts.of_type("azurerm_mssql_database"):  # backups need the server's place
        database.copies.extend(_SQL_BACKUPS(database, context))
    _failover_groups(drafts)
    _geo_secondaries(drafts)
