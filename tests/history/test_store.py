"""HistoryStore on real SQLite files: recording, reading back, changes, retention, bad files."""

from __future__ import annotations

import datetime
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from sovaudit import __version__
from sovaudit.classify.tags import Classifier
from sovaudit.engine.rules import load_rules
from sovaudit.errors import InputError, SovauditError
from sovaudit.history import HistoryError, HistoryStore, check_history_path, migrations
from sovaudit.locate.regions import Locator
from sovaudit.pipeline import build_sources
from sovaudit.report.json_document import scan_document
from sovaudit.scan import run_scan
from sovaudit.summary import summarise
from tests.conftest import SAMPLES
from tests.history.documents import document, finding


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite"


def _ids(rows) -> list[str]:
    return sorted(row.id for row in rows)


def test_a_real_scan_is_recorded_with_its_figures(
    path: Path, locator: Locator, classifier: Classifier
) -> None:
    result = run_scan(
        build_sources([SAMPLES / "retail_monterrey.yaml"], [], locator),
        locator=locator,
        classifier=classifier,
        rules=load_rules(),
    )
    scan = scan_document(result, summarise(result))
    with HistoryStore(path) as store:
        run_id = store.record(scan, exit_code=1)
        (run,) = store.runs()
        rows = store.findings(run_id)
    assert run.id == run_id
    assert run.summary == scan["summary"]
    assert run.exposure_pct == scan["summary"]["exposure_pct"] > 0
    assert dict(run.open_by_severity) == scan["summary"]["findings_by_severity"]
    assert run.open_total == len(scan["findings"]) > 10
    assert (run.new, run.resolved, run.previous_run_id) == (run.open_total, 0, None)
    assert (run.exit_code, run.tool_version, run.home_country) == (1, __version__, "MX")
    assert run.started_at == scan["started_at"]
    assert _ids(rows) == sorted(f["id"] for f in scan["findings"])
    by_id = {f["id"]: f for f in scan["findings"]}
    for row in rows:
        source = by_id[row.id]
        assert (row.rule_id, row.severity, row.asset_id, row.status, row.title) == (
            source["rule_id"],
            source["severity"],
            source["asset_id"],
            source["status"],
            source["title"],
        )


def test_new_and_resolved_follow_open_findings_by_id(path: Path) -> None:
    first = [finding("a", "critical"), finding("b"), finding("w", "low", "waived")]
    # b fixed, c appears, w's waiver expired (open again: new), a now waived (resolved)
    second = [
        finding("a", "critical", "waived"),
        finding("c", "medium"),
        finding("w", "low"),
    ]
    third = list(second)  # nothing changes
    with HistoryStore(path) as store:
        ids = [
            store.record(document(items, day=day), exit_code=1)
            for day, items in ((1, first), (2, second), (3, third))
        ]
        runs = store.runs()
        changes = [store.changes(run_id) for run_id in ids]
        latest = store.changes()
    assert [(r.new, r.resolved) for r in runs] == [(2, 0), (2, 2), (0, 0)]
    assert [r.waived for r in runs] == [1, 1, 1]
    assert [r.previous_run_id for r in runs] == [None, ids[0], ids[1]]
    assert (_ids(changes[0].new), changes[0].resolved) == (["rule-a/a", "rule-b/b"], ())
    assert _ids(changes[1].new) == ["rule-c/c", "rule-w/w"]
    assert _ids(changes[1].resolved) == ["rule-a/a", "rule-b/b"]
    assert changes[1].resolved[0].severity == "critical"  # worst first
    assert latest == changes[2]
    assert (latest.new, latest.resolved, latest.previous_run_id) == ((), (), ids[1])


def test_runs_are_oldest_first_and_limit_keeps_the_newest(path: Path) -> None:
    with HistoryStore(path) as store:
        for day in range(1, 8):
            store.record(document([finding("a")], day=day, exposure=10.0 * day), exit_code=0)
        everything = store.runs()
        newest = store.runs(limit=3)
    assert [r.exposure_pct for r in everything] == [10.0 * d for d in range(1, 8)]
    assert [r.id for r in newest] == [r.id for r in everything[-3:]]


def test_previous_findings_are_the_latest_runs(path: Path) -> None:
    with HistoryStore(path) as store:
        assert store.previous_findings() == ()
        store.record(document([finding("old")]), exit_code=1)
        store.record(
            document([finding("x", "low"), finding("y", "critical", "waived")], day=2),
            exit_code=1,
        )
        rows = store.previous_findings()
    assert [(r.id, r.severity, r.status, r.title) for r in rows] == [
        ("rule-y/y", "critical", "waived", "Title of y"),
        ("rule-x/x", "low", "open", "Title of x"),
    ]


