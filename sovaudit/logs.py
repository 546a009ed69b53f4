"""Logs and progress on stderr: plain lines for people, JSON lines for log collectors.

Results never go to stderr and logs never go to stdout, so ``scan --format json | jq`` works
whatever the verbosity. A TTY also gets a one-line progress display that log lines clear
before they print, so the two never interleave into garbage.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
from typing import Any, TextIO

LOG_FORMATS = ("text", "json")
PROGRESS_MODES = ("auto", "always", "never")
ROOT = "sovaudit"
PROGRESS = "sovaudit.progress"

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is data.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class StatusLine:
    """The progress line at the bottom of a terminal; cleared before anything else prints."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.lock = threading.RLock()
        self.shown = False

    def show(self, text: str) -> None:
        with self.lock:
            self.stream.write("\r\x1b[K" + text[:200])
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False


class _ClearingHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """A stderr handler that first clears the progress line, if one is shown."""

    def __init__(self, stream: TextIO, status: StatusLine | None) -> None:
        super().__init__(stream)
        self.status = status

    def emit(self, record: logging.LogRecord) -> None:
        if self.status is not None:
            with self.status.lock:
                self.status.clear()
                super().emit(record)
        else:
            super().emit(record)


class ProgressDisplay(logging.Handler):
    """Keeps a running tally per source from progress events and shows it on one line."""

    def __init__(self, status: StatusLine) -> None:
        super().__init__(logging.INFO)
        self.status = status
        self.sources: dict[str, dict[str, Any]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "progress", None)
        if not isinstance(event, dict):
            return
        with self.status.lock:
            state = self.sources.setdefault(
                event["source"], {"done": 0, "total": None, "assets": 0, "finished": False}
            )
            kind = event.get("event")
            if kind == "planned":
                state["total"] = event.get("total")
            elif kind == "scope":
                state["done"] += 1
                state["assets"] += event.get("assets", 0)
            elif kind == "finished":
                state["assets"] = event.get("assets", state["assets"])
                state["finished"] = True
            if kind == "done":
                self.status.clear()
                return
            self.status.show("sovaudit: " + " | ".join(self._describe(self.sources)))

    @staticmethod
    def _describe(sources: dict[str, dict[str, Any]]) -> list[str]:
        parts = []
        for name, state in sources.items():
            scopes = ""
            if state["total"]:
                scopes = f" {state['done']}/{state['total']} scopes,"
            mark = " done" if state["finished"] else ""
            parts.append(f"{name}:{scopes} {state['assets']} assets{mark}")
        return parts


def _level(verbose: int, quiet: bool) -> int:
    if quiet:
        return logging.ERROR
    return (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]


def setup_logging(
    verbose: int,
    quiet: bool,
    log_format: str = "text",
    *,
    progress: str = "never",
    stream: TextIO | None = None,
) -> None:
    """Configure the ``sovaudit`` loggers for one command run.

    ``progress``: ``auto`` shows the progress line when stderr is a terminal and the format
    is text; ``always`` forces it; ``never`` (and ``-q``) turns it off. Progress events are
    also ordinary INFO records, so ``-v`` lists them and ``--log-format json`` carries them.
    """
    stream = stream or sys.stderr
    display = not quiet and (
        progress == "always" or (progress == "auto" and log_format == "text" and stream.isatty())
    )
    status = StatusLine(stream) if display else None
    handler = _ClearingHandler(stream, status)
    handler.setLevel(_level(verbose, quiet))
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter(f"{ROOT}: %(levelname)s: %(message)s")
    )
    root = logging.getLogger(ROOT)
    root.handlers[:] = [handler]
    root.setLevel(_level(verbose, quiet))
    root.propagate = False
    progress_logger = logging.getLogger(PROGRESS)
    progress_logger.handlers[:] = [ProgressDisplay(status)] if status is not None else []
    progress_logger.setLevel(logging.INFO if display or verbose else logging.WARNING)
