"""``sovaudit history`` through click's runner and as a real process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from sovaudit.history import HistoryStore
from sovaudit.history.migrations import SCHEMA_VERSION
from tests.conftest import ROOT
from tests.history.documents import document, finding

COMMAND = "from sovaudit.cli.history_cmd import history; history(prog_name='sovaudit history')"


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """Three nights: exposure 62.5 -> 55.0 -> 48.1; a fixed, a new and a waived finding."""
    path = tmp_path / "history.sqlite"
    nights = (
        (1, 62.5, [finding("crm", "critical"), finding("kyc"), finding("logs", "low")]),
        (2, 55.0, [finding("crm", "critical"), finding("kyc"), finding("backup", "medium")]),
        (
            3,
            48.1,
            [finding("crm", "critical", "waived"), finding("kyc"), finding("backup", "medium")],
        ),
    )
    with HistoryStore(path) as store:
        for day, exposure, items in nights:
            store.record(document(items, day=day, exposure=exposure), exit_code=1)
    return path


def invoke(*args: str, **extra: object):
    """Through the real CLI, which gives the command its SOVAUDIT_* variables."""
    return CliRunner().invoke(cli, ["history", *args], **extra)


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    env.pop("SOVAUDIT_HISTORY", None)
    return subprocess.run(
        [sys.executable, "-c", COMMAND, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_json_lists_runs_newest_last_with_summary_and_counts(recorded: Path) -> None:
    result = invoke("--history", str(recorded))  # not a terminal: JSON by default
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    assert [r["run"] for r in runs] == [1, 2, 3]
    assert [r["summary"]["exposure_pct"] for r in runs] == [62.5, 55.0, 48.1]
    last = runs[-1]
    assert set(last) == {
        "run", "started_at", "finished_at", "home_country", "tool_version", "exit_code",
        "summary", "findings", "errors",
    }  # fmt: skip
    assert last["started_at"] == "2026-05-03T02:00:00Z"
    assert last["findings"] == {
        "open": {"critical": 0, "high": 1, "medium": 1, "low": 0, "info": 0},
        "waived": 1,
        "new": 0,
        "resolved": 1,
    }
    assert [(r["findings"]["new"], r["findings"]["resolved"]) for r in runs] == [
        (3, 0),
        (1, 1),
        (0, 1),
    ]


def test_limit_keeps_the_newest(recorded: Path) -> None:
    runs = json.loads(invoke("--history", str(recorded), "--limit", "2").stdout)
    assert [r["run"] for r in runs] == [2, 3]


def test_table_in_english_ends_with_the_trend(recorded: Path) -> None:
    result = invoke("--history", str(recorded), "--format", "table")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "Run", "Started", "(UTC)", "Assets", "Personal", "data", "Outside", "home",
        "Exposure", "%", "Critical", "High", "New", "Resolved", "Exit",
    ]  # fmt: skip
    assert lines[2].split() == ["1", "2026-05-01", "02:00", "40", "20", "12", "62.5", "1",
                                "1", "3", "0", "1"]  # fmt: skip
    assert lines[4].split()[-6:] == ["48.1", "0", "1", "0", "1", "1"]
    assert lines[-1] == (
        "Exposure went from 62.5% to 48.1% (-14.4 points) over 3 runs, 2026-05-01 to 2026-05-03."
    )


def test_table_in_spanish(recorded: Path) -> None:
    result = invoke("--history", str(recorded), "--format", "table", "--lang", "es")
    assert result.stdout.startswith("Ejecución  Inicio (UTC)")
    assert "Crítica" in result.stdout.splitlines()[0]
    assert result.stdout.rstrip().endswith(
        "La exposición pasó de 62.5 % a 48.1 % (-14.4 puntos) en 3 ejecuciones, "
        "del 2026-05-01 al 2026-05-03."
    )


def test_changes_of_the_latest_run(recorded: Path) -> None:
    result = invoke("--history", str(recorded), "--changes", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["run"], found["previous_run"], found["new"]) == (3, 2, [])
    assert found["resolved"] == [
        {
            "id": "rule-crm/crm",
            "rule_id": "rule-crm",
            "severity": "critical",
            "asset_id": "arn:aws:s3:::crm",
            "status": "open",
            "title": "Title of crm",
        }
    ]


def test_changes_of_a_given_run_as_a_table(recorded: Path) -> None:
    result = invoke("--history", str(recorded), "--run", "2", "--format", "table")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("Run 2 (2026-05-02 02:00) compared with run 1.\n")
    new_part, resolved_part = text.split("Resolved findings (1)")
    assert "New findings (1)" in new_part
    assert "Medium    rule-backup  arn:aws:s3:::backup  Title of backup" in new_part
    assert "rule-logs" in resolved_part
    assert "rule-backup" not in resolved_part


def test_the_first_run_says_so(recorded: Path) -> None:
    result = invoke("--history", str(recorded), "--run", "1", "--format", "table", "--lang", "es")
    assert result.stdout.startswith("La ejecución 1 (2026-05-01 02:00) es la primera")
    assert "Hallazgos nuevos (3)" in result.stdout
    assert "Hallazgos resueltos (0)\nNinguno." in result.stdout


def test_an_unknown_run_is_a_clear_error(recorded: Path) -> None:
    result = invoke("--history", str(recorded), "--run", "99")
    assert result.exit_code == 2
    assert result.stderr == f"sovaudit: error: {recorded}: no run 99 in this history\n"


def test_an_empty_history(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    HistoryStore(path).close()
    assert json.loads(invoke("--history", str(path)).stdout) == []
    table = invoke("--history", str(path), "--format", "table")
    assert table.stdout == "No scan has been recorded in this history yet.\n"
    changes = invoke("--history", str(path), "--changes")
    assert changes.exit_code == 2
    assert "no run recorded in this history yet" in changes.stderr


def test_one_run_has_no_trend_yet(tmp_path: Path) -> None:
    path = tmp_path / "one.sqlite"
    with HistoryStore(path) as store:
        store.record(document([finding("a")], exposure=30.0), exit_code=1)
    result = invoke("--history", str(path), "--format", "table")
    assert result.stdout.endswith("\nOne run recorded: exposure 30.0%.\n")


def test_output_file_and_its_suffix(recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs.json"
    result = invoke("--history", str(recorded), "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 3


def test_without_a_history_the_usage_error_says_where_to_set_it() -> None:
    result = invoke("--format", "json", env={"SOVAUDIT_HISTORY": ""})
    assert result.exit_code == 2
    assert "give --history PATH or set `history:` in the config file" in result.stderr


def test_history_comes_from_the_environment_or_the_config_default_map(recorded: Path) -> None:
    from_env = invoke("--format", "json", env={"SOVAUDIT_HISTORY": str(recorded)})
    assert len(json.loads(from_env.stdout)) == 3
    from_config = invoke("--format", "json", default_map={"history": {"history": str(recorded)}})
    assert from_config.exit_code == 0, from_config.output
    assert len(json.loads(from_config.stdout)) == 3


def test_a_missing_history_file_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "typo.sqlite"
    result = invoke("--history", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"sovaudit: error: {path}: no such history file")
    assert not path.exists()


def test_process_lists_runs(recorded: Path) -> None:
    done = run_process("--history", str(recorded), "--format", "json", "--limit", "1")
    assert done.returncode == 0, done.stderr
    assert [r["run"] for r in json.loads(done.stdout)] == [3]
    assert done.stderr == ""


def test_process_refuses_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 50, encoding="utf-8")
    done = run_process("--history", str(path))
    assert done.returncode == 2
    assert done.stderr == (
        f"sovaudit: error: {path}: not a SQLite database, so not a sovaudit history file\n"
    )
    assert done.stdout == ""


def test_process_refuses_a_history_from_a_newer_sovaudit(recorded: Path) -> None:
    connection = sqlite3.connect(recorded)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    connection.close()
    done = run_process("--history", str(recorded), "--format", "table")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "newer sovaudit" in done.stderr
    assert "upgrade sovaudit" in done.stderr
    assert "Traceback" not in done.stderr


def test_process_usage_error_without_history() -> None:
    done = run_process("--format", "json")
    assert done.returncode == 2
    assert "Usage: sovaudit history" in done.stderr
    assert "`history:` in the config file" in done.stderr
