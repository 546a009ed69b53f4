"""The terminal report: the exposure figure first, then where the data is, then what to fix.

Colour only when writing to a terminal; piped or redirected output is plain text.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from sovaudit.report.changes import changes_line, finding_headers, finding_rows, more_line
from sovaudit.report.model import ROUNDTABLE_FIGURE, Report, Row
from sovaudit.report.text_table import format_table, printable

SEVERITY_COLOURS = {
    "critical": "magenta",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "white",
}


def _breakdown(
    report: Report, title: str, key_column: str, rows: tuple[Row, ...], outside: bool = False
) -> Iterator[str]:
    yield f"\n{title}\n"
    headers, cells = report.breakdown(key_column, rows, outside)
    yield from format_table(headers, cells) if cells else iter([report.t("nothing") + "\n"])


def render_table(report: Report, colour: bool = False) -> Iterator[str]:
    t, summary = report.t, report.summary

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if colour else text  # type: ignore[arg-type]

    for line in report.lead_lines():  # a provider's error text: untrusted
        yield style(printable(line), fg="red", bold=True) + "\n"
    yield style(report.headline(), bold=True) + "\n"
    if report.show_roundtable and summary["personal_assets"]:
        yield t("roundtable", figure=ROUNDTABLE_FIGURE) + "\n"
    if report.result.errors:
        yield t("incomplete") + "\n"
    yield report.no_home_copy_line() + "\n"
    counts = summary["findings_by_severity"]
    chips = ", ".join(
        style(f"{counts[s]} {t.severity(s).lower()}", fg=SEVERITY_COLOURS[s]) for s in counts
    )
    yield f"{t('open_findings')}: {chips}\n"
    yield from _breakdown(report, t("by_country"), "col_country", report.countries)
    yield from _breakdown(report, t("by_provider"), "col_provider", report.providers, outside=True)
    yield from _breakdown(report, t("by_state"), "col_state", report.home_states)
    yield from _changes(report)
    if report.open_findings:
        yield f"\n{t('findings_heading')}\n"
        rows: list[tuple[object, ...]] = [
            (t.severity(f.severity.value).upper(), f.rule_id, f.asset_id, f.message)
            for f in report.open_findings
        ]
        for line in format_table(
            (t("col_severity"), t("col_rule"), t("col_asset"), t("col_finding")), rows, max_cell=90
        ):
            severity = next(
                (s for s in SEVERITY_COLOURS if line.startswith(t.severity(s).upper() + " ")), None
            )
            yield style(line, fg=SEVERITY_COLOURS[severity]) if severity else line
    if report.waived_findings:
        yield f"\n{t('waived_heading')}\n"
        rows = [
            (
                f.rule_id,
                f.asset_id,
                f.waiver.reason if f.waiver else "",
                f.waiver.owner if f.waiver else "",
                f.waiver.expires if f.waiver else "",
            )
            for f in report.waived_findings
        ]
        yield from format_table(
            (t("col_rule"), t("col_asset"), t("col_reason"), t("col_owner"), t("col_expires")), rows
        )
    notices = report.result.waiver_notices
    if notices:
        yield f"\n{t('notices_heading')}\n"
        rows = [
            (t(f"problem_{n.problem}"), n.rule, n.asset, n.owner, n.expires, n.origin)
            for n in notices
        ]
        yield from format_table(
            (
                t("col_problem"),
                t("col_rule"),
                t("col_asset"),
                t("col_owner"),
                t("col_expires"),
                "origin",
            ),
            rows,
        )
    errors = report.result.errors
    if errors:
        yield f"\n{t('errors_heading')}\n"
        yield from format_table(
            ("provider", t("col_scope"), t("col_message")),
            [(e.provider, e.scope, e.message) for e in errors],
        )
        yield style(t("incomplete"), fg="red", bold=True) + "\n"


def _changes(report: Report) -> Iterator[str]:
    """New and resolved findings since the baseline or the previous recorded run."""
    changes = report.changes
    if changes is None:
        return
    t = report.t
    yield f"\n{t('changes_heading')}\n{changes_line(report, changes)}\n"
    for key, findings in (("changes_new", changes.new), ("changes_resolved", changes.resolved)):
        if findings:
            yield f"\n{t(key)}\n"
            yield from format_table(finding_headers(report), finding_rows(report, findings))
            more = more_line(findings)
            if more:
                yield more + "\n"
