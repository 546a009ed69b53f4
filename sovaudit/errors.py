"""Errors the CLI turns into exit codes. Anything else escaping is a bug."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What a command's exit code means (CONTRACT.md and docs/contract-extensions.md)."""

    OK = 0
    FINDINGS = 1  # an open finding at or above --fail-on
    BAD_INPUT = 2  # usage or input error: one line on stderr
    INCOMPLETE = 3  # a provider or scope could not be read; the rest is reported
    INTERNAL = 4  # a bug in sovaudit
    NOT_DELIVERED = 5  # written, but not recorded in the history or not delivered
    INTERRUPTED = 130  # SIGINT (128 + 2)
    TERMINATED = 143  # SIGTERM (128 + 15)


class SovauditError(Exception):
    """Base of every error sovaudit reports to the user as one line."""

    exit_code = ExitCode.BAD_INPUT


class InputError(SovauditError):
    """A file the user gave is unreadable or invalid (exit 2).

    The message always names the file, and the line and field when they are known, so the
    user can go straight to the mistake.
    """

    def __init__(
        self, path: str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.detail = message
        where = path if line is None else f"{path}:{line}"
        what = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {what}")


class UsageError(SovauditError):
    """Options that cannot work together, an unknown provider name (exit 2)."""


class CatalogueError(SovauditError):
    """The region catalogue data is malformed: a packaging bug, or a user's own catalogue."""
