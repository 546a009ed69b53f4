"""Rendering a scan result in the chosen format: shared by ``scan`` and ``report``."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping

from sovaudit.comparison import RunChanges, TrendPoint
from sovaudit.model import ScanResult
from sovaudit.output import OutputTarget
from sovaudit.render_json import iter_json, iter_jsonl, scan_document
from sovaudit.report.model import build_report
from sovaudit.summary import summarise

FORMATS = ("table", "markdown", "html", "json", "jsonl", "ocsf", "csv", "sarif")


def wants_colour(fmt: str, target: OutputTarget, environ: Mapping[str, str] = os.environ) -> bool:
    """Colour only for a table on a terminal, and never when NO_COLOR is set (no-color.org)
    or the terminal says it cannot show it (TERM=dumb)."""
    if fmt != "table" or not target.is_stdout or not sys.stdout.isatty():
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
) -> Iterator[str]:
    """The chosen format; reporters are imported only when used."""
    if fmt == "json":
        document = scan_document(result, summarise(result))
        if changes is not None:
            document["changes"] = changes.to_dict()
        return iter_json(document)
    if fmt == "jsonl":
        return iter_jsonl(result)
    if fmt == "ocsf":
        from sovaudit.report.ocsf import render_ocsf

        return render_ocsf(result)
    if fmt == "csv":
        from sovaudit.report.csv import render_csv

        return render_csv(result)
    if fmt == "sarif":
        from sovaudit.report.sarif import render_sarif

        return render_sarif(result)
    report = build_report(result, lang, changes=changes, trend=trend)
    if fmt == "markdown":
        from sovaudit.report.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from sovaudit.report.html import render_html

        return render_html(report)
    from sovaudit.report.table import render_table

    return render_table(report, colour=colour)
