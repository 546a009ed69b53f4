"""Where each kind of resource will be, and the copies each kind of plan declares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sovaudit.inputs.readers import FileContext
from sovaudit.inputs.terraform.reader import READER
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset
from tests.inputs.terraform.plans import plan, provider, refs, region, resource, write


@pytest.fixture
def read(tmp_path: Path, locator: Locator):
    def _read(document: dict[str, Any]) -> dict[str, Asset]:
        path = write(tmp_path / "plan.json", document)
        assets = READER.read(path, FileContext(locator))
        return {asset.id: locator.locate_asset(asset) for asset in assets}

    return _read


AWS_US = {"aws": provider("aws", region("us-east-1"))}


def _copies(asset: Asset) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [(c.kind, c.region, c.location.countries) for c in asset.copies]


# --- where: the resource's own arguments, then its provider configuration -------------


def test_resource_region_argument_beats_the_provider(read):
    """AWS provider 6 has a per-resource ``region``."""
    assets = read(
        plan(
            resource("aws_s3_bucket.a", {"bucket": "a", "region": "mx-central-1"}), providers=AWS_US
        )
    )
    assert assets["aws_s3_bucket.a"].location.countries == ("MX",)


def test_a_zone_argument_beats_the_provider_region(read):
    google = {
        "google": provider(
            "google", {**region("europe-west2"), "zone": {"constant_value": "europe-west2-c"}}
        )
    }
    document = plan(
        resource(
            "google_compute_instance.vm",
            {"name": "vm", "zone": "us-central1-c"},
            expressions={"zone": {"constant_value": "us-central1-c"}},
        ),
        resource("google_compute_disk.d", {"name": "d"}, unknown={"id": True, "zone": True}),
        providers=google,
    )
    assets = read(document)
    assert assets["google_compute_instance.vm"].region == "us-central1"
    assert assets["google_compute_instance.vm"].location.countries == ("US",)
    # Unset (computed): the provider's zone decides.
    assert assets["google_compute_disk.d"].zone == "europe-west2-c"
    assert assets["google_compute_disk.d"].location.countries == ("GB",)


def test_a_root_variable_and_a_module_default(read):
    providers = {
        "aws": provider("aws", {"region": refs("var.region")}),
        "module.m:aws": provider("aws", {"region": refs("var.where")}, module_address="module.m"),
    }
    calls = {
        "m": {
            "source": "./m",
            "module": {"resources": [], "variables": {"where": {"default": "mx-central-1"}}},
        }
    }
    bucket = resource(
        "module.m.aws_s3_bucket.b", {"bucket": "b"}, key="module.m:aws", module="module.m"
    )
    calls["m"]["module"]["resources"].append(bucket["config"])
    document = plan(
        resource("aws_s3_bucket.a", {"bucket": "a"}),
        bucket,
        providers=providers,
        variables={"region": "sa-east-1"},
        module_calls=calls,
    )
    assets = read(document)
    assert assets["aws_s3_bucket.a"].region == "sa-east-1"
    assert assets["module.m.aws_s3_bucket.b"].region == "mx-central-1"


def test_a_region_only_the_environment_sets_is_unknown_never_home(read):
    document = plan(
        resource("aws_s3_bucket.a", {"bucket": "a"}), providers={"aws": provider("aws", {})}
    )
    asset = read(document)["aws_s3_bucket.a"]
    assert asset.location.countries == ()
    assert "AWS_REGION" in (asset.location.note or "")


def test_a_region_from_a_local_or_an_unknown_variable_is_unknown(read):
    document = plan(
        resource("aws_s3_bucket.a", {"bucket": "a"}),
        resource("aws_s3_bucket.b", {"bucket": "b"}, key="aws.b"),
        providers={
            "aws": provider("aws", {"region": refs("local.region")}),
            "aws.b": provider("aws", {"region": refs("var.missing")}, alias="b"),
        },
    )
    assets = read(document)
    assert assets["aws_s3_bucket.a"].location.countries == ()
    assert "local.region" in (assets["aws_s3_bucket.a"].location.note or "")
    assert assets["aws_s3_bucket.b"].location.countries == ()
    assert "var.missing" in (assets["aws_s3_bucket.b"].location.note or "")


def test_azure_location_known_only_at_apply_is_unknown(read):
    document = plan(
        resource(
            "azurerm_storage_account.s",
            {"name": "s", "account_replication_type": "LRS"},
            unknown={"id": True, "location": True},
            expressions={"location": refs("data.azurerm_resource_group.rg.location")},
        )
    )
    asset = read(document)["azurerm_storage_account.s"]
    assert asset.location.countries == ()
    assert "data.azurerm_resource_group.rg.location" in (asset.location.note or "")


def test_bigquery_dataset_without_location_is_in_the_us_multi_region(read):
    google = {"google": provider("google", region("northamerica-south1"))}
    asset = read(
        plan(resource("google_bigquery_dataset.d", {"dataset_id": "d"}), providers=google)
    )["google_bigquery_dataset.d"]
    assert asset.region == "US"
    assert asset.location.countries == ("US",)


# --- copies -----------------------------------------------------------------------------


def test_dynamodb_replica_blocks(read):
    table = {
        "name": "t",
        "replica": [{"region_name": "mx-central-1"}, {"region_name": "us-west-2"}],
    }
    asset = read(plan(resource("aws_dynamodb_table.t", table), providers=AWS_US))[
        "aws_dynamodb_table.t"
    ]
    assert _copies(asset) == [
        ("replica", "mx-central-1", ("MX",)),
        ("replica", "us-west-2", ("US",)),
    ]


def test_s3_replication_to_a_bucket_outside_the_plan_is_an_unknown_copy(read):
    config = resource(
        "aws_s3_bucket_replication_configuration.r",
        {"bucket": "a", "rule": [{"destination": [{"bucket": "arn:aws:s3:::elsewhere"}]}]},
    )
    asset = read(plan(resource("aws_s3_bucket.a", {"bucket": "a"}), config, providers=AWS_US))[
        "aws_s3_bucket.a"
    ]
    assert [(c.kind, c.target, c.location.countries) for c in asset.copies] == [
        ("replica", "arn:aws:s3:::elsewhere", ())
    ]


def test_s3_inline_replication_of_provider_3(read):
    inline = {
        "bucket": "a",
        "replication_configuration": [{"rules": [{"destination": [{"bucket": "arn:aws:s3:::b"}]}]}],
    }
    document = plan(
        resource("aws_s3_bucket.a", inline),
        resource("aws_s3_bucket.b", {"bucket": "b", "region": "mx-central-1"}),
        providers=AWS_US,
    )
    assert _copies(read(document)["aws_s3_bucket.a"]) == [("replica", "mx-central-1", ("MX",))]


def test_aurora_global_cluster_members_copy_each_other(read):
    providers = {**AWS_US, "aws.mx": provider("aws", region("mx-central-1"), alias="mx")}
    member = {"global_cluster_identifier": refs("aws_rds_global_cluster.g.id")}
    document = plan(
        resource("aws_rds_global_cluster.g", {"global_cluster_identifier": "g"}),
        resource(
            "aws_rds_cluster.mx", {"cluster_identifier": "mx"}, key="aws.mx", expressions=member
        ),
        resource("aws_rds_cluster.us", {"cluster_identifier": "us"}, expressions=member),
        providers=providers,
    )
    assets = read(document)
    assert _copies(assets["aws_rds_cluster.mx"]) == [("replica", "us-east-1", ("US",))]
    assert _copies(assets["aws_rds_cluster.us"]) == [("replica", "mx-central-1", ("MX",))]
    assert "aws_rds_global_cluster.g" not in assets


def test_kms_and_dynamodb_replica_resources_copy_their_primary(read):
    providers = {**AWS_US, "aws.mx": provider("aws", region("mx-central-1"), alias="mx")}
    document = plan(
        resource("aws_kms_key.k", {"description": "k", "multi_region": True}, key="aws.mx"),
        resource(
            "aws_kms_replica_key.r", {}, expressions={"primary_key_arn": refs("aws_kms_key.k.arn")}
        ),
        resource("aws_dynamodb_table.t", {"name": "t"}, key="aws.mx"),
        resource(
            "aws_dynamodb_table_replica.r",
            {},
            expressions={"global_table_arn": refs("aws_dynamodb_table.t.arn")},
        ),
        providers=providers,
    )
    assets = read(document)
    assert _copies(assets["aws_kms_key.k"]) == [("replica", "us-east-1", ("US",))]
    assert _copies(assets["aws_dynamodb_table.t"]) == [("replica", "us-east-1", ("US",))]


def test_grs_in_a_region_without_a_pair_is_an_unknown_copy_never_home(read):
    account = {"name": "s", "location": "mexicocentral", "account_replication_type": "RAGRS"}
    asset = read(plan(resource("azurerm_storage_account.s", account)))["azurerm_storage_account.s"]
    assert asset.location.countries == ("MX",)
    [copy] = asset.copies
    assert copy.kind == "secondary"
    assert copy.location.countries == ()
    assert "no paired region" in (copy.location.note or "")


def test_sql_database_is_where_its_server_is_and_follows_its_failover_group(read):
    document = plan(
        resource("azurerm_mssql_server.mx", {"name": "mx", "location": "mexicocentral"}),
        resource("azurerm_mssql_server.us", {"name": "us", "location": "southcentralus"}),
        resource(
            "azurerm_mssql_database.db",
            {"name": "db", "storage_account_type": "Local"},
            expressions={
                "server_id": refs("azurerm_mssql_server.mx.id", "azurerm_mssql_server.mx")
            },
        ),
        resource(
            "azurerm_mssql_failover_group.fg",
            {"name": "fg"},
            expressions={
                "partner_server": [{"id": refs("azurerm_mssql_server.us.id")}],
                "databases": refs("azurerm_mssql_database.db.id"),
            },
        ),
    )
    database = read(document)["azurerm_mssql_database.db"]
    assert database.location.countries == ("MX",)
    assert _copies(database) == [("replica", "southcentralus", ("US",))]


def test_sql_backups_default_to_geo_redundant_storage(read):
    document = plan(
        resource("azurerm_mssql_server.br", {"name": "br", "location": "brazilsouth"}),
        resource(
            "azurerm_mssql_database.db",
            {"name": "db"},
            expressions={"server_id": refs("azurerm_mssql_server.br.id")},
        ),
    )
    assert _copies(read(document)["azurerm_mssql_database.db"]) == [
        ("backup", "southcentralus", ("US",))
    ]


def test_cloud_sql_replica_and_default_backups(read):
    google = {"google": provider("google", region("northamerica-south1"))}
    settings = [{"backup_configuration": [{"enabled": True, "location": ""}]}]
    document = plan(
        resource("google_sql_database_instance.main", {"name": "main", "settings": settings}),
        resource(
            "google_sql_database_instance.replica",
            {"name": "replica", "region": "us-central1", "master_instance_name": "main"},
        ),
        providers=google,
    )
    main = read(document)["google_sql_database_instance.main"]
    assert main.location.countries == ("MX",)
    kinds = _copies(main)
    assert ("read-replica", "us-central1", ("US",)) in kinds
    backup = next(c for c in main.copies if c.kind == "backup")
    assert backup.location.countries == ()
    assert "multi-region" in (backup.location.note or "")


def test_gcs_custom_dual_region_members_are_copies(read):
    bucket = {
        "name": "b",
        "location": "US",
        "custom_placement_config": [{"data_locations": ["US-CENTRAL1", "US-EAST1"]}],
    }
    asset = read(plan(resource("google_storage_bucket.b", bucket)))["google_storage_bucket.b"]
    assert asset.data_locations == ("us-central1", "us-east1")
    assert {c.region for c in asset.copies} == {"us-central1", "us-east1"}


def test_pubsub_without_storage_policy_is_unknown(read):
    google = {"google": provider("google", region("northamerica-south1"))}
    asset = read(plan(resource("google_pubsub_topic.t", {"name": "t"}), providers=google))[
        "google_pubsub_topic.t"
    ]
    assert asset.location.countries == ()
    assert "publisher" in (asset.location.note or "")


def test_oci_replication_policy(read):
    oci = {"oci": provider("oci", region("mx-queretaro-1"))}
    document = plan(
        resource("oci_objectstorage_bucket.b", {"name": "b"}),
        resource(
            "oci_objectstorage_replication_policy.p",
            {"destination_region_name": "mx-monterrey-1", "destination_bucket_name": "b-mty"},
            expressions={"bucket": refs("oci_objectstorage_bucket.b.name")},
        ),
        providers=oci,
    )
    bucket = read(document)["oci_objectstorage_bucket.b"]
    assert bucket.location.countries == ("MX",)
    assert _copies(bucket) == [("replica", "mx-monterrey-1", ("MX",))]


def test_tags_labels_and_oci_tags_classify(read):
    document = plan(
        resource(
            "google_storage_bucket.b", {"name": "b", "location": "EU", "labels": {"pii": "true"}}
        ),
        resource(
            "oci_objectstorage_bucket.o",
            {
                "name": "o",
                "freeform_tags": {"a": "1"},
                "defined_tags": {"datos.clasificacion": "personal"},
            },
        ),
        providers={"oci": provider("oci", region("mx-queretaro-1"))},
    )
    assets = read(document)
    assert assets["google_storage_bucket.b"].tags == {"pii": "true"}
    assert assets["oci_objectstorage_bucket.o"].tags == {
        "a": "1",
        "datos.clasificacion": "personal",
    }


def test_sensitive_values_are_never_read_or_written(tmp_path, locator):
    """A plan holds sensitive values in clear, marked in ``after_sensitive``."""
    bucket = resource(
        "aws_s3_bucket.a",
        {"bucket": "s3cr3t-name", "tags": {"pii": "true", "token": "hunter2"}},
    )
    bucket["change"]["change"]["after_sensitive"] = {"bucket": True, "tags": {"token": True}}
    path = write(tmp_path / "plan.json", plan(bucket, providers=AWS_US))
    from click.testing import CliRunner

    from sovaudit.cli.main import cli

    result = CliRunner().invoke(cli, ["scan", str(path), "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.stdout
    assert "s3cr3t-name" not in result.stdout
    asset = json.loads(result.stdout)["assets"][0]
    assert asset["tags"] == {"pii": "true"}
    assert asset["classification"] == "personal"


def test_a_state_files_sensitive_attributes_are_never_read(tmp_path, locator):
    state = {
        "version": 4,
        "terraform_version": "1.9.8",
        "resources": [
            {
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "a",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [
                    {
                        "attributes": {
                            "bucket": "b",
                            "region": "mx-central-1",
                            "tags": {"pii": "true", "token": "hunter2"},
                        },
                        "sensitive_attributes": [
                            [
                                {"type": "get_attr", "value": "tags"},
                                {"type": "index", "value": {"value": "token", "type": "string"}},
                            ]
                        ],
                    }
                ],
            }
        ],
    }
    path = write(tmp_path / "terraform.tfstate", state)
    [asset] = READER.read(path, FileContext(locator))
    assert asset.region == "mx-central-1"
    assert asset.tags == {"pii": "true"}  # the sensitive entry only is left out
