"""Reading the history back: runs, one run's findings, and what a run changed.

Plain functions over an open connection, inside the caller's read transaction, so that
``HistoryStore`` keeps the file's lifecycle and these keep the SQL. Severities and statuses
are stored as small integers (see ``migrations``); the codes are here, beside the queries
that turn them back into words, and the recorder encodes with the same tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from sovaudit.changes.comparison import open_changes
from sovaudit.history.trend import SEVERITIES, Changes, FindingRow, RunRecord, worst_first
from sovaudit.model import Severity

SEVERITY_CODE = {s.value: s.rank for s in Severity}
OPEN_CODE = {"open": 1, "waived": 0}
SEVERITY_NAME = {code: name for name, code in SEVERITY_CODE.items()}
_STATUS_NAME = {code: name for name, code in OPEN_CODE.items()}

_RUN_COLUMNS = (
    "id, started_at, finished_at, home_country, tool_version, exit_code, summary, "
    "exposure_pct, open_critical, open_high, open_medium, open_low, open_info, waived, "
    "errors, new_open, resolved_open, previous_run_id"
)
_FINDING_ROWS = (
    "SELECT k.finding_id, k.rule_id, f.severity, k.asset_id, f.is_open, k.title "
    "FROM findings AS f JOIN finding_keys AS k USING (key_id) WHERE f.run_id = ?"
)
_OPEN_IDS = (
    "SELECT k.finding_id FROM findings AS f JOIN finding_keys AS k USING (key_id) "
    "WHERE f.run_id = ? AND f.is_open = 1"
)


def latest_id(db: sqlite3.Connection) -> int | None:
    """The id of the run recorded last, which is "the previous run" for the next scan."""
    value = db.execute("SELECT max(id) FROM runs").fetchone()[0]
    return None if value is None else int(value)


def open_ids(db: sqlite3.Connection, run_id: int | None) -> list[str]:
    """The ids of one run's open findings (none for no run): all the counts need."""
    return [] if run_id is None else [r[0] for r in db.execute(_OPEN_IDS, (run_id,))]


def finding_rows(db: sqlite3.Connection, run_id: int | None) -> list[FindingRow]:
    """Every finding of one run (open and waived) in words; none for no run."""
    if run_id is None:
        return []
    return [
        FindingRow(
            id=finding_id,
            rule_id=rule_id,
            severity=SEVERITY_NAME[severity],
            asset_id=asset_id,
            status=_STATUS_NAME[is_open],
            title=title,
        )
        for finding_id, rule_id, severity, asset_id, is_open, title in db.execute(
            _FINDING_ROWS, (run_id,)
        )
    ]


def run_records(db: sqlite3.Connection, limit: int | None) -> list[RunRecord]:
    """The recorded runs, oldest first; with ``limit``, only the newest ``limit``."""
    rows = db.execute(
        f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?",  # noqa: S608
        (-1 if limit is None else max(limit, 0),),
    ).fetchall()
    return [_run_record(row) for row in reversed(rows)]


def run_record(db: sqlite3.Connection, run_id: int) -> RunRecord | None:
    row = db.execute(
        f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?",  # noqa: S608
        (run_id,),
    ).fetchone()
    return None if row is None else _run_record(row)


def changes_of(db: sqlite3.Connection, run_id: int) -> Changes | None:
    """The open findings ``run_id`` added and removed against the run before it, worst
    first, by the rule every comparison shares; None when there is no such run."""
    row = db.execute("SELECT previous_run_id FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    previous: int | None = row[0]
    found = open_changes(finding_rows(db, previous), finding_rows(db, run_id))
    return Changes(
        run_id=run_id,
        previous_run_id=previous,
        new=worst_first(found.new),
        resolved=worst_first(found.resolved),
    )


def _run_record(row: Sequence[Any]) -> RunRecord:
    (run_id, started, finished, home, version, exit_code, summary, exposure) = row[:8]
    counts = row[8:13]
    waived, errors, new, resolved, previous = row[13:]
    return RunRecord(
        id=int(run_id),
        started_at=started,
        finished_at=finished,
        home_country=home,
        tool_version=version,
        exit_code=int(exit_code),
        summary=json.loads(summary),
        exposure_pct=float(exposure),
        open_by_severity=dict(zip(SEVERITIES, (int(c) for c in counts), strict=True)),
        waived=int(waived),
        errors=int(errors),
        new=int(new),
        resolved=int(resolved),
        previous_run_id=None if previous is None else int(previous),
    )
