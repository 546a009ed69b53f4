"""AWS resource types (hashicorp/aws): services, places and the copies a plan declares.

A resource is where its own ``region`` argument says (AWS provider 6 has one on every
resource; before it, S3's computed ``region`` is known only in a state), else its zone, else
its provider configuration's region. Copies: S3 replication (the inline block of provider 3
and ``aws_s3_bucket_replication_configuration``), RDS read replicas (``replicate_source_db``:
the replica is its own asset, its source gets the copy), Aurora/DocumentDB/Neptune global
clusters, DynamoDB ``replica`` blocks and ``aws_dynamodb_table_replica``, Secrets Manager
replicas, multi-Region KMS key replicas, EFS replication and Redshift snapshot copies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from sovaudit.inputs.terraform.resources import (
    Context,
    Draft,
    Drafts,
    Spec,
    blocks,
    first_block,
    nested_references,
    text,
)
from sovaudit.model import Copy, unknown_location

PROVIDER = "aws"
_REGION = ("region", "region")
_ZONE = ("zone", "availability_zone")


def _replica_blocks(
    key: str, region_key: str, kind: str = "replica"
) -> Callable[[Draft, Context], Iterable[Copy]]:
    """Copies a resource's own blocks declare, one per region (a DynamoDB ``replica``)."""

    def copies(item: Draft, context: Context) -> Iterable[Copy]:
        for block in blocks(item.instance.known(key)):
            region = text(block.get(region_key))
            if region and region != item.region:
                yield Copy(kind=kind, region=region)

    return copies


def _redshift_copies(item: Draft, context: Context) -> Iterable[Copy]:
    region = text(first_block(item.instance.values, "snapshot_copy").get("destination_region"))
    if region:
        yield Copy(kind="backup", region=region)


TYPES: dict[str, Spec] = {
    "aws_s3_bucket": Spec("s3", "object_store", (_REGION,), names=("bucket",)),
    "aws_db_instance": Spec("rds", "database", (_REGION, _ZONE), names=("identifier", "name")),
    "aws_rds_cluster": Spec("rds", "database", (_REGION,), names=("cluster_identifier",)),
    "aws_docdb_cluster": Spec("docdb", "database", (_REGION,), names=("cluster_identifier",)),
    "aws_neptune_cluster": Spec("neptune", "database", (_REGION,), names=("cluster_identifier",)),
    "aws_dynamodb_table": Spec(
        "dynamodb", "database", (_REGION,), copies=_replica_blocks("replica", "region_name")
    ),
    "aws_dynamodb_global_table": Spec(
        "dynamodb", "database", (_REGION,), copies=_replica_blocks("replica", "region_name")
    ),
    "aws_ebs_volume": Spec("ec2", "disk", (_REGION, _ZONE), names=("id",)),
    "aws_ebs_snapshot": Spec("ec2", "snapshot", (_REGION,), names=("id",)),
    "aws_ebs_snapshot_copy": Spec("ec2", "snapshot", (_REGION,), names=("id",)),
    "aws_instance": Spec("ec2", "vm", (_REGION, _ZONE), names=("id",)),
    "aws_efs_file_system": Spec("efs", "file_store", (_REGION,), names=("creation_token",)),
    "aws_fsx_lustre_file_system": Spec("fsx", "file_store", (_REGION,), names=("id",)),
    "aws_fsx_windows_file_system": Spec("fsx", "file_store", (_REGION,), names=("id",)),
    "aws_redshift_cluster": Spec(
        "redshift", "database", (_REGION,), names=("cluster_identifier",), copies=_redshift_copies
    ),
    "aws_elasticache_replication_group": Spec(
        "elasticache", "database", (_REGION,), names=("replication_group_id",)
    ),
    "aws_elasticache_cluster": Spec("elasticache", "database", (_REGION,), names=("cluster_id",)),
    "aws_opensearch_domain": Spec("opensearch", "database", (_REGION,), names=("domain_name",)),
    "aws_elasticsearch_domain": Spec("opensearch", "database", (_REGION,), names=("domain_name",)),
    "aws_kinesis_stream": Spec("kinesis", "stream", (_REGION,)),
    "aws_kinesis_firehose_delivery_stream": Spec("firehose", "stream", (_REGION,)),
    "aws_sqs_queue": Spec("sqs", "queue", (_REGION,)),
    "aws_sns_topic": Spec("sns", "queue", (_REGION,)),
    "aws_cloudwatch_log_group": Spec("logs", "log", (_REGION,)),
    "aws_lambda_function": Spec("lambda", "function", (_REGION,), names=("function_name",)),
    "aws_ecr_repository": Spec("ecr", "registry", (_REGION,)),
    "aws_secretsmanager_secret": Spec(
        "secretsmanager", "secret", (_REGION,), copies=_replica_blocks("replica", "region")
    ),
    "aws_kms_key": Spec("kms", "key", (_REGION,), names=("description",)),
    "aws_backup_vault": Spec("backup", "backup", (_REGION,)),
    "aws_glacier_vault": Spec("glacier", "backup", (_REGION,)),
    "aws_timestreamwrite_database": Spec(
        "timestream", "database", (_REGION,), names=("database_name",)
    ),
}
# A state knows every resource's ARN, and so its region, even where nothing else says it.
TYPES = {
    kind: dataclasses.replace(spec, where=(*spec.where, ("arn", "arn")))
    for kind, spec in TYPES.items()
}
# Types that only declare a copy of another resource: not assets themselves.
LINKS = frozenset(
    {
        "aws_s3_bucket_replication_configuration",
        "aws_rds_global_cluster",
        "aws_dynamodb_table_replica",
        "aws_kms_replica_key",
        "aws_efs_replication_configuration",
        "aws_redshift_snapshot_copy",
        "aws_db_instance_automated_backups_replication",
    }
)


