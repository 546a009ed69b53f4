"""`sovaudit report RESULT.json`: a saved scan result rendered exactly as the scan rendered it.

Run as a user runs it (the installed command, real files). The property: what ``scan X
--format F`` printed is what ``report`` prints from the JSON of that same run, for every
format, times included. Two processes cannot share a run, so the run that printed F is
recorded in a history, and the JSON (from another run of the same inputs) gets that run's
times: the pipeline is deterministic, so the two documents are then the one that run would
have written, and the times in the report can only have come from the file.
"""

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path
from typing import Any

import pytest

from sovaudit.cli.rendering import FORMATS
from sovaudit.history import HistoryStore
from tests.conftest import SAMPLES
from tests.e2e.test_installed_command import SAMPLE_FILES, run

pytestmark = pytest.mark.e2e

EVENTFUL = "errors-waivers-baseline"

BASELINE_ESTATE = """\
assets:
  - {id: crm, provider: saas, location: {country: US}, classification: personal,
     tags: {system: crm}}
  - {id: old, provider: aws, region: us-east-1, classification: personal}
"""
ESTATE = """\
assets:
  - {id: crm, provider: saas, location: {country: US}, classification: personal,
     tags: {system: crm}}
  - {id: erp, provider: onprem, location: {country: MX}, classification: personal}
  - {id: kyc, provider: aws, region: sa-east-1, classification: sensitive}
  - {id: logs, provider: gcp, region: us-central1, classification: none}
"""
# length(null) is a type error on every asset without a system tag: the scan reports each
# as an error entry (exit 3) instead of passing it.
FAILING_RULE = """\
rules:
  - id: system-tag-check
    title: {en: Long system tag, es: Etiqueta de sistema larga}
    severity: low
    condition: "length(tags.system) > `2`"
    message: {en: "{name} has a long system tag.", es: "{name} tiene una etiqueta larga."}
    rationale: {en: A test rule., es: Una regla de prueba.}
    remediation: {en: Nothing., es: Nada.}
    references: []
    examples:
      match: [{id: a, tags: {system: crmx}}]
      no_match: [{id: b, tags: {system: c}}]
"""
# One expired, one that matches nothing (unused), one that applies.
WAIVERS = """\
waivers:
  - {rule: personal-data-*, asset: crm, reason: Accepted until the MX tenant is live.,
     owner: dpo@example.mx, expires: 2020-01-31}
  - {rule: sensitive-data-outside-home, asset: retired-*, reason: A retired system.,
     owner: dpo@example.mx, expires: 2999-12-31}
  - {rule: sensitive-data-outside-home, asset: kyc, reason: Accepted until the migration.,
     owner: ciso@example.mx, expires: 2999-12-31}
"""


@dataclasses.dataclass(frozen=True)
class Case:
    """A scan's inputs (what follows ``scan``) and the JSON result one run of them wrote."""

    args: tuple[str, ...]
    result: Path

    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.result.read_text("utf-8"))
        return document


def _eventful_args(folder: Path) -> tuple[str, ...]:
    """An estate whose result has errors, waived findings, waiver notices and changes."""
    files = {}
    for name, text in (
        ("baseline.yaml", BASELINE_ESTATE),
        ("estate.yaml", ESTATE),
        ("rules.yaml", FAILING_RULE),
        ("waivers.yaml", WAIVERS),
    ):
        files[name] = folder / name
        files[name].write_text(text, "utf-8")
    baseline = folder / "baseline.json"
    made = run("scan", str(files["baseline.yaml"]), "--format", "json", "-o", str(baseline))
    assert made.returncode == 1, made.stderr
    return (
        str(files["estate.yaml"]),
        "--rules",
        str(files["rules.yaml"]),
        "--waivers",
        str(files["waivers.yaml"]),
        "--baseline",
        str(baseline),
    )


@pytest.fixture(scope="module", params=[*(p.name for p in SAMPLE_FILES), EVENTFUL])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Case:
    folder = tmp_path_factory.mktemp("case")
    args = _eventful_args(folder) if request.param == EVENTFUL else (str(SAMPLES / request.param),)
    result = folder / "result.json"
    scanned = run("scan", *args, "--format", "json", "-o", str(result))
    assert scanned.returncode in (1, 3), scanned.stderr
    case = Case(args, result)
    if request.param == EVENTFUL:
        document = case.document()
        assert document["errors"]
        assert {n["problem"] for n in document["waiver_notices"]} == {"expired", "unused"}
        assert any(f["status"] == "waived" for f in document["findings"])
        assert document["changes"]["new"]
        assert document["changes"]["resolved"]
    return case


