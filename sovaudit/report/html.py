"""The HTML report: one self-contained file a compliance officer can open, share and print.

Why it is built this way:

* **One file, no network.** The report is mailed around and archived as evidence; it must
  look the same offline in five years, and opening it must not tell any third party that it
  was opened. So the CSS, the charts (SVG) and the script are inline, and a
  Content-Security-Policy forbids every fetch.
* **The inventory is hostile.** Asset names, tags, owners, messages and region codes come from
  files anyone in the company can edit. Every such value goes through :func:`_e`
  (``html.escape(..., quote=True)``) and is only ever placed in text or in a quoted
  attribute; the script is a constant whose hash is pinned in the CSP, and it reads the DOM,
  it is never built from data.
* **It works without the script.** The full findings table, worst first, is in the HTML;
  the script only adds sorting and a filter box, which printing hides again.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Iterator, Sequence

from sovaudit.model import Asset, Copy, Finding, Severity
from sovaudit.report.changes import changes_line, finding_headers, finding_rows, more_line
from sovaudit.report.model import ROUNDTABLE_FIGURE, UNKNOWN, Report, Row

SEVERITIES = tuple(Severity)  # worst first, as declared
CHART_MAX_ROWS = 12  # the country chart shows the largest; the table next to it shows all

CSS = """
:root {
  --ink: #1c2430; --muted: #5f6b7a; --faint: #8a94a3; --line: #e3e7ed; --panel: #f6f8fa;
  --accent: #0b4f71; --accent-soft: #d4e6ef; --bar: #c9d6e2; --bar-personal: #0b4f71;
  --critical: #9b1c31; --critical-bg: #fbe9ec; --high: #b4410e; --high-bg: #fdeee4;
  --medium: #8a6100; --medium-bg: #fbf3dc; --low: #1f5fae; --low-bg: #e6effa;
  --info: #55606e; --info-bg: #eef0f3; --warn-bg: #fff6e0; --warn-line: #e0b546;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", sans-serif;
  font-variant-numeric: tabular-nums;
}
main { max-width: 1180px; margin: 0 auto; padding: 40px 32px 64px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 18px; margin-bottom: 28px; }
.brand { font-size: 12px; font-weight: 700; letter-spacing: .14em; text-transform: uppercase;
  color: var(--accent); margin: 0 0 6px; }
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 6px; font-weight: 700; letter-spacing: -.01em; }
h2 { font-size: 20px; margin: 44px 0 14px; padding-bottom: 8px;
  border-bottom: 1px solid var(--line); font-weight: 650; }
h3 { font-size: 14px; margin: 0 0 12px; text-transform: uppercase; letter-spacing: .06em;
  color: var(--muted); font-weight: 650; }
p { margin: 0 0 10px; }
.meta { color: var(--muted); font-size: 13.5px; margin: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono",
  monospace; font-size: .88em; }
.muted { color: var(--muted); }
.date { white-space: nowrap; }
.small { font-size: 12.5px; }
.banner { background: var(--warn-bg); border: 1px solid var(--warn-line); border-left-width: 5px;
  border-radius: 6px; padding: 10px 14px; margin: 0 0 24px; font-weight: 600; }
