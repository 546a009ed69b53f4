"""A run stopped by SIGTERM or SIGINT leaves nothing behind and is not recorded.

Before, SIGINT exited 1 ("findings at or above --fail-on") even with --fail-on never, SIGTERM
left a partial temporary file of hundreds of MB beside the report, and a killed run was in the
history anyway, so its findings never appeared as "new" in any later report.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.process import as_normal_user, clean_env, lock_from_normal_user

ASSETS = 40_000


@pytest.fixture(scope="module")
def big_estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Large enough that rendering its report takes a while: time to be stopped in it."""
    path = tmp_path_factory.mktemp("estate") / "estate.json"
    regions = ("mx-central-1", "us-east-1", "sa-east-1")
    assets = [
        {
            "id": f"arn:aws:s3:::bucket-{n}",
            "provider": "aws",
            "service": "s3",
            "region": regions[n % 3],
            "tags": {"data-classification": "personal", "owner": f"team-{n % 40}"},
        }
        for n in range(ASSETS)
    ]
    path.write_text(json.dumps({"assets": assets}), encoding="utf-8")
    return path


def _size(path: Path) -> int:
    """A temporary file's size; 0 when it was removed between listing and looking (the
    writability check creates one and removes it at once)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _stop_while_writing(estate: Path, out: Path, history: Path, signum: int) -> tuple[int, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sovaudit", "scan", str(estate), "--fail-on", "never",
         "--format", "json", "-o", str(out), "--history", str(history)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=clean_env(),
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(_size(p) > 0 for p in out.parent.glob(".sovaudit-*.tmp")):
            break  # the report is being written: the worst moment to be stopped
        time.sleep(0.005)
    assert process.poll() is None, "the scan ended before it could be stopped"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_stopped_while_writing_leaves_nothing_and_records_nothing(
    big_estate: Path, tmp_path: Path, signum: int, code: int
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    out = reports / "scan.json"
    out.write_text("last night's report")
    history = tmp_path / "history.sqlite"
    last_night = subprocess.run(
        [sys.executable, "-m", "sovaudit", "scan", str(ROOT / "sample_inventories" /
         "retail_monterrey.yaml"), "--fail-on", "never", "--format", "json",
         "--history", str(history)],
        capture_output=True, text=True, cwd=ROOT, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert last_night.returncode == 0, last_night.stderr
    returncode, stderr = _stop_while_writing(big_estate, out, history, signum)
    assert returncode == code, stderr
    name = signal.Signals(signum).name
    assert stderr.splitlines() == [
        f"sovaudit: stopped by {name}: nothing more was written or recorded"
    ]
    assert out.read_text() == "last night's report"
    assert sorted(p.name for p in reports.iterdir()) == ["scan.json"]
    with sqlite3.connect(history) as db:  # last night's run is kept, tonight's not recorded
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_a_finished_run_is_recorded_after_its_report(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    out = tmp_path / "scan.json"
    estate = ROOT / "sample_inventories" / "retail_monterrey.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "sovaudit", "scan", str(estate), "--fail-on", "never",
         "-o", str(out), "--history", str(history)],
        capture_output=True, text=True, cwd=ROOT, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(history) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_a_run_whose_report_cannot_be_written_is_not_recorded(tmp_path: Path) -> None:
    history = tmp_path / "history.sqlite"
    estate = ROOT / "sample_inventories" / "retail_monterrey.yaml"
    failed = subprocess.run(
        [sys.executable, "-m", "sovaudit", "scan", str(estate), "--fail-on", "never",
         "-o", str(tmp_path / "missing" / "scan.json"), "--history", str(history)],
        capture_output=True, text=True, cwd=ROOT, env=clean_env(), timeout=60, check=False,
    )  # fmt: skip
    assert failed.returncode == 2
    assert not history.exists()


def test_history_reads_a_database_in_a_folder_it_cannot_write() -> None:
    """An auditor's account reads the service's history: the folder is the service's own."""
    folder = Path(tempfile.mkdtemp(prefix="sovaudit-history-"))
    try:
        folder.chmod(0o755)
        history = folder / "history.sqlite"
        estate = ROOT / "sample_inventories" / "retail_monterrey.yaml"
        done = subprocess.run(
            [sys.executable, "-m", "sovaudit", "scan", str(estate), "--fail-on", "never",
             "--format", "json", "--history", str(history)],
            capture_output=True, text=True, cwd=ROOT, env=clean_env(), timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        history.chmod(0o444)
        lock_from_normal_user(folder)  # the reader cannot create -wal/-shm files there
        code, stderr = as_normal_user("history", "--history", str(history), "--format", "json")
        assert code == 0, stderr
        assert sorted(p.name for p in folder.iterdir()) == ["history.sqlite"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
