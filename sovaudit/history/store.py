"""The run history: one SQLite file that every scheduled scan appends to.

Why it is built this way:

* **Overlapping cron runs both record.** A slow nightly scan can still be writing when the
  next one (or a manual one) finishes. The file is in WAL mode (readers never block the
  writer), every write starts with ``BEGIN IMMEDIATE`` (the write lock is taken up front, so
  a transaction never has to be abandoned half-way for a lock it could not upgrade), and a
  busy timeout makes the second writer wait its turn instead of failing with "database is
  locked". WAL needs a local filesystem: keep the file off NFS and SMB shares.
* **Runs and findings, not assets.** A year of nightly scans of a 5,000-finding estate is
  1.8 million finding rows; the assets would be many times that, and the scan's own output
  file already has them. What the history answers (how did the exposure move, what is new
  or resolved) needs the summary and the finding ids only.
* **Figures are computed once, when a run is recorded.** Each run row carries its open
  counts and its new/resolved counts against the run before it, so listing a year of runs
  reads 365 small rows instead of comparing 1.8 million findings.
* **Nothing is created by accident.** A missing folder is an error (a typo in a cron line
  should not scatter databases around), and a reader (``create=False``) never makes a file.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from sovaudit.errors import InputError, SovauditError
from sovaudit.history.migrations import SCHEMA_VERSION, check_stamp, migrate, schema_version
from sovaudit.history.trend import (
    SEVERITIES,
    Changes,
    FindingRow,
    RunRecord,
    compare,
    count_changes,
    worst_first,
)
from sovaudit.model import Severity
from sovaudit.timestamps import as_utc, parse_rfc3339, rfc3339, utc_now

BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another one before giving up
_SEVERITY_CODE = {s.value: s.rank for s in Severity}
_SEVERITY_NAME = {code: name for name, code in _SEVERITY_CODE.items()}
_OPEN_CODE = {"open": 1, "waived": 0}
_STATUS_NAME = {code: name for name, code in _OPEN_CODE.items()}

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


class HistoryError(SovauditError):
    """A scan document that cannot be recorded, or a retention setting that makes no sense."""


def _epoch(text: object) -> int:
    """Seconds since 1970 of a scan document's RFC 3339 time."""
    moment = parse_rfc3339(text)
    if moment is None:
        raise HistoryError(f"scan document: {text!r} is not an RFC 3339 time")
    return int(moment.timestamp())


def _code(codes: Mapping[str, int], value: object, what: str) -> int:
    try:
        return codes[str(value)]
    except KeyError:
        raise HistoryError(f"scan document: unknown finding {what} {value!r}") from None


def _explain(exc: sqlite3.Error) -> str:
    """SQLite's own words, with the few that users meet put in theirs."""
    text = str(exc)
    if "file is not a database" in text:
        return "not a SQLite database, so not a sovaudit history file"
    if "locked" in text or "busy" in text:
        return f"still busy after {BUSY_TIMEOUT_S:.0f} s: another sovaudit kept it locked"
    if "readonly" in text:
        return "cannot write to it (read-only file or folder)"
    return f"SQLite: {text}"


def _check_place(path: Path) -> None:
    name = str(path)
    if path.is_dir():
        raise InputError(name, "is a directory, not a history file")
    if not path.parent.is_dir():
        raise InputError(name, f"folder {path.parent} does not exist (create it first)")


def check_history_path(path: Path) -> None:
    """Fail now, with the reason, if a scan could not record into ``path`` at its end.

    Checks the folder, and an existing file's kind and schema version, reading only: the
    file is neither created nor migrated here.
    """
    _check_place(path)
    if not path.exists():
        return
    name = str(path)
    try:
        connection = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S
        )
    except sqlite3.Error as exc:
        raise InputError(name, _explain(exc)) from None
    try:
        check_stamp(connection, name)
    except sqlite3.Error as exc:
        raise InputError(name, _explain(exc)) from None
    finally:
        connection.close()


