"""AWS Config exports read offline: the published items, and an organisation's items written in
the shapes `aws configservice` and Config's snapshots give."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from sovaudit.inputs.readers import FileContext, reader_for
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset

PUBLISHED = Path(__file__).parent / "data" / "published"
LOCATOR = Locator(load_catalogue())
ACCOUNT = "412907356681"
PERSONAL = {"datos-personales": "si"}


def item(
    resource_type: str, resource_id: str, region: str, arn: str, **extra: Any
) -> dict[str, Any]:
    return {
        "version": "1.3",
        "accountId": ACCOUNT,
        "configurationItemStatus": extra.pop("status", "OK"),
        "arn": arn,
        "resourceType": resource_type,
        "resourceId": resource_id,
        "resourceName": resource_id,
        "awsRegion": region,
        "availabilityZone": extra.pop("zone", "Regional"),
        "tags": extra.pop("tags", PERSONAL),
        "configuration": extra.pop("configuration", {}),
        "supplementaryConfiguration": extra.pop("supplementary", {}),
    }


REPLICATION = json.dumps(
    {
        "roleARN": f"arn:aws:iam::{ACCOUNT}:role/replicacion",
        "rules": {
            "dr": {
                "status": "Enabled",
                "destinationConfig": {"bucketARN": "arn:aws:s3:::clientes-dr"},
            }
        },
    }
)
ITEMS = [
    item(
        "AWS::EC2::Instance",
        "i-0qro",
        "us-east-1",
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0qro",
        zone="us-east-1-qro-1a",
    ),
    item(
        "AWS::S3::Bucket",
        "clientes",
        "mx-central-1",
        "arn:aws:s3:::clientes",
        supplementary={
            "BucketReplicationConfiguration": REPLICATION
        },  # a JSON string, as Config writes it
    ),
    item("AWS::S3::Bucket", "clientes-dr", "us-west-2", "arn:aws:s3:::clientes-dr"),
    item(
        "AWS::RDS::DBInstance",
        "pedidos",
        "mx-central-1",
        f"arn:aws:rds:mx-central-1:{ACCOUNT}:db:pedidos",
        zone="Multiple Availability Zones",
        configuration=json.dumps(
            {
                "readReplicaDBInstanceIdentifiers": [
                    f"arn:aws:rds:us-east-1:{ACCOUNT}:db:pedidos-replica"
                ]
            }
        ),
    ),
    item(
        "AWS::S3::Bucket", "borrado", "us-east-1", "arn:aws:s3:::borrado", status="ResourceDeleted"
    ),
]


def _read(path: Path) -> dict[str, Asset]:
    reader = reader_for(path)
    assert reader.name == "aws-config"
    return {
        a.name or a.id: LOCATOR.locate_asset(a) for a in reader.read(path, FileContext(LOCATOR))
    }


def _check(assets: dict[str, Asset]) -> None:
    vm = assets["i-0qro"]
    assert (vm.region, vm.zone) == ("us-east-1", "us-east-1-qro-1a")
    assert vm.location.countries == ("MX",)  # the Querétaro Local Zone
    assert vm.location.subdivision == "MX-QUE"
    bucket = assets["clientes"]
    assert bucket.location.countries == ("MX",)
    assert [(c.kind, c.region, c.target) for c in bucket.copies] == [
        ("replica", "us-west-2", "arn:aws:s3:::clientes-dr")
    ]
    database = assets["pedidos"]
    assert database.zone is None  # "Multiple Availability Zones" is not a zone
    assert [(c.kind, c.region) for c in database.copies] == [("read-replica", "us-east-1")]
    assert "borrado" not in assets  # deleted resources are not assets
    assert database.account == ACCOUNT
    assert dict(database.tags) == PERSONAL


@pytest.mark.parametrize("shape", ["snapshot", "select", "list"])
def test_an_organisations_items_in_every_shape(tmp_path: Path, shape: str):
    path = tmp_path / "config.json"
    if shape == "snapshot":  # a configuration snapshot or history file
        document: Any = {"fileVersion": "1.0", "configSnapshotId": "x", "configurationItems": ITEMS}
    elif shape == "select":  # select-aggregate-resource-config: every result a JSON string
        document = {"Results": [json.dumps(i) for i in ITEMS], "QueryInfo": {"SelectFields": []}}
    else:
        document = ITEMS
    path.write_text(json.dumps(document), encoding="utf-8")
    _check(_read(path))


def test_history_keeps_the_latest_item_of_each_resource(tmp_path: Path):
    older = item("AWS::S3::Bucket", "clientes-dr", "us-west-2", "arn:aws:s3:::clientes-dr", tags={})
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"configurationItems": [older, *ITEMS]}), encoding="utf-8")
    assets = _read(path)
    assert dict(assets["clientes-dr"].tags) == PERSONAL


def test_the_items_scanned_give_findings(tmp_path: Path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"configurationItems": ITEMS}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    found = {(f["rule_id"], f["asset_id"]) for f in json.loads(result.stdout)["findings"]}
    assert ("personal-data-copied-abroad", "arn:aws:s3:::clientes") in found
    assert (
        "personal-data-copied-abroad",
        f"arn:aws:rds:mx-central-1:{ACCOUNT}:db:pedidos",
    ) in found
    assert not any(
        a.endswith("instance/i-0qro") and r.startswith("personal-data-outside") for r, a in found
    )


@pytest.mark.parametrize("path", sorted(PUBLISHED.glob("aws-config-*.json")), ids=lambda p: p.name)
def test_every_published_file_is_recognised(path: Path):
    assert reader_for(path).name == "aws-config"


def test_published_items_in_both_spellings():
    [bucket] = _read(
        PUBLISHED / "aws-config-ci-rdk-AWS_S3_Bucket.json"
    ).values()  # ARN, awsAccountId
    assert bucket.id.startswith("arn:aws:s3:::")
    assert bucket.region == "us-east-1"
    [database] = _read(PUBLISHED / "aws-config-ci-rdk-AWS_RDS_DBInstance.json").values()
    assert database.zone is None
    assert dict(database.tags) == {"workload-type": "production"}
    [volume] = _read(PUBLISHED / "aws-config-ci-rdk-AWS_EC2_Volume.json").values()
    assert volume.zone == "us-east-1c"
    [event] = _read(
        PUBLISHED / "aws-config-rule-event-rds-custodian.json"
    ).values()  # a string in a string
    assert event.zone == "us-east-1e"
    [replicated] = _read(PUBLISHED / "aws-config-ci-s3-replication-custodian.json").values()
    [copy] = replicated.copies
    assert copy.target == "arn:aws:s3:::testing-west"
    assert copy.location.countries == ()  # the destination is not in the file: unknown, never home


def test_a_select_that_left_out_the_resource_type_says_what_to_select():
    path = PUBLISHED / "aws-config-select-resource-config-s3-custodian.json"
    result = CliRunner().invoke(cli, ["scan", str(path)])
    assert result.exit_code == 2
    assert "select at least resourceId" in result.stderr
