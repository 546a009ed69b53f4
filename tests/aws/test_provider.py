"""The AWS provider against moto's server over real HTTP: accounts, regions, S3, errors, guard.

Every test starts from an empty moto (``aws_env`` in conftest). Resources are created with
plain boto3 clients, which the guard does not cover; the provider reads them through its own
guarded sessions.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from click.testing import CliRunner

from sovaudit.classify.tags import Classifier
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset
from sovaudit.providers import registry
from sovaudit.providers.aws import AwsProvider, guard, s3
from sovaudit.providers.aws import session as aws_session
from sovaudit.providers.aws.provider import ServiceCollector, default_collectors, describe_failure
from sovaudit.providers.aws.session import SessionSpec, StaticCredentials, new_session
from sovaudit.providers.interface import ProviderError
from sovaudit.scan import exit_code, run_scan
from tests.aws.conftest import make_bucket

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "docs" / "aws-iam-policy.json"
ACCOUNT = "123456789012"
ORG_ROLE = "OrganizationAccountAccessRole"
S3_ONLY = [ServiceCollector("s3", s3.collect, per_account=True)]

pytestmark = pytest.mark.integration


def _s3(region: str) -> Any:
    return boto3.client("s3", region_name=region)


def replicate(source: str, region: str, destination_arn: str) -> None:
    client = _s3(region)
    client.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
    client.put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT}:role/replication",
            "Rules": [
                {
                    "ID": "to-virginia",
                    "Status": "Enabled",
                    "Prefix": "",
                    "Destination": {"Bucket": destination_arn},
                }
            ],
        },
    )


@pytest.fixture
def estate() -> None:
    """Four buckets: Querétaro (replicated to Virginia), Virginia, São Paulo, Ireland."""
    make_bucket("clientes-qro", "mx-central-1", {"data-classification": "personal"})
    make_bucket("clientes-replica", "us-east-1", {"data-classification": "personal"})
    make_bucket("logs-sp", "sa-east-1", {"team": "ops"})
    make_bucket("marketing-ie", "eu-west-1")
    _s3("us-east-1").put_bucket_versioning(
        Bucket="clientes-replica", VersioningConfiguration={"Status": "Enabled"}
    )
    replicate("clientes-qro", "mx-central-1", "arn:aws:s3:::clientes-replica")
    key = f"arn:aws:kms:mx-central-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    _s3("mx-central-1").put_bucket_encryption(
        Bucket="clientes-qro",
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key,
                    }
                }
            ]
        },
    )


def located(assets: list[Asset], locator: Locator) -> dict[str, Asset]:
    return {a.name or a.id: locator.locate_asset(a) for a in assets}


# --- S3 -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("estate")
def test_every_bucket_and_replica_is_placed(locator: Locator) -> None:
    provider = AwsProvider(regions=["mx-central-1", "us-east-1"], collectors=S3_ONLY)
    buckets = located(list(provider.collect()), locator)

    assert provider.errors == []
    assert set(buckets) == {"clientes-qro", "clientes-replica", "logs-sp", "marketing-ie"}
    qro = buckets["clientes-qro"]
    assert qro.id == "arn:aws:s3:::clientes-qro"
    assert (qro.provider, qro.service, qro.kind, qro.account) == (
        "aws",
        "s3",
        "object_store",
        ACCOUNT,
    )
    assert qro.region == "mx-central-1"
    assert qro.location.countries == ("MX",)
    assert qro.location.subdivision == "MX-QUE"
    assert qro.tags["data-classification"] == "personal"
    assert qro.attributes["kms_key_region"] == "mx-central-1"
    assert qro.attributes["kms_key_arn"].startswith("arn:aws:kms:mx-central-1:")
    [replica] = qro.copies
    assert (replica.kind, replica.target) == ("replica", "arn:aws:s3:::clientes-replica")
    assert replica.region == "us-east-1"
    assert replica.location.countries == ("US",)

    virginia = buckets["clientes-replica"]
    assert virginia.region is None  # GetBucketLocation's null, kept raw for the locator
    assert (virginia.location.countries, virginia.location.subdivision) == (("US",), "US-VA")
    assert buckets["logs-sp"].location.countries == ("BR",)
    assert buckets["logs-sp"].tags == {"team": "ops"}
    assert buckets["marketing-ie"].location.countries == ("IE",)
    assert buckets["marketing-ie"].tags == {}


def test_eu_location_constraint_is_ireland(locator: Locator) -> None:
    """moto refuses ``EU`` as a LocationConstraint, so only our side of it is tested."""
    bucket = Asset(id="arn:aws:s3:::old", provider="aws", service="s3", region="EU")
    assert locator.locate_asset(bucket).location.countries == ("IE",)
    with pytest.raises(ClientError):
        _s3("eu-west-1").create_bucket(
            Bucket="old", CreateBucketConfiguration={"LocationConstraint": "EU"}
        )


def test_replica_in_an_unreadable_bucket_stays_unlocated(locator: Locator) -> None:
    make_bucket("ventas", "mx-central-1")
    replicate("ventas", "mx-central-1", "arn:aws:s3:::someone-elses-bucket")
    [bucket] = AwsProvider(regions=["mx-central-1"], collectors=S3_ONLY).collect()
    [copy] = locator.locate_asset(bucket).copies
    assert copy.target == "arn:aws:s3:::someone-elses-bucket"
    assert copy.region is None
    assert not copy.location.known
    assert "NoSuchBucket" in (copy.location.note or "")


def test_kms_key_region() -> None:
    assert s3.kms_key_region("arn:aws:kms:us-west-2:1:key/abc") == "us-west-2"
    assert s3.kms_key_region("alias/aws/s3") is None
    assert s3.bucket_name_from_arn("arn:aws:s3:::b/prefix") == "b"


# --- read-only guard ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation", "allowed"),
    [
        ("s3", "ListBuckets", True),
        ("s3", "GetBucketLocation", True),
        ("s3", "HeadBucket", True),
        ("ec2", "DescribeInstances", True),
        ("sts", "AssumeRole", True),
        ("sts", "GetCallerIdentity", True),
        ("s3", "CreateBucket", False),
        ("s3", "PutBucketPolicy", False),
        ("s3", "DeleteObject", False),
        ("ec2", "TerminateInstances", False),
        ("iam", "AssumeRole", False),
        ("sts", "AssumeRoleWithSAML", False),
    ],
)
def test_allow_list(service: str, operation: str, allowed: bool) -> None:
    assert guard.is_read_operation(service, operation) is allowed


def _count_sends(session: Any) -> list[str]:
    sent: list[str] = []
    session.events.register("before-send", lambda **kw: sent.append(kw["request"].url))
    return sent


def test_guard_refuses_mutations_before_sending() -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]
    session = new_session()
    sent = _count_sends(session)

    with pytest.raises(guard.ReadOnlyViolation, match=r"s3:CreateBucket"):
        session.client("s3", region_name="us-east-1").create_bucket(Bucket="nope")
    with pytest.raises(guard.ReadOnlyViolation, match=r"ec2:TerminateInstances") as refused:
        session.client("ec2", region_name="us-east-1").terminate_instances(
            InstanceIds=[instance["InstanceId"]]
        )
    assert isinstance(refused.value, ProviderError)
    assert (refused.value.service, refused.value.operation) == ("ec2", "TerminateInstances")
    assert sent == []  # nothing left the process
    assert _s3("us-east-1").list_buckets()["Buckets"] == []
    [reservation] = ec2.describe_instances()["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] == "running"


def test_assumed_sessions_are_guarded_too() -> None:
    spec = SessionSpec(credentials=StaticCredentials("AKIDSECRET", "s3cr3t", "t0ken"))
    assert not {"AKIDSECRET", "s3cr3t", "t0ken"} & set(repr(spec).replace("(", " ").split())
    assert "s3cr3t" not in repr(spec)
    session = new_session(spec)
    with pytest.raises(guard.ReadOnlyViolation):
        session.client("dynamodb", region_name="us-east-1").delete_table(TableName="t")


# --- accounts, regions, errors ------------------------------------------------------------


def test_organization_member_is_read_through_assume_role(
    locator: Locator, recorded_operations: list[str]
) -> None:
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="mx@example.com", AccountName="mexico")
    member_id = member["CreateAccountStatus"]["AccountId"]
    make_bucket("management-bucket", "us-east-1")
    creds = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{member_id}:role/{ORG_ROLE}", RoleSessionName="setup"
    )["Credentials"]
    boto3.client(
        "s3",
        region_name="mx-central-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).create_bucket(
        Bucket="member-bucket", CreateBucketConfiguration={"LocationConstraint": "mx-central-1"}
    )

    provider = AwsProvider(org_role=ORG_ROLE, regions=["us-east-1"], collectors=S3_ONLY)
    buckets = located(list(provider.collect()), locator)

    assert provider.errors == []
    assert buckets["management-bucket"].account == ACCOUNT
    assert buckets["member-bucket"].account == member_id
    assert buckets["member-bucket"].location.countries == ("MX",)
    assert "organizations:ListAccounts" in recorded_operations
    assert recorded_operations.count("sts:AssumeRole") == 1  # the member only


def test_enabled_regions_come_from_describe_regions(recorded_operations: list[str]) -> None:
    make_bucket("bucket-b", "mx-central-1")
    seen: list[str] = []

    def spy(scope: Any) -> Iterator[Asset]:
        seen.append(scope.region)
        return iter(())

    provider = AwsProvider(collectors=[ServiceCollector("spy", spy)], max_workers=4)
    assert list(provider.collect()) == []
    assert "mx-central-1" in seen
    assert "us-east-1" in seen
    assert len(seen) > 10
    assert "ec2:DescribeRegions" in recorded_operations


def test_a_denied_region_is_an_error_and_the_rest_goes_on(
    deny_region_proxy: Any, locator: Locator, caplog: pytest.LogCaptureFixture
) -> None:
    make_bucket("qro", "mx-central-1")
    boto3.client("dynamodb", region_name="sa-east-1").create_table(
        TableName="pedidos",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3.client("dynamodb", region_name="mx-central-1").create_table(
        TableName="clientes",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    proxy = deny_region_proxy("sa-east-1")
    collectors = [c for c in default_collectors() if c.service in {"s3", "dynamodb", "ec2"}]
    provider = AwsProvider(regions=["mx-central-1", "sa-east-1"], collectors=collectors)
    with caplog.at_level(logging.INFO, logger="sovaudit.progress"):
        names = {a.name for a in provider.collect()}

    assert {"qro", "clientes"} <= names
    assert "pedidos" not in names
    scopes = {e.scope: e.message for e in provider.errors}
    assert set(scopes) == {f"{ACCOUNT}/sa-east-1/dynamodb", f"{ACCOUNT}/sa-east-1/ec2"}
    assert scopes[f"{ACCOUNT}/sa-east-1/dynamodb"].startswith("access denied: dynamodb:ListTables")
    assert "UnauthorizedOperation" in scopes[f"{ACCOUNT}/sa-east-1/ec2"]
    assert "arn:aws:iam" not in " ".join(scopes.values())  # AWS's long text is not repeated
    assert {region for region, _ in proxy.faulted} == {"sa-east-1"}
    # The progress display gets one event per account/region/service, failures marked.
    events = progress_events(caplog)
    assert events[0] == {"event": "planned", "source": "aws", "total": 5}
    finished = {e["scope"]: e["failed"] for e in events[1:]}
    assert finished == {
        f"{ACCOUNT}/mx-central-1/s3": False,
        f"{ACCOUNT}/mx-central-1/dynamodb": False,
        f"{ACCOUNT}/mx-central-1/ec2": False,
        f"{ACCOUNT}/sa-east-1/dynamodb": True,
        f"{ACCOUNT}/sa-east-1/ec2": True,
    }


def test_scan_through_the_cli_exits_3_when_a_region_is_denied(
    deny_region_proxy: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sovaudit.cli.main import cli

    monkeypatch.setitem(registry.BUILTIN, "aws", "sovaudit.providers.aws:AwsProvider")
    make_bucket("clientes-qro", "mx-central-1", {"data-classification": "personal"})
    make_bucket("clientes-replica", "us-east-1")
    replicate("clientes-qro", "mx-central-1", "arn:aws:s3:::clientes-replica")
    deny_region_proxy("sa-east-1")
    args = ["scan", "--provider", "aws", "--format", "json", "--fail-on", "never"]
    args += ["--aws-region", "mx-central-1", "--aws-region", "us-east-1"]
    args += ["--aws-region", "sa-east-1"]
    result = CliRunner().invoke(cli, args)

    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    assets = {a["name"]: a for a in document["assets"]}
    assert assets["clientes-qro"]["location"]["countries"] == ["MX"]
    assert assets["clientes-qro"]["location"]["subdivision"] == "MX-QUE"
    assert [c["location"]["countries"] for c in assets["clientes-qro"]["copies"]] == [["US"]]
    assert assets["clientes-replica"]["location"]["countries"] == ["US"]
    assert {e["scope"].split("/")[1] for e in document["errors"]} == {"sa-east-1"}
    assert all(e["provider"] == "aws" for e in document["errors"])


@pytest.mark.usefixtures("estate")
def test_run_scan_counts_exposure(locator: Locator, classifier: Classifier) -> None:
    provider = AwsProvider(regions=["us-east-1"], collectors=S3_ONLY)
    result = run_scan([provider], locator=locator, classifier=classifier, rules=[])
    countries = {a.name: a.location.countries for a in result.assets}
    assert countries == {
        "clientes-qro": ("MX",),
        "clientes-replica": ("US",),
        "logs-sp": ("BR",),
        "marketing-ie": ("IE",),
    }
    assert exit_code(result, None) == 0


def test_unreachable_endpoint_is_a_provider_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setattr(aws_session, "MAX_ATTEMPTS", 2)  # retries are for throttling
    provider = AwsProvider(regions=["us-east-1"], collectors=S3_ONLY)
    with pytest.raises(ProviderError, match="cannot identify the caller"):
        list(provider.collect())


def test_no_credentials_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ProviderError, match="no AWS credentials"):
        list(AwsProvider(collectors=S3_ONLY).collect())


def test_unknown_profile_is_one_clear_error() -> None:
    with pytest.raises(ProviderError, match="profile not found: nobody"):
        list(AwsProvider(profile="nobody", collectors=S3_ONLY).collect())


def test_missing_boto3_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    with pytest.raises(ProviderError) as raised:
        list(AwsProvider(collectors=S3_ONLY).collect())
    assert str(raised.value) == "the AWS provider needs boto3: pip install 'sovaudit[aws]'"


def test_failure_messages_are_short() -> None:
    denied = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "User: arn:aws:iam::1:user/x is not..."}},
        "GetBucketReplication",
    )
    assert describe_failure(denied, "s3") == (
        "access denied: s3:GetReplicationConfiguration (AccessDenied); see docs/aws-iam-policy.json"
    )
    disabled = ClientError({"Error": {"Code": "AuthFailure", "Message": "x"}}, "DescribeVolumes")
    assert describe_failure(disabled, "ec2").startswith("region not enabled")
    down = EndpointConnectionError(endpoint_url="https://ec2.xx.amazonaws.com")
    assert describe_failure(down, "ec2").startswith("cannot reach the AWS endpoint")


def test_from_options() -> None:
    provider = AwsProvider.from_options(
        {"profile": "audit", "org_role": ORG_ROLE, "regions": ["mx-central-1"], "max_workers": 3}
    )
    assert isinstance(provider, AwsProvider)
    assert (provider.profile, provider.org_role, provider.regions, provider.max_workers) == (
        "audit",
        ORG_ROLE,
        ("mx-central-1",),
        3,
    )
    assert AwsProvider.from_options({"regions": "us-east-1, mx-central-1"}).regions == (
        "us-east-1",
        "mx-central-1",
    )
    assert AwsProvider.from_options({}).max_workers == 8


# --- the published least-privilege policy ----------------------------------------------------


def _policy_actions() -> set[str]:
    document = json.loads(POLICY.read_text(encoding="utf-8"))
    actions: set[str] = set()
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def _full_estate() -> None:
    """One of everything each collector reads, in two regions and two accounts."""
    region = "mx-central-1"
    make_bucket("clientes-qro", region, {"data-classification": "personal"})
    make_bucket("clientes-replica", "us-east-1")
    replicate("clientes-qro", region, "arn:aws:s3:::clientes-replica")
    ec2 = boto3.client("ec2", region_name=region)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)
    volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=8)
    ec2.create_snapshot(VolumeId=volume["VolumeId"])
    boto3.client("rds", region_name=region).create_db_instance(
        DBInstanceIdentifier="clientes",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin1",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        Tags=[{"Key": "data-classification", "Value": "personal"}],
    )
    boto3.client("dynamodb", region_name=region).create_table(
        TableName="pedidos",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    backup = boto3.client("backup", region_name=region)
    backup.create_backup_vault(BackupVaultName="vault")
    backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [
                {
                    "RuleName": "daily",
                    "TargetBackupVaultName": "vault",
                    "CopyActions": [
                        {
                            "DestinationBackupVaultArn": f"arn:aws:backup:us-east-1:{ACCOUNT}:"
                            "backup-vault:copy"
                        }
                    ],
                }
            ],
        }
    )
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    org.create_account(Email="mx@example.com", AccountName="mexico")


def test_policy_covers_every_call_the_provider_makes(recorded_operations: list[str]) -> None:
    _full_estate()
    provider = AwsProvider(org_role=ORG_ROLE, regions=["mx-central-1", "us-east-1"])
    assets = list(provider.collect())

    assert provider.errors == []
    assert {a.service for a in assets} >= {"s3", "ec2", "rds", "dynamodb", "backup"}
    recorded = set(recorded_operations)
    assert recorded >= {"s3:ListAllMyBuckets", "sts:AssumeRole", "ec2:DescribeInstances"}
    missing = recorded - _policy_actions()
    assert not missing, f"calls not in docs/aws-iam-policy.json: {sorted(missing)}"


def test_policy_lists_what_each_collector_declares() -> None:
    import importlib

    declared: set[str] = set()
    for name in ("ec2", "rds", "dynamodb", "backup", "tagging"):
        module = importlib.import_module(f"sovaudit.providers.aws.{name}")
        declared.update(getattr(module, "IAM_ACTIONS", ()))
    assert declared <= _policy_actions()
    assert all(guard.is_read_operation(*a.split(":")) for a in _policy_actions())


def progress_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The progress events (sovaudit/progress.py) a provider emitted while collecting."""
    return [r.progress for r in caplog.records if r.name == "sovaudit.progress"]
