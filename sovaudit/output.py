"""Writing results: to stdout, to a stream (FIFO, device, socket), or atomically to a file.

A scheduled run killed half-way must never leave a truncated report where yesterday's good
one was, so regular files are written beside their destination and renamed into place. That
rename must never hit something that is not a regular file: run as root, ``-o /dev/null``
once replaced the device with a file of JSON, and every later tool that read
``AWS_CONFIG_FILE=/dev/null`` broke. So the target is examined before the scan (a missing or
read-only folder fails in a second, not after an hour of collection) and again when writing:
streams are written to directly, a symlink is written through to its target, and a block
device or a folder is refused.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sovaudit.errors import InputError

STDOUT = "-"
# Short and fixed: a valid 250-character report name must not fail because the temporary
# name beside it is longer than the file system allows.
_TEMP_PREFIX = ".sovaudit-"
_TEMP_SUFFIX = ".tmp"


@dataclasses.dataclass(frozen=True)
class OutputTarget:
    """Where results go: ``path`` None is stdout; ``real`` is the file a symlink points to.

    A symlink to a regular file is written through (the link stays a link); one that
    points nowhere yet creates its target.
    """

    path: Path | None
    real: Path | None = None

    @property
    def is_stdout(self) -> bool:
        return self.path is None

    def describe(self) -> str:
        return "stdout" if self.path is None else str(self.path)


def prepare_target(path: Path | None, *, mkdir: bool = False) -> OutputTarget:
    """Check that results can be written to ``path`` before any work is done.

    Raises InputError (exit 2, one line naming the file or folder) for a missing folder
    (created instead with ``mkdir``), a folder sovaudit cannot write in, a folder or a block
    device as the target.
    """
    if path is None or str(path) == STDOUT:
        return OutputTarget(None)
    # stat follows symlinks, so /dev/stdout (a link to a pipe or a terminal) is a stream.
    mode = _mode_of(path)
    if mode is not None and not stat.S_ISREG(mode):
        _check_stream(path, mode)
        return OutputTarget(path, path)
    real = Path(os.path.realpath(path))
    folder = real.parent
    if not folder.is_dir():
        if not mkdir:
            raise missing_folder(path, folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                str(path), f"cannot create the folder {folder}: {_reason(exc)}"
            ) from None
    _check_writable(path, folder)
    return OutputTarget(path, real)


def missing_folder(path: Path, folder: Path) -> InputError:
    """The first-night mistake, said the same way by a run and by ``config check``."""
    return InputError(str(path), f"the folder {folder} does not exist (create it, or pass --mkdir)")


def _mode_of(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(str(path), f"cannot examine the output: {_reason(exc)}") from None


def _check_stream(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputError(str(path), "is a folder; give a file name for the output")
    if stat.S_ISBLK(mode):
        raise InputError(
            str(path),
            "is a block device; sovaudit writes to files, FIFOs, character devices, "
            "sockets or '-', never to a disk",
        )


def _check_writable(path: Path, folder: Path) -> None:
    """Create and remove a temporary file where the real one will be written.

    Asking ``os.access`` is not enough: root passes it on a read-only file system.
    """
    try:
        fd, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise InputError(
            str(path), f"cannot write in the folder {folder}: {_reason(exc)}"
        ) from None
    os.close(fd)
    os.unlink(name)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def write_atomic(path: Path, chunks: Iterable[str]) -> None:
    """Write text ``chunks`` to ``path`` so readers see the old file or the new one, never half."""
    write_target(prepare_target(path), (chunk.encode("utf-8") for chunk in chunks))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """The same for bytes already in memory (a downloaded snapshot)."""
    write_target(prepare_target(path), iter([data]))


def write_target(target: OutputTarget, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` where ``target`` says, deciding again how: it may have changed."""
    if target.path is None or target.real is None:
        _write_stdout(chunks)
        return
    mode = _mode_of(target.path)
    if mode is not None and not stat.S_ISREG(mode):
        _check_stream(target.path, mode)
        if stat.S_ISSOCK(mode):
            _write_socket(target.path, chunks)
        else:
            _write_stream(target.path, chunks)
        return
    _write_file_atomically(target.path, target.real, chunks)


def _write_stream(path: Path, chunks: Iterable[bytes]) -> None:
    """A FIFO or character device: opened as it is, never created, truncated or replaced."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    # The reader of a pipe may go away (`-o /dev/stdout | head`): stop quietly, as on stdout.
    with contextlib.suppress(BrokenPipeError), os.fdopen(fd, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def _write_socket(path: Path, chunks: Iterable[bytes]) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(str(path))
        for chunk in chunks:
            connection.sendall(chunk)


def _write_file_atomically(path: Path, real: Path, chunks: Iterable[bytes]) -> None:
    if not real.parent.is_dir():
        raise InputError(str(path), f"the folder {real.parent} no longer exists")
    existing = _existing_stat(real)
    fd, temp_name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX, dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
            _keep_ownership(handle.fileno(), existing)
        os.replace(temp_name, real)
    except OSError as exc:  # a full disk, a file-size limit: name the file, not the temporary
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise InputError(str(path), f"cannot be written: {_reason(exc)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _existing_stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _keep_ownership(fd: int, existing: os.stat_result | None) -> None:
    """An existing file keeps its mode and, where allowed (root), its owner and group.

    The owner is set first: changing it clears set-id bits, which the mode then restores.
    A new file gets the umask-based mode any other program would give it.
    """
    if existing is None:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        return
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.fchown(fd, existing.st_uid, existing.st_gid)
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))


def _write_stdout(chunks: Iterable[bytes]) -> None:
    stream = sys.stdout
    try:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        for chunk in chunks:
            if buffer is not None:
                buffer.write(chunk)
            else:  # a text-only stream (click's test runner captures this way too)
                stream.write(chunk.decode("utf-8"))
        (buffer or stream).flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop writing, quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


# What a reporter yields: text, or UTF-8 bytes already encoded (the JSON formats, whose
# encoder writes bytes: a large result is not decoded to text only to be encoded back).
Chunk = str | bytes


def emit(chunks: Iterable[Chunk], target: OutputTarget | Path | None) -> None:
    """Results go to ``target`` when given, else to stdout (logs always go to stderr)."""
    if not isinstance(target, OutputTarget):
        target = prepare_target(target)
    write_target(target, (c.encode("utf-8") if isinstance(c, str) else c for c in chunks))


def as_text(chunks: Iterable[Chunk]) -> str:
    """A whole rendering as one string (small outputs: messages, tests)."""
    return "".join(c if isinstance(c, str) else c.decode("utf-8") for c in chunks)
