"""`sovaudit scan` and `sovaudit rules` through click's runner: outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from sovaudit.cli.main import cli
from sovaudit.inputs.validation import load_schema
from sovaudit.providers import registry
from tests.conftest import SAMPLES

SCAN_SCHEMA = Draft202012Validator(load_schema("scan-result.schema.json"))
SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json", ".csv"))

CLEAN = """\
assets:
  - {id: clientes, provider: aws, region: mx-central-1, classification: personal,
     copies: [{kind: replica, zone: null, region: us-east-1-qro-1}]}
  - {id: web, provider: aws, region: us-east-1, classification: none}
"""
EXPOSED = """\
assets:
  - {id: crm, provider: saas, location: {country: US}, tags: {pii: "true"}}
  - {id: clientes, provider: aws, region: mx-central-1, classification: personal}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def scan(runner: CliRunner, *args: str):
    return runner.invoke(cli, ["scan", *args])


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_scans_match_the_published_schema(runner: CliRunner, sample: Path) -> None:
    result = scan(runner, str(sample), "--format", "json")
    assert result.exit_code == 1  # every sample has high or critical findings
    document = json.loads(result.stdout)
    SCAN_SCHEMA.validate(document)
    summary = document["summary"]
    assert summary["personal_assets"] > 0
    assert 0 < summary["exposure_pct"] < 100
    assert sum(summary["findings_by_severity"].values()) == len(document["findings"])


