"""The EC2, RDS, DynamoDB and AWS Backup collectors against moto's server, then located.

Resources are created with plain (unguarded) boto3 clients; the collectors read through a
guarded session, as in a real scan. Each test ends where it matters: the located asset and
its copies are in the countries DOMAIN.md says (mx-central-1 and the Querétaro Local Zone in
Mexico, us-east-1 in Virginia, sa-east-1 in Brazil).

Where moto cannot produce what AWS would, botocore's Stubber answers that one call instead,
and the test says so:

- moto refuses ``us-east-1-qro-1a`` as an availability zone, so the Local Zone instance's
  DescribeInstances answer is stubbed;
- moto keeps a copied snapshot's description as given instead of writing AWS's default
  ``[Copied snap-... from REGION]``, so the test passes that default explicitly;
- moto has no RDS automated-backup replication (StartDBInstanceAutomatedBackupsReplication is
  not implemented), so that DescribeDBInstances answer is stubbed;
- moto lacks DynamoDB global-table replicas, so DescribeTable (and, for legacy global tables,
  DescribeGlobalTable) is stubbed;
- moto's CreateGlobalCluster cannot find a source cluster in mx-central-1, so the Aurora global
  database test has its primary in us-east-1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset
from sovaudit.providers.aws import backup, dynamodb, ec2, rds
from sovaudit.providers.aws.scope import AwsScope
from sovaudit.providers.aws.session import new_session

ACCOUNT = "123456789012"  # moto's default account
PERSONAL = [{"Key": "data-classification", "Value": "personal"}]


@pytest.fixture(scope="module")
def locator() -> Locator:
    return Locator(load_catalogue())


def scope(region: str, session: Any = None) -> AwsScope:
    """A scope reading moto through a guarded session, as the provider builds them."""
    return AwsScope(
        account_id=ACCOUNT,
        region=region,
        partition="aws",
        session=session if session is not None else new_session(),
    )


def setup(service: str, region: str) -> Any:
    """An unguarded client for creating test resources (the guard refuses writes)."""
    return boto3.client(service, region_name=region)


class _Session:
    """A session whose clients for some services are given: the stubbed ones."""

    def __init__(self, **clients: Any) -> None:
        self.clients = clients
        self.real = new_session()

    def client(self, service: str, region_name: str) -> Any:
        given = self.clients.get(service)
        return given if given is not None else self.real.client(service, region_name=region_name)


class _OneCallFrom:
    """A client that answers ``operations`` from ``stubbed`` and everything else from ``real``."""

    def __init__(self, real: Any, stubbed: Any, *operations: str) -> None:
        self.real = real
        self.stubbed = stubbed
        self.operations = operations

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stubbed if name in self.operations else self.real, name)


def collect(collector: Callable[[AwsScope], Iterator[Asset]], *regions: str) -> list[Asset]:
    return [asset for region in regions for asset in collector(scope(region))]


def by_name(assets: list[Asset], name: str) -> Asset:
    matches = [asset for asset in assets if asset.name == name]
    assert len(matches) == 1, [a.name for a in assets]
    return matches[0]


def where(asset: Asset) -> tuple[tuple[str, ...], str | None]:
    return asset.location.countries, asset.location.subdivision


def copy_places(asset: Asset) -> dict[str | None, tuple[tuple[str, ...], str | None]]:
    """Copy region -> (countries, subdivision) of each located copy."""
    return {c.region: (c.location.countries, c.location.subdivision) for c in asset.copies}


# --- EC2 -----------------------------------------------------------------------------------


def run_instance(region: str, name: str) -> str:
    client = setup("ec2", region)
    image = client.describe_images()["Images"][0]["ImageId"]
    answer = client.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}, *PERSONAL]}
        ],
    )
    return str(answer["Instances"][0]["InstanceId"])


def test_instances_in_mexico_and_virginia(locator: Locator) -> None:
    mx_id = run_instance("mx-central-1", "nomina")
    us_id = run_instance("us-east-1", "crm")
    assets = collect(ec2.collect, "mx-central-1", "us-east-1")
    mx, us = by_name(assets, "nomina"), by_name(assets, "crm")

    assert mx.id == f"arn:aws:ec2:mx-central-1:{ACCOUNT}:instance/{mx_id}"
    assert us.id == f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{us_id}"
    assert (mx.provider, mx.service, mx.kind, mx.account) == ("aws", "ec2", "vm", ACCOUNT)
    assert (mx.region, mx.zone) == ("mx-central-1", "mx-central-1a")
    assert mx.tags == {"Name": "nomina", "data-classification": "personal"}
    assert not mx.location.known  # the locator places it, not the collector

    assert where(locator.locate_asset(mx)) == (("MX",), "MX-QUE")
    assert where(locator.locate_asset(us)) == (("US",), "US-VA")


def test_local_zone_instance_is_in_mexico_though_its_region_is_virginia(
    locator: Locator,
) -> None:
    """moto refuses the zone name us-east-1-qro-1a, so DescribeInstances is stubbed."""
    client = new_session().client("ec2", region_name="us-east-1")
    stubber = Stubber(client)
    instance = {
        "InstanceId": "i-0123456789abcdef0",
        "InstanceType": "t3.medium",
        "State": {"Code": 16, "Name": "running"},
        "Placement": {"AvailabilityZone": "us-east-1-qro-1a"},
        "Tags": [{"Key": "Name", "Value": "caja-qro"}],
    }
    gone = {**instance, "InstanceId": "i-0fedcba9876543210", "State": {"Name": "terminated"}}
    stubber.add_response(
        "describe_instances", {"Reservations": [{"Instances": [instance, gone]}]}, {}
    )
    stubber.add_response("describe_volumes", {"Volumes": []}, {})
    stubber.add_response("describe_snapshots", {"Snapshots": []}, {"OwnerIds": ["self"]})
    with stubber:
        assets = list(ec2.collect(scope("us-east-1", _Session(ec2=client))))
    stubber.assert_no_pending_responses()

    [asset] = assets  # the terminated instance holds nothing
    assert (asset.region, asset.zone) == ("us-east-1", "us-east-1-qro-1a")
    located = locator.locate_asset(asset)
    assert where(located) == (("MX",), "MX-QUE")


def test_volumes_and_a_snapshot_copied_to_another_region(locator: Locator) -> None:
    east, west = setup("ec2", "us-east-1"), setup("ec2", "us-west-2")
    volume = east.create_volume(
        AvailabilityZone="us-east-1b",
        Size=8,
        TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "disco"}]}],
    )
    snapshot = east.create_snapshot(
        VolumeId=volume["VolumeId"],
        TagSpecifications=[
            {"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": "respaldo"}, *PERSONAL]}
        ],
    )["SnapshotId"]
    # AWS writes this description on a copy when none is given; moto keeps it empty.
    copied = west.copy_snapshot(
        SourceRegion="us-east-1",
        SourceSnapshotId=snapshot,
        Description=f"[Copied {snapshot} from us-east-1]",
        TagSpecifications=[
            {"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": "respaldo-dr"}]}
        ],
    )["SnapshotId"]

    assets = collect(ec2.collect, "us-east-1", "us-west-2")
    disk = by_name(assets, "disco")
    assert disk.kind == "disk"
    assert (disk.region, disk.zone) == ("us-east-1", "us-east-1b")
    assert disk.id == f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/{volume['VolumeId']}"
    assert disk.attributes["size_gib"] == 8

    source, copy = by_name(assets, "respaldo"), by_name(assets, "respaldo-dr")
    assert source.id == f"arn:aws:ec2:us-east-1::snapshot/{snapshot}"
    assert (source.kind, source.region, source.zone) == ("snapshot", "us-east-1", None)
    assert source.tags["data-classification"] == "personal"
    assert copy.region == "us-west-2"
    assert copy.attributes["copied_from"] == {"snapshot": snapshot, "region": "us-east-1"}
    assert source.copies == ()

    linked = ec2.link_snapshot_copies(assets)
    assert len(linked) == len(assets)
    [linked_copy] = by_name(linked, "respaldo").copies
    assert (linked_copy.kind, linked_copy.region, linked_copy.target) == (
        "backup",
        "us-west-2",
        f"arn:aws:ec2:us-west-2::snapshot/{copied}",
    )
    assert ec2.link_snapshot_copies(linked) == linked  # idempotent
    assert by_name(linked, "disco") is disk  # untouched assets are the same objects

    located = locator.locate_asset(by_name(linked, "respaldo"))
    assert where(located) == (("US",), "US-VA")
    assert copy_places(located) == {"us-west-2": (("US",), "US-OR")}


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "[Copied snap-0a1b2c3d4e5f67890 from mx-central-1]",
            {"snapshot": "snap-0a1b2c3d4e5f67890", "region": "mx-central-1"},
        ),
        (
            "Copied for DestinationAmi ami-0aa from SourceAmi ami-0bb for SourceSnapshot "
            "snap-0cc. Task created on 1,700,000,000.",
            {"snapshot": "snap-0cc", "region": None},
        ),
        ("nightly backup", None),
        (None, None),
    ],
)
def test_copied_from_descriptions(description: str | None, expected: object) -> None:
    assert ec2.parse_copied_from(description) == expected


def test_image_copy_links_by_snapshot_id_alone() -> None:
    """CopyImage's description names no region: the unique snapshot id is enough."""
    source = Asset(
        id="arn:aws:ec2:mx-central-1::snapshot/snap-0cc",
        provider="aws",
        service="ec2",
        kind="snapshot",
        region="mx-central-1",
        attributes={"snapshot_id": "snap-0cc"},
    )
    copy = Asset(
        id="arn:aws:ec2:us-east-1::snapshot/snap-0dd",
        provider="aws",
        service="ec2",
        kind="snapshot",
        region="us-east-1",
        attributes={
            "snapshot_id": "snap-0dd",
            "copied_from": {"snapshot": "snap-0cc", "region": None},
        },
    )
    linked_source, linked_copy = ec2.link_snapshot_copies([source, copy])
    assert [(c.region, c.target) for c in linked_source.copies] == [("us-east-1", copy.id)]
    assert linked_copy is copy


