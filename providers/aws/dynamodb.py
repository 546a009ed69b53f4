"""DynamoDB: tables, and the replicas a global table keeps in other regions.

Every replica of a global table holds all of its items, so each replica region other than
the one being read is a copy elsewhere. Current global tables (version 2019.11.21) list their
replicas in DescribeTable; legacy ones (2017.11.29) only through DescribeGlobalTable, which is
asked for those alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sovaudit.model import Asset, Copy
from sovaudit.providers.aws.scope import AwsScope, pages

PROVIDER = "aws"
SERVICE = "dynamodb"
REPLICA_KIND = "replica"
LEGACY_VERSION = "2017.11.29"
# What collect() calls, as IAM actions, for the least-privilege policy; DescribeGlobalTable
# only for legacy global tables.
IAM_ACTIONS = (
    "dynamodb:ListTables",
    "dynamodb:DescribeTable",
    "dynamodb:ListTagsOfResource",
    "dynamodb:DescribeGlobalTable",
)


def collect(scope: AwsScope) -> Iterator[Asset]:
    """Every table in the scope's region, with a ``Copy`` per replica in another region."""
    client = scope.client("dynamodb")
    for name in pages(client, "list_tables", "TableNames"):
        table = client.describe_table(TableName=name)["Table"]
        yield _table_asset(scope, client, table, _legacy_replica_regions(client, table))


def _legacy_replica_regions(client: Any, table: Mapping[str, Any]) -> list[str]:
    """The replica regions of a legacy (2017.11.29) global table; none for any other table.

    Asked only for tables that say they are legacy global tables, so most estates never make
    the call, and regions that never offered the legacy version are never asked about it.
    """
    if table.get("GlobalTableVersion") != LEGACY_VERSION:
        return []
    answer = client.describe_global_table(GlobalTableName=table["TableName"])
    group = answer.get("GlobalTableDescription", {}).get("ReplicationGroup", ())
    return [replica["RegionName"] for replica in group if "RegionName" in replica]


def replica_copies(
    table: Mapping[str, Any], region: str, legacy_regions: Iterable[str] = ()
) -> tuple[Copy, ...]:
    """A ``replica`` copy for each region other than ``region`` holding the table.

    The target is the replica table's ARN (the same table name in the other region), so it
    can be joined with the asset that region's collection yields for it.
    """
    regions = [r["RegionName"] for r in table.get("Replicas", ()) if "RegionName" in r]
    regions += list(legacy_regions)
    ordered = dict.fromkeys(r for r in regions if r != region)
    return tuple(
        Copy(kind=REPLICA_KIND, region=r, target=_in_region(table["TableArn"], r)) for r in ordered
    )


def _in_region(arn: str, region: str) -> str:
    """The same ARN with another region: ``arn:aws:dynamodb:REGION:account:table/name``."""
    parts = arn.split(":", 5)
    parts[3] = region
    return ":".join(parts)


def _tags(client: Any, arn: str) -> dict[str, str]:
    return {
        tag["Key"]: tag.get("Value", "")
        for tag in pages(client, "list_tags_of_resource", "Tags", ResourceArn=arn)
    }


def _table_asset(
    scope: AwsScope, client: Any, table: Mapping[str, Any], legacy_regions: Iterable[str]
) -> Asset:
    arn = table["TableArn"]
    attributes: dict[str, Any] = {
        "size_bytes": table.get("TableSizeBytes"),
        "item_count": table.get("ItemCount"),
        "global_table_version": table.get("GlobalTableVersion"),
    }
    return Asset(
        id=arn,
        provider=PROVIDER,
        service=SERVICE,
        kind="database",
        name=table.get("TableName"),
        account=scope.account_id,
        region=scope.region,
        copies=replica_copies(table, scope.region, legacy_regions),
        tags=_tags(client, arn),
        attributes={k: v for k, v in attributes.items() if v is not None},
    )
