"""The scheduled audit end to end: three nights of a changing estate, run as cron would run it
(one config file, subprocesses), with the history, rsyslog and an HTTP collector watching."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.delivery.conftest import TOKEN
from tests.delivery.hec_server import HecServer
from tests.delivery.rsyslog import HOST, Rsyslog

# Night 1: the CRM is in the US. Night 2: a marketing bucket appears in Virginia.
# Night 3: the CRM moved to Querétaro; the marketing bucket got a copy at home (still abroad).
NIGHTS = [
    """\
assets:
  - {id: crm, provider: saas, location: {country: US}, classification: personal}
  - {id: clientes, provider: aws, region: mx-central-1, classification: personal}
""",
    """\
assets:
  - {id: crm, provider: saas, location: {country: US}, classification: personal}
  - {id: clientes, provider: aws, region: mx-central-1, classification: personal}
  - {id: marketing, provider: aws, region: us-east-1, classification: personal}
""",
    """\
assets:
  - {id: crm, provider: saas, location: {country: MX, subdivision: MX-QUE},
     classification: personal}
  - {id: clientes, provider: aws, region: mx-central-1, classification: personal}
  - {id: marketing, provider: aws, region: us-east-1, classification: personal,
     copies: [{kind: replica, region: mx-central-1}]}
""",
]


def sovaudit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SOVAUDIT_")},
        "SOVAUDIT_HEC_TOKEN": TOKEN,
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [sys.executable, "-m", "sovaudit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def ours(rsyslog: Rsyslog) -> list[dict]:
    return [line for line in rsyslog.lines("tcp") if line["app"] == "sovaudit"]


@pytest.mark.e2e
def test_three_nights_of_a_changing_estate(
    rsyslog: Rsyslog, hec: HecServer, tmp_path: Path
) -> None:
    estate = tmp_path / "estate.yaml"
    config = tmp_path / "sovaudit.yaml"
    config.write_text(
        "sources: {inventory: [estate.yaml]}\n"
        "fail_on: never\n"
        "history: history.sqlite\n"
        "delivery:\n"
        f"  syslog: {{url: ['tcp://{HOST}:{rsyslog.ports['tcp']}']}}\n"
        f"  hec: {{url: '{hec.url}', index: sovereignty}}\n"
        "log_format: json\n"
        "commands: {scan: {format: json, output: scan.json}}\n",
        encoding="utf-8",
    )
    cron_cwd = tmp_path / "cwd"
    cron_cwd.mkdir()
    findings_per_night = []
    for night in NIGHTS:
        estate.write_text(night, encoding="utf-8")
        before_syslog, before_hec = len(ours(rsyslog)), len(hec.events())
        run = sovaudit("scan", "--config", str(config), cwd=cron_cwd)
        assert run.returncode == 0, run.stderr
        assert run.stdout == ""  # the result went to the configured output file
        result = json.loads((tmp_path / "scan.json").read_text("utf-8"))
        findings = result["findings"]
        findings_per_night.append(findings)
        # Every finding, then the summary, arrived in rsyslog's file and at the collector.
        arrived = rsyslog.received("tcp", "sovaudit", before_syslog + len(findings) + 1)
        tonight = arrived[before_syslog:]
        assert [json.loads(m["msg"])["id"] for m in tonight[:-1]] == [f["id"] for f in findings]
        assert tonight[-1]["msgid"] == "summary"
        events = hec.events()[before_hec:]
        assert [e["event"]["id"] for e in events[:-1]] == [f["id"] for f in findings]
        assert events[-1]["event"]["summary"] == result["summary"]
        assert TOKEN not in run.stderr

    # The trend, run by run.
    listed = sovaudit("history", "--config", str(config), "--format", "json", cwd=cron_cwd)
    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    assert [r["summary"]["exposure_pct"] for r in runs] == [50.0, 66.7, 33.3]
    open_counts = [len([f for f in night if f["status"] == "open"]) for night in findings_per_night]
    assert runs[0]["findings"]["new"] == open_counts[0]
    assert runs[1]["findings"]["new"] > 0
    assert runs[1]["findings"]["resolved"] == 0
    assert runs[2]["findings"]["resolved"] > 0

    # What the third night fixed, by asset.
    changes = sovaudit(
        "history", "--config", str(config), "--changes", "--format", "json", cwd=cron_cwd
    )
    assert changes.returncode == 0, changes.stderr
    resolved_assets = {f["asset_id"] for f in json.loads(changes.stdout)["resolved"]}
    assert resolved_assets == {"crm", "marketing"}
    table = sovaudit("history", "--config", str(config), "--format", "table", cwd=cron_cwd)
    assert "50.0" in table.stdout
    assert "66.7" in table.stdout

    # The scan's own JSON says the same, against the previous recorded run.
    last = json.loads((tmp_path / "scan.json").read_text("utf-8"))
    assert last["changes"]["against"] == "history"
    assert last["changes"]["exposure_pct"] == {"old": 66.7, "new": 33.3, "delta": -33.4}

    # A bad config: one clear line, exit 2, nothing scanned or sent.
    config.write_text(config.read_text("utf-8").replace("fail_on: never", "fail_on: nevr"))
    before_syslog, before_hec = len(ours(rsyslog)), len(hec.events())
    bad = sovaudit("scan", "--config", str(config), cwd=cron_cwd)
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [
        f"sovaudit: error: {config}:2: fail_on: 'nevr' is not one of: "
        "critical, high, medium, low, info, never"
    ]
    assert len(ours(rsyslog)) == before_syslog
    assert len(hec.events()) == before_hec