# --- RDS -----------------------------------------------------------------------------------


def create_db(region: str, identifier: str) -> dict[str, Any]:
    answer = setup("rds", region).create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="auditor",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        Tags=PERSONAL,
    )
    return dict(answer["DBInstance"])


def test_rds_cross_region_read_replica(locator: Locator) -> None:
    source = create_db("mx-central-1", "clientes")
    replica = setup("rds", "sa-east-1").create_db_instance_read_replica(
        DBInstanceIdentifier="clientes-br",
        SourceDBInstanceIdentifier=source["DBInstanceArn"],
        DBInstanceClass="db.t3.micro",
    )["DBInstance"]

    assets = collect(rds.collect, "mx-central-1", "sa-east-1")
    primary, secondary = by_name(assets, "clientes"), by_name(assets, "clientes-br")
    assert primary.id == f"arn:aws:rds:mx-central-1:{ACCOUNT}:db:clientes"
    assert (primary.service, primary.kind, primary.region) == ("rds", "database", "mx-central-1")
    assert primary.zone == source["AvailabilityZone"]
    assert primary.tags == {"data-classification": "personal"}
    assert [(c.kind, c.region, c.target) for c in primary.copies] == [
        ("read-replica", "sa-east-1", replica["DBInstanceArn"])
    ]
    assert secondary.attributes["replica_of"] == source["DBInstanceArn"]

    located = locator.locate_asset(primary)
    assert where(located) == (("MX",), "MX-QUE")
    assert copy_places(located) == {"sa-east-1": (("BR",), "BR-SP")}


