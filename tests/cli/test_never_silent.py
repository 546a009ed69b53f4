"""What could not be read is said on stderr, in the run's log format, and leads every report.

A scan with no AWS credentials used to exit 3 in 0.4 s with nothing on stderr (on a
terminal, with -v, with --log-format json), and its HTML said "This scan 0%" beside the
roundtable's ~90%, as if the estate were clean.
"""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from sovaudit.logs import setup_logging
from tests.conftest import ROOT, SAMPLES
from tests.process import clean_env, sovaudit, stderr_lines

SAMPLE = str(SAMPLES / "retail_monterrey.yaml")
NO_CREDENTIALS_LINE = (
    "sovaudit: ERROR: could not read aws: cannot identify the caller: no AWS credentials "
    "(environment, --aws-profile or instance role)"
)


def no_aws_credentials(tmp_path: Path) -> dict[str, str | None]:
    """An environment with no AWS credential anywhere, and no address beyond loopback."""
    empty = tmp_path / "no-aws-config"
    empty.write_text("")
    return {
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # nothing listens: never the internet
    }


@pytest.mark.parametrize("extra", [(), ("-q",), ("-v",)])
def test_no_credentials_is_one_line_on_stderr_whatever_the_verbosity(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    result = sovaudit(
        "scan", "--provider", "aws", "--aws-region", "mx-central-1", "--format", "json",
        "-o", str(tmp_path / "scan.json"), *extra, env=no_aws_credentials(tmp_path),
    )  # fmt: skip
    assert result.returncode == 3
    errors = [line for line in stderr_lines(result) if ": ERROR: " in line]
    assert errors == [NO_CREDENTIALS_LINE]
    if extra != ("-v",):
        assert stderr_lines(result) == [NO_CREDENTIALS_LINE]


def test_no_credentials_under_json_logs_is_one_json_line(tmp_path: Path) -> None:
    result = sovaudit(
        "scan", "--provider", "aws", "--aws-region", "mx-central-1", "--log-format", "json",
        "-q", "-o", str(tmp_path / "scan.json"), env=no_aws_credentials(tmp_path),
    )  # fmt: skip
    assert result.returncode == 3
    [line] = stderr_lines(result)
    entry = json.loads(line)
    assert entry["level"] == "error"
    assert entry["event"] == "not_read"
    assert entry["provider"] == "aws"
    assert "no AWS credentials" in entry["message"]


@pytest.mark.parametrize(
    ("fmt", "lead"),
    [
        ("table", "Nothing could be read from aws: cannot identify the caller"),
        ("markdown", "> **Nothing could be read from aws: cannot identify the caller"),
    ],
)
def test_reports_lead_with_what_could_not_be_read(tmp_path: Path, fmt: str, lead: str) -> None:
    result = sovaudit(
        "scan", "--provider", "aws", "--aws-region", "mx-central-1", "--format", fmt,
        env=no_aws_credentials(tmp_path),
    )  # fmt: skip
    first = [line for line in result.stdout.splitlines() if line.strip() and "#" not in line]
    first = [line for line in first if not line.startswith("*Generated")]
    assert first[0].startswith(lead)
    assert "Exposure not measured" in result.stdout
    assert "0%" not in result.stdout


def test_the_html_says_not_measured_instead_of_zero(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    sovaudit(
        "scan", "--provider", "aws", "--aws-region", "mx-central-1", "-o", str(html),
        "--lang", "es", env=no_aws_credentials(tmp_path),
    )  # fmt: skip
    page = html.read_text()
    assert 'class="banner unread" role="alert">No se pudo leer nada de aws' in page
    assert "Exposición no medida" in page
    assert ">no medida</text>" in page  # the bar beside the roundtable's ~90%
    assert ">0\u00a0%</text>" not in page


WAIVERS = """\
waivers:
  - rule: personal-data-outside-home
    asset: "*"
    reason: accepted until the Mexican tenant is live
    owner: dpo@example.mx
    expires: 2020-01-31
  - rule: personal-data-outside-home
    asset: no-such-asset
    reason: an old exception
    owner: ti@example.mx
    expires: 2999-12-31
"""


@pytest.mark.parametrize("extra", [(), ("-q",)])
def test_expired_and_unused_waivers_are_said_on_stderr(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVERS)
    result = sovaudit(
        "scan", SAMPLE, "--waivers", str(waivers), "--fail-on", "never", "--format", "json",
        *extra,
    )  # fmt: skip
    assert result.returncode == 0
    assert stderr_lines(result) == [
        f"sovaudit: WARNING: {waivers}:2: the waiver of personal-data-outside-home for * "
        "expired on 2020-01-31 (owner dpo@example.mx): its findings are open",
        f"sovaudit: WARNING: {waivers}:7: the waiver of personal-data-outside-home for "
        "no-such-asset matched no finding (owner ti@example.mx): remove it, or correct its "
        "rule or asset",
    ]


def test_input_errors_follow_the_log_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("assets:\n  - id: a\n    classification: maybe\n")
    result = sovaudit("scan", str(bad), "--log-format", "json")
    assert result.returncode == 2
    [line] = stderr_lines(result)
    entry = json.loads(line)
    assert entry["level"] == "error"
    assert entry["path"] == str(bad)
    assert entry["line"] == 3
    assert entry["field"] == "assets[0].classification"


def test_usage_errors_follow_the_log_format() -> None:
    result = sovaudit("scan", SAMPLE, "--log-format", "json", "--no-such-option")
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert json.loads(line)["usage"] is True


def test_terminal_escapes_in_messages_are_shown_not_obeyed(tmp_path: Path) -> None:
    # A file name is as attacker-controlled as a tag: OSC 52 writes the clipboard.
    evil = tmp_path / "inv\x1b]52;c;ZXZpbA==\x07\x1b[2J.yaml"
    evil.write_text("assets:\n  - id: a\n    classification: maybe\n")
    result = sovaudit("scan", str(evil))
    assert result.returncode == 2
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr
    assert "\\x1b]52;c;ZXZpbA==\\x07" in result.stderr


def test_sdk_loggers_are_silent_unless_vv() -> None:
    """In-process: the SDKs' loggers are library internals with no stand-in to provoke them
    all; what is under test is where their records go."""
    for verbose, shown in ((0, False), (1, False), (2, True)):
        stream = io.StringIO()
        setup_logging(verbose, False, "text", stream=stream)
        logging.getLogger("azure.identity._credentials.chained").warning("SDK chatter")
        logging.getLogger("botocore.credentials").info("Found credentials somewhere")
        assert ("SDK chatter" in stream.getvalue()) is shown, verbose
    setup_logging(0, False, "text")


def _run_on_a_terminal(env_changes: dict[str, str | None]) -> bytes:
    """``sovaudit scan --format table`` with stdout on a pseudo-terminal; what it printed."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sovaudit", "scan", SAMPLE, "--fail-on", "never"],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=clean_env({"TERM": "xterm", **env_changes}),
    )
    os.close(terminal)
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(controller)
    return output


def test_no_color_turns_colour_off_on_a_terminal() -> None:
    coloured = _run_on_a_terminal({})
    assert b"13 of 27 personal-data assets" in coloured
    assert b"\x1b[" in coloured
    plain = _run_on_a_terminal({"NO_COLOR": "1"})
    assert b"13 of 27 personal-data assets" in plain
    assert b"\x1b[" not in plain


def test_markdown_and_the_terminal_table_carry_no_control_characters(tmp_path: Path) -> None:
    estate = tmp_path / "estate.yaml"
    estate.write_text(
        "assets:\n"
        '  - id: "crm\\e]52;c;ZXZpbA==\\a\\ec\\u009b31m"\n'
        "    provider: saas\n"
        "    classification: personal\n"
        "    location: {country: US}\n"
    )
    for fmt in ("markdown", "table"):
        result = sovaudit("scan", str(estate), "--format", fmt, "--fail-on", "never")
        assert result.returncode == 0, result.stderr
        assert "crm" in result.stdout
        for control in ("\x1b", "\x07", "\x9b"):
            assert control not in result.stdout, (fmt, control)
