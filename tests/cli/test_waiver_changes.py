"""The night a waiver is added or expires, every command says the same thing changed.

Before, ``diff``, ``scan --baseline`` and the scan's "since the last run" matched findings by
id whatever their status, while ``history`` counted open findings only: a finding waived
tonight (open → waived) and another whose waiver expired (waived → open) were "nothing
changed" in the first three and "one new, one resolved" in the last. Now all of them compare
the open findings by id (``sovaudit.changes.comparison``): waived since is resolved,
waiver expired is new, waived in both runs or from the first night is nobody's news.

Run as cron runs them: real processes, two nights, one history file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.process import sovaudit

ESTATE = """\
assets:
  - {id: crm, provider: saas, location: {country: US}, classification: personal}
  - {id: tickets, provider: saas, location: {country: US}, classification: personal}
  - {id: mail, provider: saas, location: {country: US}, classification: personal}
  - {id: archive, provider: saas, location: {country: US}, classification: personal}
"""
# Night 2: a backup appears abroad, waived from its first night.
ESTATE_2 = ESTATE + (
    "  - {id: backup, provider: saas, location: {country: US}, classification: personal}\n"
)
WAIVER = (
    "  - {{rule: personal-data-*, asset: {asset}, reason: accepted by the board,"
    " owner: dpo@example.mx, expires: {expires}}}\n"
)
VALID, EXPIRED = "2999-12-31", "2020-01-31"
# Night 1: crm open, tickets waived.  Night 2: crm waived, tickets' waiver expired.
# archive is waived both nights, mail open both nights.
WAIVERS_1 = {"tickets": VALID, "archive": VALID}
WAIVERS_2 = {"crm": VALID, "tickets": EXPIRED, "archive": VALID, "backup": VALID}


def _waivers(path: Path, waivers: Mapping[str, str]) -> Path:
    text = "waivers:\n" + "".join(
        WAIVER.format(asset=asset, expires=expires) for asset, expires in waivers.items()
    )
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str) -> Any:
    """The command's JSON output (``--format json``; a scan also writes ``-o`` if given)."""
    result = sovaudit(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout else None


def _ids(findings: Iterable[Any]) -> set[str]:
    """Finding ids, from a list of ids or of findings."""
    return {f if isinstance(f, str) else f["id"] for f in findings}


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both nights scanned into one history, and what each command says about night 2."""
    tmp = tmp_path_factory.mktemp("nights")
    history = str(tmp / "history.sqlite")
    outputs = [tmp / "night-1.json", tmp / "night-2.json"]
    scans = []
    for number, (text, waivers) in enumerate(((ESTATE, WAIVERS_1), (ESTATE_2, WAIVERS_2)), 1):
        estate = tmp / f"estate-{number}.yaml"
        estate.write_text(text, encoding="utf-8")
        waiver_file = _waivers(tmp / f"waivers-{number}.yaml", waivers)
        scans.append(("scan", str(estate), "--waivers", str(waiver_file), "--fail-on", "never"))
    for scan, output in zip(scans, outputs, strict=True):
        _run(*scan, "-o", str(output), "--history", history)
    old, new = (str(output) for output in outputs)
    return {
        "night_1": json.loads(outputs[0].read_text(encoding="utf-8")),
        "night_2": json.loads(outputs[1].read_text(encoding="utf-8")),
        "baseline": _run(*scans[1], "--baseline", old),
        "diff": _run("diff", old, new, "--fail-on", "never"),
        "changes": _run("history", "--history", history, "--changes"),
        "runs": _run("history", "--history", history),
    }


def _of(document: Mapping[str, Any], *assets: str, status: str) -> set[str]:
    return {
        f["id"] for f in document["findings"] if f["asset_id"] in assets and f["status"] == status
    }


def test_the_estate_is_what_the_test_says(nights: dict[str, Any]) -> None:
    night_1, night_2 = nights["night_1"], nights["night_2"]
    assert _of(night_1, "crm", "mail", status="open")
    assert _of(night_1, "tickets", "archive", status="waived")
    assert _of(night_2, "tickets", "mail", status="open")
    assert _of(night_2, "crm", "archive", "backup", status="waived")
    assert [n["problem"] for n in night_2["waiver_notices"]] == ["expired"]


def test_waived_since_is_resolved_and_waiver_expired_is_new_in_every_command(
    nights: dict[str, Any],
) -> None:
    night_2 = nights["night_2"]
    new = _of(night_2, "tickets", status="open")  # its waiver expired
    resolved = _of(night_2, "crm", status="waived")  # waived since
    said = {
        "diff": (nights["diff"]["new"], nights["diff"]["resolved"]),
        "scan --baseline": (
            nights["baseline"]["changes"]["new"],
            nights["baseline"]["changes"]["resolved"],
        ),
        "scan --history": (night_2["changes"]["new"], night_2["changes"]["resolved"]),
        "history --changes": (nights["changes"]["new"], nights["changes"]["resolved"]),
    }
    assert {command: (_ids(n), _ids(r)) for command, (n, r) in said.items()} == dict.fromkeys(
        said, (new, resolved)
    )
    assert nights["runs"][-1]["findings"]["new"] == len(new)
    assert nights["runs"][-1]["findings"]["resolved"] == len(resolved)


def test_open_in_both_is_unchanged_and_waived_in_both_is_not_news(nights: dict[str, Any]) -> None:
    night_2 = nights["night_2"]
    assert set(nights["diff"]["unchanged"]) == _of(night_2, "mail", status="open")
    quiet = {f["id"] for f in night_2["findings"] if f["asset_id"] in ("archive", "backup")}
    for command in (nights["diff"], night_2["changes"], nights["changes"]):
        assert not quiet & (_ids(command["new"]) | _ids(command["resolved"]))


def test_resolved_findings_are_named_as_the_report_lists_them(nights: dict[str, Any]) -> None:
    """A waived-since finding resolved from the history still has its rule, asset and title."""
    for resolved in (nights["night_2"]["changes"]["resolved"], nights["changes"]["resolved"]):
        assert {(f["asset_id"], f["status"]) for f in resolved} == {("crm", "open")}
        assert all(f["title"] and f["severity"] for f in resolved)