def test_rds_same_region_replica_named_by_identifier() -> None:
    create_db("us-east-1", "ventas")
    setup("rds", "us-east-1").create_db_instance_read_replica(
        DBInstanceIdentifier="ventas-lectura", SourceDBInstanceIdentifier="ventas"
    )
    primary = by_name(collect(rds.collect, "us-east-1"), "ventas")
    assert [(c.kind, c.region, c.target) for c in primary.copies] == [
        ("read-replica", "us-east-1", f"arn:aws:rds:us-east-1:{ACCOUNT}:db:ventas-lectura")
    ]


def test_rds_replicated_automated_backups(locator: Locator) -> None:
    """moto has no automated-backup replication: DescribeDBInstances is stubbed."""
    client = new_session().client("rds", region_name="mx-central-1")
    backups = f"arn:aws:rds:us-east-1:{ACCOUNT}:auto-backup:ab-0123456789abcdefghij"
    instance = {
        "DBInstanceIdentifier": "facturas",
        "DBInstanceArn": f"arn:aws:rds:mx-central-1:{ACCOUNT}:db:facturas",
        "Engine": "mysql",
        "AvailabilityZone": "mx-central-1b",
        "ReadReplicaDBInstanceIdentifiers": [],
        "DBInstanceAutomatedBackupsReplications": [{"DBInstanceAutomatedBackupsArn": backups}],
    }
    stubber = Stubber(client)
    stubber.add_response("describe_db_instances", {"DBInstances": [instance]}, {})
    stubber.add_response(
        "list_tags_for_resource",
        {"TagList": PERSONAL},
        {"ResourceName": instance["DBInstanceArn"]},
    )
    stubber.add_response("describe_db_clusters", {"DBClusters": []}, {})
    with stubber:
        [asset] = rds.collect(scope("mx-central-1", _Session(rds=client)))
    stubber.assert_no_pending_responses()

    assert asset.tags == {"data-classification": "personal"}  # no TagList: asked for
    located = locator.locate_asset(asset)
    assert [(c.kind, c.target) for c in located.copies] == [("backup", backups)]
    assert where(located) == (("MX",), "MX-QUE")
    assert copy_places(located) == {"us-east-1": (("US",), "US-VA")}


