"""The first night of the documented systemd unit: its own command line and settings.

Without credentials it must end with exit 3 and one line on stderr saying what could not be
read (the unit logs JSON); with credentials (moto's server) it must run clean. The report
folder does not exist yet on a first night: the unit's --mkdir creates it.
"""

from __future__ import annotations

import configparser
import json
import shlex
import subprocess
from pathlib import Path

from tests.aws.conftest import make_bucket
from tests.conftest import ROOT, SAMPLES
from tests.process import sovaudit, stderr_lines

UNIT = ROOT / "docs" / "deploy" / "systemd" / "sovaudit.service"
STATE = "/var/lib/sovaudit"


def _unit() -> tuple[list[str], dict[str, str]]:
    """The unit's ExecStart arguments (after the program) and its Environment= settings."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    service = parser["Service"]
    argv = shlex.split(service["ExecStart"])
    assert Path(argv[0]).name == "sovaudit"
    environment = dict(
        item.split("=", 1)
        for item in shlex.split(service.get("Environment", "").replace("\n", " "))
    )
    return argv[1:], environment


def _first_night(
    tmp_path: Path, env: dict[str, str | None]
) -> tuple[subprocess.CompletedProcess[str], Path]:
    state = tmp_path / "state"  # StateDirectory=: exists, but reports/ inside it does not
    state.mkdir()
    config = tmp_path / "sovaudit.yaml"
    config.write_text(
        "home_country: MX\n"
        "lang: es\n"
        "sources:\n"
        f"  inventory: [{SAMPLES / 'retail_monterrey.yaml'}]\n"
        "  aws: {regions: [mx-central-1, us-east-1]}\n"
        f"history: {state / 'history.sqlite'}\n"
        "history_retention: {days: 400}\n"
        "log_format: json\n",
        encoding="utf-8",
    )
    argv, unit_env = _unit()
    argv = [arg.replace(STATE, str(state)) for arg in argv]
    unit_env["SOVAUDIT_CONFIG"] = str(config)
    result = sovaudit(*argv, env={**unit_env, **env})
    return result, state / "reports" / "scan.json"


def test_without_credentials_the_first_night_says_so_in_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    result, report = _first_night(
        tmp_path,
        {
            "AWS_ACCESS_KEY_ID": None,
            "AWS_SECRET_ACCESS_KEY": None,
            "AWS_CONFIG_FILE": str(empty),
            "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        },
    )
    assert result.returncode == 3, result.stderr
    [line] = stderr_lines(result)
    entry = json.loads(line)
    assert entry["provider"] == "aws"
    assert "no AWS credentials" in entry["message"]
    document = json.loads(report.read_text())
    assert document["errors"][0]["provider"] == "aws"
    assert document["summary"]["assets_total"] > 0  # the inventory was still reported


def test_with_credentials_the_first_night_runs_clean(tmp_path: Path) -> None:
    make_bucket("clientes-mx", "mx-central-1", {"data-classification": "personal"})
    make_bucket("clientes-dr", "us-east-1", {"data-classification": "personal"})
    result, report = _first_night(tmp_path, {})
    assert result.returncode in (0, 1), result.stderr
    assert stderr_lines(result) == []
    document = json.loads(report.read_text())
    assert document["errors"] == []
    ids = {asset["id"] for asset in document["assets"]}
    assert {"arn:aws:s3:::clientes-mx", "arn:aws:s3:::clientes-dr"} <= ids
    assert (report.parent.parent / "history.sqlite").exists()