def test_a_clean_estate_exits_0(runner: CliRunner, write) -> None:
    clean = write("clean.yaml", CLEAN.replace("zone: null, ", ""))
    result = scan(runner, str(clean), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []


@pytest.mark.parametrize(("fail_on", "code"), [("critical", 0), ("high", 1), ("never", 0)])
def test_fail_on(runner: CliRunner, write, fail_on: str, code: int) -> None:
    result = scan(runner, str(write("e.yaml", EXPOSED)), "--fail-on", fail_on, "--format", "json")
    assert result.exit_code == code


def test_finding_ids_are_stable_and_messages_name_asset_and_countries(
    runner: CliRunner, write
) -> None:
    path = str(write("e.yaml", EXPOSED))
    first = json.loads(scan(runner, path, "--format", "json").stdout)["findings"]
    second = json.loads(scan(runner, path, "--format", "json").stdout)["findings"]
    assert [f["id"] for f in first] == [f["id"] for f in second]
    outside = next(f for f in first if f["rule_id"] == "personal-data-outside-home")
    assert outside["asset_id"] == "crm"
    assert outside["message"] == "crm holds personal data in US, outside MX."


def test_spanish(runner: CliRunner, write) -> None:
    result = scan(runner, str(write("e.yaml", EXPOSED)), "--lang", "es", "--format", "json")
    outside = next(
        f
        for f in json.loads(result.stdout)["findings"]
        if f["rule_id"] == "personal-data-outside-home"
    )
    assert outside["title"] == "Datos personales almacenados fuera del país"
    assert outside["message"] == "crm guarda datos personales en US, fuera de MX."


def test_jsonl_is_one_finding_per_line_with_its_asset(runner: CliRunner, write) -> None:
    path = str(write("e.yaml", EXPOSED))
    lines = scan(runner, path, "--format", "jsonl").stdout.splitlines()
    findings = json.loads(scan(runner, path, "--format", "json").stdout)["findings"]
    assert len(lines) == len(findings) > 0
    for line, finding in zip(lines, findings, strict=False):
        record = json.loads(line)
        assert record["asset"]["id"] == record["asset_id"] == finding["asset_id"]
        assert {k: v for k, v in record.items() if k != "asset"} == finding


def test_table_and_markdown_lead_with_the_exposure_figure(runner: CliRunner, write) -> None:
    path = str(write("e.yaml", EXPOSED))
    table = scan(runner, path, "--format", "table", "--lang", "en").stdout
    assert table.startswith(
        "1 of 2 personal-data assets (50.0%) are not wholly in MX.\n"
        "The Mexico City roundtable on AI and data sovereignty"
    )
    assert "\x1b[" not in table  # no colour when not a terminal
    assert "HIGH      personal-data-outside-home" in table
    markdown = scan(runner, path, "--format", "markdown", "--lang", "es").stdout
    assert markdown.startswith("# Informe de soberanía de datos\n")
    assert "**1 de 2 activos con datos personales (50.0 %) no están totalmente en MX.**" in markdown
    assert "| Alta | personal-data-outside-home | crm |" in markdown


def test_another_home_country_drops_the_mexican_comparison(runner: CliRunner, write) -> None:
    result = scan(
        runner,
        str(write("e.yaml", EXPOSED)),
        "--home-country",
        "US",
        "--lang",
        "en",
        "--format",
        "table",
    )
    assert result.stdout.startswith("1 of 2 personal-data assets (50.0%) are not wholly in US.")
    assert "roundtable" not in result.stdout


def test_language_follows_the_locale(runner: CliRunner, write) -> None:
    path = str(write("e.yaml", EXPOSED))
    spanish = runner.invoke(
        cli, ["scan", path, "--format", "table"], env={"LANG": "es_MX.UTF-8", "LC_ALL": ""}
    )
    assert spanish.stdout.startswith("1 de 2 activos con datos personales")
    english = runner.invoke(
        cli, ["scan", path, "--format", "table"], env={"LANG": "C.UTF-8", "LC_ALL": ""}
    )
    assert english.stdout.startswith("1 of 2 personal-data assets")


def test_a_previous_scan_is_an_inventory_with_the_same_findings(
    runner: CliRunner, tmp_path: Path
) -> None:
    sample = SAMPLES / "retail_monterrey.yaml"
    first = tmp_path / "first.json"
    scan(runner, str(sample), "-o", str(first))
    again = json.loads(scan(runner, str(first), "--format", "json").stdout)
    original = json.loads(first.read_text())
    assert again["findings"] == original["findings"]
    assert again["summary"] == original["summary"]


CUSTOM = """\
rules:
  - id: crm-must-be-reviewed
    title: {en: CRM needs a review, es: El CRM requiere revisión}
    severity: critical
    condition: "id == 'crm'"
    message: {en: "{name} needs a review", es: "{name} requiere revisión"}
    rationale: {en: Policy, es: Política}
    remediation: {en: Review it, es: Revíselo}
    references: [Internal policy 7]
    examples:
      match: [{id: crm}]
      no_match: [{id: erp}]
"""


def test_custom_rules_add_to_or_replace_the_builtin_ones(runner: CliRunner, write) -> None:
    estate, custom = str(write("e.yaml", EXPOSED)), str(write("custom.yaml", CUSTOM))
    both = json.loads(scan(runner, estate, "--rules", custom, "--format", "json").stdout)
    assert {"crm-must-be-reviewed", "personal-data-outside-home"} <= {
        f["rule_id"] for f in both["findings"]
    }
    only = json.loads(
        scan(runner, estate, "--rules", custom, "--no-builtin-rules", "--format", "json").stdout
    )
    assert [f["rule_id"] for f in only["findings"]] == ["crm-must-be-reviewed"]
    result = scan(runner, estate, "--no-builtin-rules")
    assert result.exit_code == 2
    assert "--no-builtin-rules needs at least one --rules PATH" in result.output


def test_a_broken_rule_file_exits_2_before_reading_anything(runner: CliRunner, write) -> None:
    custom = write("custom.yaml", CUSTOM.replace("id == 'crm'", "idd == 'crm'"))
    result = scan(runner, "missing-estate.yaml", "--rules", str(custom))
    assert result.exit_code == 2
    assert result.output == (
        f"sovaudit: error: {custom}:5: rules[0].condition: unknown field "
        "idd (the asset view has: " + result.output.split("has: ")[1]
    )
    assert "Traceback" not in result.output


WAIVERS = """\
waivers:
  - rule: personal-data-*
    asset: crm
    reason: US CRM accepted by the board until the Mexican tenant is live.
    owner: dpo@example.mx
    expires: {expires}
"""


def test_a_waiver_keeps_the_finding_but_lowers_the_exit_code(runner: CliRunner, write) -> None:
    estate = str(write("e.yaml", EXPOSED))
    waivers = write("w.yaml", WAIVERS.format(expires="2999-12-31"))
    result = scan(runner, estate, "--waivers", str(waivers), "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    SCAN_SCHEMA.validate(document)
    waived = [f for f in document["findings"] if f["asset_id"] == "crm"]
    assert waived
    assert all(f["status"] == "waived" for f in waived)
    assert waived[0]["waiver"] == {
        "reason": "US CRM accepted by the board until the Mexican tenant is live.",
        "expires": "2999-12-31",
        "owner": "dpo@example.mx",
    }
    assert document["summary"]["findings_waived"] == len(waived)


def test_an_expired_waiver_stops_applying_and_is_reported(runner: CliRunner, write) -> None:
    estate = str(write("e.yaml", EXPOSED))
    waivers = write("w.yaml", WAIVERS.format(expires="2020-01-31"))
    result = scan(runner, estate, "--waivers", str(waivers), "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert all(f["status"] == "open" for f in document["findings"])
    assert document["waiver_notices"] == [
        {
            "problem": "expired",
            "rule": "personal-data-*",
            "asset": "crm",
            "reason": "US CRM accepted by the board until the Mexican tenant is live.",
            "owner": "dpo@example.mx",
            "expires": "2020-01-31",
            "origin": f"{waivers}:2",
        }
    ]


def test_a_broken_waiver_file_exits_2(runner: CliRunner, write) -> None:
    waivers = write("w.yaml", WAIVERS.format(expires="someday"))
    result = scan(runner, str(write("e.yaml", EXPOSED)), "--waivers", str(waivers))
    assert result.exit_code == 2
    assert f"{waivers}:6: waivers[0].expires: 'someday' does not match" in result.output


def test_incomplete_beats_findings(
    runner: CliRunner, write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.BUILTIN, "broken", "tests.cli.fake_providers:BrokenProvider")
    result = scan(runner, str(write("e.yaml", EXPOSED)), "--provider", "broken", "--format", "json")
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["errors"] == [
        {"provider": "broken", "scope": "*", "message": "no credentials found"}
    ]
    assert document["findings"]  # what was read is still reported


def test_rules_list_show_and_validate(runner: CliRunner, write) -> None:
    listing = runner.invoke(cli, ["rules", "list"])
    assert listing.exit_code == 0
    assert "personal-data-outside-home" in listing.output
    spanish = runner.invoke(cli, ["rules", "list", "--lang", "es"])
    assert "Datos personales almacenados fuera del país" in spanish.output
    as_json = json.loads(runner.invoke(cli, ["rules", "list", "--format", "json"]).output)
    assert all(r["title"]["es"] and r["remediation"]["es"] for r in as_json)
    shown = runner.invoke(cli, ["rules", "show", "geo-redundant-copy-in-another-country"])
    assert "Condition:  length(copies[?kind == 'secondary' && outside_primary])" in shown.output
    assert runner.invoke(cli, ["rules", "show", "nope"]).exit_code == 2
    good = runner.invoke(cli, ["rules", "validate", str(write("custom.yaml", CUSTOM))])
    assert good.exit_code == 0
    assert "1 rules valid" in good.output
    wrong = write("wrong.yaml", CUSTOM.replace("no_match: [{id: erp}]", "no_match: [{id: crm}]"))
    bad = runner.invoke(cli, ["rules", "validate", str(wrong)])
    assert bad.exit_code == 2
    assert "rule crm-must-be-reviewed should not fire on its example 'crm'" in bad.output
