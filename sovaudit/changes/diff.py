"""What changed between two scan results: new, resolved and unchanged findings.

The rule is the one every comparison uses (``sovaudit.changes.comparison``): open
findings matched by id, which is stable (same rule, same asset). Re-running gives an empty
diff; fixing an asset or waiving its finding moves it to "resolved"; a waiver that expires
makes it new again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sovaudit.changes.comparison import open_changes, worst_first
from sovaudit.inputs.documents import parse_json, read_text, require_mapping
from sovaudit.inputs.validation import validate
from sovaudit.model import Severity

SCAN_SCHEMA = "scan-result.schema.json"


@dataclasses.dataclass(frozen=True)
class ScanDiff:
    """Open findings only: new (open now, not then), resolved (open then, not now) and
    unchanged (open in both), each worst first."""

    old_exposure: float
    new_exposure: float
    new: tuple[Mapping[str, Any], ...]
    resolved: tuple[Mapping[str, Any], ...]
    unchanged: tuple[Mapping[str, Any], ...]

    @property
    def exposure_delta(self) -> float:
        return round(self.new_exposure - self.old_exposure, 1)

    def new_at_or_above(self, severity: str) -> list[Mapping[str, Any]]:
        floor = Severity(severity).rank
        return [f for f in self.new if Severity(f["severity"]).rank >= floor]


def load_scan(path: Path) -> dict[str, Any]:
    """A scan result written by ``scan --format json``, checked against its schema."""
    file = str(path)
    document, find_line = parse_json(read_text(path), file)
    document = require_mapping(document, file, "a scan result (scan --format json)")
    validate(document, file, find_line, SCAN_SCHEMA)
    return document


def diff_scans(old: Mapping[str, Any], new: Mapping[str, Any]) -> ScanDiff:
    """Two scan documents compared by the shared rule; resolved findings as they were."""
    found = open_changes(old["findings"], new["findings"])
    return ScanDiff(
        old_exposure=float(old["summary"]["exposure_pct"]),
        new_exposure=float(new["summary"]["exposure_pct"]),
        new=worst_first(found.new),
        resolved=worst_first(found.resolved),
        unchanged=worst_first(found.still_open),
    )


def diff_to_dict(diff: ScanDiff) -> dict[str, Any]:
    return {
        "exposure_pct": {
            "old": diff.old_exposure,
            "new": diff.new_exposure,
            "delta": diff.exposure_delta,
        },
        "new": list(diff.new),
        "resolved": list(diff.resolved),
        "unchanged": [f["id"] for f in diff.unchanged],
    }
