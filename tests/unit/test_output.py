"""Atomic output: readers see the old file or the new one, never a half-written one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sovaudit.output import write_atomic


def test_write_atomic_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(target, iter(["new ", "report"]))
    assert target.read_text() == "new report"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_failure_half_way_leaves_the_old_file_and_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("yesterday's good report")

    def chunks() -> Iterator[str]:
        yield "half of today's"
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        write_atomic(target, chunks())
    assert target.read_text() == "yesterday's good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.json", iter(["{}"]))
    finally:
        os.umask(old)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o644
