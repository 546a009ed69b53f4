"""The config file, SOVAUDIT_* variables and their precedence, and `sovaudit config check`."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from sovaudit.inputs.config import load_config, shared_params
from tests.conftest import SAMPLES

RETAIL = SAMPLES / "retail_monterrey.yaml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def config_file(folder: Path, text: str, name: str = "sovaudit.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def retail_config(folder: Path, extra: str = "") -> Path:
    """A config whose inventory path is relative to the config file's folder."""
    (folder / "estate").mkdir(exist_ok=True)
    (folder / "estate" / "retail.yaml").write_text(RETAIL.read_text("utf-8"), encoding="utf-8")
    return config_file(folder, "sources:\n  inventory: [estate/retail.yaml]\n" + extra)


def test_a_config_file_alone_runs_a_scan_with_paths_relative_to_it(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = retail_config(tmp_path, "fail_on: never\ncommands:\n  scan: {format: json}\n")
    elsewhere = tmp_path / "cron-cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(cli, ["scan", "--config", str(config)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["assets_total"] == 38


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ([], {}, "high"),  # the option's default
        (["--config", "{config}"], {}, "critical"),  # the file beats the default
        (["--config", "{config}"], {"SOVAUDIT_FAIL_ON": "never"}, "never"),  # env beats file
        (
            ["--config", "{config}"],
            {"SOVAUDIT_FAIL_ON": "never", "SOVAUDIT_SCAN_FAIL_ON": "low"},
            "low",
        ),  # the command's own variable beats the shared one
    ],
)
def test_precedence_is_command_line_then_environment_then_file_then_default(
    runner: CliRunner, tmp_path: Path, args: list[str], env: dict[str, str], expected: str
) -> None:
    config = retail_config(tmp_path, "fail_on: critical\n")
    argv = [a.replace("{config}", str(config)) for a in args]
    result = runner.invoke(
        cli,
        ["config", "check", *argv, "--format", "json"] if argv else ["config", "check"],
        env=env,
    )
    if not argv:
        # Without a file there is nothing to check: a clear usage line.
        assert result.exit_code == 2
        assert "give --config FILE" in result.output
        return
    assert result.exit_code == 0, result.output
    settings = {s["option"]: s for s in json.loads(result.stdout)["settings"]}
    assert settings["--fail-on"]["value"] == expected


def test_the_command_line_beats_environment_and_file(runner: CliRunner, tmp_path: Path) -> None:
    config = retail_config(tmp_path, "fail_on: never\ncommands:\n  scan: {format: json}\n")
    env = {"SOVAUDIT_FAIL_ON": "never"}
    quiet = runner.invoke(cli, ["scan", "--config", str(config)], env=env)
    assert quiet.exit_code == 0, quiet.output
    loud = runner.invoke(cli, ["scan", "--config", str(config), "--fail-on", "high"], env=env)
    assert loud.exit_code == 1, loud.output
    table = runner.invoke(cli, ["scan", "--config", str(config), "--format", "markdown"])
    assert table.stdout.startswith("# Data sovereignty report")


