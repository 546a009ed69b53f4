"""The "since the last run" section of the human reports, and the exposure trend.

Shared by the table, Markdown and HTML reporters so the three say the same thing; each
asks for rows and a sentence and lays them out itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sovaudit.changes.comparison import RunChanges
from sovaudit.report.model import Report

# A report lists at most this many new/resolved findings; the JSON result has them all.
MAX_ROWS = 50


def changes_line(report: Report, changes: RunChanges) -> str:
    t = report.t
    against = t("changes_baseline") if changes.against == "baseline" else t("changes_history")
    delta = f"{changes.exposure_delta:+.1f}"
    return t(
        "changes_line",
        against=against,
        since=changes.since or "?",
        new=len(changes.new),
        resolved=len(changes.resolved),
        old=f"{changes.old_exposure:.1f}",
        now=f"{changes.new_exposure:.1f}",
        delta=delta,
    )


def finding_rows(report: Report, findings: Sequence[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """Severity, rule, asset and title of up to MAX_ROWS findings, worst first."""
    t = report.t
    return [
        (t.severity(str(f["severity"])), str(f["rule_id"]), str(f["asset_id"]), str(f["title"]))
        for f in findings[:MAX_ROWS]
    ]


def finding_headers(report: Report) -> tuple[str, ...]:
    t = report.t
    return (t("col_severity"), t("col_rule"), t("col_asset"), t("col_finding"))


def more_line(findings: Sequence[Any]) -> str | None:
    hidden = len(findings) - MAX_ROWS
    return f"… +{hidden}" if hidden > 0 else None