def test_rds_cross_region_replica_cluster(locator: Locator) -> None:
    source = setup("rds", "mx-central-1").create_db_cluster(
        DBClusterIdentifier="pagos",
        Engine="aurora-postgresql",
        MasterUsername="auditor",
        MasterUserPassword="not-a-secret-1",
        Tags=PERSONAL,
    )["DBCluster"]
    replica = setup("rds", "us-east-1").create_db_cluster(
        DBClusterIdentifier="pagos-us",
        Engine="aurora-postgresql",
        MasterUsername="auditor",
        MasterUserPassword="not-a-secret-1",
        ReplicationSourceIdentifier=source["DBClusterArn"],
    )["DBCluster"]

    assets = collect(rds.collect, "mx-central-1", "us-east-1")
    primary, secondary = by_name(assets, "pagos"), by_name(assets, "pagos-us")
    assert primary.id == source["DBClusterArn"]
    assert (primary.kind, primary.region, primary.zone) == ("database", "mx-central-1", None)
    assert primary.tags == {"data-classification": "personal"}
    assert [(c.kind, c.target) for c in primary.copies] == [
        ("read-replica", replica["DBClusterArn"])
    ]
    assert secondary.attributes["replica_of"] == source["DBClusterArn"]

    located = locator.locate_asset(primary)
    assert where(located) == (("MX",), "MX-QUE")
    assert copy_places(located) == {"us-east-1": (("US",), "US-VA")}