def test_sources_are_reported_with_the_line_or_variable_they_came_from(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = retail_config(tmp_path, "lang: es\nfail_on: critical\n")
    result = runner.invoke(
        cli,
        ["config", "check", "--config", str(config), "--format", "json"],
        env={"SOVAUDIT_HOME_COUNTRY": "co"},
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    settings = {s["option"]: s for s in report["settings"]}
    assert settings["--lang"] == {"option": "--lang", "value": "es", "from": "sovaudit.yaml:3"}
    assert settings["--home-country"]["value"] == "CO"
    assert settings["--home-country"]["from"] == "env SOVAUDIT_HOME_COUNTRY"
    assert settings["--waivers"]["from"] == "default"
    assert settings["INVENTORIES"]["value"] == [str(tmp_path / "estate" / "retail.yaml")]
    assert any(
        item.startswith("inventory ") and "(38 assets)" in item for item in report["checked"]
    )


def test_sovaudit_config_names_the_file_when_no_option_does(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = retail_config(tmp_path, "fail_on: never\n")
    result = runner.invoke(cli, ["scan", "--format", "json"], env={"SOVAUDIT_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["assets_total"] == 38


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "sources:\n  aws: {profile: audit, regoins: [us-east-1]}\n",
            ":2: sources.aws.regoins: unknown field",
        ),
        ("fail_on: hgh\n", ":1: fail_on: 'hgh' is not one of"),
        ("home_country: MEX\n", ":1: home_country: 'MEX' does not match"),
        ("sources: [a, b\n", ": YAML syntax"),
        (
            "commands:\n  scan: {formt: json}\n",
            ":2: commands.scan.formt: 'scan' has no option 'formt'",
        ),
        ("commands:\n  scan: {format: pdf}\n", ":2: "),
        ("- just\n- a list\n", "expected a mapping"),
        ("sample_content: {bytes_per_object: lots}\n", ":1: sample_content"),
    ],
)
def test_a_bad_config_is_one_line_naming_file_and_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, text: str, expected: str
) -> None:
    config = config_file(tmp_path, text)
    result = runner.invoke(cli, ["scan", "--config", str(config)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"sovaudit: error: {config}")
    assert expected in lines[0]
    assert "Traceback" not in result.output


def test_config_check_refuses_a_section_for_a_command_that_does_not_exist(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = retail_config(tmp_path, "commands:\n  scna: {format: json}\n")
    result = runner.invoke(cli, ["config", "check", "--config", str(config)])
    assert result.exit_code == 2
    assert "'scna' is not a command" in result.output


def test_config_check_reads_the_files_the_settings_name(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "waivers.yaml").write_text("waivers:\n  - {rule: x}\n", encoding="utf-8")
    config = retail_config(tmp_path, "waivers: waivers.yaml\n")
    result = runner.invoke(cli, ["config", "check", "--config", str(config)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'waivers.yaml'}:2" in result.output


def test_config_check_catches_a_missing_hec_token_before_the_night_run(
    runner: CliRunner, tmp_path: Path
) -> None:
    config = retail_config(tmp_path, "delivery:\n  hec: {url: 'https://127.0.0.1:8088'}\n")
    result = runner.invoke(cli, ["config", "check", "--config", str(config)])
    assert result.exit_code == 2
    assert "SOVAUDIT_HEC_TOKEN" in result.output
    ok = runner.invoke(
        cli,
        ["config", "check", "--config", str(config)],
        env={"SOVAUDIT_HEC_TOKEN": "00000000-secret-token"},
    )
    assert ok.exit_code == 0, ok.output
    assert "00000000-secret-token" not in ok.output


def test_every_option_of_every_command_has_an_environment_variable() -> None:
    ctx = click.Context(cli)
    missing = []

    def visit(command: click.Command, path: list[str]) -> None:
        for param in command.params:
            names = param.envvar if isinstance(param.envvar, list) else [param.envvar]
            scoped = "SOVAUDIT_" + "_".join(path).replace("-", "_").upper() + "_"
            scoped_found = any(name and name.startswith(scoped) for name in names)
            if not scoped_found and param.name != "config_path":
                missing.append(f"{' '.join(path)} {param.name}")
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                visit(sub, [*path, name])

    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None
        visit(command, [name])
    assert missing == []


def test_every_config_key_feeds_an_option_of_scan_or_inventory() -> None:
    """A key no command reads would be silently ignored: the worst kind of config bug."""
    ctx = click.Context(cli)
    params: set[str] = set()
    for name in ("scan", "inventory", "locate", "diff"):
        command = cli.get_command(ctx, name)
        assert command is not None
        params |= {p.name for p in command.params if p.name}
    assert shared_params() <= params


def test_provider_sections_turn_providers_on_even_when_empty(tmp_path: Path) -> None:
    config = load_config(
        config_file(tmp_path, "sources:\n  aws: {}\n  gcp: {projects: p1}\n  net: null\n")
    )
    assert config.settings["providers"].value == ["aws", "gcp", "net"]
    assert config.settings["gcp_projects"].value == ["p1"]


def test_inline_endpoints_from_the_config_are_scanned_as_net_assets(
    runner: CliRunner, tmp_path: Path
) -> None:
    # An address literal needs no DNS: the published cloud ranges place it.
    config = config_file(
        tmp_path,
        "sources:\n  net: {endpoints: ['52.94.76.1']}\nfail_on: never\n"
        "commands:\n  scan: {format: json}\n",
    )
    result = runner.invoke(cli, ["scan", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assets = json.loads(result.stdout)["assets"]
    assert [a["provider"] for a in assets] == ["net"]
    assert assets[0]["location"]["countries"] == ["US"]


def test_config_check_says_when_content_sampling_has_nothing_to_sample(
    runner: CliRunner, tmp_path: Path
) -> None:
    """sample_content with only inventory files would fail every night: say so at check time."""
    config = retail_config(tmp_path, "sample_content: {objects_per_bucket: 5}\n")
    result = runner.invoke(cli, ["config", "check", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "add --provider aws or --provider azure or --provider gcp" in result.output

    config = retail_config(
        tmp_path, "  gcp: {projects: [retail-prod]}\nsample_content: {bytes_per_object: 64KiB}\n"
    )
    result = runner.invoke(cli, ["config", "check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "checked: content sampling: gcp, detectors installed" in result.output
    assert "65536" in result.output  # the size, as the scan will use it
