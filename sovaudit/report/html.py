"""The HTML report: one self-contained file a compliance officer can open, share and print.

Why it is built this way:

* **One file, no network.** The report is mailed around and archived as evidence; it must
  look the same offline in five years, and opening it must not tell any third party that it
  was opened. So the CSS, the charts (SVG, charts.py) and the script are inline, and a
  Content-Security-Policy forbids every fetch (html_assets.py).
* **The inventory is hostile.** Asset names, tags, owners, messages and region codes come from
  files anyone in the company can edit. Every such value goes through
  :func:`~sovaudit.report.html_markup.escape` (``_e`` here) and is only ever placed in text or
  in a quoted attribute; the script is a fixed file whose hash is pinned in the CSP, and it
  reads the DOM, it is never built from data.
* **It works without the script.** The full findings table, worst first, is in the HTML;
  the script only adds sorting and a filter box, which printing hides again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from sovaudit.model import Finding, Severity, worst_first_key
from sovaudit.report.changes import changes_line, finding_headers, finding_rows, more_line
from sovaudit.report.charts import (
    pct,
    render_comparison_svg,
    render_country_svg,
    render_trend_svg,
)
from sovaudit.report.html_assets import CSP, CSS, SCRIPT
from sovaudit.report.html_markup import (
    asset_cell,
    breakdown,
    copies_cell,
    place,
    prose,
    severity_chip,
    table,
    where_cell,
)
from sovaudit.report.html_markup import escape as _e
from sovaudit.report.model import ROUNDTABLE_FIGURE, Report

SEVERITIES = tuple(Severity)  # worst first, as declared
CHART_MAX_ROWS = 12  # the country chart shows the largest; the table next to it shows all

_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}Z")


def _when(stamp: str) -> str:
    """``2025-06-01T12:00:00Z`` -> ``2025-06-01 12:00 UTC``; anything else unchanged."""
    match = _STAMP.fullmatch(stamp)
    return f"{match[1]} {match[2]} UTC" if match else stamp


def render_html(report: Report) -> Iterator[str]:
    """The whole report as chunks of one HTML5 document (see the module docstring)."""
    t = report.t
    title = t("report_title")
    yield (
        f'<!DOCTYPE html>\n<html lang="{_e(t.lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="sovaudit">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
    )
    yield from _header(report)
    yield from _summary(report)
    yield from _where(report)
    yield from _changes(report)
    yield from _without_home_copy(report)
    yield from _findings(report)
    yield from _waived(report)
    yield from _notices(report)
    yield from _errors(report)
    yield (
        f"<footer>sovaudit {_e(report.version)} · {_e(report.result.finished_at)}</footer>\n"
        f"</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _header(report: Report) -> Iterator[str]:
    """Title and provenance first: a report nobody can date or attribute is not evidence."""
    t = report.t
    generated = t(
        "generated", when=_when(report.result.finished_at), version=report.version, home=report.home
    )
    yield (
        '<header class="top">\n<p class="brand">sovaudit</p>\n'
        f'<h1>{_e(t("report_title"))}</h1>\n<p class="meta">{_e(generated)}</p>\n</header>\n'
    )
    for line in report.lead_lines():
        yield f'<p class="banner unread" role="alert">{_e(line)}</p>\n'
    if report.result.errors:
        yield f'<p class="banner" role="alert">{_e(t("incomplete"))}</p>\n'


def _summary(report: Report) -> Iterator[str]:
    """The one figure that matters, in context, then the counts that explain it."""
    t, summary = report.t, report.summary
    figure = ""
    if summary["personal_assets"]:
        shown = pct(float(summary["exposure_pct"]))
        figure = (
            f'<p class="figure">{_e(shown)}<span class="pct">%</span></p>\n'
            f'<p class="figure-label">{_e(t("headline_short", home=report.home))}</p>\n'
        )
    yield (
        '<section class="hero" aria-label="summary">\n<div class="card exposure">\n'
        f'{figure}<p class="headline">{prose(report.headline())}</p>\n</div>\n'
    )
    if report.show_roundtable:
        exposure = float(summary["exposure_pct"]) if report.measured else None
        yield (
            '<div class="card compare">\n'
            f"{_comparison_chart(report, exposure)}\n"
            f"<p>{_e(t('roundtable', figure=ROUNDTABLE_FIGURE))}</p>\n</div>\n"
        )
    yield "</section>\n"
    stats = (
        (summary["assets_total"], t("col_assets")),
        (summary["personal_assets"], t("col_personal")),
        (summary["personal_assets_outside_home"], t("col_personal_outside")),
        (summary["personal_assets_without_home_copy"], t("no_copy_heading", home=report.home)),
    )
    yield '<div class="stats">\n'
    for value, label in stats:
        yield f'<div class="stat"><b>{_e(value)}</b><span>{_e(label)}</span></div>\n'
    yield "</div>\n"
    no_copy = report.no_home_copy_line()
    totals = t(
        "assets_total",
        count=summary["assets_total"],
        countries=len(summary["assets_by_country"]),
    )
    yield f'<div class="notes"><p>{_e(no_copy)}</p><p>{_e(totals)}</p></div>\n'
    yield f'<h2>{_e(t("open_findings"))}</h2>\n<ul class="chips">\n'
    by_severity = summary["findings_by_severity"]
    for severity in SEVERITIES:
        count = int(by_severity.get(severity.value, 0))
        zero = " zero" if not count else ""
        yield (
            f'<li class="chip sev-{_e(severity.value)}{zero}">'
            f"<b>{count}</b>{_e(t.severity(severity.value))}</li>\n"
        )
    yield "</ul>\n"


def _comparison_chart(report: Report, exposure: float | None) -> str:
    """This company's exposure against the roundtable's ~90%; None is "not measured"."""
    t = report.t
    return render_comparison_svg(
        exposure,
        float(ROUNDTABLE_FIGURE),
        this_label=t("chart_this_scan"),
        benchmark_label=t("chart_roundtable"),
        not_measured=t("chart_not_measured"),
        lang=t.lang,
    )


def _where(report: Report) -> Iterator[str]:
    """Countries as a chart and a table; providers and home states as tables."""
    t = report.t
    yield f'<h2>{_e(t("where_heading"))}</h2>\n<section class="where">\n'
    yield (
        f'<div class="card wide">\n<div class="chart">\n<h3>{_e(t("by_country"))}</h3>\n'
        '<p class="legend"><span><i class="key-all"></i>'
        f'{_e(t("col_assets"))}</span><span><i class="key-personal"></i>'
        f"{_e(t('col_personal'))}</span></p>\n{_country_chart(report)}\n</div>\n<div>\n"
    )
    yield from breakdown(
        report, report.countries, t("col_country"), ("col_assets", "col_personal"), places=True
    )
    yield "</div>\n</div>\n"
    yield f'<div class="card">\n<h3>{_e(t("by_provider"))}</h3>\n'
    yield from breakdown(
        report,
        report.providers,
        t("col_provider"),
        ("col_assets", "col_personal", "col_personal_outside"),
    )
    yield f'</div>\n<div class="card">\n<h3>{_e(t("by_state"))}</h3>\n'
    yield from breakdown(
        report, report.home_states, t("col_state"), ("col_assets", "col_personal"), places=True
    )
    yield "</div>\n</section>\n"


def _country_chart(report: Report) -> str:
    """The largest countries as bars; the table beside the chart lists them all."""
    rows = report.countries[:CHART_MAX_ROWS]
    if not rows:
        return f'<p class="empty">{_e(report.t("nothing"))}</p>'
    return render_country_svg(
        [(place(report, row.key), row.assets, row.personal) for row in rows],
        title=report.t("chart_by_country"),
    )


def _without_home_copy(report: Report) -> Iterator[str]:
    """Personal data that would be lost to the company if the foreign provider went away."""
    t = report.t
    yield f"<h2>{_e(t('no_copy_heading', home=report.home))}</h2>\n"
    if not report.without_home_copy:
        yield f'<p class="empty">{_e(t("nothing"))}</p>\n'
        return
    yield (
        '<div class="scroll"><table>\n<thead><tr>'
        f"<th>{_e(t('col_asset'))}</th><th>{_e(t('col_where'))}</th>"
        f"<th>{_e(t('col_copies'))}</th></tr></thead>\n<tbody>\n"
    )
    for asset in report.without_home_copy:
        yield (
            f"<tr><td>{asset_cell(report, asset.id, details=True)}</td>"
            f"<td>{where_cell(report, asset)}</td><td>{copies_cell(report, asset)}</td></tr>\n"
        )
    yield "</tbody>\n</table></div>\n"


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by rule and asset, so two renderings of one scan are identical."""
    return sorted(findings, key=lambda f: worst_first_key(f.severity, f.rule_id, f.asset_id))


