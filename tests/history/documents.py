"""Scan documents for the history tests: hand-made ones whose findings a test controls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")


def finding(
    key: str, severity: str = "high", status: str = "open", asset: str | None = None
) -> dict[str, Any]:
    """A finding as the scan document writes it; ``key`` names the rule and the asset."""
    rule = f"rule-{key}"
    return {
        "id": f"{rule}/{key}",
        "rule_id": rule,
        "severity": severity,
        "asset_id": asset or f"arn:aws:s3:::{key}",
        "title": f"Title of {key}",
        "message": f"Message about {key}",
        "references": [],
        "remediation": "Move it home.",
        "status": status,
    }


def document(
    findings: Iterable[dict[str, Any]] = (),
    *,
    day: int = 1,
    exposure: float = 50.0,
    errors: Sequence[dict[str, str]] = (),
    month: int = 5,
) -> dict[str, Any]:
    """A scan document (CONTRACT.md) started on 2026-``month``-``day`` at 02:00 UTC."""
    items = list(findings)
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for item in items:
        if item["status"] == "open":
            by_severity[item["severity"]] += 1
    return {
        "schema_version": "1",
        "tool": {"name": "sovaudit", "version": "9.9.9"},
        "started_at": f"2026-{month:02d}-{day:02d}T02:00:00Z",
        "finished_at": f"2026-{month:02d}-{day:02d}T02:03:10Z",
        "home_country": "MX",
        "summary": {
            "assets_total": 40,
            "personal_assets": 20,
            "personal_assets_outside_home": round(exposure / 5),
            "personal_assets_without_home_copy": 3,
            "exposure_pct": exposure,
            "findings_by_severity": by_severity,
            "assets_by_country": {"MX": 24, "US": 16},
        },
        "assets": [],
        "findings": items,
        "errors": list(errors),
        "waiver_notices": [],
    }
