"""`sovaudit diff`: new, resolved and unchanged findings between two scan results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli

BEFORE = """\
assets:
  - {id: crm, provider: saas, location: {country: US}, classification: personal}
  - {id: erp, provider: onprem, location: {country: MX}, classification: personal}
"""
AFTER = """\
assets:
  - {id: erp, provider: onprem, location: {country: MX}, classification: personal}
  - {id: kyc, provider: aws, region: sa-east-1, classification: sensitive}
"""


@pytest.fixture
def scans(write, tmp_path: Path) -> tuple[Path, Path]:
    runner = CliRunner()
    paths = []
    for name, text in (("before", BEFORE), ("after", AFTER)):
        out = tmp_path / f"{name}.json"
        result = runner.invoke(cli, ["scan", str(write(f"{name}.yaml", text)), "-o", str(out)])
        assert result.exit_code in (0, 1), result.output
        paths.append(out)
    return paths[0], paths[1]


def test_diff_json(scans: tuple[Path, Path]) -> None:
    old, new = scans
    result = CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"])
    assert result.exit_code == 1  # a new critical finding
    document = json.loads(result.stdout)
    assert document["exposure_pct"] == {"old": 50.0, "new": 50.0, "delta": 0.0}
    assert [(f["rule_id"], f["asset_id"]) for f in document["new"]] == [
        ("sensitive-data-outside-home", "kyc"),
        ("personal-data-without-home-copy", "kyc"),
    ]
    assert [(f["rule_id"], f["asset_id"]) for f in document["resolved"]] == [
        ("personal-data-outside-home", "crm"),
        ("personal-data-without-home-copy", "crm"),
    ]
    assert document["unchanged"] == []


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 1), ("never", 0)])
def test_diff_exit_code_follows_new_findings(
    scans: tuple[Path, Path], fail_on: str, code: int
) -> None:
    old, new = scans
    assert (
        CliRunner()
        .invoke(cli, ["diff", str(old), str(new), "--fail-on", fail_on, "--format", "json"])
        .exit_code
        == code
    )


def test_a_scan_compared_with_itself_has_no_changes(scans: tuple[Path, Path]) -> None:
    old, _ = scans
    result = CliRunner().invoke(cli, ["diff", str(old), str(old), "--format", "table"])
    assert result.exit_code == 0
    assert "New findings (0)" in result.stdout
    assert "2 findings unchanged." in result.stdout


def test_diff_markdown_in_spanish(scans: tuple[Path, Path]) -> None:
    old, new = scans
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--format", "markdown", "--lang", "es"]
    )
    assert result.stdout.startswith("# Cambios entre dos análisis\n\nExposición: 50.0 % → 50.0 %")
    assert "| Crítica | sensitive-data-outside-home | kyc |" in result.stdout


def test_an_inventory_is_not_a_scan_result(write, scans: tuple[Path, Path]) -> None:
    old, _ = scans
    inventory = write("inventory.json", '{\n  "assets": []\n}\n')
    result = CliRunner().invoke(cli, ["diff", str(old), str(inventory)])
    assert result.exit_code == 2
    assert f"{inventory}:1: missing required field 'schema_version'" in result.output
