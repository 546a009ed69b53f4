"""The trend chart: well-formed, self-contained SVG that escapes every text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sovaudit.report.trend_svg import SVG_NS, render_trend_svg

NS = {"svg": SVG_NS}
HOSTILE = "</svg><script>alert('x')</script> & \"quoted\" <b>"


def days(*values: float) -> list[tuple[str, float]]:
    return [(f"2026-05-{i + 1:02d}T02:00:00Z", value) for i, value in enumerate(values)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, and the point is to parse it


def circles(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:circle", NS)


def test_one_dot_per_run_with_a_tooltip() -> None:
    root = parse(render_trend_svg(days(62.5, 55.0, 48.1), title="Exposure"))
    dots = circles(root)
    assert len(dots) == 3
    tips = [dot.find("svg:title", NS).text for dot in dots]
    assert tips == [
        "2026-05-01 02:00 UTC: 62.5%",
        "2026-05-02 02:00 UTC: 55.0%",
        "2026-05-03 02:00 UTC: 48.1%",
    ]
    assert len(root.findall(".//svg:polyline", NS)) == 1
    assert root.find("svg:title", NS).text == "Exposure"


def test_a_hostile_title_is_escaped_and_survives_as_text() -> None:
    svg = render_trend_svg(days(10, 20), title=HOSTILE)
    assert "<script" not in svg
    assert "</svg><" not in svg
    root = parse(svg)
    assert root.find("svg:title", NS).text == HOSTILE
    assert root.get("aria-label") == HOSTILE
    assert HOSTILE in [text.text for text in root.findall("svg:text", NS)]


def test_self_contained_no_script_no_reference() -> None:
    svg = render_trend_svg(days(*range(0, 100, 3)), title="t")
    assert not re.search(r"script|href|url\(|@import|<image|<foreignObject", svg, re.I)


def test_a_hundred_percent_is_drawn_above_zero() -> None:
    root = parse(render_trend_svg(days(0.0, 100.0, 50.0), title="t"))
    y = [float(dot.get("cy")) for dot in circles(root)]
    assert y[1] < y[2] < y[0]
    labels = {t.text: float(t.get("y")) for t in root.findall("svg:text", NS)}
    assert labels["100%"] < labels["50%"] < labels["0%"]


def test_points_are_placed_by_time_and_out_of_range_values_clamped() -> None:
    points = [
        ("2026-05-01T00:00:00Z", 150.0),
        ("2026-05-02T00:00:00Z", -5.0),
        ("2026-05-11T00:00:00Z", 40.0),
    ]
    root = parse(render_trend_svg(points, title="t"))
    x = [float(dot.get("cx")) for dot in circles(root)]
    assert x[0] < x[1] < x[2]
    assert (x[1] - x[0]) * 5 < x[2] - x[1]  # a nine-day gap looks like one
    y = [float(dot.get("cy")) for dot in circles(root)]
    grid = {t.text: float(t.get("y")) - 4 for t in root.findall("svg:text", NS)}
    assert abs(y[0] - grid["100%"]) < 0.2
    assert abs(y[1] - grid["0%"]) < 0.2


def test_a_few_dated_x_labels_not_one_per_run() -> None:
    points = [(f"2026-{m:02d}-{d:02d}T02:00:00Z", 50.0) for m in (3, 4, 5) for d in range(1, 29)]
    root = parse(render_trend_svg(points, title="t"))
    dates = [
        t.text
        for t in root.findall("svg:text", NS)
        if re.fullmatch(r"\d{4}-\d\d-\d\d", t.text or "")
    ]
    assert 2 <= len(dates) <= 5
    assert dates[0] == "2026-03-01"
    assert dates[-1] == "2026-05-28"
    assert len(circles(root)) == len(points)


def test_no_points_no_chart_and_one_point_one_dot() -> None:
    assert render_trend_svg([], title="t") == ""
    root = parse(render_trend_svg([("2026-05-01T02:00:00Z", 48.1)], title="t"))
    assert len(circles(root)) == 1
    assert root.findall(".//svg:polyline", NS) == []
    assert "2026-05-01" in [t.text for t in root.findall("svg:text", NS)]


def test_spanish_percent_and_size() -> None:
    svg = render_trend_svg(days(48.1, 50), title="Exposición", width=400, height=200, lang="es")
    root = parse(svg)
    assert root.get("viewBox") == "0 0 400 200"
    assert "50.0\u00a0%" in [t.text for t in root.findall("svg:text", NS)]
