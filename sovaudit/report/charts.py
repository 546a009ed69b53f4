"""The HTML report's charts, as inline SVG: the exposure comparison, countries, the trend.

The report forbids every fetch and script in its Content-Security-Policy, so a chart is
plain SVG markup: no script, no external reference, tooltips as ``<title>`` elements (which
browsers show on hover without any script). Every piece of text goes through
``html.escape``: labels are language strings and inventory values (a country bucket's name),
and nothing stops a translator, a config value or an inventory from containing ``<`` or ``&``.

The charts draw numbers and the labels they are given; the report decides the words, so this
module knows nothing of the report model or its languages beyond how a percentage is written.
The trend places runs by their time, so a gap in the schedule shows as a gap in the line.
"""

from __future__ import annotations

import datetime
import html
import math
from collections.abc import Sequence

from sovaudit.timestamps import parse_rfc3339

SVG_NS = "http://www.w3.org/2000/svg"
_INK, _MUTED, _GRID, _LINE = "#1c2430", "#5f6b7a", "#e3e7ed", "#0b4f71"
_GRID_STEPS = (0, 25, 50, 75, 100)
_MAX_X_LABELS = 5


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def percent_sign(lang: str) -> str:
    """``%`` after a figure, or ``\u00a0%`` ("48.1 %") as the Spanish texts write it."""
    return "\u00a0%" if lang == "es" else "%"


def pct(value: float) -> str:
    """48.1 -> ``48.1``, 100.0 -> ``100``: the figure as a person would write it."""
    return f"{value:.1f}".removesuffix(".0")


