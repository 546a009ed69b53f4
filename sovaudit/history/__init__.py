"""The run history: every scan's summary and findings, kept in one SQLite file.

``HistoryStore`` records scans and reads them back; ``trend`` holds the plain records and the
new/resolved rules; ``render`` prints them for ``sovaudit history``.
"""

from __future__ import annotations

from sovaudit.history.store import HistoryError, HistoryStore, check_history_path
from sovaudit.history.trend import Changes, FindingRow, RunRecord, Trend, exposure_points

__all__ = [
    "Changes",
    "FindingRow",
    "HistoryError",
    "HistoryStore",
    "RunRecord",
    "Trend",
    "check_history_path",
    "exposure_points",
]
