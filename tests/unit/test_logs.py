"""Logs and progress on stderr: the terminal line, quiet cron output, JSON for collectors."""

from __future__ import annotations

import io
import json
import logging

import pytest
from click.testing import CliRunner

from sovaudit import progress
from sovaudit.cli.main import cli
from sovaudit.logs import setup_logging
from tests.conftest import SAMPLES


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def run_events() -> None:
    progress.source_started("aws")
    progress.scopes_planned("aws", 2)
    progress.scope_finished("aws", "111/us-east-1/s3", 5)
    logging.getLogger("sovaudit.providers.aws").warning("aws: 111/mx-central-1/rds: denied")
    progress.scope_finished("aws", "111/mx-central-1/rds", 0, failed=True)
    progress.source_finished("aws", 5, 1)
    progress.collection_done(5)


def test_a_terminal_gets_one_progress_line_that_log_lines_clear_first() -> None:
    stream = Terminal()
    setup_logging(0, False, "text", progress="auto", stream=stream)
    run_events()
    text = stream.getvalue()
    assert "\r\x1b[Ksovaudit: aws: 1/2 scopes, 5 assets" in text
    # The warning starts on a cleared line, never glued to the progress text.
    assert "\r\x1b[Ksovaudit: WARNING: aws: 111/mx-central-1/rds: denied\n" in text
    assert "2/2 scopes, 5 assets" in text
    assert text.endswith("\r\x1b[K")  # the line is gone when collection is done


def test_cron_gets_no_progress_but_still_gets_warnings() -> None:
    stream = Pipe()
    setup_logging(0, False, "text", progress="auto", stream=stream)
    run_events()
    assert stream.getvalue() == "sovaudit: WARNING: aws: 111/mx-central-1/rds: denied\n"


def test_verbose_lists_progress_events_as_plain_lines_without_a_terminal() -> None:
    stream = Pipe()
    setup_logging(1, False, "text", progress="auto", stream=stream)
    run_events()
    lines = stream.getvalue().splitlines()
    assert "sovaudit: INFO: aws: 111/us-east-1/s3: 5 asset(s)" in lines
    assert "sovaudit: INFO: aws: 111/mx-central-1/rds: could not be read" in lines
    assert "\x1b" not in stream.getvalue()


def test_json_logs_are_one_object_per_line_with_the_event_fields() -> None:
    stream = Pipe()
    setup_logging(1, False, "json", progress="auto", stream=stream)
    run_events()
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {e["level"] for e in entries} == {"info", "warning"}
    scope = next(e for e in entries if e.get("progress", {}).get("event") == "scope")
    assert scope["progress"] == {
        "event": "scope",
        "source": "aws",
        "scope": "111/us-east-1/s3",
        "assets": 5,
        "failed": False,
    }
    assert scope["logger"] == "sovaudit.progress"
    assert scope["time"].endswith("+00:00")


@pytest.mark.parametrize("mode", ["never", "auto"])
def test_quiet_and_never_show_no_progress_even_on_a_terminal(mode: str) -> None:
    stream = Terminal()
    setup_logging(0, mode == "auto", "text", progress=mode, stream=stream)
    run_events()
    assert "scopes" not in stream.getvalue()


def test_scan_with_json_logs_keeps_stdout_pure_and_stderr_json() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            str(SAMPLES / "retail_monterrey.yaml"),
            "--format",
            "json",
            "--log-format",
            "json",
            "-v",
            "--fail-on",
            "never",
        ],
    )
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    events = [json.loads(line) for line in result.stderr.splitlines()]
    finished = [e for e in events if e.get("progress", {}).get("event") == "finished"]
    assert finished
    assert finished[0]["progress"]["source"] == "retail_monterrey.yaml"
    assert finished[0]["progress"]["assets"] == 38
