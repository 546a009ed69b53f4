"""The run history: every scan's summary and findings, kept in one SQLite file.

``HistoryStore`` records scans and reads them back (``store``, over ``connection``,
``recording`` and ``queries``); ``trend`` holds the plain records; ``render`` prints them for
``sovaudit history``. What counts as new or resolved is ``sovaudit.changes.comparison``'s rule.
"""

from __future__ import annotations

from sovaudit.history.connection import check_history_path
from sovaudit.history.recording import HistoryError
from sovaudit.history.store import HistoryStore
from sovaudit.history.trend import Changes, FindingRow, RunRecord, Trend

__all__ = [
    "Changes",
    "FindingRow",
    "HistoryError",
    "HistoryStore",
    "RunRecord",
    "Trend",
    "check_history_path",
]
