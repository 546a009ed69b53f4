"""The Markdown report: for tickets, wikis and pull requests. Same content as the terminal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sovaudit.report.changes import changes_line, finding_headers, finding_rows, more_line
from sovaudit.report.model import ROUNDTABLE_FIGURE, Report, Row


def _cell(value: object) -> str:
    """One table cell: untrusted text must not break out of the table or inject markup."""
    text = "" if value is None else str(value)
    # Control characters (ESC, OSC 52, C1) would reach a terminal that shows the file.
    text = "".join(ch if ch.isprintable() or ch.isspace() else "\ufffd" for ch in text)
    for char, escaped in (
        ("\\", "\\\\"),
        ("|", "\\|"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("`", "\\`"),
        ("*", "\\*"),
        ("_", "\\_"),
        ("[", "\\["),
        ("]", "\\]"),
    ):
        text = text.replace(char, escaped)
    return " ".join(text.split())


def table_lines(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """A Markdown table with every cell escaped."""
    yield "| " + " | ".join(_cell(h) for h in headers) + " |\n"
    yield "|" + "|".join("---" for _ in headers) + "|\n"
    for row in rows:
        yield "| " + " | ".join(_cell(v) for v in row) + " |\n"


def _breakdown(
    report: Report, title: str, key_column: str, rows: tuple[Row, ...], outside: bool = False
) -> Iterator[str]:
    yield f"\n### {title}\n\n"
    headers, cells = report.breakdown(key_column, rows, outside)
    yield from table_lines(headers, cells) if cells else iter([report.t("nothing") + "\n"])


def render_markdown(report: Report) -> Iterator[str]:
    t, summary, result = report.t, report.summary, report.result
    yield f"# {t('report_title')}\n\n"
    generated = t("generated", when=result.finished_at, version=report.version, home=report.home)
    yield f"*{generated}*\n\n"
    for line in report.lead_lines():
        yield f"> **{_cell(line)}**\n\n"
    yield f"**{_cell(report.headline())}**\n\n"
    if report.show_roundtable and summary["personal_assets"]:
        yield t("roundtable", figure=ROUNDTABLE_FIGURE) + "\n\n"
    yield report.no_home_copy_line() + "\n\n"
    counts = summary["findings_by_severity"]
    yield (
        f"{t('open_findings')}: "
        + ", ".join(f"**{counts[s]}** {t.severity(s).lower()}" for s in counts)
        + "\n"
    )
    if result.errors:
        yield f"\n> **{t('incomplete')}**\n"
    yield f"\n## {t('where_heading')}\n"
    yield from _breakdown(report, t("by_country"), "col_country", report.countries)
    yield from _breakdown(report, t("by_provider"), "col_provider", report.providers, True)
    yield from _breakdown(report, t("by_state"), "col_state", report.home_states)
    yield from _changes(report)
    yield f"\n## {t('no_copy_heading', home=report.home)}\n\n"
    if report.without_home_copy:
        yield from table_lines(
            (t("col_asset"), t("col_where"), t("col_copies")),
            [
                (
                    a.name or a.id,
                    report.where(a),
                    ", ".join(
                        f"{c.kind} {'/'.join(c.location.countries) or t('unknown_place')}"
                        for c in a.copies
                    ),
                )
                for a in report.without_home_copy
            ],
        )
    else:
        yield t("nothing") + "\n"
    yield f"\n## {t('findings_heading')}\n\n"
    if report.open_findings:
        yield from table_lines(
            (
                t("col_severity"),
                t("col_rule"),
                t("col_asset"),
                t("col_finding"),
                t("col_remediation"),
            ),
            [
                (t.severity(f.severity.value), f.rule_id, f.asset_id, f.message, f.remediation)
                for f in report.open_findings
            ],
        )
    else:
        yield t("nothing") + "\n"
    if report.waived_findings:
        yield f"\n## {t('waived_heading')}\n\n"
        yield from table_lines(
            (t("col_rule"), t("col_asset"), t("col_reason"), t("col_owner"), t("col_expires")),
            [
                (
                    f.rule_id,
                    f.asset_id,
                    f.waiver.reason if f.waiver else "",
                    f.waiver.owner if f.waiver else "",
                    f.waiver.expires if f.waiver else "",
                )
                for f in report.waived_findings
            ],
        )
    if result.waiver_notices:
        yield f"\n## {t('notices_heading')}\n\n"
        yield from table_lines(
            (t("col_problem"), t("col_rule"), t("col_asset"), t("col_owner"), t("col_expires")),
            [
                (t(f"problem_{n.problem}"), n.rule, n.asset, n.owner, n.expires)
                for n in result.waiver_notices
            ],
        )
    if result.errors:
        yield f"\n## {t('errors_heading')}\n\n"
        yield from table_lines(
            ("provider", t("col_scope"), t("col_message")),
            [(e.provider, e.scope, e.message) for e in result.errors],
        )


def _changes(report: Report) -> Iterator[str]:
    changes = report.changes
    if changes is None:
        return
    t = report.t
    yield f"\n## {t('changes_heading')}\n\n{_cell(changes_line(report, changes))}\n"
    for key, findings in (("changes_new", changes.new), ("changes_resolved", changes.resolved)):
        if findings:
            yield f"\n### {t(key)}\n\n"
            yield from table_lines(finding_headers(report), finding_rows(report, findings))
            more = more_line(findings)
            if more:
                yield f"\n{more}\n"
