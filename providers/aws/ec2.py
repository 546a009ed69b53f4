"""EC2: instances, EBS volumes and EBS snapshots, and the snapshot copies kept in other regions.

Instances and volumes carry their availability zone as well as their region: a zone such as
``us-east-1-qro-1a`` is a Local Zone in Querétaro although its region is Virginia's, and only
the zone says so. Snapshots live in their region (EBS keeps Local Zone snapshots in the
parent region). A snapshot copied to another region is a copy of the data somewhere else;
EC2 records the source only in the copy's description, so the copy says where it came from
(``copied_from``) and ``link_snapshot_copies`` turns that, once every region has been read,
into a ``Copy`` on the source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sovaudit.model import Asset, Copy, evolve
from sovaudit.providers.aws.scope import AwsScope, pages

PROVIDER = "aws"
SERVICE = "ec2"
SNAPSHOT_COPY_KIND = "backup"
# What collect() calls, as IAM actions, for the least-privilege policy.
IAM_ACTIONS = ("ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeSnapshots")

# CopySnapshot's default description: "[Copied snap-0123 from us-east-1]".
_COPIED_SNAPSHOT = re.compile(r"\[Copied (snap-[0-9a-f]+) from ([a-z0-9-]+)\]")
# CopyImage's: "Copied for DestinationAmi ami-1 from SourceAmi ami-2 for SourceSnapshot snap-3.
# Task created on ..." It names no region; the source is found by its (unique) snapshot id.
_COPIED_FOR_AMI = re.compile(r"Copied for DestinationAmi .*? for SourceSnapshot (snap-[0-9a-f]+)")

# A terminated instance holds no data, though EC2 lists it for about an hour after.
_GONE_STATES = frozenset({"terminated"})


def collect(scope: AwsScope) -> Iterator[Asset]:
    """Every instance, volume and self-owned snapshot in the scope's region."""
    client = scope.client("ec2")
    yield from _instances(scope, client)
    yield from _volumes(scope, client)
    yield from _snapshots(scope, client)


