"""The history file's schema, as ordered steps numbered by ``PRAGMA user_version``.

A history file lives for years and is written by whatever sovaudit the scheduler has
installed that night, so the schema only ever moves forward: step N turns a version N-1 file
into version N, all pending steps run in one transaction, and a file stamped with a version
this sovaudit does not know (written by a newer one) is refused instead of being guessed at.
To change the schema, append a step; never edit a released one.

``PRAGMA application_id`` marks the file as sovaudit's, so a path that points at some other
program's SQLite database is refused rather than having tables added to it.
"""

from __future__ import annotations

import sqlite3

from sovaudit.errors import InputError

APPLICATION_ID = 0x536F7641  # "SovA"

# Severities and statuses are small integers: they repeat in every finding row of every run
# (1.8 million rows for a year of 5,000-finding nights), and the ``run_findings`` view gives
# them back as words for anyone querying the file by hand.
_V1 = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after pruning
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        started_epoch INTEGER NOT NULL,        -- started_at in seconds, for retention
        recorded_at TEXT NOT NULL,
        home_country TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        assets_total INTEGER NOT NULL,
        personal_assets INTEGER NOT NULL,
        personal_outside_home INTEGER NOT NULL,
        exposure_pct REAL NOT NULL,
        open_critical INTEGER NOT NULL,
        open_high INTEGER NOT NULL,
        open_medium INTEGER NOT NULL,
        open_low INTEGER NOT NULL,
        open_info INTEGER NOT NULL,
        waived INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        previous_run_id INTEGER,               -- what new_open/resolved_open compare with
        new_open INTEGER NOT NULL,
        resolved_open INTEGER NOT NULL,
        summary TEXT NOT NULL                  -- the scan's summary block, as JSON
    )
    """,
    "CREATE INDEX runs_by_start ON runs (started_epoch)",
    # Finding ids are stable across runs (same rule, same asset), so their text is kept once.
    """
    CREATE TABLE finding_keys (
        key_id INTEGER PRIMARY KEY,
        finding_id TEXT NOT NULL UNIQUE,
        rule_id TEXT NOT NULL,
        asset_id TEXT NOT NULL,
        title TEXT NOT NULL          -- as first recorded, in that run's language
    )
    """,
    # The primary key serves every query: one run's findings, and one finding in a run.
    """
    CREATE TABLE findings (
        run_id INTEGER NOT NULL,
        key_id INTEGER NOT NULL,
        severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 4),  -- 4 critical .. 0 info
        is_open INTEGER NOT NULL CHECK (is_open IN (0, 1)),          -- 0: waived
        PRIMARY KEY (run_id, key_id)
    ) WITHOUT ROWID
    """,
    """
    CREATE VIEW run_findings AS
    SELECT f.run_id, k.finding_id, k.rule_id, k.asset_id, k.title,
           CASE f.severity WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium'
                           WHEN 1 THEN 'low' ELSE 'info' END AS severity,
           CASE f.is_open WHEN 1 THEN 'open' ELSE 'waived' END AS status
    FROM findings AS f JOIN finding_keys AS k USING (key_id)
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


def _stamp(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """``(user_version, application_id, number of schema objects)`` of the open file."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    application = connection.execute("PRAGMA application_id").fetchone()[0]
    objects = connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return int(version), int(application), int(objects)


def _check(stamp: tuple[int, int, int], path: str) -> None:
    version, application, objects = stamp
    if application not in (0, APPLICATION_ID) or (application == 0 and (version != 0 or objects)):
        raise InputError(path, "a SQLite database of another program, not a sovaudit history")
    if version > SCHEMA_VERSION:
        raise InputError(
            path,
            f"written by a newer sovaudit (history schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}): upgrade sovaudit to use it",
        )


def schema_version(connection: sqlite3.Connection) -> int:
    """The history schema version the file is at."""
    return _stamp(connection)[0]


def check_stamp(connection: sqlite3.Connection, path: str) -> None:
    """Refuse another program's database, or a history written by a newer sovaudit."""
    _check(_stamp(connection), path)


def migrate(connection: sqlite3.Connection, path: str) -> None:
    """Bring the file to :data:`SCHEMA_VERSION`, or refuse it with a one-line reason.

    ``connection`` is in autocommit mode (``isolation_level=None``). The version is read
    again inside the write transaction because another process may have migrated the file
    while this one waited for the lock.
    """
    stamp = _stamp(connection)
    _check(stamp, path)
    if stamp[0] == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        stamp = _stamp(connection)
        _check(stamp, path)
        for step in MIGRATIONS[stamp[0] :]:
            for statement in step:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
