"""Google Cloud resource types (hashicorp/google, google-beta).

A resource is where its ``location``, ``region`` or ``zone`` says, else its provider's region
or zone. A BigQuery dataset with no location is created in the ``US`` multi-region (the
API's default). Copies: a bucket's ``custom_placement_config`` (a configurable dual-region:
the locator makes one copy per member), Cloud SQL read replicas (``master_instance_name``:
the replica is its own asset, the primary gets the copy) and backups (kept in the multi-region
nearest the instance unless ``backup_configuration.location`` names one), Bigtable clusters,
and Secret Manager user-managed replicas.
"""

from __future__ import annotations

from collections.abc import Iterable

from sovaudit.inputs.terraform.document import Instance
from sovaudit.inputs.terraform.resources import (
    Context,
    Draft,
    Drafts,
    Spec,
    blocks,
    first_block,
    text,
    zone_region,
)
from sovaudit.model import Copy, unknown_location

PROVIDER = "gcp"
_LOCATION = ("region", "location")
_REGION = ("region", "region")
_ZONE = ("zone", "zone")


def _bucket_members(instance: Instance) -> tuple[str, ...]:
    placement = first_block(instance.values, "custom_placement_config")
    members = placement.get("data_locations")
    if isinstance(members, list):
        return tuple(str(m).lower() for m in members if isinstance(m, str))
    return ()


def _sql_backups(item: Draft, context: Context) -> Iterable[Copy]:
    settings = first_block(item.instance.values, "settings")
    backup = first_block(settings, "backup_configuration")
    if backup.get("enabled") is not True:
        return
    where = text(backup.get("location"))
    if where:
        yield Copy(kind="backup", region=where)
        return
    note = (
        "Cloud SQL keeps backups in the multi-region nearest the instance unless "
        "settings.backup_configuration.location names a region"
    )
    yield Copy(kind="backup", location=unknown_location(note))


def _bigtable_clusters(item: Draft, context: Context) -> Iterable[Copy]:
    for cluster in blocks(item.instance.values.get("cluster"))[1:]:
        zone = text(cluster.get("zone"))
        if zone:
            yield Copy(
                kind="replica",
                region=zone_region(PROVIDER, zone),
                target=text(cluster.get("cluster_id")),
            )


def _secret_replicas(item: Draft, context: Context) -> Iterable[Copy]:
    replication = first_block(item.instance.values, "replication")
    managed = first_block(replication, "user_managed")
    for replica in blocks(managed.get("replicas"))[1:]:
        where = text(replica.get("location"))
        if where:
            yield Copy(kind="replica", region=where)


TYPES: dict[str, Spec] = {
    "google_storage_bucket": Spec(
        "gcs", "object_store", (_LOCATION,), data_locations=_bucket_members
    ),
    "google_bigquery_dataset": Spec(
        "bigquery", "database", (_LOCATION,), names=("dataset_id",), default_region="US"
    ),
    "google_sql_database_instance": Spec("cloudsql", "database", (_REGION,), copies=_sql_backups),
    "google_spanner_instance": Spec("spanner", "database", (("region", "config"),)),
    "google_firestore_database": Spec("firestore", "database", (("region", "location_id"),)),
    "google_bigtable_instance": Spec("bigtable", "database", (), copies=_bigtable_clusters),
    "google_alloydb_cluster": Spec("alloydb", "database", (_LOCATION,), names=("cluster_id",)),
    "google_redis_instance": Spec("memorystore", "database", (_REGION,)),
    "google_filestore_instance": Spec("filestore", "file_store", (_LOCATION, _ZONE)),
    "google_compute_instance": Spec("compute", "vm", (_ZONE,)),
    "google_compute_disk": Spec("compute", "disk", (_ZONE,)),
    "google_compute_region_disk": Spec("compute", "disk", (_REGION,)),
    "google_compute_snapshot": Spec("compute", "snapshot", (("region", "storage_locations"),)),
    "google_compute_image": Spec("compute", "image", (("region", "storage_locations"),)),
    "google_container_cluster": Spec("gke", "cluster", (_LOCATION, _ZONE, _REGION)),
    "google_pubsub_topic": Spec("pubsub", "queue", ()),
    "google_secret_manager_secret": Spec(
        "secretmanager", "secret", (), names=("secret_id",), copies=_secret_replicas
    ),
}
LINKS: frozenset[str] = frozenset()


def _first_zone_or_region(item: Draft) -> None:
    """Bigtable's first cluster, Pub/Sub's storage policy, Secret Manager's first replica,
    a snapshot's storage location: places written inside blocks or lists."""
    values = item.instance.values
    kind = item.instance.type
    if kind == "google_bigtable_instance":
        clusters = blocks(values.get("cluster"))
        zone = text(clusters[0].get("zone")) if clusters else None
        if zone:
            item.zone, item.region, item.note = zone, zone_region(PROVIDER, zone), None
    elif kind == "google_pubsub_topic":
        policy = first_block(values, "message_storage_policy")
        regions = [r for r in policy.get("allowed_persistence_regions") or () if isinstance(r, str)]
        if len(regions) == 1:
            item.region, item.zone, item.note = regions[0], None, None
        else:
            item.region = item.zone = None
            item.note = (
                "no message storage policy: Pub/Sub stores messages in the region of each publisher"
                if not regions
                else f"stored in any of {', '.join(regions)}"
            )
    elif kind == "google_secret_manager_secret":
        replication = first_block(values, "replication")
        replicas = blocks(first_block(replication, "user_managed").get("replicas"))
        where = text(replicas[0].get("location")) if replicas else None
        item.zone = None
        if where:
            item.region, item.note = where, None
        else:
            item.region = None
            item.note = "automatic replication: Google chooses the regions it keeps the secret in"
    elif kind in ("google_compute_snapshot", "google_compute_image"):
        locations = values.get("storage_locations")
        if isinstance(locations, list) and locations and isinstance(locations[0], str):
            item.region, item.zone, item.note = locations[0], None, None
        else:
            item.region = item.zone = None
            item.note = (
                "kept in the multi-region nearest its source unless storage_locations names one"
            )


def link(drafts: Drafts, context: Context) -> None:
    for item in drafts.of_type(
        "google_bigtable_instance",
        "google_pubsub_topic",
        "google_secret_manager_secret",
        "google_compute_snapshot",
        "google_compute_image",
    ):
        _first_zone_or_region(item)
    for item in drafts.all:
        if item.instance.type.startswith("google_"):
            item.account = text(item.instance.known("project"))
            if item.region and item.instance.type == "google_storage_bucket":
                item.region = item.region.upper()  # as the API (and the live provider) spell it
            elif item.region and item.instance.type == "google_spanner_instance":
                # regional-us-central1 is a region; nam3, nam-eur-asia1 are multi-region configs
                item.region = item.region.removeprefix("regional-")
    for replica in drafts.of_type("google_sql_database_instance"):
        master = text(replica.instance.known("master_instance_name"))
        found = drafts.referenced(
            replica.instance,
            replica.instance.references("master_instance_name"),
            "google_sql_database_instance",
        )
        source = (
            found[0] if len(found) == 1 else drafts.named("google_sql_database_instance", master)
        )
        if source is not None and source is not replica:
            source.copy_to("read-replica", replica)
