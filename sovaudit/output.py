"""Writing results: to stdout, or atomically to a file.

A scheduled run killed half-way must never leave a truncated report where yesterday's good
one was, so files are written beside their destination and renamed into place.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write text ``chunks`` to ``path`` so readers see the old file or the new one, never half."""
    _write_atomic(path, (chunk.encode("utf-8") for chunk in chunks))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """The same for bytes already in memory (a downloaded snapshot)."""
    _write_atomic(path, iter([data]))


def _write_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, _mode_for(path))
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual umask-based mode."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def emit(chunks: Iterable[str], path: Path | None) -> None:
    """Results go to ``path`` when given, else to stdout (logs always go to stderr)."""
    if path is None:
        try:
            for chunk in chunks:
                sys.stdout.write(chunk)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader went away (`| head`): stop writing, quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
    else:
        write_atomic(path, chunks)
