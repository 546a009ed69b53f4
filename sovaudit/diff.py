"""What changed between two scan results: new, resolved and unchanged findings.

Findings are matched by id, which is stable (same rule, same asset), so renaming nothing and
re-running gives an empty diff, and fixing an asset moves its findings to "resolved".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sovaudit.documents import parse_json, read_text, require_mapping
from sovaudit.validation import validate

SCAN_SCHEMA = "scan-result.schema.json"
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclasses.dataclass(frozen=True)
class ScanDiff:
    old_exposure: float
    new_exposure: float
    new: tuple[Mapping[str, Any], ...]
    resolved: tuple[Mapping[str, Any], ...]
    unchanged: tuple[Mapping[str, Any], ...]

    @property
    def exposure_delta(self) -> float:
        return round(self.new_exposure - self.old_exposure, 1)

    def new_at_or_above(self, severity: str) -> list[Mapping[str, Any]]:
        floor = SEVERITY_RANK[severity]
        return [
            f for f in self.new if f["status"] == "open" and SEVERITY_RANK[f["severity"]] >= floor
        ]


def load_scan(path: Path) -> dict[str, Any]:
    """A scan result written by ``scan --format json``, checked against its schema."""
    file = str(path)
    document, find_line = parse_json(read_text(path), file)
    document = require_mapping(document, file, "a scan result (scan --format json)")
    validate(document, file, find_line, SCAN_SCHEMA)
    return document


def _worst_first(findings: list[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(
        sorted(findings, key=lambda f: (-SEVERITY_RANK[f["severity"]], f["rule_id"], f["asset_id"]))
    )


def diff_scans(old: Mapping[str, Any], new: Mapping[str, Any]) -> ScanDiff:
    old_findings = {f["id"]: f for f in old["findings"]}
    new_findings = {f["id"]: f for f in new["findings"]}
    return ScanDiff(
        old_exposure=float(old["summary"]["exposure_pct"]),
        new_exposure=float(new["summary"]["exposure_pct"]),
        new=_worst_first([f for i, f in new_findings.items() if i not in old_findings]),
        resolved=_worst_first([f for i, f in old_findings.items() if i not in new_findings]),
        unchanged=_worst_first([f for i, f in new_findings.items() if i in old_findings]),
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
