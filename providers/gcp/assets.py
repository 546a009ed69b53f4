"""Cloud Asset Inventory records to assets: one interpreter per asset type, shared by every
shape the records come in.

``gcloud asset search-all-resources --format=json`` (camelCase ``ResourceSearchResult``s:
``name``, ``assetType``, ``location``, ``labels``), ``gcloud asset export`` / ``list
--content-type=resource`` (snake_case ``asset_type``, ``resource.data``: the resource as its
own API returns it) and the API's camelCase ``Asset`` (``assetType``, ``resource.data``;
``batchGetAssetsHistory`` wraps each in ``asset``) are made one ``Record``. An interpreter
reads where the data is from the resource data (Cloud SQL ``region``/``gceZone``, Spanner
``config``, Firestore ``locationId``, zone URLs, snapshots' ``storageLocations``, Pub/Sub's
storage policy, Secret Manager's replication) and the copies it declares; without resource
data (search results), the record's ``location``. ``global`` or no location is unknown, with
the reason, never home. Asset ids are the full resource names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from sovaudit.model import Asset, Copy, evolve, unknown_location

PROVIDER = "gcp"
NON_REGIONAL = frozenset({"global"})
BIGTABLE_CLUSTER = "bigtableadmin.googleapis.com/Cluster"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def last(value: Any) -> str | None:
    """``https://…/zones/us-central1-a`` or ``projects/p/instanceConfigs/nam3`` -> the last part."""
    text = _text(value)
    return text.rstrip("/").rsplit("/", 1)[-1] if text else None


def zone_region(zone: str) -> str | None:
    """``us-central1-a`` -> ``us-central1``; None for anything that is not a zone."""
    head, _, tail = zone.rpartition("-")
    return head if head.count("-") >= 1 and len(tail) == 1 and tail.isalpha() else None


@dataclasses.dataclass(frozen=True)
class Record:
    """One Cloud Asset Inventory entry, in whichever spelling it came."""

    name: str
    asset_type: str
    location: str | None
    labels: Mapping[str, str]
    data: Mapping[str, Any]
    display_name: str | None
    project: str | None


def records(document: Any) -> Iterator[Record]:
    """Every asset of a search answer, an export, a listing or a history answer."""
    items: Any = document
    if isinstance(document, Mapping):
        body = _mapping(document.get("body")) or document  # a recorded HTTP answer
        items = body.get("results", body.get("assets", ()))
    for item in items if isinstance(items, list) else ():
        item = _mapping(item)
        if isinstance(item.get("asset"), Mapping):  # batchGetAssetsHistory: {window, asset}
            item = item["asset"]
        record = _record(item)
        if record is not None:
            yield record


def is_record(item: Any) -> bool:
    item = _mapping(item)
    if isinstance(item.get("asset"), Mapping):
        item = item["asset"]
    name = _text(item.get("name")) or ""
    kind = _text(item.get("assetType")) or _text(item.get("asset_type")) or ""
    return name.startswith("//") and ".googleapis.com/" in kind


def _record(item: Mapping[str, Any]) -> Record | None:
    if not is_record(item):
        return None
    name = str(item["name"])
    resource = _mapping(item.get("resource"))
    data = _mapping(resource.get("data"))
    labels = item.get("labels") or data.get("labels") or {}
    project = _project(name) or _text(data.get("project"))
    return Record(
        name=name,
        asset_type=str(item.get("assetType") or item.get("asset_type")),
        location=_text(item.get("location")) or _text(resource.get("location")),
        labels={str(k): str(v) for k, v in _mapping(labels).items()},
        data=data,
        display_name=_text(item.get("displayName")) or _text(item.get("display_name")),
        project=project,
    )


def _project(name: str) -> str | None:
    parts = name.split("/")
    for index, part in enumerate(parts[:-1]):
        if part == "projects":
            return parts[index + 1] or None
    return None


@dataclasses.dataclass
class Place:
    region: str | None = None
    zone: str | None = None
    data_locations: tuple[str, ...] = ()
    note: str | None = None
    copies: list[Copy] = dataclasses.field(default_factory=list)