def tag_map(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """EC2's ``[{"Key": k, "Value": v}]`` as a plain mapping."""
    return {tag["Key"]: tag.get("Value", "") for tag in tags or ()}


def _instances(scope: AwsScope, client: Any) -> Iterator[Asset]:
    for reservation in pages(client, "describe_instances", "Reservations"):
        for instance in reservation.get("Instances", ()):
            if instance.get("State", {}).get("Name") not in _GONE_STATES:
                yield _instance_asset(scope, instance)


def _instance_asset(scope: AwsScope, instance: Mapping[str, Any]) -> Asset:
    tags = tag_map(instance.get("Tags"))
    attributes: dict[str, Any] = {
        "instance_type": instance.get("InstanceType"),
        "state": instance.get("State", {}).get("Name"),
    }
    if instance.get("OutpostArn"):
        # An Outpost sits on the customer's premises: its region is only where it is managed.
        attributes["outpost_arn"] = instance["OutpostArn"]
    return Asset(
        id=scope.arn(SERVICE, f"instance/{instance['InstanceId']}"),
        provider=PROVIDER,
        service=SERVICE,
        kind="vm",
        name=tags.get("Name"),
        account=scope.account_id,
        region=scope.region,
        zone=instance.get("Placement", {}).get("AvailabilityZone"),
        tags=tags,
        attributes=attributes,
    )


def _volumes(scope: AwsScope, client: Any) -> Iterator[Asset]:
    for volume in pages(client, "describe_volumes", "Volumes"):
        tags = tag_map(volume.get("Tags"))
        attachments = [a["InstanceId"] for a in volume.get("Attachments", ()) if "InstanceId" in a]
        attributes: dict[str, Any] = {
            "size_gib": volume.get("Size"),
            "encrypted": volume.get("Encrypted"),
            "attached_to": attachments,
        }
        if volume.get("OutpostArn"):
            attributes["outpost_arn"] = volume["OutpostArn"]
        yield Asset(
            id=scope.arn(SERVICE, f"volume/{volume['VolumeId']}"),
            provider=PROVIDER,
            service=SERVICE,
            kind="disk",
            name=tags.get("Name"),
            account=scope.account_id,
            region=scope.region,
            zone=volume.get("AvailabilityZone"),
            tags=tags,
            attributes=attributes,
        )


def _snapshots(scope: AwsScope, client: Any) -> Iterator[Asset]:
    # OwnerIds=["self"]: public and shared snapshots are other people's data, not this estate.
    for snapshot in pages(client, "describe_snapshots", "Snapshots", OwnerIds=["self"]):
        yield _snapshot_asset(scope, snapshot)


def snapshot_arn(partition: str, region: str, snapshot_id: str) -> str:
    """A snapshot's ARN; IAM's format for it has no account field."""
    return f"arn:{partition}:ec2:{region}::snapshot/{snapshot_id}"


def _snapshot_asset(scope: AwsScope, snapshot: Mapping[str, Any]) -> Asset:
    tags = tag_map(snapshot.get("Tags"))
    attributes: dict[str, Any] = {
        "snapshot_id": snapshot["SnapshotId"],
        "volume_id": snapshot.get("VolumeId"),
        "size_gib": snapshot.get("VolumeSize"),
        "encrypted": snapshot.get("Encrypted"),
    }
    copied_from = parse_copied_from(snapshot.get("Description"))
    if copied_from is not None:
        attributes["copied_from"] = copied_from
    if snapshot.get("OutpostArn"):
        attributes["outpost_arn"] = snapshot["OutpostArn"]
    return Asset(
        id=snapshot_arn(scope.partition, scope.region, snapshot["SnapshotId"]),
        provider=PROVIDER,
        service=SERVICE,
        kind="snapshot",
        name=tags.get("Name"),
        account=scope.account_id,
        region=scope.region,
        tags=tags,
        description=snapshot.get("Description") or None,
        attributes=attributes,
    )


def parse_copied_from(description: str | None) -> dict[str, str | None] | None:
    """The source ``{"snapshot", "region"}`` a copied snapshot's description names, if any.

    The region is None for copies made by CopyImage, whose description does not name it.
    A user-written description on CopySnapshot replaces the default, so a copy can go unseen.
    """
    if not description:
        return None
    match = _COPIED_SNAPSHOT.search(description)
    if match:
        return {"snapshot": match.group(1), "region": match.group(2)}
    match = _COPIED_FOR_AMI.search(description)
    if match:
        return {"snapshot": match.group(1), "region": None}
    return None


def link_snapshot_copies(assets: list[Asset]) -> list[Asset]:
    """``assets`` with a backup ``Copy`` on each source snapshot for every copy of it found.

    Run after every region has been collected: a copy and its source are usually read in
    different scopes. Snapshot ids are unique across regions, so the source is found by id
    (the region in the description, when present, must agree). Sources outside the
    collection (another account's) are left alone; the copy still counts where it is.
    Running it twice adds nothing twice.
    """
    sources = {
        asset.attributes["snapshot_id"]: index
        for index, asset in enumerate(assets)
        if _is_snapshot(asset) and "snapshot_id" in asset.attributes
    }
    added: dict[int, list[Copy]] = {}
    for asset in assets:
        index = _source_index(asset, sources, assets)
        if index is not None:
            added.setdefault(index, []).append(
                Copy(kind=SNAPSHOT_COPY_KIND, region=asset.region, target=asset.id)
            )
    linked = list(assets)
    for index, copies in added.items():
        source = assets[index]
        known = {copy.target for copy in source.copies}
        new = tuple(copy for copy in copies if copy.target not in known)
        if new:
            linked[index] = evolve(source, copies=source.copies + new)
    return linked


def _is_snapshot(asset: Asset) -> bool:
    return asset.provider == PROVIDER and asset.service == SERVICE and asset.kind == "snapshot"


def _source_index(asset: Asset, sources: Mapping[str, int], assets: list[Asset]) -> int | None:
    """Where the snapshot ``asset`` was copied from, among ``assets``; None if not a copy."""
    copied_from = asset.attributes.get("copied_from") if _is_snapshot(asset) else None
    if not isinstance(copied_from, Mapping):
        return None
    index = sources.get(str(copied_from.get("snapshot")))
    if index is None or assets[index] is asset:
        return None
    region = copied_from.get("region")
    if region is not None and assets[index].region != region:
        return None
    return index
