"""What a scheduled scan does once the result exists: compare, record, deliver.

None of these steps may change or lose the result: the output file is written whatever
happens to the history or the SIEM, and a failure of either is reported on stderr and in
the exit code (5), never swallowed. The output still holds everything, so ``sovaudit
deliver``-style recovery is a matter of re-sending that file.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sovaudit.changes.comparison import RunChanges, TrendPoint, against_baseline, changes_since
from sovaudit.cli.scan_inputs import ScanInputs, describe_target
from sovaudit.errors import ExitCode, SovauditError
from sovaudit.model import ScanResult
from sovaudit.report.json_document import (
    Rendered,
    error_to_dict,
    finding_events,
    finding_json,
    tool_block,
)
from sovaudit.summary import summarise

if TYPE_CHECKING:
    from sovaudit.history import FindingRow

log = logging.getLogger(__name__)

# How many recorded runs the HTML trend chart shows.
TREND_RUNS = 90


def after_scan_exit_code(scan_code: int, post_failed: bool) -> int:
    """2 and 3 first (CONTRACT.md), then 5 (not recorded or not delivered), then 1 and 0.

    A failed delivery outranks "findings exist" because findings exist every night, while a
    silent SIEM is what the person reading cron's mail must hear about.
    """
    if scan_code in (ExitCode.BAD_INPUT, ExitCode.INCOMPLETE):
        return scan_code
    return ExitCode.NOT_DELIVERED if post_failed else scan_code


@dataclasses.dataclass(frozen=True)
class HistoryOutcome:
    trend: tuple[TrendPoint, ...] = ()
    failed: bool = False


class AfterScan:
    """The steps after a scan, over one result and the inputs the user gave."""

    def __init__(self, result: ScanResult, inputs: ScanInputs, lang: str) -> None:
        self.result = result
        self.inputs = inputs
        self.lang = lang
        self._rules = {rule.id: rule for rule in inputs.rules}
        self.summary = summarise(result)
        self.changes: RunChanges | None = None
        if inputs.baseline is not None:
            self.changes = against_baseline(inputs.baseline, result, self.summary)

    def _run_header(self) -> dict[str, Any]:
        """What identifies the run and its figures, first in every record of it."""
        result = self.result
        return {
            "tool": tool_block(),
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "home_country": result.home_country,
            "summary": dict(self.summary),
        }

    def history_document(self) -> dict[str, Any]:
        """What the history keeps of a run: the result without its assets (the bulk)."""
        return {
            **self._run_header(),
            "findings": Rendered(self.result.findings, finding_json),
            "errors": [error_to_dict(e) for e in self.result.errors],
        }

    def read_history(self) -> HistoryOutcome:
        """Compare with the last recorded run and draw the trend, recording nothing yet.

        The run is recorded only once its outputs are in place (``record_history``): a run
        whose report was never written, or that was killed, must not count its findings as
        already seen, or they would never appear as new in any later report.
        """
        settings = self.inputs.history
        if settings is None:
            return HistoryOutcome()
        if not settings.path.exists():
            return HistoryOutcome(trend=(self._trend_point(),))
        from sovaudit.history import HistoryStore

        try:
            with HistoryStore(settings.path, read_only=True) as store:
                runs = store.runs(limit=TREND_RUNS - 1)
                if self.changes is None and runs:
                    previous = runs[-1]
                    self.changes = changes_since(
                        store.findings(previous.id),
                        self.result,
                        self.summary,
                        against="history",
                        since=previous.started_at,
                        old_exposure=previous.exposure_pct,
                        describe=self._resolved_entry,
                    )
        except (SovauditError, OSError, sqlite3.Error) as exc:
            log.error("history %s: could not be read: %s", settings.path, exc)
            return HistoryOutcome(failed=True)
        trend = tuple(
            TrendPoint(run.started_at, float(run.summary["exposure_pct"])) for run in runs
        )
        return HistoryOutcome(trend=(*trend, self._trend_point()))

    def _trend_point(self) -> TrendPoint:
        return TrendPoint(self.result.started_at, float(self.summary["exposure_pct"]))

    def record_history(self, scan_code: int) -> bool:
        """Record the run, in one transaction, and apply retention; True when it failed."""
        settings = self.inputs.history
        if settings is None:
            return False
        from sovaudit.history import HistoryStore

        try:
            with HistoryStore(settings.path) as store:
                store.record(self.history_document(), exit_code=scan_code)
                if settings.keep_days or settings.keep_runs:
                    removed = store.prune(
                        keep_days=settings.keep_days, keep_runs=settings.keep_runs
                    )
                    if removed:
                        log.info("history: forgot %d old run(s)", removed)
        except (SovauditError, OSError, sqlite3.Error) as exc:
            log.error("history %s: this run was not recorded: %s", settings.path, exc)
            return True
        return False

    def _resolved_entry(self, row: FindingRow) -> dict[str, Any]:
        """A resolved finding the history kept (no prose), titled in the report's language."""
        rule = self._rules.get(row.rule_id)
        title = rule.title.get(self.lang) if rule is not None else row.rule_id
        return {
            "id": row.id,
            "rule_id": row.rule_id,
            "severity": row.severity,
            "asset_id": row.asset_id,
            "status": row.status,
            "title": title,
        }

    def finding_events(self) -> Iterator[Mapping[str, Any]]:
        """Each finding with its asset inlined: the objects ``--format jsonl`` writes."""
        return finding_events(self.result)

    def summary_event(self) -> dict[str, Any]:
        return {**self._run_header(), "errors": len(self.result.errors)}

    def deliver(self) -> bool:
        """Send the findings to every target; True when every one of them arrived."""
        if not self.inputs.targets:
            return True
        from sovaudit.delivery import deliver

        outcomes = deliver(self.finding_events(), self.summary_event(), self.inputs.targets)
        delivered = True
        for outcome in outcomes:
            if outcome.failed or outcome.error:
                delivered = False
                if outcome.failed:
                    log.error(
                        "delivery to %s failed: %d of %d finding(s) not delivered: %s",
                        outcome.target,
                        outcome.failed,
                        outcome.sent + outcome.failed,
                        outcome.error or "unknown error",
                    )
                else:
                    log.error("delivery to %s failed: %s", outcome.target, outcome.error)
            else:
                log.info("delivered %d finding(s) to %s", outcome.sent, outcome.target)
        if not outcomes:
            log.error(
                "delivery: no outcome for %s", ", ".join(map(describe_target, self.inputs.targets))
            )
            return False
        return delivered
