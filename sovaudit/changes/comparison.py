"""What changed since an earlier run, by one rule that every command shares.

The rule: findings are matched by id (same rule, same asset) and only **open** findings
count. A finding open now that was not open then is new; one open then that is not open now
is resolved, whether it was fixed, its asset is gone or it was waived since. So a waiver added
tonight resolves its finding, a waiver that expires makes its finding new again (it needs
attention again), and a finding waived in both runs, or waived from its first night, is
nobody's news.

``sovaudit diff``, ``scan --baseline``, the scan report's "since the last run" and ``sovaudit
history`` (its per-run counts and ``--changes``) all compare through :func:`changed_ids`, so
they cannot disagree about the night a waiver is added or expires.

The reports show the result in their own words and the JSON result carries it as
``changes``; the findings themselves are untouched, so a result with and without a baseline
differs only by that block.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from sovaudit.model import ScanResult, worst_first_key
from sovaudit.report.json_document import finding_to_dict

OPEN = "open"


class Tracked(Protocol):
    """A finding as an object: the model's ``Finding`` or a row the history kept."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...


# A finding as an object, or as a scan document writes it (a mapping with "id" and "status").
Before = TypeVar("Before", bound=Tracked | Mapping[str, Any])
After = TypeVar("After", bound=Tracked | Mapping[str, Any])


@dataclasses.dataclass(frozen=True)
class IdChanges:
    """The rule on finding ids: what each of two sets of open findings has that the other lacks."""

    new: tuple[str, ...]
    resolved: tuple[str, ...]
    still_open: tuple[str, ...]


def changed_ids(was_open: Iterable[str], now_open: Iterable[str]) -> IdChanges:
    """New, resolved and still-open ids between the open finding ids of two runs.

    The one place the rule is written; ids keep the order they came in (``now_open``'s for
    new and still open, ``was_open``'s for resolved), so callers choose the sort.
    """
    before = dict.fromkeys(was_open)
    after = dict.fromkeys(now_open)
    return IdChanges(
        new=tuple(i for i in after if i not in before),
        resolved=tuple(i for i in before if i not in after),
        still_open=tuple(i for i in after if i in before),
    )


@dataclasses.dataclass(frozen=True)
class OpenChanges(Generic[Before, After]):
    """The findings behind :class:`IdChanges`: resolved ones as they were, the others as now."""

    new: tuple[After, ...]
    resolved: tuple[Before, ...]
    still_open: tuple[After, ...]


def _open_by_id(findings: Iterable[Before]) -> dict[str, Before]:
    """The open findings by id; should an id repeat, its first entry counts (as recorded)."""
    found: dict[str, Before] = {}
    for finding in findings:
        if isinstance(finding, Mapping):
            finding_id, status = str(finding["id"]), finding["status"]
        else:
            finding_id, status = finding.id, finding.status
        if status == OPEN:
            found.setdefault(finding_id, finding)
    return found


def open_changes(before: Iterable[Before], after: Iterable[After]) -> OpenChanges[Before, After]:
    """What changed from one run's findings to another's, by the rule (:func:`changed_ids`).

    Either side may be model findings, history rows or a scan document's finding mappings,
    so a baseline file is compared with this run's findings without converting either.
    """
    was = _open_by_id(before)
    now = _open_by_id(after)
    ids = changed_ids(was, now)
    return OpenChanges(
        new=tuple(now[i] for i in ids.new),
        resolved=tuple(was[i] for i in ids.resolved),
        still_open=tuple(now[i] for i in ids.still_open),
    )


def worst_first(findings: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    """Finding mappings in the order every report lists them: severity, rule, asset."""
    return tuple(
        sorted(
            findings,
            key=lambda f: worst_first_key(f["severity"], f["rule_id"], f["asset_id"]),
        )
    )


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


def changes_since(
    before: Iterable[Before],
    result: ScanResult,
    summary: Mapping[str, Any],
    *,
    against: str,
    since: str,
    old_exposure: float,
    describe: Callable[[Before], Mapping[str, Any]],
) -> RunChanges:
    """The changes from an earlier run's findings to this run's.

    New findings are this run's, in full; ``describe`` says what a resolved one looks like in
    the ``changes`` block (a baseline's finding as it was, a history row with its title).
    """
    found = open_changes(before, result.findings)
    return RunChanges(
        since=since,
        against=against,
        old_exposure=old_exposure,
        new_exposure=float(summary["exposure_pct"]),
        new=worst_first(finding_to_dict(f) for f in found.new),
        resolved=worst_first(describe(f) for f in found.resolved),
    )


def _as_it_was(finding: Mapping[str, Any]) -> Mapping[str, Any]:
    return finding


def against_baseline(
    baseline: Mapping[str, Any], result: ScanResult, summary: Mapping[str, Any]
) -> RunChanges:
    """The changes from ``baseline`` (a scan JSON document) to this run."""
    return changes_since(
        baseline["findings"],
        result,
        summary,
        against="baseline",
        since=str(baseline.get("started_at", "")),
        old_exposure=float(baseline["summary"]["exposure_pct"]),
        describe=_as_it_was,
    )
