"""AWS Config configuration items to assets: what an organisation's Config already recorded.

A configuration item (CI) names its resource (``arn``, ``resourceType``, ``resourceId``), its
``awsRegion`` and ``availabilityZone`` (a Local Zone such as ``us-east-1-qro-1a`` places an
instance in Querétaro although its region is Virginia), its tags and its ``configuration``.
CIs come in two spellings (the API's ``arn``/``accountId`` and the rule event's
``ARN``/``awsAccountId``), with ``configuration`` and each ``supplementaryConfiguration`` value
as objects or as JSON strings; ``normalise`` makes one. Copies read from them: S3 replication
rules (``BucketReplicationConfiguration``: the destination ARN has no region, so it is found
among the other CIs, else the copy's place is unknown), RDS read replicas
(``readReplicaDBInstanceIdentifiers`` and the replica's ``readReplicaSourceDBInstanceIdentifier``),
DynamoDB global table replicas. Deleted resources are not assets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from sovaudit.model import Asset, Copy, evolve, unknown_location
from sovaudit.providers.aws.scope import arn_region

PROVIDER = "aws"
NOT_A_ZONE = frozenset({"regional", "multiple availability zones", "not applicable", ""})
DELETED = frozenset({"resourcedeleted", "resourcedeletednotrecorded"})
# Config resource type -> (service, kind); others keep the type's service and "resource".
TYPES: dict[str, tuple[str, str]] = {
    "AWS::S3::Bucket": ("s3", "object_store"),
    "AWS::RDS::DBInstance": ("rds", "database"),
    "AWS::RDS::DBCluster": ("rds", "database"),
    "AWS::DynamoDB::Table": ("dynamodb", "database"),
    "AWS::EC2::Instance": ("ec2", "vm"),
    "AWS::EC2::Volume": ("ec2", "disk"),
    "AWS::EFS::FileSystem": ("efs", "file_store"),
    "AWS::Redshift::Cluster": ("redshift", "database"),
    "AWS::ElastiCache::CacheCluster": ("elasticache", "database"),
    "AWS::OpenSearch::Domain": ("opensearch", "database"),
    "AWS::Elasticsearch::Domain": ("opensearch", "database"),
    "AWS::Kinesis::Stream": ("kinesis", "stream"),
    "AWS::SQS::Queue": ("sqs", "queue"),
    "AWS::SNS::Topic": ("sns", "queue"),
    "AWS::SecretsManager::Secret": ("secretsmanager", "secret"),
    "AWS::KMS::Key": ("kms", "key"),
    "AWS::Backup::BackupVault": ("backup", "backup"),
    "AWS::Lambda::Function": ("lambda", "function"),
    "AWS::ECR::Repository": ("ecr", "registry"),
    "AWS::Logs::LogGroup": ("logs", "log"),
}


def _decoded(value: Any) -> Any:
    """A document Config wrote as a JSON string, decoded (twice where it was encoded twice)."""
    for _ in range(2):
        if not isinstance(value, str):
            return value
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return value


def _mapping(value: Any) -> Mapping[str, Any]:
    value = _decoded(value)
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def is_item(item: Any) -> bool:
    item = _mapping(item)
    kind = _text(item.get("resourceType")) or ""
    return kind.startswith("AWS::") and bool(
        item.get("awsRegion") or item.get("arn") or item.get("ARN")
    )


def normalise(item: Mapping[str, Any]) -> dict[str, Any]:
    """One spelling: ``arn``, ``accountId``, decoded ``configuration`` and supplements."""
    out = dict(item)
    out["arn"] = _text(item.get("arn")) or _text(item.get("ARN"))
    out["accountId"] = _text(item.get("accountId")) or _text(item.get("awsAccountId"))
    out["configuration"] = _mapping(item.get("configuration"))
    supplements = _mapping(item.get("supplementaryConfiguration"))
    out["supplementaryConfiguration"] = {k: _decoded(v) for k, v in supplements.items()}
    return out


def _tags(item: Mapping[str, Any]) -> dict[str, str]:
    tags = _decoded(item.get("tags"))
    if isinstance(tags, Mapping):
        return {str(k): str(v) for k, v in tags.items() if v is not None}
    found: dict[str, str] = {}
    for entry in tags if isinstance(tags, list) else ():  # select-resource-config: [{key, value}]
        entry = _mapping(entry)
        key = entry.get("key", entry.get("Key"))
        if key is not None:
            found[str(key)] = str(entry.get("value", entry.get("Value", "")))
    return found


def item_asset(item: Mapping[str, Any]) -> Asset:
    kind = str(item.get("resourceType"))
    service, asset_kind = TYPES.get(
        kind, (kind.split("::")[1].casefold() if kind.count("::") >= 2 else kind, "resource")
    )
    region = _text(item.get("awsRegion"))
    zone = _text(item.get("availabilityZone"))
    if zone is None or zone.casefold() in NOT_A_ZONE:
        zone = (
            _text(item["configuration"].get("availabilityZone"))
            if kind == "AWS::EC2::Volume"
            else None
        )
    resource_id = _text(item.get("resourceId")) or ""
    return Asset(
        id=item["arn"] or f"{kind}/{region}/{resource_id}",
        provider=PROVIDER,
        location=unknown_location()
        if region or zone
        else unknown_location("the configuration item names no region"),
        service=service,
        kind=asset_kind,
        name=_text(item.get("resourceName")) or resource_id or None,
        account=item.get("accountId"),
        region=region,
        zone=zone,
        tags=MappingProxyType(_tags(item)),
        attributes=MappingProxyType({"config_resource_type": kind}),
    )


def assets_from_items(items: Iterable[Mapping[str, Any]]) -> list[Asset]:
    """Every recorded resource (the latest item of each), then the copies items declare."""
    latest: dict[str, dict[str, Any]] = {}
    for raw in items:
        item = normalise(raw)
        key = (
            item["arn"]
            or f"{item.get('resourceType')}/{item.get('awsRegion')}/{item.get('resourceId')}"
        )
        latest[key] = item  # history files list a resource's items oldest first
    live = {
        k: i
        for k, i in latest.items()
        if str(i.get("configurationItemStatus", "")).casefold() not in DELETED
    }
    assets = {key: item_asset(item) for key, item in live.items()}
    buckets = {
        str(i.get("resourceName") or i.get("resourceId")): k
        for k, i in live.items()
        if i.get("resourceType") == "AWS::S3::Bucket"
    }
    databases = {
        str(i.get("resourceId")): k
        for k, i in live.items()
        if i.get("resourceType") == "AWS::RDS::DBInstance"
    }
    for key, item in live.items():
        copies = list(_copies(item, assets, buckets, databases))
        if copies:
            assets[key] = evolve(assets[key], copies=(*assets[key].copies, *copies))
    return list(assets.values())


def _copies(
    item: Mapping[str, Any],
    assets: Mapping[str, Asset],
    buckets: Mapping[str, str],
    databases: Mapping[str, str],
) -> Iterable[Copy]:
    kind = item.get("resourceType")
    if kind == "AWS::S3::Bucket":
        replication = _mapping(
            item["supplementaryConfiguration"].get("BucketReplicationConfiguration")
        )
        rules = replication.get("rules") or {}
        rules = rules.values() if isinstance(rules, Mapping) else rules
        for rule in rules if isinstance(rules, Iterable) else ():
            destination = _text(_mapping(_mapping(rule).get("destinationConfig")).get("bucketARN"))
            if not destination:
                continue
            target = assets.get(buckets.get(destination.rsplit(":", 1)[-1], ""))
            if target is not None and target.region:
                yield Copy(kind="replica", region=target.region, target=destination)
            else:
                note = "replication destination not in this Config export; its region is not known"
                yield Copy(kind="replica", target=destination, location=unknown_location(note))
    elif kind == "AWS::RDS::DBInstance":
        for replica in item["configuration"].get("readReplicaDBInstanceIdentifiers") or ():
            if not isinstance(replica, str):
                continue
            region = arn_region(replica)
            known = assets.get(databases.get(replica.rsplit(":", 1)[-1], ""))
            region = region or (known.region if known is not None else None)
            if region:
                yield Copy(kind="read-replica", region=region, target=replica)
            else:
                yield Copy(
                    kind="read-replica",
                    target=replica,
                    location=unknown_location("read replica not recorded by this Config export"),
                )
    elif kind == "AWS::DynamoDB::Table":
        for replica in item["configuration"].get("replicas") or ():
            region = _text(_mapping(replica).get("regionName"))
            if region and region != item.get("awsRegion"):
                yield Copy(kind="replica", region=region)
