"""``-o`` never replaces what is not a regular file, and fails before the scan, not after.

Run as root (containers, CI), the old atomic rename replaced ``-o /dev/null`` with a file of
JSON and broke every later tool that read ``AWS_CONFIG_FILE=/dev/null``. Devices are made in
a scratch folder with ``os.mknod`` (CI runs as root); no test touches the real /dev/null.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from tests.process import (
    NOBODY,
    as_normal_user,
    give_to_normal_user,
    lock_from_normal_user,
    normal_user,
    sovaudit,
    stderr_lines,
)

SAMPLE = str(SAMPLES / "retail_monterrey.yaml")
IS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(
    not IS_ROOT, reason="making devices and giving files away needs root"
)


def scan_to(target: Path | str, *extra: str, **kwargs: object) -> object:
    return sovaudit("scan", SAMPLE, "--fail-on", "never", "-o", str(target), *extra, **kwargs)  # type: ignore[arg-type]


@needs_root
def test_a_character_device_is_written_to_and_stays_a_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the same device as /dev/null
    result = scan_to(null)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(null.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


@needs_root
def test_a_block_device_is_refused_and_left_alone(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    os.mknod(disk, 0o600 | stat.S_IFBLK, os.makedev(7, 200))  # a loop device number, never opened
    result = scan_to(disk)
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {disk}: is a block device; sovaudit "
        "writes to files, FIFOs, character devices, sockets or '-', "
        "never to a disk"
    ]
    assert stat.S_ISBLK(disk.stat().st_mode)


def test_a_fifo_gets_the_report_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = scan_to(fifo, "--format", "json")
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert received
    assert received[0].startswith(b'{\n  "schema_version": "1"')
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "real.json"
    real.parent.mkdir()
    real.write_text("yesterday")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert scan_to(link).returncode == 0
    assert link.is_symlink()
    assert real.read_text().startswith('{\n  "schema_version"')
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.json"]


def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "scan.json"
    target.write_text("old")
    target.chmod(0o640)
    assert scan_to(target).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text().startswith("{")


@needs_root
def test_as_root_an_existing_file_keeps_its_owner(tmp_path: Path) -> None:
    target = tmp_path / "scan.json"
    target.write_text("old")
    os.chown(target, NOBODY, NOBODY)
    assert scan_to(target).returncode == 0
    assert (target.stat().st_uid, target.stat().st_gid) == (NOBODY, NOBODY)


def test_a_missing_folder_is_one_line_naming_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "scan.json"
    result = scan_to(target)
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {target}: the folder {target.parent} does not exist "
        "(create it, or pass --mkdir)"
    ]
    assert ".tmp" not in result.stderr


def test_mkdir_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "var" / "reports" / "scan.json"
    assert scan_to(target, "--mkdir").returncode == 0
    assert target.read_text().startswith("{")


def test_the_output_is_checked_before_anything_is_collected(tmp_path: Path) -> None:
    # A provider that would fail loudly if it ran: the output error must come first and alone.
    result = sovaudit(
        "scan",
        "--provider",
        "aws",
        "-o",
        str(tmp_path / "missing" / "x.json"),
        env={
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
            "AWS_ACCESS_KEY_ID": None,
            "AWS_SECRET_ACCESS_KEY": None,
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )
    assert result.returncode == 2
    assert len(stderr_lines(result)) == 1
    assert "does not exist" in result.stderr


def test_a_long_valid_name_is_not_broken_by_the_temporary_name(tmp_path: Path) -> None:
    target = tmp_path / ("a" * 245 + ".json")  # 250 characters: within NAME_MAX (255)
    result = scan_to(target)
    assert result.returncode == 0, result.stderr
    assert target.read_text().startswith("{")


@pytest.mark.parametrize("name", ["report.pdf", "report.yaml", "report.docx"])
def test_an_unknown_suffix_is_a_usage_error_listing_the_known_ones(
    tmp_path: Path, name: str
) -> None:
    result = scan_to(tmp_path / name)
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert "cannot tell the format from the suffix" in line
    assert ".html" in line
    assert "give --format" in line
    assert not (tmp_path / name).exists()


def test_an_unknown_suffix_is_fine_with_format(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf.part"
    assert scan_to(target, "--format", "json").returncode == 0
    assert target.read_text().startswith("{")


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("r.htm", "<!DOCTYPE html>"),
        ("r.txt", "13 of 27 personal-data assets"),
        ("r.ocsf", '{"class_uid":2003'),
        ("r.ndjson", '{"id"'),
    ],
)
def test_common_suffixes_pick_their_format(tmp_path: Path, name: str, starts: str) -> None:
    target = tmp_path / name
    assert scan_to(target).returncode == 0
    assert target.read_text().startswith(starts)


def test_a_folder_as_the_target_is_refused(tmp_path: Path) -> None:
    result = scan_to(tmp_path, "--format", "json")
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {tmp_path}: is a folder; give a file name for the output"
    ]


@pytest.fixture
def shared_scratch() -> Iterator[Path]:
    """A folder an unprivileged user can enter (pytest's own tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="sovaudit-nobody-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_as_a_normal_user_a_folder_it_cannot_write_is_one_line(shared_scratch: Path) -> None:
    locked = shared_scratch / "locked"
    locked.mkdir()
    lock_from_normal_user(locked)
    try:
        code, stderr = as_normal_user(
            "scan", SAMPLE, "--fail-on", "never", "-o", str(locked / "scan.json")
        )
    finally:
        locked.chmod(0o755)
    assert code == 2
    assert stderr.splitlines() == [
        f"sovaudit: error: {locked / 'scan.json'}: cannot write in the folder {locked}: "
        "Permission denied"
    ]


def test_as_a_normal_user_its_own_file_is_replaced_keeping_its_mode(shared_scratch: Path) -> None:
    own = shared_scratch / "own"
    own.mkdir()
    give_to_normal_user(own)
    target = own / "scan.json"
    target.write_text("old")
    give_to_normal_user(target)
    target.chmod(0o600)
    code, stderr = as_normal_user("scan", SAMPLE, "--fail-on", "never", "-o", str(target))
    assert code == 0, stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.stat().st_uid == normal_user()
    assert target.read_text().startswith("{")


def test_config_check_reports_a_missing_output_folder_without_creating_it(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "scan.json"
    config = tmp_path / "sovaudit.yaml"
    config.write_text(
        f"sources: {{inventory: [{SAMPLE}]}}\ncommands:\n  scan: {{output: {target}}}\n"
    )
    result = sovaudit("config", "check", "--config", str(config))
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {target}: the folder {target.parent} does not exist "
        "(create it, or pass --mkdir)"
    ]
    config.write_text(
        f"sources: {{inventory: [{SAMPLE}]}}\n"
        f"commands:\n  scan: {{output: {target}, mkdir: true}}\n"
    )
    result = sovaudit("config", "check", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert f"its folder {target.parent} will be created: --mkdir" in result.stdout
    assert not target.parent.exists()