def render_comparison_svg(
    exposure: float | None,
    benchmark: float,
    *,
    this_label: str,
    benchmark_label: str,
    not_measured: str,
    lang: str = "en",
) -> str:
    """This scan's exposure against a benchmark (the roundtable's ~90%), on one 0-100 scale.

    ``exposure`` None is "not measured" (no personal-data asset was read): an empty bar
    labelled ``not_measured``, never a 0% that reads as a clean estate.
    """
    width, label_w, bar_h = 470, 175, 26
    sign = percent_sign(lang)
    scale = (width - label_w - 60) / 100
    shown = not_measured if exposure is None else f"{pct(exposure)}{sign}"
    bars = (
        (this_label, exposure or 0.0, shown, _LINE),
        (benchmark_label, benchmark, f"~{pct(benchmark)}{sign}", "#9aa8b8"),
    )
    parts = [
        f'<svg viewBox="0 0 {width} 96" role="img" aria-label="{_e(bars[0][0])}: '
        f'{_e(bars[0][2])}; {_e(bars[1][0])}: {_e(bars[1][2])}">'
    ]
    for index, (label, value, text, colour) in enumerate(bars):
        y = 10 + index * 42
        length = 0.0 if index == 0 and exposure is None else max(value * scale, 2.0)
        parts.append(
            f'<text x="0" y="{y + 18}" font-size="13" fill="{_INK}">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{100 * scale:.1f}" height="{bar_h}" rx="4" '
            f'fill="#eef1f5"/>'
            f'<rect x="{label_w}" y="{y}" width="{length:.1f}" height="{bar_h}" rx="4" '
            f'fill="{colour}"/>'
            f'<text x="{label_w + length + 8:.1f}" y="{y + 18}" font-size="14" '
            f'font-weight="700" fill="{_INK}">{_e(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_country_svg(rows: Sequence[tuple[str, int, int]], *, title: str) -> str:
    """Horizontal bars of ``(label, assets, personal)`` rows, largest first as given: all
    assets (light) with the personal-data ones (dark) over them. No rows, no chart (``""``)."""
    if not rows:
        return ""
    width, label_w, row_h, bar_h = 560, 110, 30, 18
    top = max(assets for _, assets, _ in rows) or 1
    scale = (width - label_w - 70) / top
    height = len(rows) * row_h + 6
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">']
    for index, (label, assets, personal) in enumerate(rows):
        y = 4 + index * row_h
        total = max(assets * scale, 1.5)
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 14}" font-size="13" text-anchor="end" '
            f'fill="{_INK}">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{total:.1f}" height="{bar_h}" rx="3" '
            f'fill="#c9d6e2"/>'
        )
        if personal:
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{personal * scale:.1f}" height="{bar_h}" '
                f'rx="3" fill="{_LINE}"/>'
            )
        parts.append(
            f'<text x="{label_w + total + 8:.1f}" y="{y + 14}" font-size="12.5" '
            f'fill="{_MUTED}">{assets} · {personal}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _epoch(text: str) -> float | None:
    moment = parse_rfc3339(text)
    return None if moment is None else moment.timestamp()


def _day(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%d")


def _when(text: str) -> str:
    """``2026-05-09T07:35:25Z`` as ``2026-05-09 07:35 UTC`` for a tooltip."""
    epoch = _epoch(text)
    if epoch is None:
        return text
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _clamp(value: float) -> float:
    return min(100.0, max(0.0, value)) if math.isfinite(value) else 0.0


def render_trend_svg(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 240,
    lang: str = "en",
) -> str:
    """A line chart of ``(RFC 3339 time, exposure_pct)`` points, oldest first, on a 0-100 %
    scale; one dot per run with its time and figure as a tooltip.

    No points give an empty string (nothing to draw); one point gives the axes and one dot.
    ``lang="es"`` writes "48.1 %" as the Spanish texts do.
    """
    if not points:
        return ""
    sign = percent_sign(lang)
    left, right, top, bottom = 48.0, 40.0, 34.0, 30.0
    x0, x1, y_top, y_bottom = left, width - right, top, height - bottom

    def y_of(value: float) -> float:
        return y_bottom - _clamp(value) / 100.0 * (y_bottom - y_top)

    epochs = [_epoch(when) for when, _ in points]
    timed = [e for e in epochs if e is not None]
    by_time = len(timed) == len(points) and len(points) > 1 and max(timed) > min(timed)
    if by_time:
        start, span = min(timed), max(timed) - min(timed)
        xs = [x0 + (e - start) / span * (x1 - x0) for e in timed]
    elif len(points) == 1:
        xs = [(x0 + x1) / 2]
    else:  # times missing or all equal: evenly spaced, in the given order
        xs = [x0 + i / (len(points) - 1) * (x1 - x0) for i in range(len(points))]

    parts = [
        # No width/height: the report's CSS scales the chart to its card, as its others.
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<text x="{left:.0f}" y="18" font-size="14" font-weight="600" '
        f'fill="{_INK}">{_e(title)}</text>',
    ]
    for step in _GRID_STEPS:
        y = y_of(step)
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}" stroke="{_GRID}" '
            f'stroke-width="1"/><text x="{x0 - 6:.1f}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="{_MUTED}">{_e(f"{step}{sign}")}</text>'
        )
    parts.extend(
        _x_labels(
            points, xs, (x0, x1), [e or 0.0 for e in epochs] if by_time else None, y_bottom + 18
        )
    )
    coordinates = [(x, y_of(value)) for x, (_, value) in zip(xs, points, strict=True)]
    if len(coordinates) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{_LINE}" stroke-width="2" '
            'stroke-linejoin="round"/>'
        )
    # Dots shrink as runs crowd together (a year of nightly runs), so the line stays readable.
    radius = max(1.5, min(3.5, (x1 - x0) / len(points) / 2.5))
    for (x, y), (when, value) in zip(coordinates, points, strict=True):
        tip = f"{_when(when)}: {_clamp(value):.1f}{sign}"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{_LINE}">'
            f"<title>{_e(tip)}</title></circle>"
        )
    last_x, last_y = coordinates[-1]
    parts.append(
        f'<text x="{min(last_x, x1):.1f}" y="{last_y - 9:.1f}" font-size="12" '
        f'font-weight="700" text-anchor="middle" fill="{_INK}">'
        f"{_e(f'{_clamp(points[-1][1]):.1f}{sign}')}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _x_labels(
    points: Sequence[tuple[str, float]],
    xs: Sequence[float],
    span: tuple[float, float],
    epochs: Sequence[float] | None,
    y: float,
) -> list[str]:
    """A few dates along the x axis: evenly spaced in time when the points are placed by
    time, else under evenly chosen points. A date already shown is not repeated."""
    count = min(len(points), _MAX_X_LABELS)
    ticks: list[tuple[float, str]] = []
    if epochs is not None and count > 1:
        start, end = min(epochs), max(epochs)
        for i in range(count):
            share = i / (count - 1)
            ticks.append(
                (span[0] + share * (span[1] - span[0]), _day(start + share * (end - start)))
            )
    else:
        chosen = sorted({round(i * (len(points) - 1) / max(count - 1, 1)) for i in range(count)})
        ticks = [(xs[i], points[i][0][:10]) for i in chosen]
    labels, shown = [], set()
    for x, text in ticks:
        if text in shown:
            continue
        shown.add(text)
        labels.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" text-anchor="middle" '
            f'fill="{_MUTED}">{_e(text)}</text>'
        )
    return labels