def _generic(record: Record) -> Place:
    where = (
        record.location or _text(record.data.get("location")) or _text(record.data.get("region"))
    )
    if where and where.casefold() not in NON_REGIONAL:
        region = zone_region(where)
        return Place(region=region, zone=where) if region else Place(region=where)
    why = f"location {where!r}" if where else "no location"
    return Place(note=f"Cloud Asset Inventory gives {why} for this {record.asset_type}")


def _bucket(record: Record) -> Place:
    place = _generic(record)
    if place.region:
        place.region = place.region.upper()  # as the Storage API (and the live provider) spell it
    members = _mapping(record.data.get("customPlacementConfig")).get("dataLocations")
    if isinstance(members, list):
        place.data_locations = tuple(str(m).lower() for m in members if isinstance(m, str))
    return place


def _sql(record: Record) -> Place:
    data = record.data
    zone = _text(data.get("gceZone"))
    place = Place(region=_text(data.get("region")) or _generic(record).region, zone=zone)
    backup = _mapping(_mapping(data.get("settings")).get("backupConfiguration"))
    if backup.get("enabled") is True:
        where = _text(backup.get("location"))
        if where:
            place.copies.append(Copy(kind="backup", region=where))
        else:
            note = (
                "Cloud SQL keeps backups in the multi-region nearest the instance unless "
                "settings.backupConfiguration.location names a region"
            )
            place.copies.append(Copy(kind="backup", location=unknown_location(note)))
    return place


def _spanner(record: Record) -> Place:
    config = last(record.data.get("config"))
    if not config:
        return _generic(record)
    return Place(region=config.removeprefix("regional-"))


def _firestore(record: Record) -> Place:
    where = _text(record.data.get("locationId"))
    return Place(region=where) if where else _generic(record)


def _cluster(record: Record) -> Place:
    """A Bigtable cluster: its zone (``projects/p/locations/us-central1-b`` in its data)."""
    zone = record.location or last(record.data.get("location"))
    if zone and zone_region(zone):
        return Place(region=zone_region(zone), zone=zone)
    return _generic(record)


def _zonal(record: Record) -> Place:
    zone = last(record.data.get("zone"))
    if zone:
        return Place(region=zone_region(zone), zone=zone)
    return _generic(record)


def _regional_disk(record: Record) -> Place:
    region = last(record.data.get("region"))
    return Place(region=region) if region else _generic(record)


def _stored(record: Record) -> Place:
    """Snapshots and images: ``storageLocations`` (one fixture writes ``storageLocation``)."""
    data = record.data
    places = data.get("storageLocations", data.get("storageLocation"))
    if isinstance(places, list) and places and isinstance(places[0], str):
        return Place(region=places[0])
    if data:
        return Place(
            note="kept in the multi-region nearest its source unless storageLocations names one"
        )
    return _generic(record)


def _topic(record: Record) -> Place:
    if not record.data:
        return _generic(record)
    policy = _mapping(record.data.get("messageStoragePolicy"))
    regions = [r for r in policy.get("allowedPersistenceRegions") or () if isinstance(r, str)]
    if len(regions) == 1:
        return Place(region=regions[0])
    if not regions:
        why = "no message storage policy: Pub/Sub stores messages in the region of each publisher"
        return Place(note=why)
    return Place(note=f"stored in any of {', '.join(regions)}")


def _secret(record: Record) -> Place:
    if not record.data:
        return _generic(record)
    replication = _mapping(record.data.get("replication"))
    replicas = _mapping(replication.get("userManaged")).get("replicas") or []
    places = [_text(_mapping(r).get("location")) for r in replicas]
    places = [p for p in places if p]
    if not places:
        return Place(
            note="automatic replication: Google chooses the regions it keeps the secret in"
        )
    return Place(region=places[0], copies=[Copy(kind="replica", region=p) for p in places[1:]])


