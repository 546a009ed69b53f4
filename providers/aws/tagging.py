"""Every tagged resource of a region, whatever its service: the Resource Groups Tagging API.

``GetResources`` (one paged call per region) returns the ARN and tags of every tagged resource
of every service: SQS queues, KMS keys, Lambda functions, EFS file systems, OpenSearch
domains... A service with no collector of its own is still seen this way: the asset is located
from its ARN's region and classified from its tags. Where a dedicated collector also read the
resource (same ARN), its asset stands and this one is dropped (``merge``): the collector knows
copies and places the tag listing does not. S3 buckets are left to their collector (their
ARN has no region; GetBucketLocation says where each is).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType

from sovaudit.model import Asset
from sovaudit.providers.aws.scope import AwsScope, pages

PROVIDER = "aws"
SERVICE = "tagging"
SOURCE = "tagging-api"
IAM_ACTIONS = ("tag:GetResources",)
# ARN service -> sovaudit kind, for what the tag listing can say about a resource's nature.
KINDS = {
    "rds": "database",
    "dynamodb": "database",
    "redshift": "database",
    "elasticache": "database",
    "es": "database",
    "docdb": "database",
    "neptune-db": "database",
    "elasticfilesystem": "file_store",
    "fsx": "file_store",
    "s3": "object_store",
    "sqs": "queue",
    "sns": "queue",
    "kinesis": "stream",
    "firehose": "stream",
    "secretsmanager": "secret",
    "kms": "key",
    "lambda": "function",
    "ecr": "registry",
    "logs": "log",
    "backup": "backup",
}


def _name(resource: str) -> str:
    """``table/clientes`` -> ``clientes``; ``function:cobros`` -> ``cobros``."""
    return resource.replace(":", "/").rstrip("/").rsplit("/", 1)[-1]


def collect(scope: AwsScope) -> Iterator[Asset]:
    client = scope.client("resourcegroupstaggingapi")
    for mapping in pages(client, "get_resources", "ResourceTagMappingList", ResourcesPerPage=100):
        arn = str(mapping.get("ResourceARN", ""))
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[2] == "s3":
            continue
        service, region, account, resource = parts[2], parts[3], parts[4], parts[5]
        listed = mapping.get("Tags") or ()
        tags = {str(t["Key"]): str(t.get("Value", "")) for t in listed if "Key" in t}
        yield Asset(
            id=arn,
            provider=PROVIDER,
            service=service,
            kind=KINDS.get(service, "resource"),
            name=_name(resource),
            account=account or scope.account_id,
            region=region or scope.region,
            tags=MappingProxyType(tags),
            attributes=MappingProxyType({"source": SOURCE}),
        )


def merge(assets: list[Asset]) -> list[Asset]:
    """Every resource once: a dedicated collector's asset over the tag listing's."""
    collected = {a.id for a in assets if a.attributes.get("source") != SOURCE}
    seen: set[str] = set()
    merged = []
    for asset in assets:
        if asset.attributes.get("source") == SOURCE:
            if asset.id in collected or asset.id in seen:
                continue
            seen.add(asset.id)
        merged.append(asset)
    return merged
