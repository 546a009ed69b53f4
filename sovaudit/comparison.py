"""What changed since an earlier run: a baseline file or the previous run in the history.

The reports show it in their own words and the JSON result carries it as ``changes``; the
findings themselves are untouched, so a result with and without a baseline differs only
by that block.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from sovaudit.diff import diff_scans
from sovaudit.model import ScanResult
from sovaudit.render_json import finding_to_dict


@dataclasses.dataclass(frozen=True)
class RunChanges:
    """New and resolved findings, and the exposure figure then and now."""

    since: str
    against: str
    old_exposure: float
    new_exposure: float
    new: tuple[Mapping[str, Any], ...]
    resolved: tuple[Mapping[str, Any], ...]

    @property
    def exposure_delta(self) -> float:
        return round(self.new_exposure - self.old_exposure, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "since": self.since,
            "exposure_pct": {
                "old": self.old_exposure,
                "new": self.new_exposure,
                "delta": self.exposure_delta,
            },
            "new": [finding["id"] for finding in self.new],
            "resolved": list(self.resolved),
        }


@dataclasses.dataclass(frozen=True)
class TrendPoint:
    """One recorded run on the exposure chart."""

    started_at: str
    exposure_pct: float


def compare(
    baseline: Mapping[str, Any], result: ScanResult, summary: Mapping[str, Any], against: str
) -> RunChanges:
    """The changes from ``baseline`` (a scan JSON document) to this run."""
    current = {"summary": summary, "findings": [finding_to_dict(f) for f in result.findings]}
    diff = diff_scans(baseline, current)
    return RunChanges(
        since=str(baseline.get("started_at", "")),
        against=against,
        old_exposure=diff.old_exposure,
        new_exposure=diff.new_exposure,
        new=diff.new,
        resolved=diff.resolved,
    )


def trend_points(runs: Sequence[tuple[str, float]]) -> tuple[TrendPoint, ...]:
    return tuple(TrendPoint(when, float(pct)) for when, pct in runs)