def _findings(report: Report) -> Iterator[str]:
    """The open findings table: complete in the HTML, sortable and filterable with the script."""
    t = report.t
    findings = _ordered(report.open_findings)
    yield f"<h2>{_e(t('findings_heading'))}</h2>\n"
    if not findings:
        yield f'<p class="empty">{_e(t("nothing"))}</p>\n'
        return
    total = len(findings)
    template = t("shown", shown="{shown}", total="{total}")
    yield (
        '<div class="toolbar" id="findings-toolbar" hidden>'
        f'<input type="search" id="findings-filter" placeholder="{_e(t("filter_placeholder"))}" '
        f'aria-label="{_e(t("filter_placeholder"))}">'
        f'<span class="muted small" id="findings-count" data-template="{_e(template)}" '
        f'aria-live="polite">{_e(t("shown", shown=total, total=total))}</span></div>\n'
        '<div class="scroll"><table class="findings" id="findings-table">\n<thead><tr>'
        f'<th aria-sort="descending">{_e(t("col_severity"))}</th>'
        f"<th>{_e(t('col_rule'))}</th><th>{_e(t('col_asset'))}</th>"
        f"<th>{_e(t('col_finding'))}</th><th>{_e(t('col_remediation'))}</th>"
        "</tr></thead>\n<tbody>\n"
    )
    # What findings of one rule share (severity, rule, title, remediation) is escaped once:
    # a large estate has a hundred thousand findings of a dozen rules.
    shared: dict[tuple[str, str, str, str], tuple[str, str, str, str]] = {}
    for finding in findings:
        key = (finding.severity, finding.rule_id, finding.title, finding.remediation)
        cells = shared.get(key)
        if cells is None:
            cells = shared[key] = (
                f'<tr class="finding"><td data-key="{finding.severity.rank}">'
                f"{severity_chip(report, finding.severity)}</td>",
                f'<td><span class="rule mono">{_e(finding.rule_id)}</span></td>',
                f'<span class="finding-title">{_e(finding.title)}</span>',
                f"<td>{prose(finding.remediation)}</td></tr>\n",
            )
        row_start, rule, title, remediation = cells
        yield (
            f"{row_start}{rule}<td>{asset_cell(report, finding.asset_id)}</td><td>{title}"
            f'{prose(finding.message)}<span class="fid mono">{_e(finding.id)}</span></td>'
            f"{remediation}"
        )
    yield "</tbody>\n</table></div>\n"


