"""Progress events: what each source is reading, as it goes.

Events are INFO records on the ``sovaudit.progress`` logger with a ``progress`` dict, so
the same event drives the terminal's progress line, a ``-v`` log line and a JSON log entry
(sovaudit/logs.py decides which). Sources call these functions from any thread; logging
is thread-safe, and nothing here holds state.
"""

from __future__ import annotations

import logging

_log = logging.getLogger("sovaudit.progress")


def _emit(message: str, *args: object, **event: object) -> None:
    if _log.isEnabledFor(logging.INFO):
        _log.info(message, *args, extra={"progress": event})


def source_started(source: str) -> None:
    _emit("%s: reading", source, event="started", source=source)


def scopes_planned(source: str, total: int) -> None:
    """``total`` scopes (account/region/service, project, subscription) will be read."""
    _emit("%s: %d scope(s) to read", source, total, event="planned", source=source, total=total)


def scope_finished(source: str, scope: str, assets: int, failed: bool = False) -> None:
    _emit(
        "%s: %s: %s",
        source,
        scope,
        "could not be read" if failed else f"{assets} asset(s)",
        event="scope",
        source=source,
        scope=scope,
        assets=assets,
        failed=failed,
    )


def source_finished(source: str, assets: int, errors: int) -> None:
    _emit(
        "%s: %d asset(s), %d error(s)",
        source,
        assets,
        errors,
        event="finished",
        source=source,
        assets=assets,
        errors=errors,
    )


def collection_done(assets: int) -> None:
    _emit("collected %d asset(s)", assets, event="done", source="*", assets=assets)
