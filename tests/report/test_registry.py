"""The reporter registry: every format it lists renders every sample estate, and the --format
choices, the output-suffix table and the golden files all come from it, so that a new format
is its module, one registry line and its goldens."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sovaudit.classify.tags import Classifier
from sovaudit.cli.common import SUFFIX_FORMATS, choose_format, suffixes_for
from sovaudit.cli.rendering import FORMATS, render_result
from sovaudit.engine.rules import load_rules
from sovaudit.errors import UsageError
from sovaudit.locate.regions import Locator
from sovaudit.model import ScanResult
from sovaudit.output import as_text
from sovaudit.pipeline import build_sources
from sovaudit.report.model import build_report
from sovaudit.report.registry import REPORTERS, RenderInput, names, render, suffix_formats
from sovaudit.scan import run_scan
from sovaudit.summary import summarise
from tests.conftest import ROOT, SAMPLES

sys.path.insert(0, str(ROOT / "scripts"))
import update_golden

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json", ".csv"))
INVENTORY_FORMATS = ("table", "json", "yaml", "csv")


def fixed_clock() -> datetime.datetime:
    return datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def results(locator: Locator, classifier: Classifier) -> Mapping[str, ScanResult]:
    """Each sample estate scanned once with the built-in rules, at a fixed time."""
    return {
        sample.stem: run_scan(
            build_sources([sample], [], locator),
            locator=locator,
            classifier=classifier,
            rules=load_rules([], builtin=True),
            home="MX",
            lang="en",
            clock=fixed_clock,
        )
        for sample in SAMPLE_FILES
    }


def _refuse(_: ScanResult) -> dict[str, Any]:
    raise AssertionError("summarise ran although the caller had given the summary")


# ------------------------------------------------------------------------------ rendering


@pytest.mark.parametrize("name", names())
@pytest.mark.parametrize("sample", [p.stem for p in SAMPLE_FILES])
def test_every_format_renders_every_sample(
    results: Mapping[str, ScanResult], name: str, sample: str
) -> None:
    result = results[sample]
    text = as_text(render_result(name, result, "en"))
    assert text.strip(), name
    assert text.endswith("\n"), name
    # A summary the caller computed gives the same bytes as one computed here.
    given = as_text(render_result(name, result, "en", summary=summarise(result)))
    assert given == text


def test_a_given_summary_is_used_and_not_computed_again(
    results: Mapping[str, ScanResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = results["retail_monterrey"]
    summary = {**summarise(result), "exposure_pct": 12.3}
    monkeypatch.setattr("sovaudit.summary.summarise", _refuse)
    monkeypatch.setattr("sovaudit.report.model.summarise", _refuse)
    for name in FORMATS:
        assert as_text(render_result(name, result, "en", summary=summary))
    document = json.loads(as_text(render_result("json", result, "en", summary=summary)))
    assert document["summary"]["exposure_pct"] == 12.3
    assert build_report(result, "en", summary=summary).summary is summary


def test_formats_of_the_result_alone_never_summarise(
    results: Mapping[str, ScanResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sovaudit.summary.summarise", _refuse)
    monkeypatch.setattr("sovaudit.report.model.summarise", _refuse)
    for reporter in REPORTERS:
        if reporter.takes == "result":
            assert as_text(render_result(reporter.name, results["fintech_cdmx"], "en"))


def test_the_human_formats_share_one_report_model(results: Mapping[str, ScanResult]) -> None:
    given = RenderInput(results["pyme_guadalajara"], "es")
    assert given.report is given.report
    assert given.report.summary is given.summary
    assert given.report.t.lang == "es"


def test_an_unknown_format_is_a_usage_error(results: Mapping[str, ScanResult]) -> None:
    with pytest.raises(UsageError, match=r"unknown format 'pdf' \(available: table, markdown"):
        render("pdf", RenderInput(results["fintech_cdmx"]))


# ------------------------------------------------------------------------------ the table


def test_every_target_imports_to_a_function() -> None:
    for reporter in REPORTERS:
        assert callable(reporter.load()), reporter.target


def test_the_format_choices_are_the_registrys() -> None:
    assert FORMATS == names() == tuple(r.name for r in REPORTERS)
    assert FORMATS[0] == "table"  # what a terminal gets without --format (choose_format)
    assert [r.name for r in REPORTERS if r.colour] == ["table"]


def test_suffixes_are_unique_lower_case_and_single() -> None:
    suffixes = [s for r in REPORTERS for s in r.suffixes]
    assert len(suffixes) == len(set(suffixes))
    for suffix in suffixes:
        # Path.suffix is only the last one, so ".ocsf.jsonl" could never choose a format.
        assert suffix.startswith("."), suffix
        assert suffix.count(".") == 1, suffix
        assert suffix == suffix.casefold(), suffix
    assert all(r.suffixes for r in REPORTERS)


def test_the_suffix_table_comes_from_the_registry() -> None:
    assert {s: f for s, f in SUFFIX_FORMATS.items() if f in FORMATS} == suffix_formats()
    assert set(SUFFIX_FORMATS) - set(suffix_formats()) == {".yaml", ".yml"}
    for reporter in REPORTERS:
        for suffix in reporter.suffixes:
            chosen = choose_format(None, Path(f"out/scan{suffix.upper()}"), FORMATS)
            assert chosen == reporter.name


def test_each_command_accepts_the_suffixes_of_its_own_formats() -> None:
    assert suffixes_for(("table", "json")) == [".json", ".txt"]
    assert suffixes_for(INVENTORY_FORMATS) == [".csv", ".json", ".txt", ".yaml", ".yml"]
    assert choose_format(None, Path("estate.yml"), INVENTORY_FORMATS) == "yaml"
    with pytest.raises(UsageError, match=r"known: \.csv, \.json, \.txt, \.yaml, \.yml\)"):
        choose_format(None, Path("estate.pdf"), INVENTORY_FORMATS)
    with pytest.raises(UsageError, match=r"suffix '\.yaml'"):
        choose_format(None, Path("scan.yaml"), FORMATS)  # scan writes no YAML


def test_every_format_has_its_goldens() -> None:
    scans = {tuple(c): name for name, c in update_golden.COMMANDS.items() if c[0] == "scan"}
    for reporter in REPORTERS:
        english = ("scan", "--format", reporter.name, "--lang", "en", "--fail-on", "never")
        golden = scans.get(english)
        assert golden is not None, f"no golden command for {reporter.name}"
        for sample in update_golden.samples():
            path = update_golden.GOLDEN / f"{sample.stem}.{golden}"
            assert path.exists(), f"missing {path}: run python scripts/update_golden.py"
