"""``sovaudit config check``: prove a schedule's settings work before 2 a.m. does.

It resolves every option of the scheduled command exactly as a run would (command line,
``SOVAUDIT_*``, the file, defaults), says where each value came from, and reads every file
the settings name (inventories, rules, waivers, baseline, endpoints, history) with the same
loaders a scan uses. It reaches no cloud and sends nothing: it is safe to run anywhere.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from sovaudit.cli.common import command_body, logging_options
from sovaudit.cli.settings import config_option, loaded_config, option_keys
from sovaudit.config import Config
from sovaudit.errors import InputError, UsageError
from sovaudit.render_table import format_table

FORMATS = ("table", "json")
# Options whose values are never worth showing (the config path itself, help).
_HIDDEN = {"config_path"}


@click.group()
def config() -> None:
    """Check a configuration file (sovaudit.yaml) before a schedule relies on it."""


def _source(ctx: click.Context, param: click.Parameter, config: Config, command: str) -> str:
    """Where the value came from: the command line, which variable, which line, or default."""
    origin = ctx.get_parameter_source(param.name or "")
    if origin is ParameterSource.ENVIRONMENT:
        names = param.envvar if isinstance(param.envvar, list) else [param.envvar]
        found = next((name for name in names if name and name in os.environ), None)
        return f"env {found}" if found else "environment"
    if origin is ParameterSource.DEFAULT_MAP:
        keys = option_keys(ctx.command)
        own = [key for key in config.commands.get(command, {}) if keys.get(key) == param.name]
        line = config.line_of(command, own[0] if own else param.name or "")
        return f"{config.path.name}:{line}" if line else config.path.name
    if origin is ParameterSource.COMMANDLINE:
        return "command line"
    return "default"


def _shown(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_shown(item) for item in value]
    return value


def _resolve(command_name: str, config: Config, root: click.Context) -> click.Context:
    """The command's context built as a run would build it, without running it."""
    group = root.find_root().command
    assert isinstance(group, click.Group)
    command = group.get_command(root, command_name)
    if command is None or isinstance(command, click.Group):
        raise UsageError(f"'{command_name}' is not a command that takes settings")
    try:
        return command.make_context(
            command_name, ["--config", str(config.path)], parent=root.find_root()
        )
    except click.exceptions.Exit as stop:  # the config callback already printed the line
        raise SystemExit(stop.exit_code) from None
    except click.ClickException as exc:
        raise InputError(str(config.path), exc.format_message()) from None


def _settings_rows(
    ctx: click.Context, config: Config, command: str
) -> Iterator[tuple[str, Any, str]]:
    for param in ctx.command.params:
        if param.name is None or param.name in _HIDDEN:
            continue
        value = _shown(ctx.params.get(param.name))
        longs = [opt for opt in param.opts if opt.startswith("--")]
        label = longs[0] if longs and isinstance(param, click.Option) else param.name.upper()
        yield label, value, _source(ctx, param, config, command)


def _check_sections(config: Config, root: click.Context) -> None:
    """Every ``commands.<name>`` section names a real command and real options."""
    for name in config.commands:
        _resolve(name, config, root)


def _check_files(params: Mapping[str, Any]) -> list[str]:
    """Read each file the settings name, with the loader a scan uses; what was checked."""
    from sovaudit.cli.scan_inputs import check_scan_files

    return check_scan_files(params)


def _check_sampling(params: Mapping[str, Any]) -> list[str]:
    """``sample_content`` needs its extra and a provider that can sample: fail now, not at 2am."""
    from sovaudit.cli.common import sources_from
    from sovaudit.cli.content_options import attach_content_sampling, content_limits

    limits = content_limits(dict(params))
    if limits is None:
        return []
    options: dict[str, dict[str, Any]] = {name: {} for name in sources_from(params).options}
    attach_content_sampling(options, limits)
    sampled = ", ".join(name for name, values in options.items() if "content_sampling" in values)
    return [f"content sampling: {sampled}, detectors installed"]


@config.command()
@config_option
@click.option(
    "--command",
    "command_name",
    default="scan",
    show_default=True,
    metavar="NAME",
    help="The command whose settings to resolve and check.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: table.")
@logging_options
@command_body
def check(command_name: str, fmt: str | None) -> None:
    """Validate --config FILE (or $SOVAUDIT_CONFIG), show every resolved setting and where it
    came from, and read every file it names. Exit 0 when a scheduled run would start, 2 with
    one line naming the file and line otherwise. Nothing is scanned or sent.

    \b
    Example:
      sovaudit config check --config /etc/sovaudit/sovaudit.yaml
    """
    root = click.get_current_context()
    config = loaded_config(root)
    if config is None:
        raise UsageError("give --config FILE or set SOVAUDIT_CONFIG")
    _check_sections(config, root)
    ctx = _resolve(command_name, config, root)
    rows = list(_settings_rows(ctx, config, command_name))
    checked = []
    if command_name in {"scan", "inventory"}:
        checked = _check_files(ctx.params) + _check_sampling(ctx.params)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "config": str(config.path),
                    "command": command_name,
                    "settings": [
                        {"option": name, "value": value, "from": origin}
                        for name, value, origin in rows
                    ],
                    "checked": checked,
                    "ok": True,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = [(name, json.dumps(value, ensure_ascii=False), origin) for name, value, origin in rows]
    click.echo("".join(format_table(("OPTION", "VALUE", "FROM"), table, max_cell=60)), nl=False)
    for item in checked:
        click.echo(f"checked: {item}")
    click.echo(f"{config.path}: OK, a '{command_name}' run would start with these settings")
