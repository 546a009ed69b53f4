"""The trend chart's former import path: the chart now lives with the others in charts.py.

Kept only because tests/history/test_trend_svg.py imports it from here; once that test
imports ``sovaudit.report.charts``, this module can go.
"""

from __future__ import annotations

from sovaudit.report.charts import SVG_NS, render_trend_svg

__all__ = ["SVG_NS", "render_trend_svg"]