.hero { display: grid; grid-template-columns: minmax(280px, 1fr) minmax(300px, 1fr); gap: 24px;
  align-items: stretch; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 22px 24px; background: #fff; }
.trend svg { display: block; width: 100%; max-width: 760px; height: auto; margin: 0 auto; }
.hero .exposure { background: var(--panel); border-color: var(--panel); }
.figure { font-size: 76px; line-height: 1; font-weight: 750; color: var(--accent);
  letter-spacing: -.03em; margin: 0 0 6px; }
.figure .pct { font-size: 44px; font-weight: 650; margin-left: 2px; }
.figure-label { font-size: 18px; font-weight: 600; margin: 0 0 14px; }
.headline { font-size: 15px; color: var(--ink); margin: 0; }
.compare p { color: var(--muted); font-size: 13.5px; margin-top: 10px; }
.compare svg { width: 100%; height: auto; display: block; }
.stats { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 22px 0 12px; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.stat b { display: block; font-size: 26px; line-height: 1.15; font-weight: 700; }
.stat span { color: var(--muted); font-size: 13px; }
.notes p { color: var(--muted); font-size: 14px; margin: 0 0 4px; }
.chips { display: flex; flex-wrap: wrap; gap: 10px; margin: 0; padding: 0; list-style: none; }
.chip { display: inline-flex; align-items: baseline; gap: 8px; padding: 7px 14px;
  border-radius: 999px; font-weight: 600; font-size: 14px; border: 1px solid transparent; }
.chip b { font-size: 18px; }
.chip.zero { opacity: .45; }
.sev { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12px;
  font-weight: 700; white-space: nowrap; letter-spacing: .02em; }
.sev-critical { color: var(--critical); background: var(--critical-bg); border-color: #f1c3cb; }
.sev-high { color: var(--high); background: var(--high-bg); border-color: #f6cfb5; }
.sev-medium { color: var(--medium); background: var(--medium-bg); border-color: #efdca3; }
.sev-low { color: var(--low); background: var(--low-bg); border-color: #c3d6f0; }
.sev-info { color: var(--info); background: var(--info-bg); border-color: #d7dbe1; }
.where { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 20px; }
.where .wide { grid-column: 1 / -1; display: grid; grid-template-columns: 1.25fr 1fr; gap: 28px; }
.where > *, .where .wide > *, .hero > * { min-width: 0; }
.chart svg { width: 100%; height: auto; display: block; }
.legend { display: flex; gap: 18px; font-size: 12.5px; color: var(--muted); margin: 0 0 8px; }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 6px; vertical-align: -1px; }
.legend .key-all { background: var(--bar); }
.legend .key-personal { background: var(--bar-personal); }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 9px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; overflow-wrap: anywhere; }
thead th { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
  font-weight: 650; border-bottom: 2px solid var(--line); vertical-align: bottom;
  overflow-wrap: normal; }
table.compact th, table.compact td { padding: 6px 8px; }
td.num, th.num { text-align: right; width: 1%; }
td.num { white-space: nowrap; }
tbody tr:hover { background: #fafbfc; }
.asset-name { font-weight: 600; }
.asset-id { display: block; color: var(--muted); font-size: 12px; }
.tags { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.tag { font-size: 11.5px; color: var(--muted); background: var(--panel);
  border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; }
.finding-title { font-weight: 600; display: block; margin-bottom: 2px; }
.fid { display: block; color: var(--faint); font-size: 11.5px; margin-top: 4px; }
.rule { color: var(--accent); }
table.findings td:nth-child(1) { width: 1%; }
table.findings td:nth-child(2) { width: 15%; }
table.findings td:nth-child(3) { width: 19%; }
table.findings td:nth-child(5) { width: 30%; color: #2f3a48; }
.toolbar { display: flex; align-items: center; gap: 14px; margin: 0 0 12px; }
.toolbar input { flex: 0 1 360px; font: inherit; padding: 8px 12px; border: 1px solid #c5ccd6;
  border-radius: 6px; }
.toolbar input:focus { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
th button.sort { all: unset; cursor: pointer; }
th button.sort:focus-visible { outline: 2px solid var(--accent); }
th button.sort::after { content: " \\2195"; color: var(--faint); }
th[aria-sort=ascending] button.sort::after { content: " \\2191"; color: var(--accent); }
th[aria-sort=descending] button.sort::after { content: " \\2193"; color: var(--accent); }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 48px; padding-top: 14px; border-top: 1px solid var(--line);
  color: var(--faint); font-size: 12.5px; }
@media (max-width: 820px) {
  main { padding: 24px 16px 48px; }
  .hero, .where, .where .wide { grid-template-columns: 1fr; }
  .stats { grid-template-columns: repeat(2, 1fr); }
  .figure { font-size: 60px; }
}
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 11pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  .toolbar { display: none !important; }
  tr[hidden] { display: table-row !important; }
  thead { display: table-header-group; }
  tr, .card, .stat, .chart { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tbody tr:hover { background: none; }
  th button.sort::after { content: ""; }
  .scroll { overflow: visible; }
}
"""

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  if (!table || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var box = document.getElementById("findings-filter");
  var bar = document.getElementById("findings-toolbar");
  var count = document.getElementById("findings-count");
  var template = count ? count.getAttribute("data-template") || "" : "";
  function update() {
    var query = box.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var hit = !query || row.textContent.toLowerCase().indexOf(query) !== -1;
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    if (count) {
      count.textContent = template.replace("{shown}", String(shown))
        .replace("{total}", String(rows.length));
    }
  }
  if (box && bar) {
    bar.hidden = false;
    box.addEventListener("input", update);
  }
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, index) {
    var cell = row.cells[index];
    var explicit = cell.getAttribute("data-key");
    return explicit !== null ? explicit : cell.textContent.trim().toLowerCase();
  }
  headers.forEach(function (th, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keyed = rows.map(function (row, position) {
        return { row: row, key: key(row, index), position: position };
      });
      keyed.sort(function (a, b) {
        var x = a.key, y = b.key, order;
        if (x !== "" && y !== "" && !isNaN(x) && !isNaN(y)) { order = Number(x) - Number(y); }
        else { order = x < y ? -1 : (x > y ? 1 : 0); }
        if (!ascending) { order = -order; }
        return order || a.position - b.position;
      });
      rows = keyed.map(function (item) { return item.row; });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
"""

SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{SCRIPT_HASH}'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)

_CODE = re.compile(r"`([^`<>]+)`")
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}Z")


def _e(value: object) -> str:
    """Escape anything for HTML text or a quoted attribute: the one way data enters the page."""
    return html.escape("" if value is None else str(value), quote=True)


def _prose(text: str) -> str:
    """Escape, then show the Markdown-style `code` spans the messages use as <code>.

    The backtick pattern runs on already escaped text and cannot span a tag, so it can
    only wrap escaped characters in <code>.
    """
    return _CODE.sub(r"<code>\1</code>", _e(text))


def _text(report: Report, key: str, **fields: object) -> str:
    return report.t(key, **fields)


def _pct(value: float) -> str:
    """48.1 -> ``48.1``, 100.0 -> ``100``: the figure as a person would write it."""
    return f"{value:.1f}".removesuffix(".0")


def _when(stamp: str) -> str:
    """``2025-06-01T12:00:00Z`` -> ``2025-06-01 12:00 UTC``; anything else unchanged."""
    match = _STAMP.fullmatch(stamp)
    return f"{match[1]} {match[2]} UTC" if match else stamp


def _place(report: Report, key: str) -> str:
    return report.t("unknown_place") if key == UNKNOWN else key


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
    pct = _pct(float(summary["exposure_pct"]))
    if summary["personal_assets"]:
        figure = (
            f'<p class="figure">{_e(pct)}<span class="pct">%</span></p>\n'
            f'<p class="figure-label">{_e(t("headline_short", home=report.home))}</p>\n'
        )
    else:
        figure = ""
    yield (
        '<section class="hero" aria-label="summary">\n<div class="card exposure">\n'
        f'{figure}<p class="headline">{_prose(report.headline())}</p>\n</div>\n'
    )
    if report.show_roundtable:
        exposure = float(summary["exposure_pct"]) if report.measured else None
        yield (
            '<div class="card compare">\n'
            f"{_comparison_svg(report, exposure)}\n"
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


def _comparison_svg(report: Report, exposure: float | None) -> str:
    """This company's exposure against the roundtable's ~90%, on one 0-100 scale.

    ``exposure`` None is "not measured" (no personal-data asset was read): an empty bar
    that says so, never a 0% that reads as a clean estate.
    """
    width, label_w, bar_h = 470, 175, 26
    sign = "\u00a0%" if report.t.lang == "es" else "%"  # "48.1 %", as the Spanish texts write it
    scale = (width - label_w - 60) / 100
    shown = _text(report, "chart_not_measured") if exposure is None else f"{_pct(exposure)}{sign}"
    bars = (
        (_text(report, "chart_this_scan"), exposure or 0.0, shown, "#0b4f71"),
        (
            _text(report, "chart_roundtable"),
            float(ROUNDTABLE_FIGURE),
            f"~{ROUNDTABLE_FIGURE}{sign}",
            "#9aa8b8",
        ),
    )
    parts = [
        f'<svg viewBox="0 0 {width} 96" role="img" aria-label="{_e(bars[0][0])}: '
        f'{_e(bars[0][2])}; {_e(bars[1][0])}: {_e(bars[1][2])}">'
    ]
    for index, (label, value, shown, colour) in enumerate(bars):
        y = 10 + index * 42
        length = 0.0 if index == 0 and exposure is None else max(value * scale, 2.0)
        parts.append(
            f'<text x="0" y="{y + 18}" font-size="13" fill="#1c2430">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{100 * scale:.1f}" height="{bar_h}" rx="4" '
            f'fill="#eef1f5"/>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" rx="4" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + length + 8:.1f}" y="{y + 18}" font-size="14" '
            f'font-weight="700" fill="#1c2430">{_e(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _where(report: Report) -> Iterator[str]:
    """Countries as a chart and a table; providers and home states as tables."""
    t = report.t
    yield f'<h2>{_e(t("where_heading"))}</h2>\n<section class="where">\n'
    yield (
        f'<div class="card wide">\n<div class="chart">\n<h3>{_e(t("by_country"))}</h3>\n'
        '<p class="legend"><span><i class="key-all"></i>'
        f'{_e(t("col_assets"))}</span><span><i class="key-personal"></i>'
        f"{_e(t('col_personal'))}</span></p>\n{_country_svg(report)}\n</div>\n<div>\n"
    )
    yield from _breakdown(
        report, report.countries, t("col_country"), ("col_assets", "col_personal"), place=True
    )
    yield "</div>\n</div>\n"
    yield f'<div class="card">\n<h3>{_e(t("by_provider"))}</h3>\n'
    yield from _breakdown(
        report,
        report.providers,
        t("col_provider"),
        ("col_assets", "col_personal", "col_personal_outside"),
    )
    yield f'</div>\n<div class="card">\n<h3>{_e(t("by_state"))}</h3>\n'
    yield from _breakdown(
        report, report.home_states, t("col_state"), ("col_assets", "col_personal"), place=True
    )
    yield "</div>\n</section>\n"


def _country_svg(report: Report) -> str:
    """Horizontal bars: all assets (light) with the personal-data ones (dark) over them."""
    rows = report.countries[:CHART_MAX_ROWS]
    if not rows:
        return f'<p class="empty">{_e(report.t("nothing"))}</p>'
    width, label_w, row_h, bar_h = 560, 110, 30, 18
    top = max(r.assets for r in rows) or 1
    scale = (width - label_w - 70) / top
    height = len(rows) * row_h + 6
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(_text(report, "chart_by_country"))}">'
    ]
    for index, row in enumerate(rows):
        y = 4 + index * row_h
        total, personal = row.assets * scale, row.personal * scale
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 14}" font-size="13" text-anchor="end" '
            f'fill="#1c2430">{_e(_place(report, row.key))}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(total, 1.5):.1f}" height="{bar_h}" rx="3" '
            f'fill="#c9d6e2"/>'
        )
        if personal:
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{personal:.1f}" height="{bar_h}" rx="3" '
                f'fill="#0b4f71"/>'
            )
        parts.append(
            f'<text x="{label_w + max(total, 1.5) + 8:.1f}" y="{y + 14}" font-size="12.5" '
            f'fill="#5f6b7a">{row.assets} · {row.personal}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _breakdown(
    report: Report, rows: Sequence[Row], first: str, columns: Sequence[str], place: bool = False
) -> Iterator[str]:
    """A breakdown table; ``place`` shows the ``?`` bucket as "unknown" in the reader's language."""
    if not rows:
        yield f'<p class="empty">{_e(report.t("nothing"))}</p>\n'
        return
    yield f'<table class="compact">\n<thead><tr><th>{_e(first)}</th>'
    for column in columns:
        yield f'<th class="num">{_e(report.t(column))}</th>'
    yield "</tr></thead>\n<tbody>\n"
    for row in rows:
        values = (row.assets, row.personal, row.personal_outside)[: len(columns)]
        name = _place(report, row.key) if place else row.key
        cells = "".join(f'<td class="num">{value}</td>' for value in values)
        yield f"<tr><td>{_e(name)}</td>{cells}</tr>\n"
    yield "</tbody>\n</table>\n"


def _asset_cell(report: Report, asset_id: str, details: bool = False) -> str:
    """Name in bold with the id under it; with ``details``, the owner and tags too."""
    asset = report.assets.get(asset_id)
    if asset is None or not asset.name or asset.name == asset_id:
        parts = [f'<span class="asset-name mono">{_e(asset_id)}</span>']
    else:
        parts = [
            f'<span class="asset-name">{_e(asset.name)}</span>',
            f'<span class="asset-id mono">{_e(asset_id)}</span>',
        ]
    if details and asset is not None:
        if asset.owner:
            parts.append(f'<span class="asset-id">{_e(asset.owner)}</span>')
        if asset.tags:
            tags = "".join(
                f'<span class="tag">{_e(key)}: {_e(value)}</span>'
                for key, value in asset.tags.items()
            )
            parts.append(f'<span class="tags">{tags}</span>')
    return "".join(parts)


def _copy_text(report: Report, copy: Copy) -> str:
    """``replica → US-VA (us-east-1)``: kind, where it landed, and the code the inventory gave."""
    location = copy.location
    if not location.countries:
        where = report.t("unknown_place")
    elif len(location.countries) > 1:
        where = "/".join(location.countries)
    else:
        where = location.subdivision or location.countries[0]
    extra = [v for v in (copy.provider, copy.region) if v]
    suffix = f" ({', '.join(extra)})" if extra else ""
    return f"{copy.kind} → {where}{suffix}"


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
            f"<tr><td>{_asset_cell(report, asset.id, details=True)}</td>"
            f"<td>{_where_cell(report, asset)}</td><td>{_copies_cell(report, asset)}</td></tr>\n"
        )
    yield "</tbody>\n</table></div>\n"


def _where_cell(report: Report, asset: Asset) -> str:
    """Where it is, and for an unknown location the reason nobody could place it."""
    text = _e(report.where(asset))
    if not asset.location.known and asset.location.note:
        text += f'<span class="asset-id">{_e(asset.location.note)}</span>'
    return text


def _copies_cell(report: Report, asset: Asset) -> str:
    if not asset.copies:
        return '<span class="muted">—</span>'
    return "<br>".join(_e(_copy_text(report, copy)) for copy in asset.copies)


def _severity_chip(report: Report, severity: Severity) -> str:
    name = report.t.severity(severity.value)
    return f'<span class="sev sev-{_e(severity.value)}">{_e(name)}</span>'


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by rule and asset, so two renderings of one scan are identical."""
    return sorted(findings, key=lambda f: (-f.severity.rank, f.rule_id, f.asset_id, f.id))


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
    for finding in findings:
        yield (
            f'<tr class="finding"><td data-key="{finding.severity.rank}">'
            f"{_severity_chip(report, finding.severity)}</td>"
            f'<td><span class="rule mono">{_e(finding.rule_id)}</span></td>'
            f"<td>{_asset_cell(report, finding.asset_id)}</td>"
            f'<td><span class="finding-title">{_e(finding.title)}</span>'
            f"{_prose(finding.message)}"
            f'<span class="fid mono">{_e(finding.id)}</span></td>'
            f"<td>{_prose(finding.remediation)}</td></tr>\n"
        )
    yield "</tbody>\n</table></div>\n"


def _changes(report: Report) -> Iterator[str]:
    """Since the last run (baseline or history) and, with two or more runs, the trend."""
    t = report.t
    if len(report.trend) >= 2:
        from sovaudit.report.trend_svg import render_trend_svg

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
            yield from _table(finding_headers(report), rows)
            more = more_line(findings)
            if more:
                yield f"<p>{_e(more)}</p>\n"


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """A plain table whose cells are already-escaped HTML."""
    yield '<div class="scroll"><table>\n<thead><tr>'
    yield "".join(f"<th>{_e(h)}</th>" for h in headers)
    yield "</tr></thead>\n<tbody>\n"
    for row in rows:
        yield "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n"
    yield "</tbody>\n</table></div>\n"


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
                _severity_chip(report, finding.severity),
                f'<span class="rule mono">{_e(finding.rule_id)}</span>',
                _asset_cell(report, finding.asset_id),
                f'<span class="finding-title">{_e(finding.title)}</span>'
                f'<span class="fid mono">{_e(finding.id)}</span>',
                _e(waiver.reason if waiver else ""),
                _e(waiver.owner if waiver else ""),
                f'<span class="mono date">{_e(waiver.expires if waiver else "")}</span>',
            )
        )
    yield from _table(headers, rows)


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
    yield from _table(headers, rows)


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
    yield from _table(headers, rows)