def _recorded_times(history: Path) -> tuple[str, str]:
    with HistoryStore(history, create=False) as store:
        (recorded,) = store.runs()
    return recorded.started_at, recorded.finished_at


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_prints_what_scan_printed_in_that_run(case: Case, fmt: str, tmp_path: Path) -> None:
    scanned = tmp_path / "scan.out"
    history = tmp_path / "history.sqlite"  # new: no earlier run, so no changes nor trend
    scan = run("scan", *case.args, "--format", fmt, "-o", str(scanned), "--history", str(history))
    assert scan.returncode in (1, 3), scan.stderr
    document = case.document()
    document["started_at"], document["finished_at"] = _recorded_times(history)
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    reported = tmp_path / "report.out"

    result = run("report", str(saved), "--format", fmt, "-o", str(reported))

    assert result.returncode == 0, result.stderr  # rendering is not a verdict
    assert result.stderr == ""  # nor does the summary differ from the assets and findings
    assert reported.read_bytes() == scanned.read_bytes()


def test_report_as_json_is_the_result_file_itself(case: Case) -> None:
    result = run("report", str(case.result), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout == case.result.read_text("utf-8")


def _result_with_errors(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    made = tmp_path / "scan.json"
    scanned = run(
        "scan", str(SAMPLES / "retail_monterrey.yaml"), "--format", "json", "-o", str(made)
    )
    assert scanned.returncode == 1, scanned.stderr
    document = json.loads(made.read_text("utf-8"))
    errors = [
        {"provider": "aws", "scope": "123456789012/sa-east-1", "message": "AccessDenied: <s3>"},
        {"provider": "gcp", "scope": "projects/ventas", "message": "PERMISSION_DENIED"},
    ]
    document["errors"] = errors
    made.write_text(json.dumps(document), "utf-8")
    return made, errors


def test_the_errors_of_a_result_are_in_its_html_and_markdown_reports(tmp_path: Path) -> None:
    saved, errors = _result_with_errors(tmp_path)
    page = run("report", str(saved), "--format", "html", "--lang", "en")
    markdown = run("report", str(saved), "--format", "markdown", "--lang", "en")
    assert page.returncode == markdown.returncode == 0
    errors_section = page.stdout.split("<h2>What could not be read</h2>", 1)[1]
    assert errors_section.lstrip().startswith(
        '<p class="banner" role="note">The scan is incomplete'
    )
    assert "## What could not be read" in markdown.stdout
    for error in errors:
        for value in error.values():
            assert html.escape(value) in errors_section
        assert f"| {error['provider']} | {error['scope']} |" in markdown.stdout


def test_locations_are_rendered_as_the_scan_wrote_them(tmp_path: Path) -> None:
    """A catalogue location is not looked up again: the report is of that run, not today's."""
    saved, _ = _result_with_errors(tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    asset = next(a for a in document["assets"] if a["location"]["source"] == "catalogue")
    asset["location"]["city"] = "Ciudad Escrita"
    saved.write_text(json.dumps(document), "utf-8")
    result = run("report", str(saved), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["assets"] == document["assets"]


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_an_inventory_is_refused_in_one_line(sample: Path) -> None:
    result = run("report", str(sample), "--format", "html")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"sovaudit: error: {sample}: ")
    assert "use 'sovaudit scan FILE'" in result.stderr


def _one_line_error(path: Path) -> str:
    result = run("report", str(path), "--format", "html")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    return result.stderr


def test_a_corrupt_result_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{\n  "schema_version": "1",\n  "tool": {"name": "sovaudit",\n', "utf-8")
    assert _one_line_error(corrupt).startswith(f"sovaudit: error: {corrupt}:4: JSON syntax: ")


def test_an_invalid_field_is_one_line_naming_file_line_and_field(tmp_path: Path) -> None:
    saved, _ = _result_with_errors(tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    document["findings"][1]["severity"] = "urgent"
    saved.write_text(json.dumps(document, indent=1), "utf-8")
    line = next(
        number
        for number, text in enumerate(saved.read_text("utf-8").splitlines(), 1)
        if '"urgent"' in text
    )
    assert _one_line_error(saved).startswith(
        f"sovaudit: error: {saved}:{line}: findings[1].severity: 'urgent' is not one of"
    )


def test_a_finding_of_no_asset_is_refused(tmp_path: Path) -> None:
    saved, _ = _result_with_errors(tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    document["findings"][0]["asset_id"] = "gone"
    saved.write_text(json.dumps(document, indent=1), "utf-8")
    assert "findings[0].asset_id: no asset 'gone'" in _one_line_error(saved)


def test_changes_must_name_findings_of_the_result(tmp_path: Path) -> None:
    saved, _ = _result_with_errors(tmp_path)
    document = json.loads(saved.read_text("utf-8"))
    document["changes"] = {
        "against": "baseline",
        "since": "2026-01-01T00:00:00Z",
        "exposure_pct": {"old": 0.0, "new": 0.0, "delta": 0.0},
        "new": ["no-such-rule/0000000000000000"],
        "resolved": [],
    }
    saved.write_text(json.dumps(document, indent=1), "utf-8")
    message = _one_line_error(saved)
    assert "changes.new[0]: 'no-such-rule/0000000000000000' is not a finding" in message
