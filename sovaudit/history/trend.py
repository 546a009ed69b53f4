"""What the history knows about runs: plain records with no SQL in them.

The store, the ``history`` command and the HTML trend chart all read these same records; how
one run compares with the one before it is the rule every comparison shares
(``sovaudit.changes.comparison``), applied to these rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sovaudit.model import Severity, worst_first_key

SEVERITIES = tuple(s.value for s in Severity)  # worst first, as the model declares them


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
    return tuple(sorted(rows, key=lambda r: worst_first_key(r.severity, r.rule_id, r.asset_id)))


def exposure_trend(runs: Sequence[RunRecord]) -> Trend | None:
    """First and last of ``runs`` (oldest first); None when there is nothing to compare."""
    return Trend(runs[0], runs[-1]) if runs else None