def test_aurora_global_database_members_are_copies(locator: Locator) -> None:
    """A global database's clusters in other regions appear in no ReadReplicaIdentifiers.

    moto's CreateGlobalCluster cannot find a source cluster in mx-central-1, so the primary
    is in us-east-1 here; moto also gives the primary's GlobalClusterIdentifier as an ARN.
    """
    primary = setup("rds", "us-east-1").create_db_cluster(
        DBClusterIdentifier="pagos",
        Engine="aurora-postgresql",
        MasterUsername="auditor",
        MasterUserPassword="not-a-secret-1",
    )["DBCluster"]["DBClusterArn"]
    setup("rds", "us-east-1").create_global_cluster(
        GlobalClusterIdentifier="pagos-global", SourceDBClusterIdentifier=primary
    )
    secondary = setup("rds", "sa-east-1").create_db_cluster(
        DBClusterIdentifier="pagos-br",
        Engine="aurora-postgresql",
        GlobalClusterIdentifier="pagos-global",
    )["DBCluster"]["DBClusterArn"]

    assets = collect(rds.collect, "us-east-1", "sa-east-1")
    located = locator.locate_asset(by_name(assets, "pagos"))
    assert [(c.kind, c.target) for c in located.copies] == [("replica", secondary)]
    assert copy_places(located) == {"sa-east-1": (("BR",), "BR-SP")}
    assert [c.target for c in by_name(assets, "pagos-br").copies] == [primary]


def test_global_members_keyed_by_identifier() -> None:
    primary = f"arn:aws:rds:mx-central-1:{ACCOUNT}:cluster:pagos"
    secondary = f"arn:aws:rds:sa-east-1:{ACCOUNT}:cluster:pagos-br"
    cluster = {"DBClusterArn": primary, "GlobalClusterIdentifier": "pagos-global"}
    members = {"pagos-global": [primary, secondary]}
    copies = rds.cluster_copies(scope("mx-central-1", session=object()), cluster, members)
    assert [(c.kind, c.region, c.target) for c in copies] == [("replica", "sa-east-1", secondary)]


# --- DynamoDB ------------------------------------------------------------------------------


def create_table(region: str, name: str) -> dict[str, Any]:
    answer = setup("dynamodb", region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "curp", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "curp", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=PERSONAL,
    )
    return dict(answer["TableDescription"])


def stub_table_calls(
    client: Any, stubbed: dict[str, tuple[dict[str, Any], dict[str, Any]]]
) -> tuple[Any, Stubber]:
    """A client that answers the given calls from a Stubber, and the rest from moto.

    moto lacks global-table replicas, so the replica answers come from the Stubber.
    """
    fake = new_session().client("dynamodb", region_name=client.meta.region_name)
    stubber = Stubber(fake)
    for operation, (response, params) in stubbed.items():
        stubber.add_response(operation, response, params)
    return _OneCallFrom(client, fake, *stubbed), stubber


def moto_description(client: Any, name: str) -> dict[str, Any]:
    """moto's DescribeTable answer, minus what botocore's own validation rejects in it
    (a pay-per-request table's zero ``NumberOfDecreasesToday``)."""
    table = client.describe_table(TableName=name)["Table"]
    return {key: value for key, value in table.items() if key != "ProvisionedThroughput"}


