"""The plan a pull request would produce, scanned as CI would: the issue's "done when".

The sample ``sample_inventories/terraform/tienda_pr_plan.json`` is written in the shape
``terraform show -json`` gives (format 1.2): buckets under the default provider
(us-east-1), under an alias whose region is a variable set to mx-central-1, and in a
module with its own provider whose region is a module input (sa-east-1); an RDS
instance in Mexico with a read replica in us-east-1; a BigQuery dataset in US; a Brazil
South GRS storage account; a Cosmos DB account in Mexico Central with a South Central US
geo-location; count and for_each instances; a bucket the plan deletes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from tests.inputs.terraform.plans import SAMPLE_PLAN

PLAN = SAMPLE_PLAN


@pytest.fixture(scope="module")
def scanned() -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["scan", str(PLAN), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def _assets(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {asset["id"]: asset for asset in document["assets"]}


def _copies(asset: dict[str, Any]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [
        (copy["kind"], copy.get("region"), tuple(copy["location"]["countries"]))
        for copy in asset["copies"]
    ]


def test_each_resource_is_where_its_provider_configuration_puts_it(scanned):
    assets = _assets(scanned[1])
    countries = {asset_id: tuple(a["location"]["countries"]) for asset_id, a in assets.items()}
    assert countries["aws_s3_bucket.clientes"] == ("US",)  # default provider: us-east-1
    assert countries["aws_s3_bucket.facturas"] == ("MX",)  # aws.mx: var.region_mx
    assert assets["aws_s3_bucket.facturas"]["region"] == "mx-central-1"
    assert countries['aws_s3_bucket.por_equipo["ventas"]'] == ("MX",)
    assert countries["module.respaldo.aws_s3_bucket.archivo"] == ("BR",)  # module input
    assert assets["module.respaldo.aws_s3_bucket.archivo"]["region"] == "sa-east-1"
    assert countries["aws_db_instance.pedidos"] == ("MX",)
    assert countries["aws_db_instance.pedidos_replica"] == ("US",)
    assert countries["google_bigquery_dataset.analitica"] == ("US",)
    assert countries["google_storage_bucket.catalogo"] == ("MX",)
    assert countries["azurerm_storage_account.expedientes"] == ("BR",)
    assert countries["azurerm_cosmosdb_account.sesiones"] == ("MX",)


def test_count_and_for_each_instances_are_assets_and_deleted_or_unmapped_ones_are_not(scanned):
    ids = set(_assets(scanned[1]))
    assert {"aws_s3_bucket.bitacoras[0]", "aws_s3_bucket.bitacoras[1]"} <= ids
    assert 'aws_s3_bucket.por_equipo["ventas"]' in ids
    assert "aws_s3_bucket.viejo" not in ids  # the plan deletes it
    assert "aws_iam_role.replicacion" not in ids  # holds no data
    assert "azurerm_resource_group.datos" not in ids
    # The replication configuration declares a copy; it is not an asset of its own.
    assert not any(i.startswith("aws_s3_bucket_replication_configuration") for i in ids)


def test_copies_the_plan_declares(scanned):
    assets = _assets(scanned[1])
    assert _copies(assets["aws_s3_bucket.facturas"]) == [("replica", "us-east-1", ("US",))]
    assert assets["aws_s3_bucket.facturas"]["copies"][0]["target"] == "aws_s3_bucket.facturas_dr"
    assert _copies(assets["aws_db_instance.pedidos"]) == [("read-replica", "us-east-1", ("US",))]
    assert _copies(assets["aws_db_instance.pedidos_replica"]) == []
    # Brazil South's pair is South Central US: the GRS secondary leaves Brazil for Texas.
    assert _copies(assets["azurerm_storage_account.expedientes"]) == [
        ("secondary", "southcentralus", ("US",))
    ]
    assert _copies(assets["azurerm_cosmosdb_account.sesiones"]) == [
        ("replica", "southcentralus", ("US",))
    ]


def test_findings_and_exit_code_are_the_nightly_audits(scanned):
    exit_code, document = scanned
    assert exit_code == 1  # --fail-on high is the default
    found = {(f["rule_id"], f["asset_id"]) for f in document["findings"]}
    assert ("sensitive-data-copied-abroad", "aws_db_instance.pedidos") in found
    assert ("sensitive-data-outside-home", "aws_db_instance.pedidos_replica") in found
    assert ("personal-data-copied-abroad", "aws_s3_bucket.facturas") in found
    assert ("personal-data-copied-abroad", "azurerm_cosmosdb_account.sesiones") in found
    assert ("personal-data-outside-home", "google_bigquery_dataset.analitica") in found
    assert ("personal-data-outside-home", "module.respaldo.aws_s3_bucket.archivo") in found
    assert ("geo-redundant-copy-in-another-country", "azurerm_storage_account.expedientes") in found
    assert not any(asset == 'aws_s3_bucket.por_equipo["ventas"]' for _, asset in found)
    summary = document["summary"]
    assert summary["personal_assets"] == 10
    assert summary["personal_assets_outside_home"] == 6


def test_fail_on_never_and_critical(scanned):
    never = CliRunner().invoke(cli, ["scan", str(PLAN), "--fail-on", "never", "-q"])
    assert never.exit_code == 0
    critical = CliRunner().invoke(cli, ["scan", str(PLAN), "--fail-on", "critical", "-q"])
    assert critical.exit_code == 1  # the RDS replica abroad holds sensitive data


def test_assets_carry_their_resource_type_action_and_origin(scanned):
    asset = _assets(scanned[1])["aws_s3_bucket.clientes"]
    assert asset["attributes"]["terraform_type"] == "aws_s3_bucket"
    assert asset["attributes"]["terraform_action"] == "create"
    assert asset["attributes"]["source_file"] == str(PLAN)
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    line = asset["attributes"]["source_line"]
    assert '"address": "aws_s3_bucket.clientes"' in lines[line - 1]
    assert line > next(n for n, text in enumerate(lines, 1) if '"resource_changes"' in text)
    # Provider default tags and the resource's own both classify (tags_all holds both).
    assert asset["tags"] == {"datos-personales": "si", "equipo": "plataforma"}
    assert asset["classification"] == "personal"