def _changes(report: Report) -> Iterator[str]:
    """Since the last run (baseline or history) and, with two or more runs, the trend."""
    t = report.t
    if len(report.trend) >= 2:
        svg = render_trend_svg(
            [(point.started_at, point.exposure_pct) for point in report.trend],
            title=t("trend_title", home=report.home),
        )
        yield f'<h2>{_e(t("trend_heading"))}</h2>\n<div class="card wide trend">{svg}</div>\n'
    changes = report.changes
    if changes is None:
        return
    yield f"<h2>{_e(t('changes_heading'))}</h2>\n<p>{_e(changes_line(report, changes))}</p>\n"
    for key, findings in (("changes_new", changes.new), ("changes_resolved", changes.resolved)):
        if findings:
            yield f"<h3>{_e(t(key))}</h3>\n"
            rows = [tuple(_e(cell) for cell in row) for row in finding_rows(report, findings)]
            yield from table(finding_headers(report), rows)
            more = more_line(findings)
            if more:
                yield f"<p>{_e(more)}</p>\n"


def _waived(report: Report) -> Iterator[str]:
    """Accepted risks stay visible with who accepted them and until when."""
    t = report.t
    yield f"<h2>{_e(t('waived_heading'))}</h2>\n"
    if not report.waived_findings:
        yield f'<p class="empty">{_e(t("nothing"))}</p>\n'
        return
    headers = [
        t(k)
        for k in (
            "col_severity",
            "col_rule",
            "col_asset",
            "col_finding",
            "col_reason",
            "col_owner",
            "col_expires",
        )
    ]
    rows = []
    for finding in _ordered(report.waived_findings):
        waiver = finding.waiver
        rows.append(
            (
                severity_chip(report, finding.severity),
                f'<span class="rule mono">{_e(finding.rule_id)}</span>',
                asset_cell(report, finding.asset_id),
                f'<span class="finding-title">{_e(finding.title)}</span>'
                f'<span class="fid mono">{_e(finding.id)}</span>',
                _e(waiver.reason if waiver else ""),
                _e(waiver.owner if waiver else ""),
                f'<span class="mono date">{_e(waiver.expires if waiver else "")}</span>',
            )
        )
    yield from table(headers, rows)


def _notices(report: Report) -> Iterator[str]:
    """Expired waivers and waivers that match nothing: the waiver file needs a tidy-up."""
    t = report.t
    notices = report.result.waiver_notices
    yield f"<h2>{_e(t('notices_heading'))}</h2>\n"
    if not notices:
        yield f'<p class="empty">{_e(t("nothing"))}</p>\n'
        return
    problems = {"expired": t("problem_expired"), "unused": t("problem_unused")}
    headers = [
        t(k)
        for k in ("col_problem", "col_rule", "col_asset", "col_reason", "col_owner", "col_expires")
    ]
    rows = [
        (
            f"<strong>{_e(problems.get(n.problem, n.problem))}</strong>",
            f'<span class="rule mono">{_e(n.rule)}</span>',
            f'<span class="mono">{_e(n.asset)}</span>',
            _e(n.reason),
            _e(n.owner),
            f'<span class="mono date">{_e(n.expires)}</span>'
            + (f'<span class="asset-id date">{_e(n.origin)}</span>' if n.origin else ""),
        )
        for n in notices
    ]
    yield from table(headers, rows)


def _errors(report: Report) -> Iterator[str]:
    """What could not be read: the figures above are a lower bound when this is not empty."""
    t = report.t
    errors = report.result.errors
    yield f"<h2>{_e(t('errors_heading'))}</h2>\n"
    if not errors:
        yield f'<p class="empty">{_e(t("nothing"))}</p>\n'
        return
    yield f'<p class="banner" role="note">{_e(t("incomplete"))}</p>\n'
    headers = [t("col_provider"), t("col_scope"), t("col_message")]
    rows = [
        (_e(error.provider), f'<span class="mono">{_e(error.scope)}</span>', _e(error.message))
        for error in errors
    ]
    yield from table(headers, rows)
