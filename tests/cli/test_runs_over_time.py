"""Runs over time: `scan --baseline`, the run history, its trend in the reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from sovaudit.cli.main import cli
from sovaudit.inputs.validation import load_schema

NIGHT_1 = """\
assets:
  - {id: crm, provider: saas, location: {country: US}, classification: personal}
  - {id: clientes, provider: aws, region: mx-central-1, classification: personal}
"""
# Night 2: the CRM moved home, a new personal bucket appeared abroad.
NIGHT_2 = """\
assets:
  - {id: crm, provider: saas, location: {country: MX}, classification: personal}
  - {id: clientes, provider: aws, region: mx-central-1, classification: personal}
  - {id: marketing, provider: aws, region: us-east-1, classification: personal}
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def night(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "estate.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def scan_json(runner: CliRunner, *args: str) -> dict:
    result = runner.invoke(cli, ["scan", *args, "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_baseline_gives_new_and_resolved_findings_and_the_exposure_change(
    runner: CliRunner, tmp_path: Path
) -> None:
    first = scan_json(runner, str(night(tmp_path, NIGHT_1)))
    baseline = tmp_path / "last-night.json"
    baseline.write_text(json.dumps(first), encoding="utf-8")
    second = scan_json(runner, str(night(tmp_path, NIGHT_2)), "--baseline", str(baseline))
    Draft202012Validator(load_schema("scan-result.schema.json")).validate(second)
    changes = second["changes"]
    assert changes["against"] == "baseline"
    assert changes["since"] == first["started_at"]
    assert changes["exposure_pct"] == {"old": 50.0, "new": 33.3, "delta": -16.7}
    new_assets = {f["asset_id"] for f in second["findings"] if f["id"] in changes["new"]}
    assert new_assets == {"marketing"}
    assert {f["asset_id"] for f in changes["resolved"]} == {"crm"}
    # Without a baseline the document has no such block.
    assert "changes" not in first


def test_baseline_changes_appear_in_the_human_reports(runner: CliRunner, tmp_path: Path) -> None:
    first = scan_json(runner, str(night(tmp_path, NIGHT_1)))
    baseline = tmp_path / "last-night.json"
    baseline.write_text(json.dumps(first), encoding="utf-8")
    estate = str(night(tmp_path, NIGHT_2))
    for fmt, lang, heading in (
        ("markdown", "en", "## Since the last run"),
        ("table", "es", "Desde la ejecución anterior"),
        ("html", "en", "<h2>Since the last run</h2>"),
    ):
        result = runner.invoke(
            cli,
            ["scan", estate, "--baseline", str(baseline), "--format", fmt, "--lang", lang],
        )
        assert heading in result.stdout, fmt
        assert "marketing" in result.stdout


def test_a_baseline_that_is_not_a_scan_result_is_refused_before_scanning(
    runner: CliRunner, tmp_path: Path
) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"assets": []}', encoding="utf-8")
    result = runner.invoke(cli, ["scan", str(night(tmp_path, NIGHT_1)), "--baseline", str(bogus)])
    assert result.exit_code == 2
    assert str(bogus) in result.output


def test_the_history_records_each_run_and_the_next_run_shows_its_changes(
    runner: CliRunner, tmp_path: Path
) -> None:
    history = tmp_path / "history.sqlite"
    estate = night(tmp_path, NIGHT_1)
    first = scan_json(runner, str(estate), "--history", str(history))
    assert "changes" not in first  # nothing to compare with yet
    night(tmp_path, NIGHT_2)
    second = scan_json(runner, str(estate), "--history", str(history))
    assert second["changes"]["against"] == "history"
    assert second["changes"]["exposure_pct"]["delta"] == -16.7
    assert {f["asset_id"] for f in second["changes"]["resolved"]} == {"crm"}
    listed = runner.invoke(cli, ["history", "--history", str(history), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    runs = json.loads(listed.stdout)
    assert [r["summary"]["exposure_pct"] for r in runs] == [50.0, 33.3]
    assert runs[1]["findings"]["new"] >= 1
    assert runs[1]["findings"]["resolved"] >= 1


def test_the_html_report_draws_the_exposure_trend_from_the_history(
    runner: CliRunner, tmp_path: Path
) -> None:
    history = tmp_path / "history.sqlite"
    estate = night(tmp_path, NIGHT_1)
    scan_json(runner, str(estate), "--history", str(history))
    night(tmp_path, NIGHT_2)
    scan_json(runner, str(estate), "--history", str(history))
    report = tmp_path / "report.html"
    result = runner.invoke(cli, ["scan", str(estate), "--history", str(history), "-o", str(report)])
    assert result.exit_code in (0, 1), result.output
    html = report.read_text("utf-8")
    assert "Exposure over time" in html
    start = html.index("<svg", html.index("Exposure over time"))
    end = html.index("</svg>", start) + len("</svg>")
    svg = ET.fromstring(html[start:end])  # noqa: S314 - our own report, checked for shape
    circles = [el for el in svg.iter() if el.tag.endswith("circle")]
    assert len(circles) == 3  # one point per recorded run


def test_history_retention_keeps_only_the_newest_runs(runner: CliRunner, tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    estate = str(night(tmp_path, NIGHT_1))
    for _ in range(4):
        scan_json(runner, estate, "--history", str(history), "--history-keep-runs", "2")
    runs = json.loads(
        runner.invoke(cli, ["history", "--history", str(history), "--format", "json"]).stdout
    )
    assert len(runs) == 2


def test_a_history_in_a_missing_folder_fails_before_scanning(
    runner: CliRunner, tmp_path: Path
) -> None:
    missing = tmp_path / "nope" / "history.sqlite"
    result = runner.invoke(cli, ["scan", str(night(tmp_path, NIGHT_1)), "--history", str(missing)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert str(missing) in result.stderr
