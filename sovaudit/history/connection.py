"""Opening the history file: where it may be, WAL mode, migration, read-only readers.

Why it is opened this way:

* **Overlapping cron runs both record.** A slow nightly scan can still be writing when the
  next one (or a manual one) finishes. The file is in WAL mode (readers never block the
  writer) and a busy timeout makes the second writer wait its turn instead of failing with
  "database is locked". WAL needs a local filesystem: keep the file off NFS and SMB shares.
* **Nothing is created by accident.** A missing folder is an error (a typo in a cron line
  should not scatter databases around), and a reader (``create=False`` or read-only) never
  makes a file.
* **A reader changes nothing.** Read-only opening neither switches to WAL nor migrates, so an
  auditor's account can read the service's history in a folder it cannot write.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sovaudit.errors import InputError
from sovaudit.history.migrations import SCHEMA_VERSION, check_stamp, migrate, schema_version

BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another one before giving up
_NO_FILE = "no such history file (a scan creates it when --history or `history:` is set)"


def explain(exc: sqlite3.Error) -> str:
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
        raise InputError(name, explain(exc)) from None
    try:
        check_stamp(connection, name)
    except sqlite3.Error as exc:
        raise InputError(name, explain(exc)) from None
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


def connect(path: Path, create: bool) -> sqlite3.Connection:
    """Open ``path`` for recording (created when ``create``), in WAL mode and migrated."""
    name = str(path)
    _check_place(path)
    if not create and not path.exists():
        raise InputError(name, _NO_FILE)
    # A URI so that a reader can say "rw" (never create) and odd characters in the path
    # are not taken for URI syntax.
    uri = f"{path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError(name, explain(exc)) from None
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _enable_wal(connection)
        migrate(connection, name)
    except BaseException as exc:
        connection.close()
        if isinstance(exc, sqlite3.Error):
            raise InputError(name, explain(exc)) from None
        raise
    return connection


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open an existing history for reading only: no WAL switch, no migration, no new file.

    A reader may sit in a folder it cannot write (an auditor's account reading the service's
    history). SQLite then cannot create the WAL's shared-memory file, so the file is opened
    ``immutable`` as a fallback: right while no scan is recording, which a reader accepts.
    """
    name = str(path)
    _check_place(path)
    if not path.exists():
        raise InputError(name, _NO_FILE)
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
    raise InputError(name, explain(last) if last else "cannot be read") from None
