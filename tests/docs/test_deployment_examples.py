"""The deployment examples in docs/deploy are linted: they parse, and every sovaudit command
line in them names a real command and real options, and the example config is valid."""

from __future__ import annotations

import configparser
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

from sovaudit.cli.main import cli
from sovaudit.inputs.config import load_config
from tests.conftest import ROOT

DEPLOY = ROOT / "docs" / "deploy"


def sovaudit_argv(command: list[str]) -> list[str]:
    """The arguments after the program, from an argv whose program is sovaudit."""
    assert Path(command[0]).name == "sovaudit", command
    return command[1:]


def check_command_line(argv: list[str]) -> None:
    """Parse like the real CLI, without running anything: unknown commands/options fail."""
    ctx = click.Context(cli, info_name="sovaudit")
    command: click.Command = cli
    while isinstance(command, click.Group):
        name, argv = argv[0], argv[1:]
        found = command.get_command(ctx, name)
        assert found is not None, f"no command {name!r}"
        command = found
        ctx = click.Context(command, info_name=name, parent=ctx)
    command.make_parser(ctx).parse_args(list(argv))


def shell_commands(text: str) -> Iterator[list[str]]:
    """Every `sovaudit ...` invocation in a shell line (split on && and ;)."""
    commands = cli.list_commands(click.Context(cli))
    for part in re.split(r"&&|;|\|", text):
        words = shlex.split(part)
        for index, word in enumerate(words):
            follows = words[index + 1] if index + 1 < len(words) else None
            if Path(word).name == "sovaudit" and follows in commands:
                yield words[index:]
                break


def test_the_example_config_is_valid_and_complete() -> None:
    config = load_config(DEPLOY / "sovaudit.yaml")
    assert config.settings["providers"].value == ["aws", "gcp", "azure", "net"]
    assert config.settings["history"].value.endswith("history.sqlite")
    assert config.commands["scan"]["format"].value == "html"


def test_the_cron_line_is_well_formed_and_runs_a_real_command() -> None:
    lines = [
        line
        for line in (DEPLOY / "cron" / "sovaudit.cron").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#") and "=" not in line.split()[0]
    ]
    assert len(lines) == 1
    fields = lines[0].split(None, 6)
    minute, hour, day, month, weekday, user, command = fields
    assert minute.isdigit()
    assert hour.isdigit()
    assert (day, month, weekday) == ("*", "*", "*")
    assert user == "sovaudit"  # never root: the audit needs no privilege on the host
    commands = list(shell_commands(command))
    assert commands
    for argv in commands:
        check_command_line(sovaudit_argv(argv))


def test_the_systemd_units_parse_and_the_service_is_hardened() -> None:
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.optionxform = str  # type: ignore[assignment,method-assign]
    service.read(DEPLOY / "systemd" / "sovaudit.service", encoding="utf-8")
    unit = service["Service"]
    assert unit["Type"] == "oneshot"
    assert unit["User"] != "root"
    assert unit["NoNewPrivileges"] == "yes"
    assert unit["ProtectSystem"] == "strict"
    assert "1" in unit["SuccessExitStatus"].split()
    check_command_line(sovaudit_argv(shlex.split(unit["ExecStart"])))
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(DEPLOY / "systemd" / "sovaudit.timer", encoding="utf-8")
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_the_kubernetes_cronjob_parses_and_runs_without_privilege() -> None:
    documents = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "cronjob.yaml").read_text()))
    kinds = {d["kind"]: d for d in documents}
    assert set(kinds) == {"ServiceAccount", "ConfigMap", "PersistentVolumeClaim", "CronJob"}
    job = kinds["CronJob"]
    assert job["apiVersion"] == "batch/v1"
    assert job["spec"]["concurrencyPolicy"] == "Forbid"  # overlapping runs would double-send
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = pod["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    check_command_line(sovaudit_argv(container["command"]))
    mounted = {m["mountPath"] for m in container["volumeMounts"]}
    embedded = yaml.safe_load(kinds["ConfigMap"]["data"]["sovaudit.yaml"])
    assert str(Path(embedded["history"]).parent) in mounted


def test_the_embedded_kubernetes_config_is_valid(tmp_path: Path) -> None:
    documents = yaml.safe_load_all((DEPLOY / "kubernetes" / "cronjob.yaml").read_text())
    config_map = next(d for d in documents if d["kind"] == "ConfigMap")
    path = tmp_path / "sovaudit.yaml"
    path.write_text(config_map["data"]["sovaudit.yaml"], encoding="utf-8")
    assert load_config(path).settings["providers"].value == ["aws"]


def test_the_ci_workflow_parses_and_asks_for_no_more_than_it_needs() -> None:
    workflow = yaml.safe_load((DEPLOY / "github-actions" / "sovaudit.yml").read_text("utf-8"))
    assert workflow["permissions"] == {"contents": "read", "id-token": "write"}
    steps = workflow["jobs"]["audit"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    commands = [argv for run in runs for argv in shell_commands(run)]
    assert len(commands) == 2
    for argv in commands:
        check_command_line(sovaudit_argv(argv))


@pytest.mark.parametrize("bad", [["scan", "--bogus"], ["scna"], ["history", "--limt", "3"]])
def test_the_linter_itself_catches_a_wrong_command_line(bad: list[str]) -> None:
    with pytest.raises((click.NoSuchOption, AssertionError)):
        check_command_line(bad)
