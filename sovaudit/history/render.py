"""What ``sovaudit history`` prints: the runs as a table or JSON, and one run's changes.

JSON field names follow the scan document (CONTRACT.md), so a script that reads ``summary``
from a scan reads it the same way from each run here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sovaudit.history.trend import Changes, FindingRow, RunRecord, exposure_trend
from sovaudit.i18n import Translator
from sovaudit.report.text_table import format_table


def run_to_dict(run: RunRecord) -> dict[str, Any]:
    return {
        "run": run.id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "home_country": run.home_country,
        "tool_version": run.tool_version,
        "exit_code": run.exit_code,
        "summary": dict(run.summary),
        "findings": {
            "open": dict(run.open_by_severity),
            "waived": run.waived,
            "new": run.new,
            "resolved": run.resolved,
        },
        "errors": run.errors,
    }


def changes_to_dict(changes: Changes, run: RunRecord) -> dict[str, Any]:
    return {
        "run": changes.run_id,
        "started_at": run.started_at,
        "previous_run": changes.previous_run_id,
        "new": [row.to_dict() for row in changes.new],
        "resolved": [row.to_dict() for row in changes.resolved],
    }


def _json(value: object) -> Iterator[str]:
    yield json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def when(rfc3339: str) -> str:
    """``2026-05-09T07:35:25Z`` as ``2026-05-09 07:35``: minutes are enough in a table."""
    if len(rfc3339) >= 16 and rfc3339[10] == "T":
        return f"{rfc3339[:10]} {rfc3339[11:16]}"
    return rfc3339


def _pct(value: float) -> str:
    return f"{value:.1f}"


def render_runs(fmt: str, runs: Sequence[RunRecord], t: Translator) -> Iterator[str]:
    """The runs, oldest first, then (in a table) how the exposure moved over them."""
    if fmt == "json":
        yield from _json([run_to_dict(run) for run in runs])
        return
    trend = exposure_trend(runs)
    if trend is None:
        yield t("history_empty") + "\n"
        return
    headers = (
        t("history_col_run"),
        t("history_col_time"),
        t("col_assets"),
        t("col_personal"),
        t("history_col_outside"),
        t("history_col_exposure"),
        t.severity("critical"),
        t.severity("high"),
        t("history_col_new"),
        t("history_col_resolved"),
        t("history_col_exit"),
    )
    rows = [
        (
            run.id,
            when(run.started_at),
            run.summary.get("assets_total", ""),
            run.summary.get("personal_assets", ""),
            run.summary.get("personal_assets_outside_home", ""),
            _pct(run.exposure_pct),
            run.open_by_severity.get("critical", 0),
            run.open_by_severity.get("high", 0),
            run.new,
            run.resolved,
            run.exit_code,
        )
        for run in runs
    ]
    yield from format_table(headers, rows)
    yield "\n"
    if len(runs) == 1:
        yield t("history_trend_one", pct=_pct(trend.last.exposure_pct)) + "\n"
    else:
        yield (
            t(
                "history_trend",
                first=_pct(trend.first.exposure_pct),
                last=_pct(trend.last.exposure_pct),
                delta=f"{trend.delta:+.1f}",
                runs=len(runs),
                since=when(trend.first.started_at)[:10],
                until=when(trend.last.started_at)[:10],
            )
            + "\n"
        )


def _finding_rows(t: Translator, rows: Sequence[FindingRow]) -> list[tuple[str, ...]]:
    return [(t.severity(r.severity), r.rule_id, r.asset_id, r.title) for r in rows]


def render_changes(fmt: str, changes: Changes, run: RunRecord, t: Translator) -> Iterator[str]:
    """The open findings one run added and removed, worst first."""
    if fmt == "json":
        yield from _json(changes_to_dict(changes, run))
        return
    if changes.previous_run_id is None:
        yield t("history_changes_first", run=run.id, when=when(run.started_at)) + "\n"
    else:
        yield (
            t(
                "history_changes",
                run=run.id,
                when=when(run.started_at),
                previous=changes.previous_run_id,
            )
            + "\n"
        )
    headers = (t("col_severity"), t("col_rule"), t("col_asset"), t("col_finding"))
    for title, rows in ((t("diff_new"), changes.new), (t("diff_resolved"), changes.resolved)):
        yield f"\n{title} ({len(rows)})\n"
        if rows:
            yield from format_table(headers, _finding_rows(t, rows), max_cell=90)
        else:
            yield t("nothing") + "\n"
