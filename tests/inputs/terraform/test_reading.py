"""Recognising a plan by its content, forcing a reader, bad plans, and SARIF for code scanning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from sovaudit.cli.main import cli
from sovaudit.inputs.readers import READERS, FileContext, reader_for
from tests.inputs.terraform.plans import SAMPLE_PLAN, plan, provider, region, resource, write
from tests.report.test_machine_formats import SARIF_SCHEMA

PLAN = SAMPLE_PLAN
SAMPLES = Path(__file__).resolve().parents[3] / "sample_inventories"


def test_the_inventory_reader_takes_everything_no_other_reader_recognises():
    assert list(READERS)[-1] == "inventory"


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ('{"format_version": "1.0"}', "empty-state.json", "terraform"),  # `show -json`, no state
        ('{"terraform_version": "1.9.8", "format_version": "1.2"}', "x.json", "terraform"),
        ('{"version": 4, "resources": []}', "terraform.tfstate", "terraform"),
        ('{"assets": [{"id": "a", "attributes": {"format_version": 1}}]}', "a.json", "inventory"),
        ('{"schema_version": "1", "assets": [], "format_version": "x"}', "r.json", "inventory"),
        ("assets:\n  - id: a\n", "a.yaml", "inventory"),
        ("id,provider\na,aws\n", "a.csv", "inventory"),
        ('{"format_version": "1.2", "resource_changes": [', "broken.json", "inventory"),
    ],
)
def test_recognised_by_content(tmp_path: Path, text: str, name: str, expected: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert reader_for(path).name == expected


def test_a_plan_is_recognised_whatever_its_name(tmp_path: Path):
    path = tmp_path / "plan.out"
    path.write_bytes(b"\xef\xbb\xbf" + PLAN.read_bytes())  # a BOM, from a Windows pipeline
    assert reader_for(path).name == "terraform"
    result = CliRunner().invoke(cli, ["inventory", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["assets"]) == 13


def test_input_format_forces_a_reader(tmp_path: Path):
    forced = CliRunner().invoke(cli, ["inventory", "--input-format", "inventory", str(PLAN)])
    assert forced.exit_code == 2
    assert str(PLAN) in forced.stderr
    assert "assets" in forced.stderr
    sample = SAMPLES / "retail_monterrey.yaml"
    wrong = CliRunner().invoke(cli, ["inventory", "--input-format", "terraform", str(sample)])
    assert wrong.exit_code == 2
    assert "JSON" in wrong.stderr
    assert str(sample) in wrong.stderr


def test_a_json_file_that_is_no_plan_read_as_terraform_is_an_input_error(tmp_path: Path):
    path = write(tmp_path / "x.json", {"something": "else"})
    result = CliRunner().invoke(cli, ["inventory", "--input-format", "terraform", str(path)])
    assert result.exit_code == 2
    assert "not a Terraform plan or state" in result.stderr


def test_a_broken_state_file_names_its_line(tmp_path: Path):
    path = tmp_path / "terraform.tfstate"
    path.write_text(
        '{\n  "version": 4,\n  "resources": [\n    {"mode": }\n  ]\n}\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["scan", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_resource_change_that_is_not_an_object_names_its_field(tmp_path: Path):
    document = plan(resource("aws_s3_bucket.a", {"bucket": "a"}))
    document["resource_changes"].append("oops")
    path = write(tmp_path / "plan.json", document)
    result = CliRunner().invoke(cli, ["scan", str(path)])
    assert result.exit_code == 2
    assert "resource_changes[1]" in result.stderr


def test_unmapped_types_are_counted_and_listed_with_verbose(tmp_path: Path):
    document = plan(
        resource("aws_s3_bucket.a", {"bucket": "a"}),
        resource("aws_iam_role.r", {"name": "r"}),
        resource("aws_iam_role.s", {"name": "s"}),
        resource("random_id.x", {}),
        providers={"aws": provider("aws", region("mx-central-1"))},
    )
    path = write(tmp_path / "plan.json", document)
    quiet = CliRunner().invoke(cli, ["inventory", str(path), "--format", "json"])
    assert quiet.exit_code == 0
    assert "skipped" not in quiet.stderr
    verbose = CliRunner().invoke(cli, ["inventory", "-v", str(path), "--format", "json"])
    assert "3 of 4 resources are of 2 types" in verbose.stderr
    assert "aws_iam_role (2), random_id (1)" in verbose.stderr


def test_sarif_points_at_the_plan_file_and_line_of_each_resource():
    result = CliRunner().invoke(cli, ["scan", str(PLAN), "--format", "sarif", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    Draft4Validator(SARIF_SCHEMA).validate(log)
    lines = PLAN.read_text(encoding="utf-8").splitlines()
    results = log["runs"][0]["results"]
    assert results
    for item in results:
        [where] = item["locations"]
        physical = where["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == PLAN.as_uri()
        address = where["logicalLocations"][0]["name"]
        line = lines[physical["region"]["startLine"] - 1]
        assert json.dumps(address) in line
        assert '"address"' in line


def test_an_inventory_asset_has_no_physical_location():
    sample = SAMPLES / "retail_monterrey.yaml"
    result = CliRunner().invoke(cli, ["scan", str(sample), "--format", "sarif"])
    log = json.loads(result.stdout)
    assert all("physicalLocation" not in r["locations"][0] for r in log["runs"][0]["results"])


def test_reader_context_defaults_allow_reading_without_a_catalogue(tmp_path: Path):
    """The GRS secondary needs the catalogue's pairs; without one it is unknown, not home."""
    document = plan(
        resource(
            "azurerm_storage_account.s",
            {"name": "s", "location": "brazilsouth", "account_replication_type": "GRS"},
        )
    )
    path = write(tmp_path / "plan.json", document)
    [asset] = reader_for(path).read(path, FileContext())
    [copy] = asset.copies
    assert copy.region is None
    assert copy.location.countries == ()


def test_config_check_reads_a_plan_listed_in_the_config_by_its_content(tmp_path: Path):
    config = tmp_path / "sovaudit.yaml"
    config.write_text(f"sources:\n  inventory: [{json.dumps(str(PLAN))}]\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["config", "check", "--config", str(config), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    checked = json.loads(result.stdout)["checked"]
    assert f"terraform {PLAN} (13 assets)" in checked