def _enable_wal(connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting for other openers like the busy timeout would.

    SQLite does not retry the switch to WAL through its busy handler while another
    connection holds the write lock of a file still in rollback mode, which is what happens
    when two scans create the file at the same moment: one of them would get "database is
    locked" at once. So the switch is retried here, every 10 ms, until the same timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    name = str(path)
    _check_place(path)
    if not create and not path.exists():
        raise InputError(
            name,
            "no such history file (a scan creates it when --history or `history:` is set)",
        )
    # A URI so that a reader can say "rw" (never create) and odd characters in the path
    # are not taken for URI syntax.
    uri = f"{path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError(name, _explain(exc)) from None
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _enable_wal(connection)
        migrate(connection, name)
    except BaseException as exc:
        connection.close()
        if isinstance(exc, sqlite3.Error):
            raise InputError(name, _explain(exc)) from None
        raise
    return connection


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing history for reading only: no WAL switch, no migration, no new file.

    A reader may sit in a folder it cannot write (an auditor's account reading the service's
    history). SQLite then cannot create the WAL's shared-memory file, so the file is opened
    ``immutable`` as a fallback: right while no scan is recording, which a reader accepts.
    """
    name = str(path)
    _check_place(path)
    if not path.exists():
        raise InputError(
            name,
            "no such history file (a scan creates it when --history or `history:` is set)",
        )
    base = path.absolute().as_uri()
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            connection = sqlite3.connect(
                f"{base}?{query}", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None
            )
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            check_stamp(connection, name)
            if schema_version(connection) < SCHEMA_VERSION:
                connection.close()
                raise InputError(
                    name, "written by an older sovaudit: a scan with write access upgrades it"
                )
            return connection
        except sqlite3.Error as exc:
            connection.close()
            last = exc
    raise InputError(name, _explain(last) if last else "cannot be read") from None


class HistoryStore:
    """Record scans and read them back. Use it as a context manager so the file is closed.

    Runs are ordered by their id, which is the order they were recorded in: "the previous
    run" is the one recorded just before, even when two scans overlapped in time.
    """

    def __init__(self, path: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = (
            _connect_read_only(self.path) if read_only else _connect(self.path, create)
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
            raise InputError(str(self.path), _explain(exc)) from None

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._transaction("BEGIN IMMEDIATE")

    def _read(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        # A read transaction sees one snapshot, even while another process records a run.
        return self._transaction("BEGIN")

    # -- writing ------------------------------------------------------------------------

    def record(self, document: Mapping[str, Any], *, exit_code: int) -> int:
        """Store one scan (CONTRACT.md's scan JSON document) and return its run id."""
        summary = document["summary"]
        started_epoch = _epoch(document["started_at"])
        # Ids are unique in a scan; should a document repeat one, its first entry counts.
        findings: dict[str, Mapping[str, Any]] = {}
        for finding in document["findings"]:
            findings.setdefault(str(finding["id"]), finding)
        rows = [
            (
                finding_id,
                str(f["rule_id"]),
                str(f["asset_id"]),
                _code(_SEVERITY_CODE, f["severity"], "severity"),
                _code(_OPEN_CODE, f["status"], "status"),
                str(f.get("title") or ""),
            )
            for finding_id, f in findings.items()
        ]
        open_counts = dict.fromkeys(SEVERITIES, 0)
        for _, _, _, severity, is_open, _ in rows:
            if is_open:
                open_counts[_SEVERITY_NAME[severity]] += 1
        current_open = {row[0] for row in rows if row[4]}
        recorded_at = datetime.datetime.now(datetime.timezone.utc)
        with self._write() as db:
            previous = db.execute("SELECT max(id) FROM runs").fetchone()[0]
            previous_open = (
                {r[0] for r in db.execute(_OPEN_IDS, (previous,))} if previous else set()
            )
            new, resolved = count_changes(previous_open, current_open)
            cursor = db.execute(
                "INSERT INTO runs (started_at, finished_at, started_epoch, recorded_at, "
                "home_country, tool_version, exit_code, assets_total, personal_assets, "
                "personal_outside_home, exposure_pct, open_critical, open_high, open_medium, "
                "open_low, open_info, waived, errors, previous_run_id, new_open, "
                "resolved_open, summary) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(document["started_at"]),
                    str(document["finished_at"]),
                    started_epoch,
                    rfc3339(recorded_at),
                    str(document["home_country"]),
                    str(document.get("tool", {}).get("version", "")),
                    int(exit_code),
                    int(summary["assets_total"]),
                    int(summary["personal_assets"]),
                    int(summary["personal_assets_outside_home"]),
                    float(summary["exposure_pct"]),
                    *(open_counts[s] for s in SEVERITIES),
                    len(rows) - len(current_open),
                    len(document.get("errors") or ()),
                    previous,
                    new,
                    resolved,
                    json.dumps(summary, ensure_ascii=False, sort_keys=True),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT OR IGNORE INTO finding_keys (finding_id, rule_id, asset_id, title) "
                "VALUES (?, ?, ?, ?)",
                ((row[0], row[1], row[2], row[5]) for row in rows),
            )
            db.executemany(
                "INSERT INTO findings (run_id, key_id, severity, is_open) "
                "SELECT ?, key_id, ?, ? FROM finding_keys WHERE finding_id = ?",
                ((run_id, row[3], row[4], row[0]) for row in rows),
            )
        return run_id

    def prune(
        self,
        *,
        keep_days: int | None = None,
        keep_runs: int | None = None,
        now: datetime.datetime | None = None,
    ) -> int:
        """Remove runs started more than ``keep_days`` ago and/or beyond the newest
        ``keep_runs``; return how many were removed. The newest run always stays.

        A run whose previous run is removed is compared again with the one now before it
        (or becomes the first), so its new/resolved counts match what ``changes`` lists.
        """
        if keep_days is not None and keep_days < 0:
            raise HistoryError(f"keep_days must be 0 or more, not {keep_days}")
        if keep_runs is not None and keep_runs < 1:
            raise HistoryError(f"keep_runs must be 1 or more, not {keep_runs}")
        with self._write() as db:
            newest = db.execute("SELECT max(id) FROM runs").fetchone()[0]
            if newest is None:
                return 0
            doomed: set[int] = set()
            if keep_days is not None:
                moment = as_utc(now or utc_now())
                cutoff = int((moment - datetime.timedelta(days=keep_days)).timestamp())
                doomed.update(
                    r[0]
                    for r in db.execute("SELECT id FROM runs WHERE started_epoch < ?", (cutoff,))
                )
            if keep_runs is not None:
                doomed.update(
                    r[0]
                    for r in db.execute(
                        "SELECT id FROM runs ORDER BY id DESC LIMIT -1 OFFSET ?", (keep_runs,)
                    )
                )
            doomed.discard(newest)
            if not doomed:
                return 0
            gone = [(run_id,) for run_id in sorted(doomed)]
            db.executemany("DELETE FROM findings WHERE run_id = ?", gone)
            db.executemany("DELETE FROM runs WHERE id = ?", gone)
            db.execute("DELETE FROM finding_keys WHERE key_id NOT IN (SELECT key_id FROM findings)")
            self._relink(db)
        return len(doomed)

    @staticmethod
    def _relink(db: sqlite3.Connection) -> None:
        """Compare each run whose previous run is gone with the run now before it."""
        orphans = db.execute(
            "SELECT id FROM runs WHERE previous_run_id IS NOT NULL "
            "AND previous_run_id NOT IN (SELECT id FROM runs) ORDER BY id"
        ).fetchall()
        for (run_id,) in orphans:
            previous = db.execute("SELECT max(id) FROM runs WHERE id < ?", (run_id,)).fetchone()[0]
            current_open = {r[0] for r in db.execute(_OPEN_IDS, (run_id,))}
            previous_open = (
                {r[0] for r in db.execute(_OPEN_IDS, (previous,))} if previous else set()
            )
            new, resolved = count_changes(previous_open, current_open)
            db.execute(
                "UPDATE runs SET previous_run_id = ?, new_open = ?, resolved_open = ? WHERE id = ?",
                (previous, new, resolved, run_id),
            )

    # -- reading ------------------------------------------------------------------------

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        """The recorded runs, oldest first; with ``limit``, only the newest ``limit``."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?",  # noqa: S608
                (-1 if limit is None else max(limit, 0),),
            ).fetchall()
        return [_run_record(row) for row in reversed(rows)]

    def run(self, run_id: int) -> RunRecord:
        """One run by id; an error naming the file when there is no such run."""
        with self._read() as db:
            row = db.execute(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?",  # noqa: S608
                (run_id,),
            ).fetchone()
        if row is None:
            raise InputError(str(self.path), f"no run {run_id} in this history")
        return _run_record(row)

    def latest_run_id(self) -> int | None:
        with self._read() as db:
            value = db.execute("SELECT max(id) FROM runs").fetchone()[0]
        return None if value is None else int(value)

    def findings(self, run_id: int) -> tuple[FindingRow, ...]:
        """Every finding of one run (open and waived), worst first."""
        with self._read() as db:
            return worst_first(_finding_rows(db, run_id))

    def findings_of(self, run_id: int) -> list[dict[str, str]]:
        """One run's findings as dictionaries with the scan document's field names (id,
        rule_id, severity, asset_id, status, title), worst first: what ``diff_scans`` and the
        reports read from a scan result's ``findings``."""
        return [row.to_dict() for row in self.findings(run_id)]

    def previous_findings(self) -> tuple[FindingRow, ...]:
        """The findings of the latest recorded run (empty when there is none), worst first:
        the baseline a new scan is compared with."""
        with self._read() as db:
            latest = db.execute("SELECT max(id) FROM runs").fetchone()[0]
            return worst_first(_finding_rows(db, latest)) if latest is not None else ()

    def changes(self, run_id: int | None = None) -> Changes:
        """New and resolved open findings of ``run_id`` (default: the latest run) against
        the run before it. An error naming the file when there is no such run."""
        with self._read() as db:
            if run_id is None:
                run_id = db.execute("SELECT max(id) FROM runs").fetchone()[0]
                if run_id is None:
                    raise InputError(str(self.path), "no run recorded in this history yet")
            row = db.execute("SELECT previous_run_id FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise InputError(str(self.path), f"no run {run_id} in this history")
            previous: int | None = row[0]
            current = _finding_rows(db, run_id)
            before = _finding_rows(db, previous) if previous is not None else []
        new, resolved = compare(before, current)
        return Changes(run_id=int(run_id), previous_run_id=previous, new=new, resolved=resolved)


def _finding_rows(db: sqlite3.Connection, run_id: int) -> list[FindingRow]:
    return [
        FindingRow(
            id=finding_id,
            rule_id=rule_id,
            severity=_SEVERITY_NAME[severity],
            asset_id=asset_id,
            status=_STATUS_NAME[is_open],
            title=title,
        )
        for finding_id, rule_id, severity, asset_id, is_open, title in db.execute(
            _FINDING_ROWS, (run_id,)
        )
    ]


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
