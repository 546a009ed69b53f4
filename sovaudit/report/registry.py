"""Which output format means which reporter: one table, each reporter imported only when used.

The ``scan`` and ``report`` commands' ``--format`` choices, the output-file suffixes that pick
a format (cli/common.py) and the golden files the tests compare against
(scripts/update_golden.py) are all read from :data:`REPORTERS`, so a new format is its own
module, one line here and its golden files; nothing else names it.

Reporters are imported lazily, like the providers (providers/registry.py): a CSV export
should not pay for importing the HTML report, and the CLI reads this table at start-up.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from sovaudit.errors import UsageError
from sovaudit.output import Chunk

if TYPE_CHECKING:
    from sovaudit.changes.comparison import RunChanges, TrendPoint
    from sovaudit.model import ScanResult
    from sovaudit.report.model import Report

Takes = Literal["result", "report", "input"]


@dataclasses.dataclass(frozen=True)
class Reporter:
    """One output format: its name, the suffixes of an output file that choose it (the first
    one names its golden file), and the ``module:function`` that renders it.

    ``takes`` says what the function is called with: ``"result"``, the ScanResult (machine
    formats); ``"report"``, the human report model (report/model.py), shared by the human
    formats so that they never disagree about a figure; ``"input"``, the whole
    :class:`RenderInput`, for a format that needs the summary or the changes themselves.
    ``colour``: the function also takes ``colour=``, true only on a terminal that can show it.
    """

    name: str
    suffixes: tuple[str, ...]
    target: str
    takes: Takes
    colour: bool = False

    def load(self) -> Callable[..., Iterator[Chunk]]:
        """The rendering function, imported now (a missing one is sovaudit's own bug)."""
        module_name, _, function_name = self.target.partition(":")
        function: Callable[..., Iterator[Chunk]] = getattr(
            importlib.import_module(module_name), function_name
        )
        return function


# The order is --format's: the first is the default on a terminal.
REPORTERS: tuple[Reporter, ...] = (
    Reporter("table", (".txt",), "sovaudit.report.table:render_table", "report", colour=True),
    Reporter(
        "markdown", (".md", ".markdown"), "sovaudit.report.markdown:render_markdown", "report"
    ),
    Reporter("html", (".html", ".htm"), "sovaudit.report.html:render_html", "report"),
    Reporter("json", (".json",), "sovaudit.report.scan_json:render_json", "input"),
    Reporter("jsonl", (".jsonl", ".ndjson"), "sovaudit.report.json_document:iter_jsonl", "result"),
    Reporter("ocsf", (".ocsf",), "sovaudit.report.ocsf:render_ocsf", "result"),
    Reporter("csv", (".csv",), "sovaudit.report.csv:render_csv", "result"),
    Reporter("sarif", (".sarif",), "sovaudit.report.sarif:render_sarif", "result"),
)
BY_NAME: Mapping[str, Reporter] = {reporter.name: reporter for reporter in REPORTERS}


def names() -> tuple[str, ...]:
    """Every format name, in --format's order."""
    return tuple(BY_NAME)


def suffix_formats() -> dict[str, str]:
    """Output-file suffix -> format name, for every registered format."""
    return {suffix: reporter.name for reporter in REPORTERS for suffix in reporter.suffixes}


def reporter(name: str) -> Reporter:
    """The registered format ``name``, or UsageError listing the formats there are."""
    found = BY_NAME.get(name)
    if found is None:
        raise UsageError(f"unknown format {name!r} (available: {', '.join(names())})")
    return found


class RenderInput:
    """What a reporter may be given: the result and the run's context, with the summary and the
    human report model each computed at most once, and only when a format asks for them.

    ``summary`` is ``sovaudit.summary.summarise(result)`` when the caller already has it (the
    scan command computes it for the history and the deliveries); None computes it here.
    """

    def __init__(
        self,
        result: ScanResult,
        lang: str = "en",
        *,
        colour: bool = False,
        changes: RunChanges | None = None,
        trend: tuple[TrendPoint, ...] = (),
        summary: Mapping[str, Any] | None = None,
    ) -> None:
        self.result = result
        self.lang = lang
        self.colour = colour
        self.changes = changes
        self.trend = trend
        self._summary = summary

    @property
    def summary(self) -> Mapping[str, Any]:
        if self._summary is None:
            from sovaudit.summary import summarise

            self._summary = summarise(self.result)
        return self._summary

    @functools.cached_property
    def report(self) -> Report:
        from sovaudit.report.model import build_report

        return build_report(
            self.result, self.lang, changes=self.changes, trend=self.trend, summary=self.summary
        )


def render(name: str, given: RenderInput) -> Iterator[Chunk]:
    """Format ``name``'s rendering of ``given``, as chunks of text (or of UTF-8 bytes)."""
    entry = reporter(name)
    function = entry.load()
    if entry.takes == "result":
        return function(given.result)
    if entry.takes == "input":
        return function(given)
    if entry.colour:
        return function(given.report, colour=given.colour)
    return function(given.report)
