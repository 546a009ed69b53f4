"""Rendering a scan result in the chosen format: shared by ``scan`` and ``report``.

Which formats exist and what renders each is report/registry.py's table; this module only
adds what depends on where the output goes (colour on a terminal).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from sovaudit.changes.comparison import RunChanges, TrendPoint
from sovaudit.model import ScanResult
from sovaudit.output import Chunk, OutputTarget
from sovaudit.report.registry import BY_NAME, RenderInput, names, render

FORMATS = names()


def wants_colour(fmt: str, target: OutputTarget, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour only for a format that can colour (the table) on a terminal, and never when
    NO_COLOR is set (no-color.org) or the terminal says it cannot show it (TERM=dumb)."""
    reporter = BY_NAME.get(fmt)
    if reporter is None or not reporter.colour or not target.is_stdout or not sys.stdout.isatty():
        return False
    return not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"


def render_result(
    fmt: str,
    result: ScanResult,
    lang: str,
    colour: bool = False,
    *,
    changes: RunChanges | None = None,
    trend: tuple[TrendPoint, ...] = (),
    summary: Mapping[str, Any] | None = None,
) -> Iterator[Chunk]:
    """The chosen format; reporters are imported only when used.

    ``summary`` is ``summarise(result)`` when the caller already computed it (``scan`` does,
    for the history and deliveries), so a scan summarises once; None computes it if needed.
    """
    given = RenderInput(result, lang, colour=colour, changes=changes, trend=trend, summary=summary)
    return render(fmt, given)
