"""The commands through click's runner: options, formats, exit codes, error lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sovaudit import __version__
from sovaudit.cli.main import cli
from sovaudit.inputs.inventory.reader import read_inventory
from sovaudit.providers import registry
from sovaudit.report.json_document import asset_to_dict

ESTATE = """\
assets:
  - id: arn:aws:s3:::clientes
    provider: aws
    service: s3
    region: mx-central-1
    tags: {data-classification: personal}
    copies: [{kind: replica, region: us-east-1}]
  - id: i-0qro
    provider: aws
    service: ec2
    region: us-east-1
    zone: us-east-1-qro-1a
  - id: crm
    provider: saas
    location: {country: US}
    tags: {pii: "yes"}
  - id: mystery
    provider: saas
    classification: sensitive
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def estate(write) -> Path:
    return write("estate.yaml", ESTATE)


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"sovaudit {__version__}\n"


def test_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "inventory" in result.output
    assert "regions" in result.output


def test_regions_in_mexico_as_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["regions", "--country", "mx", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {(r["provider"], r["region"]) for r in rows} >= {
        ("aws", "mx-central-1"),
        ("aws", "us-east-1-qro-1"),
        ("gcp", "northamerica-south1"),
        ("azure", "mexicocentral"),
        ("oci", "mx-queretaro-1"),
        ("oci", "mx-monterrey-1"),
    }
    for row in rows:
        assert {"provider", "region", "name", "countries", "subdivision", "city", "kind"} <= set(
            row
        )
        assert row["countries"] == ["MX"]
    azure = next(r for r in rows if r["provider"] == "azure")
    assert azure["paired_region"] is None


def test_regions_json_carries_members_and_pairs(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["regions", "--provider", "gcp", "--provider", "azure", "--format", "json"]
    )
    rows = {(r["provider"], r["region"]): r for r in json.loads(result.stdout)}
    assert rows[("gcp", "NAM4")]["members"] == ["us-central1", "us-east1"]
    assert rows[("gcp", "NAM4")]["kind"] == "dual-region"
    assert rows[("azure", "brazilsouth")]["paired_region"] == "southcentralus"
    assert all("paired_region" in r for (p, _), r in rows.items() if p == "azure")


def test_regions_table(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["regions", "--country", "MX", "--format", "table"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["PROVIDER", "REGION", "NAME", "COUNTRY", "STATE", "CITY", "KIND"]
    assert any(
        line.startswith("aws") and "mx-central-1" in line and "MX-QUE" in line for line in lines
    )
    assert lines[-1].endswith("regions")


def test_regions_unknown_provider_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["regions", "--provider", "ibm"])
    assert result.exit_code == 2
    assert result.output.strip().startswith("sovaudit: error: no region catalogue for ibm")


def test_inventory_json_locates_everything(runner: CliRunner, estate: Path) -> None:
    result = runner.invoke(cli, ["inventory", str(estate), "--format", "json"])
    assert result.exit_code == 0, result.output
    assets = {a["id"]: a for a in json.loads(result.stdout)["assets"]}
    assert assets["arn:aws:s3:::clientes"]["location"]["subdivision"] == "MX-QUE"
    assert assets["arn:aws:s3:::clientes"]["copies"][0]["location"]["countries"] == ["US"]
    assert assets["arn:aws:s3:::clientes"]["classification"] == "personal"
    assert assets["i-0qro"]["location"]["countries"] == ["MX"]
    assert assets["crm"]["location"]["source"] == "declared"
    assert assets["mystery"]["location"] == {
        "countries": [],
        "subdivision": None,
        "city": None,
        "source": "unknown",
        "confidence": "low",
        "note": "no region catalogue for provider 'saas': declare the location",
    }


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".csv"])
def test_inventory_output_is_an_inventory_that_reads_back(
    runner: CliRunner, estate: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"out{suffix}"
    result = runner.invoke(cli, ["inventory", str(estate), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    again = runner.invoke(cli, ["inventory", str(out), "--format", "json"])
    first = runner.invoke(cli, ["inventory", str(estate), "--format", "json"])
    assert json.loads(again.stdout)["assets"] == json.loads(first.stdout)["assets"]


def test_inventory_table_has_a_summary(runner: CliRunner, estate: Path) -> None:
    result = runner.invoke(cli, ["inventory", str(estate), "--format", "table"])
    assert result.exit_code == 0
    assert (
        "4 assets (MX 2, US 1, unknown 1); 3 hold personal data, 2 of them not wholly "
        "in MX." in result.output
    )


def test_piped_output_defaults_to_json(runner: CliRunner, estate: Path) -> None:
    result = runner.invoke(cli, ["inventory", str(estate)])
    assert json.loads(result.stdout)["tool"]["name"] == "sovaudit"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inventory"], "nothing to read"),
        (["inventory", "missing.yaml"], "missing.yaml: no such file"),
        (["inventory", "--provider", "nosuch", "x.yaml"], "unknown provider 'nosuch'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_option_values_are_checked_by_click(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["inventory", "--home-country", "MEX", "x.yaml"])
    assert result.exit_code == 2
    assert "'MEX' is not an ISO 3166-1 alpha-2 code" in result.output


def test_a_bad_region_code_under_strict_exits_2_naming_file_line_and_field(
    runner: CliRunner, write
) -> None:
    bad = write(
        "bad.yaml", "assets:\n  - id: a\n    provider: gcp\n    region: northamerica-soth1\n"
    )
    result = runner.invoke(cli, ["inventory", str(bad), "--strict"])
    assert result.exit_code == 2
    assert result.output == (
        f"sovaudit: error: {bad}:4: assets[0].region: gcp region 'northamerica-soth1' "
        "is not in the "
        "region catalogue; did you mean 'northamerica-south1'? (if it is a new region, declare its "
        "'location')\n"
    )


def test_a_bad_inventory_does_not_clobber_the_previous_output(
    runner: CliRunner, estate: Path, write, tmp_path: Path
) -> None:
    out = tmp_path / "estate.json"
    runner.invoke(cli, ["inventory", str(estate), "-o", str(out)])
    before = out.read_text()
    bad = write("bad.yaml", "assets: [\n")
    assert runner.invoke(cli, ["inventory", str(bad), "-o", str(out)]).exit_code == 2
    assert out.read_text() == before


def test_an_unreadable_scope_is_reported_and_the_rest_still_is(
    runner: CliRunner, estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        registry.BUILTIN, "halfreadable", "tests.cli.fake_providers:HalfReadableProvider"
    )
    monkeypatch.setitem(registry.BUILTIN, "broken", "tests.cli.fake_providers:BrokenProvider")
    result = runner.invoke(
        cli,
        [
            "inventory",
            str(estate),
            "--provider",
            "halfreadable",
            "--provider",
            "broken",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert len(document["assets"]) == 5
    assert document["errors"] == [
        {
            "provider": "halfreadable",
            "scope": "123456789012/us-east-1",
            "message": "AccessDenied: not authorised to ListBuckets",
        },
        {"provider": "broken", "scope": "*", "message": "no credentials found"},
    ]


def test_a_registered_class_that_is_not_a_provider_is_refused(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.BUILTIN, "odd", "tests.cli.fake_providers:NotAProvider")
    result = runner.invoke(cli, ["inventory", "--provider", "odd"])
    assert result.exit_code == 2
    assert "does not implement" in result.output


def test_same_asset_in_two_files_is_kept_once(
    runner: CliRunner, estate: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(estate.read_text())
    result = runner.invoke(cli, ["inventory", str(estate), str(copy), "--format", "json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["assets"]) == 4


def test_json_output_validates_against_the_published_inventory_schema(
    runner: CliRunner, estate: Path
) -> None:
    from jsonschema import Draft202012Validator

    from sovaudit.inputs.validation import load_schema

    result = runner.invoke(cli, ["inventory", str(estate), "--format", "json"])
    Draft202012Validator(load_schema("inventory.schema.json")).validate(json.loads(result.stdout))


def test_read_back_assets_equal(estate: Path) -> None:
    assets = read_inventory(estate)
    assert [asset_to_dict(a)["id"] for a in assets] == [
        "arn:aws:s3:::clientes",
        "i-0qro",
        "crm",
        "mystery",
    ]


def test_a_missing_sdk_is_one_line_naming_the_extra(
    runner: CliRunner, estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    for name in [
        m for m in sys.modules if m.startswith(("sovaudit.providers.aws", "botocore", "boto3"))
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "botocore", None)  # as if boto3 were not installed
    monkeypatch.setitem(sys.modules, "boto3", None)
    result = runner.invoke(cli, ["scan", str(estate), "--provider", "aws", "--format", "json"])
    # The provider could not run: an error entry (exit 3), and the inventory is still scanned.
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["errors"] == [
        {
            "provider": "aws",
            "scope": "*",
            "message": "the AWS provider needs boto3: pip install 'sovaudit[aws]'",
        }
    ]
    assert len(document["assets"]) == 4


def test_a_provider_module_that_cannot_import_its_sdk_names_the_extra(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.BUILTIN, "gcp", "some_missing_cloud_sdk.storage:Provider")
    result = runner.invoke(cli, ["inventory", "--provider", "gcp"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "sovaudit: error: the gcp provider needs "
        "some_missing_cloud_sdk: pip install 'sovaudit[gcp]'"
    )
