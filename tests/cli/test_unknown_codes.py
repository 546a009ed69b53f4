"""A value nobody recognises never stops the audit; --strict makes it an input error.

A region launched after the catalogue was written, a typo in one row of a 5,000-row export,
or a previous scan that carried such a code used to end the whole audit with exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.process import sovaudit, stderr_lines

ROWS = 2000


def _estate(tmp_path: Path) -> Path:
    """A large CSV export with one bad region code repeated in three rows."""
    lines = ["id,provider,region,classification"]
    for n in range(ROWS):
        region = "mx-south-7" if n in (10, 500, 1999) else ("mx-central-1", "us-east-1")[n % 2]
        lines.append(f"bucket-{n},aws,{region},personal")
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_unknown_region_code_leaves_the_asset_unlocated_and_warns_once(
    tmp_path: Path,
) -> None:
    out = tmp_path / "scan.json"
    result = sovaudit("scan", str(_estate(tmp_path)), "--fail-on", "never", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert stderr_lines(result) == [
        "sovaudit: WARNING: aws region 'mx-south-7' is not in the region catalogue (closest "
        "known code: 'me-south-1'): 3 assets located as unknown (e.g. bucket-10); declare "
        "their 'location', or --strict to reject such codes"
    ]
    document = json.loads(out.read_text())
    assert document["summary"]["assets_total"] == ROWS
    odd = next(a for a in document["assets"] if a["id"] == "bucket-500")
    assert odd["location"]["countries"] == []
    assert odd["location"]["source"] == "unknown"
    assert "mx-south-7" in odd["location"]["note"]
    assert "closest known code" in odd["location"]["note"]
    # The rules report it, and exposure counts it as not at home (fail closed).
    unlocated = {
        f["asset_id"] for f in document["findings"] if f["rule_id"].endswith("location-unknown")
    }
    assert unlocated == {"bucket-10", "bucket-500", "bucket-1999"}
    assert document["summary"]["personal_assets_location_unknown"] == 3


def test_strict_makes_it_an_input_error_naming_file_line_and_field(tmp_path: Path) -> None:
    estate = _estate(tmp_path)
    result = sovaudit("scan", str(estate), "--strict", "-o", str(tmp_path / "scan.json"))
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {estate}:12: assets[10].region: aws region 'mx-south-7' is not in "
        "the region catalogue; did you mean 'me-south-1'? (if it is a new region, declare "
        "its 'location')"
    ]
    assert not (tmp_path / "scan.json").exists()


def test_strict_true_in_the_config_file_does_the_same(tmp_path: Path) -> None:
    estate = _estate(tmp_path)
    config = tmp_path / "sovaudit.yaml"
    config.write_text(f"strict: true\nsources:\n  inventory: [{estate.name}]\n", encoding="utf-8")
    result = sovaudit("scan", "--config", str(config), "--format", "json")
    assert result.returncode == 2
    assert "assets[10].region" in result.stderr


def test_a_previous_result_with_such_a_code_is_read_back(tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    sovaudit("scan", str(_estate(tmp_path)), "--fail-on", "never", "-o", str(first))
    again = sovaudit("scan", str(first), "--fail-on", "never", "--format", "json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["summary"]["assets_total"] == ROWS
    assert "3 assets located as unknown" in again.stderr


def test_doubtful_subdivisions_countries_and_providers_warn_or_fail(tmp_path: Path) -> None:
    estate = tmp_path / "estate.yaml"
    estate.write_text(
        "assets:\n"
        "  - {id: a, provider: Amazon, location: {country: MX, subdivision: MX-NL}}\n"
        "  - {id: b, provider: onprem, location: {country: MX, subdivision: MX-NL}}\n"
        "  - {id: c, provider: onprem, location: {country: UK}}\n"
        "  - {id: d, provider: onprem, location: {country: MX, subdivision: MX-NLE}}\n",
        encoding="utf-8",
    )
    result = sovaudit("inventory", str(estate), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["assets"]) == 4
    assert stderr_lines(result) == [
        f"sovaudit: WARNING: {estate}:2: assets[0].provider: provider 'Amazon' is not a "
        "known provider name (aws, azure, colo, gcp, huawei, inventory, net, oci, onprem, "
        "other, saas); did you mean 'aws'? (1 asset; kept as written, --strict rejects it)",
        f"sovaudit: WARNING: {estate}:2: assets[0].location.subdivision: subdivision 'MX-NL' "
        "is not an ISO 3166-2 code; did you mean MX-NLE (Nuevo León)? (2 assets; kept as "
        "written, --strict rejects it)",
        f"sovaudit: WARNING: {estate}:4: assets[2].location.countries: country 'UK' is not an "
        "ISO 3166-1 alpha-2 code (the United Kingdom is GB) (1 asset; kept as written, "
        "--strict rejects it)",
    ]
    strict = sovaudit("inventory", str(estate), "--strict", "--format", "json")
    assert strict.returncode == 2
    assert stderr_lines(strict) == [
        f"sovaudit: error: {estate}:2: assets[0].provider: provider 'Amazon' is not a known "
        "provider name (aws, azure, colo, gcp, huawei, inventory, net, oci, onprem, other, "
        "saas); did you mean 'aws'?"
    ]


def test_a_subdivision_of_another_country_is_doubtful(tmp_path: Path) -> None:
    estate = tmp_path / "estate.csv"
    estate.write_text("id,country,subdivision\nrack,MX,US-TX\n", encoding="utf-8")
    result = sovaudit("inventory", str(estate), "--strict", "--format", "json")
    assert result.returncode == 2
    assert "subdivision 'US-TX' is not in MX" in result.stderr
