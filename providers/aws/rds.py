"""RDS: DB instances and clusters, with the read replicas and backups they keep elsewhere.

A cross-region read replica, a replicated automated backup and an Aurora global database's
secondary cluster are full copies of the data in another region, often another country: peer
tools praise them as resilience, here they are transfers. RDS names a cross-region replica by
its ARN and a same-region one by its bare identifier; both become a ``Copy`` with the region
the locator will place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sovaudit.model import Asset, Copy
from sovaudit.providers.aws.scope import AwsScope, arn_region, pages

PROVIDER = "aws"
SERVICE = "rds"
# What collect() calls, as IAM actions, for the least-privilege policy. ListTagsForResource
# only for answers without TagList; DescribeGlobalClusters only when a cluster is in one.
IAM_ACTIONS = (
    "rds:DescribeDBInstances",
    "rds:DescribeDBClusters",
    "rds:DescribeGlobalClusters",
    "rds:ListTagsForResource",
)


def collect(scope: AwsScope) -> Iterator[Asset]:
    """Every DB instance and DB cluster in the scope's region."""
    client = scope.client("rds")
    yield from _instances(scope, client)
    yield from _clusters(scope, client)


def _tag_map(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    return {tag["Key"]: tag.get("Value", "") for tag in tags or ()}


def _tags(client: Any, resource: Mapping[str, Any], arn: str) -> dict[str, str]:
    """Tags from the description; older API answers lack ``TagList``, so ask for them then."""
    if "TagList" in resource:
        return _tag_map(resource["TagList"])
    return _tag_map(client.list_tags_for_resource(ResourceName=arn).get("TagList"))


def _replica_copy(scope: AwsScope, identifier: str, resource: str) -> Copy:
    """A read replica named by ARN (another region) or by bare identifier (this region)."""
    if identifier.startswith("arn:"):
        return Copy(kind="read-replica", region=arn_region(identifier), target=identifier)
    return Copy(
        kind="read-replica",
        region=scope.region,
        target=scope.arn(SERVICE, f"{resource}:{identifier}"),
    )


def _instances(scope: AwsScope, client: Any) -> Iterator[Asset]:
    for instance in pages(client, "describe_db_instances", "DBInstances"):
        yield _instance_asset(scope, client, instance)


def instance_copies(scope: AwsScope, instance: Mapping[str, Any]) -> tuple[Copy, ...]:
    """Read replicas (instance and Aurora cluster ones) and replicated automated backups."""
    copies = [
        _replica_copy(scope, r, "db") for r in instance.get("ReadReplicaDBInstanceIdentifiers", ())
    ]
    copies += [
        _replica_copy(scope, r, "cluster")
        for r in instance.get("ReadReplicaDBClusterIdentifiers", ())
    ]
    for replication in instance.get("DBInstanceAutomatedBackupsReplications", ()):
        arn = replication.get("DBInstanceAutomatedBackupsArn")
        if arn:
            copies.append(Copy(kind="backup", region=arn_region(arn), target=arn))
    return tuple(copies)


def _instance_asset(scope: AwsScope, client: Any, instance: Mapping[str, Any]) -> Asset:
    arn = instance["DBInstanceArn"]
    attributes: dict[str, Any] = {
        "engine": instance.get("Engine"),
        "allocated_storage_gib": instance.get("AllocatedStorage"),
        "multi_az": instance.get("MultiAZ"),
        "secondary_zone": instance.get("SecondaryAvailabilityZone"),
    }
    if instance.get("ReadReplicaSourceDBInstanceIdentifier"):
        attributes["replica_of"] = instance["ReadReplicaSourceDBInstanceIdentifier"]
    if instance.get("DBClusterIdentifier"):
        # An Aurora member: its data is the cluster's storage, reported on the cluster asset.
        attributes["cluster"] = instance["DBClusterIdentifier"]
    return Asset(
        id=arn,
        provider=PROVIDER,
        service=SERVICE,
        kind="database",
        name=instance.get("DBInstanceIdentifier"),
        account=scope.account_id,
        region=scope.region,
        zone=instance.get("AvailabilityZone"),
        copies=instance_copies(scope, instance),
        tags=_tags(client, instance, arn),
        attributes={k: v for k, v in attributes.items() if v is not None},
    )


def _clusters(scope: AwsScope, client: Any) -> Iterator[Asset]:
    clusters = list(pages(client, "describe_db_clusters", "DBClusters"))
    global_members = (
        _global_members(client) if any(c.get("GlobalClusterIdentifier") for c in clusters) else {}
    )
    for cluster in clusters:
        yield _cluster_asset(scope, client, cluster, global_members)


def _global_members(client: Any) -> dict[str, list[str]]:
    """Aurora global database id and ARN -> ARNs of its member clusters, in every region.

    Asked only when a cluster belongs to one: the other regions' clusters of a global
    database are copies, yet they appear in no ``ReadReplicaIdentifiers``. Keyed by ARN as
    well as id because a cluster's ``GlobalClusterIdentifier`` has been seen holding either.
    """
    members: dict[str, list[str]] = {}
    for global_cluster in pages(client, "describe_global_clusters", "GlobalClusters"):
        arns = [
            m["DBClusterArn"]
            for m in global_cluster.get("GlobalClusterMembers", ())
            if "DBClusterArn" in m
        ]
        for key in ("GlobalClusterIdentifier", "GlobalClusterArn"):
            if global_cluster.get(key):
                members[global_cluster[key]] = arns
    return members


def cluster_copies(
    scope: AwsScope, cluster: Mapping[str, Any], global_members: Mapping[str, list[str]]
) -> tuple[Copy, ...]:
    """Cross-region read replica clusters and the other members of its global database."""
    copies = [_replica_copy(scope, r, "cluster") for r in cluster.get("ReadReplicaIdentifiers", ())]
    seen = {copy.target for copy in copies}
    for member in global_members.get(cluster.get("GlobalClusterIdentifier", ""), ()):
        if member != cluster["DBClusterArn"] and member not in seen:
            copies.append(Copy(kind="replica", region=arn_region(member), target=member))
    return tuple(copies)


def _cluster_asset(
    scope: AwsScope,
    client: Any,
    cluster: Mapping[str, Any],
    global_members: Mapping[str, list[str]],
) -> Asset:
    arn = cluster["DBClusterArn"]
    attributes: dict[str, Any] = {
        "engine": cluster.get("Engine"),
        "availability_zones": list(cluster.get("AvailabilityZones", ())),
        "global_cluster": cluster.get("GlobalClusterIdentifier"),
        "replica_of": cluster.get("ReplicationSourceIdentifier"),
    }
    return Asset(
        id=arn,
        provider=PROVIDER,
        service=SERVICE,
        kind="database",
        name=cluster.get("DBClusterIdentifier"),
        account=scope.account_id,
        region=scope.region,
        copies=cluster_copies(scope, cluster, global_members),
        tags=_tags(client, cluster, arn),
        attributes={k: v for k, v in attributes.items() if v},
    )