def _bucket_name(value: str | None) -> str | None:
    """``arn:aws:s3:::name`` or ``name`` -> ``name``."""
    if not value:
        return None
    return value.rsplit(":", 1)[-1] if value.startswith("arn:") else value


def _by_reference_or_name(
    drafts: Drafts, link: Draft, key: str, kind: str, name_of: str | None
) -> Draft | None:
    found = drafts.referenced(link.instance, link.instance.references(key), kind)
    if len(found) == 1:
        return found[0]
    return drafts.named(kind, name_of)


def _s3_replication(drafts: Drafts) -> None:
    for bucket in drafts.of_type("aws_s3_bucket"):  # provider 3: the bucket's own block
        for rules in blocks(bucket.instance.known("replication_configuration")):
            for rule in blocks(rules.get("rules")):
                for destination in blocks(rule.get("destination")):
                    _replicate(drafts, bucket, text(destination.get("bucket")), [])
    for config in drafts.links("aws_s3_bucket_replication_configuration"):
        source = _by_reference_or_name(
            drafts, config, "bucket", "aws_s3_bucket", text(config.instance.known("bucket"))
        )
        if source is None:
            continue
        expressions = config.instance.config.expressions if config.instance.config else {}
        references = nested_references(expressions, "rule", "destination", "bucket")
        arns: list[str | None] = [
            text(target.get("bucket"))
            for declared in blocks(config.instance.values.get("rule"))
            for target in blocks(declared.get("destination"))
        ]
        if not arns and references:
            arns = [None]
        for arn in arns:
            _replicate(drafts, source, arn, references)


def _replicate(drafts: Drafts, source: Draft, arn: str | None, references: list[str]) -> None:
    target = drafts.named("aws_s3_bucket", _bucket_name(arn))
    if target is None:
        found = drafts.referenced(source.instance, references, "aws_s3_bucket")
        target = found[0] if len(found) == 1 else None
    if target is not None:
        source.copy_to("replica", target)
        return
    note = "replication destination not in this plan; its region is not known"
    source.copies.append(Copy(kind="replica", target=arn, location=unknown_location(note)))


def _rds_replicas(drafts: Drafts) -> None:
    for replica in drafts.of_type("aws_db_instance"):
        source_ref = text(replica.instance.known("replicate_source_db"))
        if source_ref is None and not replica.instance.references("replicate_source_db"):
            continue
        name = (
            source_ref.rsplit(":", 1)[-1]
            if source_ref and source_ref.startswith("arn:")
            else source_ref
        )
        source = _by_reference_or_name(
            drafts, replica, "replicate_source_db", "aws_db_instance", name
        )
        if source is not None and source is not replica:
            source.copy_to("read-replica", replica)


def _global_clusters(drafts: Drafts) -> None:
    groups: dict[str, list[Draft]] = {}
    for member in drafts.of_type("aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"):
        # The global cluster is a link, not an asset: members meet by what they refer to.
        references = member.instance.references("global_cluster_identifier")
        key = (
            f"{member.instance.module}:{'.'.join(references[0].split('.')[:2])}"
            if references
            else text(member.instance.known("global_cluster_identifier"))
        )
        if key:
            groups.setdefault(key, []).append(member)
    for members in groups.values():
        for member in members:
            for other in members:
                if other is not member:
                    member.copy_to("replica", other)


def _owned_copy(drafts: Drafts, link_type: str, key: str, kind: str, copy_kind: str) -> None:
    """A resource whose only meaning is "a copy of KEY, held in my provider's region"."""
    for link in drafts.links(link_type):
        found = drafts.referenced(link.instance, link.instance.references(key), kind)
        if len(found) == 1:
            found[0].copy_to(copy_kind, link)


def _efs_replication(drafts: Drafts) -> None:
    for link in drafts.links("aws_efs_replication_configuration"):
        found = drafts.referenced(
            link.instance, link.instance.references("source_file_system_id"), "aws_efs_file_system"
        )
        for destination in blocks(link.instance.values.get("destination")):
            region = text(destination.get("region")) or link.region
            if len(found) == 1 and region:
                found[0].copies.append(Copy(kind="replica", region=region))


def link(drafts: Drafts, context: Context) -> None:
    _s3_replication(drafts)
    _rds_replicas(drafts)
    _global_clusters(drafts)
    _owned_copy(
        drafts, "aws_dynamodb_table_replica", "global_table_arn", "aws_dynamodb_table", "replica"
    )
    _owned_copy(drafts, "aws_kms_replica_key", "primary_key_arn", "aws_kms_key", "replica")
    _owned_copy(
        drafts,
        "aws_db_instance_automated_backups_replication",
        "source_db_instance_arn",
        "aws_db_instance",
        "backup",
    )
    _efs_replication(drafts)
    for link_draft in drafts.links("aws_redshift_snapshot_copy"):
        found = drafts.referenced(
            link_draft.instance,
            link_draft.instance.references("cluster_identifier"),
            "aws_redshift_cluster",
        )
        region = text(link_draft.instance.known("destination_region"))
        if len(found) == 1 and region:
            found[0].copies.append(Copy(kind="backup", region=region))
