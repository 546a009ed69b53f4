"""Writing the history: recording one scan, and retention.

Why it is written this way:

* **Runs and findings, not assets.** A year of nightly scans of a 5,000-finding estate is
  1.8 million finding rows; the assets would be many times that, and the scan's own output
  file already has them. What the history answers (how did the exposure move, what is new
  or resolved) needs the summary and the finding ids only.
* **Figures are computed once, when a run is recorded.** Each run row carries its open
  counts and its new/resolved counts against the run before it (by the rule every
  comparison shares, ``sovaudit.changes.comparison``), so listing a year of runs reads 365 small
  rows instead of comparing 1.8 million findings. Retention keeps those counts true.
* **A document is checked before the write lock is taken**, so a bad one is refused whole
  without making another scan wait.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from sovaudit.changes.comparison import changed_ids
from sovaudit.errors import SovauditError
from sovaudit.history.queries import OPEN_CODE, SEVERITY_CODE, SEVERITY_NAME, latest_id, open_ids
from sovaudit.history.trend import SEVERITIES
from sovaudit.timestamps import as_utc, parse_rfc3339, rfc3339, utc_now


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


@dataclasses.dataclass(frozen=True)
class _Finding:
    id: str
    rule_id: str
    asset_id: str
    severity: int
    is_open: int
    title: str


@dataclasses.dataclass(frozen=True)
class Recording:
    """One scan document as the rows it becomes, all but the links to the run before it."""

    run: Mapping[str, Any]  # column name -> value
    findings: tuple[_Finding, ...]

    @property
    def open_ids(self) -> list[str]:
        return [f.id for f in self.findings if f.is_open]


def prepare(document: Mapping[str, Any], *, exit_code: int) -> Recording:
    """Check and convert one scan (CONTRACT.md's scan JSON document) into rows."""
    summary = document["summary"]
    started_epoch = _epoch(document["started_at"])
    # Ids are unique in a scan; should a document repeat one, its first entry counts.
    unique: dict[str, Mapping[str, Any]] = {}
    for finding in document["findings"]:
        unique.setdefault(str(finding["id"]), finding)
    findings = tuple(
        _Finding(
            id=finding_id,
            rule_id=str(f["rule_id"]),
            asset_id=str(f["asset_id"]),
            severity=_code(SEVERITY_CODE, f["severity"], "severity"),
            is_open=_code(OPEN_CODE, f["status"], "status"),
            title=str(f.get("title") or ""),
        )
        for finding_id, f in unique.items()
    )
    open_counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        if finding.is_open:
            open_counts[SEVERITY_NAME[finding.severity]] += 1
    run = {
        "started_at": str(document["started_at"]),
        "finished_at": str(document["finished_at"]),
        "started_epoch": started_epoch,
        "recorded_at": rfc3339(datetime.datetime.now(datetime.timezone.utc)),
        "home_country": str(document["home_country"]),
        "tool_version": str(document.get("tool", {}).get("version", "")),
        "exit_code": int(exit_code),
        "assets_total": int(summary["assets_total"]),
        "personal_assets": int(summary["personal_assets"]),
        "personal_outside_home": int(summary["personal_assets_outside_home"]),
        "exposure_pct": float(summary["exposure_pct"]),
        **{f"open_{s}": open_counts[s] for s in SEVERITIES},
        "waived": sum(1 for f in findings if not f.is_open),
        "errors": len(document.get("errors") or ()),
        "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True),
    }
    return Recording(run=run, findings=findings)


def _links(db: sqlite3.Connection, previous: int | None, current_open: list[str]) -> dict[str, Any]:
    """The run before this one and the new/resolved counts against it."""
    ids = changed_ids(open_ids(db, previous), current_open)
    return {
        "previous_run_id": previous,
        "new_open": len(ids.new),
        "resolved_open": len(ids.resolved),
    }


def insert(db: sqlite3.Connection, recording: Recording) -> int:
    """Add the run after the latest one, inside the caller's write transaction; its id."""
    row = {**recording.run, **_links(db, latest_id(db), recording.open_ids)}
    columns = ", ".join(row)
    cursor = db.execute(
        f"INSERT INTO runs ({columns}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608
        tuple(row.values()),
    )
    run_id = int(cursor.lastrowid or 0)
    db.executemany(
        "INSERT OR IGNORE INTO finding_keys (finding_id, rule_id, asset_id, title) "
        "VALUES (?, ?, ?, ?)",
        ((f.id, f.rule_id, f.asset_id, f.title) for f in recording.findings),
    )
    db.executemany(
        "INSERT INTO findings (run_id, key_id, severity, is_open) "
        "SELECT ?, key_id, ?, ? FROM finding_keys WHERE finding_id = ?",
        ((run_id, f.severity, f.is_open, f.id) for f in recording.findings),
    )
    return run_id


def check_retention(keep_days: int | None, keep_runs: int | None) -> None:
    """Refuse a retention setting that makes no sense, before anything is locked."""
    if keep_days is not None and keep_days < 0:
        raise HistoryError(f"keep_days must be 0 or more, not {keep_days}")
    if keep_runs is not None and keep_runs < 1:
        raise HistoryError(f"keep_runs must be 1 or more, not {keep_runs}")


def prune(
    db: sqlite3.Connection,
    *,
    keep_days: int | None,
    keep_runs: int | None,
    now: datetime.datetime | None,
) -> int:
    """Remove the runs retention lets go, inside the caller's write transaction; how many.

    The newest run always stays. A run whose previous run is removed is compared again with
    the one now before it (or becomes the first), so its counts match what ``changes`` lists.
    """
    newest = latest_id(db)
    if newest is None:
        return 0
    doomed: set[int] = set()
    if keep_days is not None:
        moment = as_utc(now or utc_now())
        cutoff = int((moment - datetime.timedelta(days=keep_days)).timestamp())
        doomed.update(
            r[0] for r in db.execute("SELECT id FROM runs WHERE started_epoch < ?", (cutoff,))
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
    _relink(db)
    return len(doomed)


def _relink(db: sqlite3.Connection) -> None:
    """Compare each run whose previous run is gone with the run now before it."""
    orphans = db.execute(
        "SELECT id FROM runs WHERE previous_run_id IS NOT NULL "
        "AND previous_run_id NOT IN (SELECT id FROM runs) ORDER BY id"
    ).fetchall()
    for (run_id,) in orphans:
        previous = db.execute("SELECT max(id) FROM runs WHERE id < ?", (run_id,)).fetchone()[0]
        links = _links(db, previous, open_ids(db, run_id))
        db.execute(
            "UPDATE runs SET previous_run_id = ?, new_open = ?, resolved_open = ? WHERE id = ?",
            (links["previous_run_id"], links["new_open"], links["resolved_open"], run_id),
        )