def test_errors_and_duplicate_ids_in_a_document(path: Path) -> None:
    doubled = [finding("a"), finding("a", "low", "waived")]
    errors = [{"provider": "aws", "scope": "111/us-east-1", "message": "AccessDenied"}]
    with HistoryStore(path) as store:
        run_id = store.record(document(doubled, errors=errors), exit_code=3)
        (run,) = store.runs()
        (row,) = store.findings(run_id)
    assert (run.errors, run.exit_code, run.open_total, run.waived) == (1, 3, 1, 0)
    assert (row.severity, row.status) == ("high", "open")  # the first entry counts


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"started_at": "last tuesday"}, "is not an RFC 3339 time"),
        ({"findings": [finding("a", "severe")]}, "unknown finding severity 'severe'"),
        ({"findings": [finding("a", "high", "ignored")]}, "unknown finding status 'ignored'"),
    ],
)
def test_a_document_that_cannot_be_recorded_is_refused_whole(
    path: Path, change: dict, message: str
) -> None:
    bad = {**document([finding("a")]), **change}
    with HistoryStore(path) as store:
        with pytest.raises(HistoryError, match=message):
            store.record(bad, exit_code=1)
        assert store.runs() == []


def test_prune_keep_runs_relinks_the_oldest_kept_run(path: Path) -> None:
    with HistoryStore(path) as store:
        ids = [
            store.record(document([finding("a"), finding(f"only-{day}")], day=day), exit_code=1)
            for day in range(1, 6)
        ]
        assert store.prune(keep_runs=2) == 3
        runs = store.runs()
        oldest = store.changes(runs[0].id)
        next_id = store.record(document([finding("a")], day=6), exit_code=1)
        keys = sqlite3.connect(path).execute("SELECT count(*) FROM finding_keys").fetchone()[0]
    assert [r.id for r in runs] == ids[-2:]
    # The oldest kept run is now the first: every open finding new, nothing resolved,
    # and the stored counts agree with what changes() lists.
    assert (runs[0].previous_run_id, runs[0].new, runs[0].resolved) == (None, 2, 0)
    assert (len(oldest.new), len(oldest.resolved)) == (2, 0)
    assert (runs[1].previous_run_id, runs[1].new, runs[1].resolved) == (ids[3], 1, 1)
    assert next_id == ids[-1] + 1  # ids are never reused
    assert keys == 3  # a, only-4, only-5: the pruned runs' own findings are forgotten


def test_prune_by_age_never_removes_the_newest_run(path: Path) -> None:
    now = datetime.datetime(2026, 5, 31, 12, tzinfo=datetime.timezone.utc)
    with HistoryStore(path) as store:
        for day in (1, 10, 20, 30):
            store.record(document([finding("a")], day=day), exit_code=1)
        assert store.prune(keep_days=15, now=now) == 2
        assert [r.started_at[:10] for r in store.runs()] == ["2026-05-20", "2026-05-30"]
        assert store.prune(keep_days=0, now=now) == 1
        (last,) = store.runs()
        assert store.prune(keep_days=0, keep_runs=1, now=now) == 0
        assert store.runs() == [last]
        assert last.started_at.startswith("2026-05-30")


def test_prune_with_both_limits_and_on_an_empty_history(path: Path) -> None:
    now = datetime.datetime(2026, 5, 31, tzinfo=datetime.timezone.utc)
    with HistoryStore(path) as store:
        assert store.prune(keep_days=1, keep_runs=1, now=now) == 0
        for day in range(20, 31):
            store.record(document([finding("a")], day=day), exit_code=0)
        assert store.prune(keep_runs=8) == 3  # days 20-22
        assert store.prune(keep_days=5, keep_runs=8, now=now) == 3  # before the 26th
        assert [r.started_at[8:10] for r in store.runs()] == ["26", "27", "28", "29", "30"]
        assert store.prune() == 0


@pytest.mark.parametrize(
    ("keep", "message"), [({"keep_runs": 0}, "keep_runs"), ({"keep_days": -1}, "keep_days")]
)
def test_prune_refuses_nonsense(path: Path, keep: dict, message: str) -> None:
    with HistoryStore(path) as store, pytest.raises(HistoryError, match=message):
        store.prune(**keep)