# Asset type -> (service, kind, interpreter). Other types: the API's name, "resource", generic.
TYPES: dict[str, tuple[str, str, Callable[[Record], Place]]] = {
    "storage.googleapis.com/Bucket": ("gcs", "object_store", _bucket),
    "bigquery.googleapis.com/Dataset": ("bigquery", "database", _generic),
    "sqladmin.googleapis.com/Instance": ("cloudsql", "database", _sql),
    "spanner.googleapis.com/Instance": ("spanner", "database", _spanner),
    "firestore.googleapis.com/Database": ("firestore", "database", _firestore),
    "bigtableadmin.googleapis.com/Instance": ("bigtable", "database", _generic),
    BIGTABLE_CLUSTER: ("bigtable", "database", _cluster),
    "alloydb.googleapis.com/Cluster": ("alloydb", "database", _generic),
    "redis.googleapis.com/Instance": ("memorystore", "database", _generic),
    "file.googleapis.com/Instance": ("filestore", "file_store", _generic),
    "compute.googleapis.com/Instance": ("compute", "vm", _zonal),
    "compute.googleapis.com/Disk": ("compute", "disk", _zonal),
    "compute.googleapis.com/RegionDisk": ("compute", "disk", _regional_disk),
    "compute.googleapis.com/Snapshot": ("compute", "snapshot", _stored),
    "compute.googleapis.com/Image": ("compute", "image", _stored),
    "container.googleapis.com/Cluster": ("gke", "cluster", _generic),
    "pubsub.googleapis.com/Topic": ("pubsub", "queue", _topic),
    "secretmanager.googleapis.com/Secret": ("secretmanager", "secret", _secret),
}


def record_asset(record: Record) -> Asset:
    service, kind, interpret = TYPES.get(
        record.asset_type, (record.asset_type.split(".", 1)[0], "resource", _generic)
    )
    place = interpret(record)
    located = place.region or place.zone or place.data_locations
    return Asset(
        id=record.name,
        provider=PROVIDER,
        location=unknown_location(place.note) if not located and place.note else unknown_location(),
        service=service,
        kind=kind,
        name=record.display_name
        or _text(record.data.get("name"))
        or record.name.rsplit("/", 1)[-1],
        account=record.project,
        region=place.region,
        zone=place.zone,
        data_locations=place.data_locations,
        copies=tuple(place.copies),
        tags=MappingProxyType(dict(record.labels)),
        attributes=MappingProxyType({"asset_type": record.asset_type}),
    )


def _clusters(listed: list[Record], assets: dict[str, Asset]) -> None:
    """A Bigtable instance's data is in each of its clusters: the first places the instance
    (Cloud Asset gives the instance itself no location), the others are replicas. A cluster
    whose instance is not in the export stays an asset of its own."""
    for record in listed:
        if record.asset_type != BIGTABLE_CLUSTER:
            continue
        parent = record.name.rsplit("/clusters/", 1)[0]
        instance = assets.get(parent)
        cluster = assets.get(record.name)
        if instance is None or cluster is None:
            continue
        del assets[record.name]
        region = cluster.region
        if instance.region is None and instance.zone is None:
            assets[parent] = evolve(
                instance, region=region, zone=cluster.zone, location=unknown_location()
            )
        elif region and region != instance.region:
            copy = Copy(kind="replica", region=region, target=record.name)
            assets[parent] = evolve(instance, copies=(*instance.copies, copy))


def assets_from_records(items: Iterable[Record]) -> list[Asset]:
    """Every record as an asset, each once, then the copies one record declares of another
    (a Cloud SQL replica of its primary: the replica is its own asset too; a Bigtable
    instance's clusters)."""
    listed = list(items)
    assets: dict[str, Asset] = {}
    for record in listed:
        assets.setdefault(record.name, record_asset(record))
    _clusters(listed, assets)
    sql = {
        (r.project, _text(r.data.get("name"))): r.name
        for r in listed
        if r.asset_type == "sqladmin.googleapis.com/Instance"
    }
    for record in listed:
        master = _text(record.data.get("masterInstanceName"))
        if record.asset_type != "sqladmin.googleapis.com/Instance" or not master:
            continue
        project, _, name = master.rpartition(":")  # "project:instance" or "instance"
        primary = sql.get((project or record.project, name))
        replica = assets[record.name]
        if primary and primary != record.name and replica.region:
            source = assets[primary]
            copy = Copy(kind="read-replica", region=replica.region, target=record.name)
            assets[primary] = evolve(source, copies=(*source.copies, copy))
    return list(assets.values())
