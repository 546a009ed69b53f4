"""The summary figures, computed by hand on a small estate."""

from __future__ import annotations

from sovaudit.inputs.inventory.build import build_asset
from sovaudit.locate.regions import Locator
from sovaudit.model import Finding, ScanResult, Severity
from sovaudit.summary import summarise

ESTATE = [
    {"id": "mx", "provider": "aws", "region": "mx-central-1", "classification": "personal"},
    {"id": "us", "provider": "aws", "region": "us-east-1", "classification": "sensitive"},
    {"id": "dr", "provider": "aws", "region": "us-east-1", "classification": "personal"},
    {
        "id": "src",
        "provider": "aws",
        "region": "mx-central-1",
        "classification": "none",
        "copies": [{"kind": "replica", "region": "us-east-1", "target": "dr"}],
    },
    {
        "id": "dual",
        "provider": "gcp",
        "region": "US",
        "classification": "personal",
        "data_locations": ["northamerica-south1", "us-south1"],
    },
    {"id": "lost", "provider": "saas", "classification": "personal"},
    {"id": "web", "provider": "gcp", "region": "EU", "classification": "none"},
]


def test_summary_figures(locator: Locator) -> None:
    assets = tuple(locator.locate_asset(build_asset(a)) for a in ESTATE)
    findings = (
        Finding("1", "r", Severity.CRITICAL, "us", "t", "m"),
        Finding("2", "r", Severity.HIGH, "lost", "t", "m", status="waived"),
    )
    summary = summarise(ScanResult("t0", "t1", "MX", assets, findings))
    assert summary["assets_total"] == 7
    assert summary["personal_assets"] == 5  # mx, us, dr, dual, lost
    # us, dr, dual (partly in the US) and lost (unknown: fails closed)
    assert summary["personal_assets_outside_home"] == 4
    assert summary["exposure_pct"] == 80.0
    # us and lost have no copy in MX; dr is a copy of src (MX); dual keeps one in Querétaro
    assert summary["personal_assets_without_home_copy"] == 2
    assert summary["findings_by_severity"] == {
        "critical": 1,
        "high": 0,
        "medium": 0,
        "low": 0,
        "info": 0,
    }
    assert summary["findings_waived"] == 1
    assert summary["assets_by_country"]["MX"] == 3  # mx, src, dual
    assert summary["assets_by_country"]["US"] == 3  # us, dr, dual
    assert summary["assets_location_unknown"] == 1
    assert summary["personal_assets_location_unknown"] == 1


def test_no_personal_data_means_zero_exposure() -> None:
    assert summarise(ScanResult("t0", "t1", "MX", ()))["exposure_pct"] == 0.0
