"""The installed ``sovaudit`` command, run as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.e2e

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json", ".csv"))


def _sovaudit() -> list[str]:
    found = shutil.which("sovaudit", path=str(Path(sys.executable).parent))
    assert found, "the sovaudit console script is not installed next to this Python"
    return [found]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SOVAUDIT_") and k not in ("LC_ALL", "LC_MESSAGES")
    }
    env["LANG"] = "C.UTF-8"
    return subprocess.run(
        [*_sovaudit(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )


def test_version_and_module_entry_point() -> None:
    assert run("--version").stdout.strip().startswith("sovaudit ")
    module = subprocess.run(
        [sys.executable, "-m", "sovaudit", "--version"], capture_output=True, text=True, check=False
    )
    assert module.returncode == 0
    assert module.stdout == run("--version").stdout


def test_version_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from sovaudit.cli.main import cli\n"
        "try: cli.main(['--version'], standalone_mode=False)\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('jsonschema', 'yaml', 'boto3', 'botocore', 'google', 'azure',"
        " 'dns', 'geoip2') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "HEAVY="


def test_there_are_three_sample_estates_of_thirty_assets_or_more() -> None:
    assert len(SAMPLE_FILES) >= 3
    assert {p.suffix for p in SAMPLE_FILES} >= {".yaml", ".csv"}


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_estate_is_located(sample: Path, tmp_path: Path) -> None:
    result = run("inventory", str(sample.relative_to(ROOT)), "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assets = document["assets"]
    assert len(assets) >= 30
    assert document["errors"] == []
    located = [a for a in assets if a["location"]["countries"]]
    # Samples keep a few unknowns on purpose, but most of an estate must be placed.
    assert len(located) >= 0.9 * len(assets)
    countries = {c for a in assets for c in a["location"]["countries"]}
    assert "MX" in countries
    assert len(countries) >= 3
    # Round trip: what `inventory -o` writes, `inventory` reads back to the same assets.
    out = tmp_path / "again.json"
    assert run("inventory", str(sample), "-o", str(out)).returncode == 0
    again = run("inventory", str(out), "--format", "json")
    assert json.loads(again.stdout)["assets"] == assets


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "estate.yaml"
    bad.write_text("assets:\n  - id: a\n    location: {country: Mexico}\n")
    result = run("inventory", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert f"{bad}:3: assets[0].location.country:" in result.stderr


def test_regions_in_mexico_from_the_readme() -> None:
    result = run("regions", "--country", "MX", "--format", "table")
    assert result.returncode == 0
    assert "mx-central-1" in result.stdout
    assert "northamerica-south1" in result.stdout


def test_the_readme_main_command_scans_a_sample_estate() -> None:
    result = run("scan", "sample_inventories/retail_monterrey.yaml", "--format", "table")
    assert result.returncode == 1  # findings at or above --fail-on high
    assert result.stdout.startswith("13 of 27 personal-data assets (48.1%) are not wholly in MX.")
    assert "CRITICAL  sensitive-data-" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_scan_json_pipes_into_other_tools(sample: Path) -> None:
    result = run("scan", str(sample.relative_to(ROOT)), "--format", "json", "--fail-on", "never")
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["schema_version"] == "1"
    assert len(document["assets"]) >= 30


def test_a_broken_rule_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: x\n    severity: high\n")
    result = run("scan", "sample_inventories/retail_monterrey.yaml", "--rules", str(rules))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"sovaudit: error: {rules}:2: rules[0]")
    assert result.stderr.count("\n") == 1
