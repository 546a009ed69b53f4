"""The history's plain records, and the shared comparison rule on them, with no database."""

from __future__ import annotations

from sovaudit.changes.comparison import changed_ids, open_changes
from sovaudit.history.trend import FindingRow, RunRecord, exposure_trend, worst_first


def row(key: str, severity: str = "high", status: str = "open") -> FindingRow:
    return FindingRow(f"r/{key}", f"rule-{key}", severity, f"asset-{key}", status)


def run(run_id: int, exposure: float) -> RunRecord:
    return RunRecord(
        id=run_id,
        started_at=f"2026-05-0{run_id}T02:00:00Z",
        finished_at=f"2026-05-0{run_id}T02:05:00Z",
        home_country="MX",
        tool_version="0.1.0",
        exit_code=1,
        summary={"exposure_pct": exposure},
        exposure_pct=exposure,
        open_by_severity={"critical": 1, "high": 2},
        waived=0,
        errors=0,
        new=0,
        resolved=0,
        previous_run_id=None,
    )


def test_compare_counts_open_findings_only() -> None:
    before = [
        row("kept"),
        row("fixed", "low"),
        row("waived-now"),
        row("still-waived", status="waived"),
        row("waiver-expired", status="waived"),
    ]
    after = [
        row("kept"),
        row("waived-now", status="waived"),
        row("still-waived", status="waived"),
        row("waiver-expired", "critical"),
        row("brand-new", "medium"),
    ]
    found = open_changes(before, after)
    assert [r.id for r in worst_first(found.new)] == ["r/waiver-expired", "r/brand-new"]
    assert [r.id for r in worst_first(found.resolved)] == ["r/waived-now", "r/fixed"]
    assert [r.id for r in found.still_open] == ["r/kept"]
    # The counts the store keeps come from the open ids alone, by the same rule.
    ids = changed_ids(
        [r.id for r in before if r.status == "open"], [r.id for r in after if r.status == "open"]
    )
    assert ids.new == tuple(r.id for r in found.new)
    assert ids.resolved == tuple(r.id for r in found.resolved)


def test_a_scan_documents_findings_follow_the_same_rule() -> None:
    before = [row("a"), row("b", status="waived")]
    after = [row("a", status="waived").to_dict(), row("b").to_dict()]
    found = open_changes(before, after)
    assert ([f["id"] for f in found.new], [r.id for r in found.resolved]) == (["r/b"], ["r/a"])


def test_the_first_run_is_all_new() -> None:
    found = open_changes([], [row("a"), row("b", status="waived")])
    assert ([r.id for r in found.new], found.resolved) == (["r/a"], ())


def test_worst_first_orders_by_severity_rule_then_asset() -> None:
    rows = [row("b", "low"), row("a", "low"), row("z", "critical"), row("m", "info")]
    assert [r.id for r in worst_first(rows)] == ["r/z", "r/a", "r/b", "r/m"]


def test_trend() -> None:
    runs = [run(1, 62.5), run(2, 55.0), run(3, 48.1)]
    trend = exposure_trend(runs)
    assert trend is not None
    assert (trend.first.id, trend.last.id, trend.delta) == (1, 3, -14.4)
    assert exposure_trend([]) is None
    assert runs[0].open_total == 3
