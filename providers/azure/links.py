"""Copies one Azure resource declares of another: failover groups, replicas, DR pairings.

- A SQL failover group (``Microsoft.Sql/servers/failoverGroups``) lists its databases and its
  partner servers, with their locations: every database (and the server) has a ``replica``
  in each partner's region.
- A geo-secondary SQL database (``secondaryType: Geo``) names its ``sourceDatabaseId``; a
  flexible server replica its ``sourceServerResourceId``: the source has a copy where the
  replica is (the replica is an asset of its own too).
- An Event Hubs / Service Bus disaster-recovery pairing names its ``partnerNamespace``; a
  storage object-replication policy its source and destination accounts; an App
  Configuration replica is a child of its store.

Rows that only declare a link are not assets. Ids are compared case-insensitively, as ARM does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sovaudit.model import Asset, Copy, evolve, unknown_location

LINK_TYPES = frozenset(
    {
        "microsoft.sql/servers/failovergroups",
        "microsoft.eventhub/namespaces/disasterrecoveryconfigs",
        "microsoft.servicebus/namespaces/disasterrecoveryconfigs",
        "microsoft.storage/storageaccounts/objectreplicationpolicies",
        "microsoft.appconfiguration/configurationstores/replicas",
    }
)
_REPLICA_ROLES = frozenset({"replica", "asyncreplica", "geoasyncreplica"})


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _parent(resource_id: str, levels: int = 2) -> str:
    """``/…/servers/s/failoverGroups/g`` -> ``/…/servers/s``."""
    return "/".join(resource_id.rstrip("/").split("/")[:-levels])


class Estate:
    """The assets of one listing by case-folded id, for links to add copies to."""

    def __init__(self, assets: Mapping[str, Asset]) -> None:
        self.assets = dict(assets)

    def get(self, resource_id: str | None) -> Asset | None:
        return self.assets.get(resource_id.casefold()) if resource_id else None

    def add_copy(self, resource_id: str | None, copy: Copy) -> None:
        asset = self.get(resource_id)
        if asset is None or any(
            c.target
            and c.target.casefold() == (copy.target or "").casefold()
            and c.kind == copy.kind
            for c in asset.copies
        ):
            return
        self.assets[asset.id.casefold()] = evolve(asset, copies=(*asset.copies, copy))

    def copy_at(self, kind: str, target_id: str | None, location: str | None = None) -> Copy:
        """A copy held by ``target_id``: in its location when it is listed, else in the
        location the link gives, else unknown (never home)."""
        target = self.get(target_id)
        where = (target.region if target is not None else None) or location
        if where:
            return Copy(kind=kind, region=where, target=target_id)
        note = f"{target_id} is not in this listing and the link gives no location"
        return Copy(kind=kind, target=target_id, location=unknown_location(note))


def failover_group(row: Mapping[str, Any], estate: Estate) -> None:
    properties = _mapping(row.get("properties"))
    server = _parent(str(row.get("id") or ""))
    for partner in properties.get("partnerServers") or ():
        partner = _mapping(partner)
        if (_text(partner.get("replicationRole")) or "").casefold() == "primary":
            continue  # seen from the secondary's side: the copy is this server's own data
        copy = estate.copy_at("replica", _text(partner.get("id")), _text(partner.get("location")))
        estate.add_copy(server, copy)
        for database in properties.get("databases") or ():
            if isinstance(database, str):
                name = database.rstrip("/").rsplit("/", 1)[-1]
                partner_db = f"{copy.target}/databases/{name}" if copy.target else None
                estate.add_copy(
                    database,
                    Copy(
                        kind="replica",
                        region=copy.region,
                        target=partner_db,
                        location=copy.location,
                    ),
                )


def replicas(row: Mapping[str, Any], estate: Estate) -> None:
    """A geo-secondary database or a flexible server replica: its source has the copy."""
    properties = _mapping(row.get("properties"))
    resource_id = _text(row.get("id"))
    source = None
    if (_text(properties.get("secondaryType")) or "").casefold() == "geo":
        source = _text(properties.get("sourceDatabaseId"))
    elif (_text(properties.get("replicationRole")) or "").casefold() in _REPLICA_ROLES:
        source = _text(properties.get("sourceServerResourceId"))
    if source and resource_id and source.casefold() != resource_id.casefold():
        kind = "replica" if "/databases/" in resource_id.casefold() else "read-replica"
        estate.add_copy(source, estate.copy_at(kind, resource_id, _text(row.get("location"))))


def dr_pairing(row: Mapping[str, Any], estate: Estate) -> None:
    partner = _text(_mapping(row.get("properties")).get("partnerNamespace"))
    role = (_text(_mapping(row.get("properties")).get("role")) or "").casefold()
    if partner and role != "secondary":
        estate.add_copy(_parent(str(row.get("id") or "")), estate.copy_at("replica", partner))


def object_replication(row: Mapping[str, Any], estate: Estate) -> None:
    properties = _mapping(row.get("properties"))
    source = _text(properties.get("sourceAccount"))
    destination = _text(properties.get("destinationAccount"))
    account = _parent(str(row.get("id") or ""))
    if source and destination and source.startswith("/"):
        estate.add_copy(source, estate.copy_at("replica", destination))
    elif (
        destination and destination.startswith("/") and destination.casefold() != account.casefold()
    ):
        estate.add_copy(account, estate.copy_at("replica", destination))


def app_configuration_replica(row: Mapping[str, Any], estate: Estate) -> None:
    estate.add_copy(
        _parent(str(row.get("id") or "")),
        Copy(kind="replica", region=_text(row.get("location")), target=_text(row.get("id"))),
    )


LINKS = {
    "microsoft.sql/servers/failovergroups": failover_group,
    "microsoft.sql/servers/databases": replicas,
    "microsoft.dbforpostgresql/flexibleservers": replicas,
    "microsoft.dbformysql/flexibleservers": replicas,
    "microsoft.eventhub/namespaces/disasterrecoveryconfigs": dr_pairing,
    "microsoft.servicebus/namespaces/disasterrecoveryconfigs": dr_pairing,
    "microsoft.storage/storageaccounts/objectreplicationpolicies": object_replication,
    "microsoft.appconfiguration/configurationstores/replicas": app_configuration_replica,
}


def link(row: Mapping[str, Any], estate: Estate) -> None:
    linker = LINKS.get(str(row.get("type") or "").casefold())
    if linker is not None:
        linker(row, estate)