def test_the_file_is_wal_and_stamped(path: Path) -> None:
    HistoryStore(path).close()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    assert connection.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    views = connection.execute("SELECT name FROM sqlite_master WHERE type = 'view'").fetchall()
    assert views == [("run_findings",)]


def test_the_view_gives_findings_in_words(path: Path) -> None:
    with HistoryStore(path) as store:
        store.record(document([finding("a", "critical", "waived")]), exit_code=0)
    rows = (
        sqlite3.connect(path)
        .execute("SELECT finding_id, severity, status FROM run_findings")
        .fetchall()
    )
    assert rows == [("rule-a/a", "critical", "waived")]


def test_a_closed_store_says_so_and_closes_twice(path: Path) -> None:
    store = HistoryStore(path)
    store.close()
    store.close()
    with pytest.raises(HistoryError, match="after it was closed"):
        store.runs()


def test_missing_folder_is_an_error_and_nothing_is_created(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "history.sqlite"
    with pytest.raises(InputError, match=r"folder .*nowhere does not exist") as caught:
        HistoryStore(target)
    assert caught.value.path == str(target)
    assert not (tmp_path / "nowhere").exists()


def test_a_reader_never_creates_the_file(path: Path) -> None:
    with pytest.raises(InputError, match="no such history file"):
        HistoryStore(path, create=False)
    assert not path.exists()


def test_a_directory_is_not_a_history(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        HistoryStore(tmp_path)


def test_a_file_that_is_not_sqlite_is_refused_in_one_line(path: Path) -> None:
    path.write_text("date,exposure\n2026-05-01,48.1\n" * 100, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        HistoryStore(path)
    assert str(caught.value) == f"{path}: not a SQLite database, so not a sovaudit history file"
    assert caught.value.exit_code == 2


def test_another_programs_database_is_left_alone(path: Path) -> None:
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.commit()
    other.close()
    with pytest.raises(InputError, match="another program"):
        HistoryStore(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("contacts",)]


def test_a_history_from_a_newer_sovaudit_is_refused(path: Path) -> None:
    with HistoryStore(path) as store:
        store.record(document([finding("a")]), exit_code=1)
    newer = sqlite3.connect(path)
    newer.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    newer.close()
    with pytest.raises(InputError, match=r"newer sovaudit .*upgrade sovaudit"):
        HistoryStore(path)
    with pytest.raises(InputError, match="upgrade sovaudit"):
        check_history_path(path)


def test_an_older_file_is_migrated_in_order_keeping_its_runs(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with HistoryStore(path) as store:
        store.record(document([finding("a")]), exit_code=1)
    step = ("ALTER TABLE runs ADD COLUMN note TEXT", "UPDATE runs SET note = 'migrated'")
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, step))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    with HistoryStore(path) as store:
        assert len(store.runs()) == 1
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 2
    assert connection.execute("SELECT note FROM runs").fetchall() == [("migrated",)]


def test_a_failing_migration_step_changes_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    HistoryStore(path).close()
    step = ("ALTER TABLE runs ADD COLUMN note TEXT", "SELECT * FROM no_such_table")
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, step))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    with pytest.raises(SovauditError, match="no_such_table"):
        HistoryStore(path)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [row[1] for row in connection.execute("PRAGMA table_info(runs)")]
    assert "note" not in columns


def test_check_history_path_reads_only(path: Path, tmp_path: Path) -> None:
    check_history_path(path)  # a new file in an existing folder is fine...
    assert not path.exists()  # ...and is not created by the check
    with pytest.raises(InputError, match="does not exist"):
        check_history_path(tmp_path / "missing" / "h.sqlite")
    path.write_bytes(b"\x00garbage" * 200)
    with pytest.raises(InputError, match="not a SQLite database"):
        check_history_path(path)
    path.unlink()
    HistoryStore(path).close()
    check_history_path(path)


def test_opening_waits_for_a_scan_that_holds_the_file(path: Path) -> None:
    """SQLite does not retry a switch to WAL through its busy handler while another
    connection holds the write lock of a file still in rollback mode (as when two scans
    create the file at once): it fails at once with "database is locked". The store waits."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the write lock, the file not yet in WAL mode
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    try:
        with HistoryStore(path) as store:
            store.record(document([finding("a")]), exit_code=1)
            assert len(store.runs()) == 1
    finally:
        release.join()
        other.close()
    assert time.monotonic() - started >= 0.25
