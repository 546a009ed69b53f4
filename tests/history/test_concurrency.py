"""Two overlapping scans record into one history file: both are kept, neither fails."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

from sovaudit.history import HistoryStore
from tests.conftest import ROOT

RUNS, FINDINGS = 40, 400


def test_two_processes_recording_at_once_both_record_everything(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"  # not created yet: both processes race to create it
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.history.recorder",
                str(path),
                tag,
                str(RUNS),
                str(FINDINGS),
                str(go),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("night", "manual")
    ]
    # Start both together: a recorder still importing while the other records all its runs
    # would never overlap with it.
    deadline = time.monotonic() + 30
    while not all(Path(f"{go}.ready-{tag}").exists() for tag in ("night", "manual")):
        assert time.monotonic() < deadline, "a recorder never got ready"
        time.sleep(0.005)
    go.touch()
    outputs = [worker.communicate(timeout=60) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "locked" not in err
    assert sorted(out for out, _ in outputs) == [
        f"manual recorded {RUNS}\n",
        f"night recorded {RUNS}\n",
    ]
    with HistoryStore(path, create=False) as store:
        runs = store.runs()
        assert [r.id for r in runs] == list(range(1, 2 * RUNS + 1))
        assert all(r.open_total == FINDINGS for r in runs)
        # Each run was compared with the run recorded just before it, whichever process
        # wrote that one: the stored counts match a fresh comparison.
        for run in runs:
            changes = store.changes(run.id)
            assert run.previous_run_id == (run.id - 1 if run.id > 1 else None)
            assert (run.new, run.resolved) == (len(changes.new), len(changes.resolved))
        tags = ["night" if "night" in store.findings(r.id)[-1].id else "manual" for r in runs]
    switches = sum(1 for before, after in itertools.pairwise(tags) if before != after)
    assert tags.count("night") == RUNS
    assert switches > 1  # the two took turns on the same file (the recorders meet halfway)
