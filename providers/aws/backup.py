"""AWS Backup: vaults, and the copy actions that send their recovery points elsewhere.

A backup plan rule writes recovery points into its target vault and may copy each one to
another vault, in another region or account. The copy is a full copy of the data, so the
source vault gets a ``Copy`` for every destination vault its plans copy to. Vaults and plans
are per region; a destination vault is known only by its ARN, whose region the locator places.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sovaudit.model import Asset, Copy
from sovaudit.providers.aws.scope import AwsScope, arn_region, pages

PROVIDER = "aws"
SERVICE = "backup"
COPY_KIND = "backup"
# What collect() calls, as IAM actions, for the least-privilege policy.
IAM_ACTIONS = (
    "backup:ListBackupVaults",
    "backup:ListBackupPlans",
    "backup:GetBackupPlan",
    "backup:ListTags",
)


def collect(scope: AwsScope) -> Iterator[Asset]:
    """Every backup vault in the scope's region, with the copies its plans make."""
    client = scope.client("backup")
    copies = copy_destinations(client)
    for vault in pages(client, "list_backup_vaults", "BackupVaultList"):
        yield _vault_asset(scope, client, vault, copies.get(vault["BackupVaultName"], {}))


def copy_destinations(client: Any) -> dict[str, dict[str, list[str]]]:
    """Source vault name -> destination vault ARN -> names of the plans that copy there."""
    destinations: dict[str, dict[str, list[str]]] = {}
    for summary in pages(client, "list_backup_plans", "BackupPlansList"):
        plan = client.get_backup_plan(BackupPlanId=summary["BackupPlanId"])["BackupPlan"]
        for rule in plan.get("Rules", ()):
            source = destinations.setdefault(rule["TargetBackupVaultName"], {})
            for action in rule.get("CopyActions", ()):
                plans = source.setdefault(action["DestinationBackupVaultArn"], [])
                if plan.get("BackupPlanName") not in plans:
                    plans.append(plan.get("BackupPlanName", summary["BackupPlanId"]))
    return destinations


def _tags(client: Any, arn: str) -> dict[str, str]:
    """A vault's tags; botocore has no paginator for ListTags, so follow its cursor."""
    tags: dict[str, str] = {}
    kwargs: dict[str, Any] = {"ResourceArn": arn}
    while True:
        page = client.list_tags(**kwargs)
        tags.update(page.get("Tags", {}))
        if not page.get("NextToken"):
            return tags
        kwargs["NextToken"] = page["NextToken"]


def _vault_asset(
    scope: AwsScope, client: Any, vault: Mapping[str, Any], destinations: Mapping[str, list[str]]
) -> Asset:
    arn = vault["BackupVaultArn"]
    copies = tuple(
        Copy(kind=COPY_KIND, region=arn_region(destination), target=destination)
        for destination in destinations
    )
    attributes: dict[str, Any] = {
        "recovery_points": vault.get("NumberOfRecoveryPoints"),
        "locked": vault.get("Locked"),
        "copy_plans": sorted({plan for plans in destinations.values() for plan in plans}),
    }
    return Asset(
        id=arn,
        provider=PROVIDER,
        service=SERVICE,
        kind="backup",
        name=vault.get("BackupVaultName"),
        account=scope.account_id,
        region=scope.region,
        copies=copies,
        tags=_tags(client, arn),
        attributes={k: v for k, v in attributes.items() if v is not None},
    )