def test_dynamodb_global_table_replicas(locator: Locator) -> None:
    """moto lacks global-table replicas: DescribeTable alone is stubbed, with moto's own
    description of the table plus the Replicas a 2019.11.21 global table would list."""
    table = create_table("mx-central-1", "personas")
    real = new_session().client("dynamodb", region_name="mx-central-1")
    described = moto_description(real, "personas")
    replicas = [{"RegionName": r} for r in ("mx-central-1", "us-east-1", "sa-east-1")]
    client, stubber = stub_table_calls(
        real,
        {
            "describe_table": (
                {"Table": {**described, "GlobalTableVersion": "2019.11.21", "Replicas": replicas}},
                {"TableName": "personas"},
            )
        },
    )
    with stubber:
        [asset] = dynamodb.collect(scope("mx-central-1", _Session(dynamodb=client)))
    stubber.assert_no_pending_responses()

    assert asset.id == table["TableArn"]
    assert (asset.service, asset.kind, asset.region) == ("dynamodb", "database", "mx-central-1")
    assert asset.tags == {"data-classification": "personal"}
    assert [(c.kind, c.region, c.target) for c in asset.copies] == [
        ("replica", "us-east-1", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/personas"),
        ("replica", "sa-east-1", f"arn:aws:dynamodb:sa-east-1:{ACCOUNT}:table/personas"),
    ]
    located = locator.locate_asset(asset)
    assert where(located) == (("MX",), "MX-QUE")
    assert copy_places(located) == {
        "us-east-1": (("US",), "US-VA"),
        "sa-east-1": (("BR",), "BR-SP"),
    }


def test_dynamodb_legacy_global_table_replicas() -> None:
    """moto lacks global-table replicas: DescribeTable and DescribeGlobalTable are stubbed."""
    create_table("us-east-1", "legado")
    real = new_session().client("dynamodb", region_name="us-east-1")
    described = moto_description(real, "legado")
    group = [{"RegionName": "us-east-1"}, {"RegionName": "mx-central-1"}]
    client, stubber = stub_table_calls(
        real,
        {
            "describe_table": (
                {"Table": {**described, "GlobalTableVersion": "2017.11.29"}},
                {"TableName": "legado"},
            ),
            "describe_global_table": (
                {
                    "GlobalTableDescription": {
                        "GlobalTableName": "legado",
                        "ReplicationGroup": group,
                    }
                },
                {"GlobalTableName": "legado"},
            ),
        },
    )
    with stubber:
        [asset] = dynamodb.collect(scope("us-east-1", _Session(dynamodb=client)))
    stubber.assert_no_pending_responses()
    assert [(c.kind, c.region) for c in asset.copies] == [("replica", "mx-central-1")]


def test_dynamodb_plain_table_has_no_copies() -> None:
    create_table("us-east-1", "sesiones")
    [asset] = collect(dynamodb.collect, "us-east-1")
    assert asset.copies == ()
    assert asset.name == "sesiones"


# --- AWS Backup ----------------------------------------------------------------------------


def test_backup_plan_copy_actions(locator: Locator) -> None:
    client = setup("backup", "mx-central-1")
    vault = client.create_backup_vault(
        BackupVaultName="principal", BackupVaultTags={"data-classification": "personal"}
    )
    client.create_backup_vault(BackupVaultName="sin-copias")
    us_vault = f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:dr-virginia"
    br_vault = f"arn:aws:backup:sa-east-1:{ACCOUNT}:backup-vault:dr-brasil"
    client.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "diario",
            "Rules": [
                {
                    "RuleName": "noche",
                    "TargetBackupVaultName": "principal",
                    "CopyActions": [
                        {"DestinationBackupVaultArn": us_vault},
                        {"DestinationBackupVaultArn": br_vault},
                    ],
                },
                {"RuleName": "sin-copia", "TargetBackupVaultName": "sin-copias"},
            ],
        }
    )

    assets = collect(backup.collect, "mx-central-1")
    main, plain = by_name(assets, "principal"), by_name(assets, "sin-copias")
    assert main.id == vault["BackupVaultArn"]
    assert (main.service, main.kind, main.region) == ("backup", "backup", "mx-central-1")
    assert main.tags == {"data-classification": "personal"}
    assert main.attributes["copy_plans"] == ["diario"]
    assert [(c.kind, c.target) for c in main.copies] == [("backup", us_vault), ("backup", br_vault)]
    assert plain.copies == ()

    located = locator.locate_asset(main)
    assert where(located) == (("MX",), "MX-QUE")
    assert copy_places(located) == {
        "us-east-1": (("US",), "US-VA"),
        "sa-east-1": (("BR",), "BR-SP"),
    }


# --- IAM -----------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [ec2, rds, dynamodb, backup], ids=lambda m: m.__name__)
def test_collectors_call_only_their_declared_iam_actions(
    module: Any, recorded_operations: list[str]
) -> None:
    """Each module's IAM_ACTIONS covers every call its collector makes (the policy's list)."""
    create_db("us-east-1", "iam")
    create_table("us-east-1", "iam")
    setup("backup", "us-east-1").create_backup_vault(BackupVaultName="iam")
    run_instance("us-east-1", "iam")
    recorded_operations.clear()
    list(module.collect(scope("us-east-1")))
    assert recorded_operations
    assert set(recorded_operations) <= set(module.IAM_ACTIONS)
