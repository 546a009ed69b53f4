"""The run history: one SQLite file that every scheduled scan appends to.

``HistoryStore`` owns the file's lifecycle and its transactions; what it does inside them is
elsewhere, one concern a module: opening (``connection``: WAL, busy timeout, read-only
readers), writing (``recording``: a run, retention) and reading (``queries``). Every write
starts with ``BEGIN IMMEDIATE``: the write lock is taken up front, so a transaction never has
to be abandoned half-way for a lock it could not upgrade while another scan records.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sovaudit.errors import InputError
from sovaudit.history import queries, recording
from sovaudit.history.connection import connect, connect_read_only, explain
from sovaudit.history.recording import HistoryError
from sovaudit.history.trend import Changes, FindingRow, RunRecord, worst_first


class HistoryStore:
    """Record scans and read them back. Use it as a context manager so the file is closed.

    Runs are ordered by their id, which is the order they were recorded in: "the previous
    run" is the one recorded just before, even when two scans overlapped in time.
    """

    def __init__(self, path: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = (
            connect_read_only(self.path) if read_only else connect(self.path, create)
        )

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (idempotent). The last connection folds the WAL back into it."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(sqlite3.Error):
                connection.execute("PRAGMA optimize")
            connection.close()

    @property
    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise HistoryError(f"{self.path}: history store used after it was closed")
        return self._connection

    @contextlib.contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        """One transaction; SQLite failures become a one-line error naming the file."""
        db = self._db
        try:
            db.execute(begin)
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise InputError(str(self.path), explain(exc)) from None

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._transaction("BEGIN IMMEDIATE")

    def _read(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        # A read transaction sees one snapshot, even while another process records a run.
        return self._transaction("BEGIN")

    # -- writing ------------------------------------------------------------------------

    def record(self, document: Mapping[str, Any], *, exit_code: int) -> int:
        """Store one scan (CONTRACT.md's scan JSON document) and return its run id."""
        rows = recording.prepare(document, exit_code=exit_code)
        with self._write() as db:
            return recording.insert(db, rows)

    def prune(
        self,
        *,
        keep_days: int | None = None,
        keep_runs: int | None = None,
        now: datetime.datetime | None = None,
    ) -> int:
        """Remove runs started more than ``keep_days`` ago and/or beyond the newest
        ``keep_runs``; return how many were removed. The newest run always stays."""
        recording.check_retention(keep_days, keep_runs)
        with self._write() as db:
            return recording.prune(db, keep_days=keep_days, keep_runs=keep_runs, now=now)

    # -- reading ------------------------------------------------------------------------

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        """The recorded runs, oldest first; with ``limit``, only the newest ``limit``."""
        with self._read() as db:
            return queries.run_records(db, limit)

    def run(self, run_id: int) -> RunRecord:
        """One run by id; an error naming the file when there is no such run."""
        with self._read() as db:
            record = queries.run_record(db, run_id)
        if record is None:
            raise InputError(str(self.path), f"no run {run_id} in this history")
        return record

    def findings(self, run_id: int) -> tuple[FindingRow, ...]:
        """Every finding of one run (open and waived), worst first."""
        with self._read() as db:
            return worst_first(queries.finding_rows(db, run_id))

    def previous_findings(self) -> tuple[FindingRow, ...]:
        """The findings of the latest recorded run (empty when there is none), worst first:
        the baseline a new scan is compared with."""
        with self._read() as db:
            return worst_first(queries.finding_rows(db, queries.latest_id(db)))

    def changes(self, run_id: int | None = None) -> Changes:
        """New and resolved open findings of ``run_id`` (default: the latest run) against
        the run before it. An error naming the file when there is no such run."""
        with self._read() as db:
            if run_id is None:
                run_id = queries.latest_id(db)
                if run_id is None:
                    raise InputError(str(self.path), "no run recorded in this history yet")
            found = queries.changes_of(db, int(run_id))
        if found is None:
            raise InputError(str(self.path), f"no run {run_id} in this history")
        return found
