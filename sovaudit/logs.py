"""Logs and progress on stderr: plain lines for people, JSON lines for log collectors.

Results never go to stderr and logs never go to stdout, so ``scan --format json | jq`` works
whatever the verbosity. A TTY also gets a one-line progress display that log lines clear
before they print, so the two never interleave into garbage.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
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


# The cloud SDKs' own loggers: silent unless -vv (Azure's printed 14 lines of HTTP log on a
# run with no credentials, and botocore's DEBUG output carries session tokens, so even -vv
# lets them through at INFO only).
SDK_LEVEL_VERBOSE = logging.INFO
# C0 and C1 control characters (ESC, OSC 52 clipboard writes, CSI, a bare CR that rewrites
# the line) from provider error texts and asset names, shown as escapes on a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inert(text: str) -> str:
    """``text`` with every control character but newline shown as ``\\xNN``, for terminals."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


class _InertFormatter(logging.Formatter):
    """Plain lines whose message cannot move the cursor, clear the screen or forge a line."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return inert(super().formatMessage(record)).replace("\n", "\\n")


def _level(verbose: int, quiet: bool) -> int:
    """-q hides progress and information, never warnings or errors."""
    if quiet:
        return logging.WARNING
    return (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]


def _quieten_sdks(verbose: int, handler: logging.Handler) -> None:
    """The root logger, where the SDKs' records end up: nothing, or (-vv) our handler."""
    root = logging.getLogger()
    if verbose >= 2:
        sdk_handler = logging.StreamHandler(handler.stream)  # type: ignore[attr-defined]
        sdk_handler.setFormatter(handler.formatter)
        sdk_handler.setLevel(SDK_LEVEL_VERBOSE)
        root.handlers[:] = [sdk_handler]
        root.setLevel(SDK_LEVEL_VERBOSE)
    else:
        # A handler that drops everything, so logging's last resort never prints to stderr.
        root.handlers[:] = [logging.NullHandler()]


def log_format_in_use() -> str:
    """'json' when this run's logs are JSON lines, else 'text' (for lines printed outside
    logging, such as the final error)."""
    handlers = logging.getLogger(ROOT).handlers
    if handlers and isinstance(handlers[0].formatter, JsonFormatter):
        return "json"
    return "text"


def final_line(level: str, message: str, *, as_json: bool | None = None, **fields: Any) -> None:
    """The one line a command ends with on failure, in the run's log format.

    ``level`` is ``error`` (bad input, exit 2), ``internal error`` (a bug) or ``stopped``;
    ``as_json`` overrides the format for lines printed before logging is set up.
    """
    if as_json if as_json is not None else log_format_in_use() == "json":
        record = logging.makeLogRecord(
            {"name": ROOT, "levelno": logging.ERROR, "levelname": "ERROR", "msg": message,
             "kind": level, **fields}
        )  # fmt: skip
        sys.stderr.write(JsonFormatter().format(record) + "\n")
    else:
        label = {"error": "error: ", "internal error": "internal error: "}.get(level, "")
        sys.stderr.write(f"{ROOT}: {label}{inert(message)}\n")
    sys.stderr.flush()


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
        else _InertFormatter(f"{ROOT}: %(levelname)s: %(message)s")
    )
    root = logging.getLogger(ROOT)
    root.handlers[:] = [handler]
    root.setLevel(_level(verbose, quiet))
    root.propagate = False
    _quieten_sdks(verbose, handler)
    progress_logger = logging.getLogger(PROGRESS)
    progress_logger.handlers[:] = [ProgressDisplay(status)] if status is not None else []
    progress_logger.setLevel(logging.INFO if display or verbose else logging.WARNING)
