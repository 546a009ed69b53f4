"""What the history knows about runs, and how one run compares with the one before it.

Plain values with no SQL in them, so the comparison rules are tested on their own and the
store, the ``history`` command and the HTML trend chart all read the same records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sovaudit.model import Severity

SEVERITIES = tuple(s.value for s in Severity)  # worst first, as the model declares them
_RANK = {s.value: s.rank for s in Severity}


@dataclasses.dataclass(frozen=True)
class FindingRow:
    """A finding as the history keeps it: enough to say what is new or resolved, no prose.

    The title is kept (once per finding id, as first recorded) so that a resolved finding can
    still be named; messages and remediation are left out: the scan's own output has them.
    """

    id: str
    rule_id: str
    severity: str
    asset_id: str
    status: str  # "open" or "waived"
    title: str = ""

    def to_dict(self) -> dict[str, str]:
        """The finding's fields under the scan document's names (CONTRACT.md)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One recorded scan: its summary block and its finding counts.

    ``new`` and ``resolved`` count open findings against the previous run kept in the
    history (by finding id): ``new`` is open now and was not open then, ``resolved`` was open
    then and is not open now (fixed, gone, or waived since). The first run has everything
    new and nothing resolved.
    """

    id: int
    started_at: str
    finished_at: str
    home_country: str
    tool_version: str
    exit_code: int
    summary: Mapping[str, Any]
    exposure_pct: float
    open_by_severity: Mapping[str, int]
    waived: int
    errors: int
    new: int
    resolved: int
    previous_run_id: int | None

    @property
    def open_total(self) -> int:
        return sum(self.open_by_severity.values())


@dataclasses.dataclass(frozen=True)
class Changes:
    """The open findings a run added and removed, against ``previous_run_id`` (None: first)."""

    run_id: int
    previous_run_id: int | None
    new: tuple[FindingRow, ...]
    resolved: tuple[FindingRow, ...]


@dataclasses.dataclass(frozen=True)
class Trend:
    """How the exposure figure moved from the first to the last of some runs."""

    first: RunRecord
    last: RunRecord

    @property
    def delta(self) -> float:
        return round(self.last.exposure_pct - self.first.exposure_pct, 1)


def worst_first(rows: Iterable[FindingRow]) -> tuple[FindingRow, ...]:
    """The order every report uses: severity, then rule, then asset."""
    return tuple(sorted(rows, key=lambda r: (-_RANK[r.severity], r.rule_id, r.asset_id)))


def compare(
    previous: Iterable[FindingRow], current: Iterable[FindingRow]
) -> tuple[tuple[FindingRow, ...], tuple[FindingRow, ...]]:
    """``(new, resolved)`` open findings between two runs, matched by finding id.

    Only open findings count: a finding waived in both runs is nobody's news, one that was
    waived and is open again (its waiver expired) needs attention again, so it is new.
    """
    before = {r.id: r for r in previous if r.status == "open"}
    after = {r.id: r for r in current if r.status == "open"}
    new = worst_first(r for i, r in after.items() if i not in before)
    resolved = worst_first(r for i, r in before.items() if i not in after)
    return new, resolved


def count_changes(previous_open: set[str], current_open: set[str]) -> tuple[int, int]:
    """``(new, resolved)`` counts from the open finding ids of two runs (see :func:`compare`)."""
    return len(current_open - previous_open), len(previous_open - current_open)


def exposure_trend(runs: Sequence[RunRecord]) -> Trend | None:
    """First and last of ``runs`` (oldest first); None when there is nothing to compare."""
    return Trend(runs[0], runs[-1]) if runs else None


def exposure_points(runs: Iterable[RunRecord]) -> list[tuple[str, float]]:
    """``(started_at, exposure_pct)`` per run: what ``render_trend_svg`` draws."""
    return [(run.started_at, run.exposure_pct) for run in runs]
