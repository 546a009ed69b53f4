"""``sovaudit config check``: prove a schedule's settings work before 2 a.m. does.

It resolves every option of the scheduled command exactly as a run would (command line,
``SOVAUDIT_*``, the file, defaults), says where each value came from, and reads every file
the settings name (inventories, rules, waivers, baseline, endpoints, history) with the same
loaders a scan uses. It reaches no cloud and sends nothing, so it is safe to run anywhere;
and so, by itself, it cannot know whether the credentials a scan will use exist. ``--probe``
adds that (config_probe.py): one cheap read per live source, exit 3 when one fails, as the
scan would. Waivers already expired are listed either way: the scan will stop applying them.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from sovaudit.cli.common import command_body, logging_options
from sovaudit.cli.settings import config_option, loaded_config, option_keys
from sovaudit.engine.waivers import apply_waivers, load_waivers
from sovaudit.errors import ExitCode, InputError, UsageError
from sovaudit.inputs.config import Config
from sovaudit.model import WaiverNotice
from sovaudit.report.json_document import waiver_notice_to_dict
from sovaudit.report.text_table import format_table
from sovaudit.timestamps import utc_now

if TYPE_CHECKING:
    from sovaudit.cli.config_probe import ProbeResult

FORMATS = ("table", "json")
# Options whose values are never worth showing (the config path itself, help).
_HIDDEN = {"config_path"}
# Commands that read sources, and so have something to probe.
_SOURCE_COMMANDS = {"scan", "inventory"}
NOT_PROBED = "sources were not probed (run with --probe to try the credentials)"


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
    from sovaudit.cli.content_options import attach_content_sampling, content_limits
    from sovaudit.cli.sources import sources_from

    limits = content_limits(dict(params))
    if limits is None:
        return []
    options: dict[str, dict[str, Any]] = {name: {} for name in sources_from(params).options}
    attach_content_sampling(options, limits)
    sampled = ", ".join(name for name, values in options.items() if "content_sampling" in values)
    return [f"content sampling: {sampled}, detectors installed"]


def _expired_waivers(params: Mapping[str, Any], today: datetime.date) -> list[WaiverNotice]:
    """The waivers a scan started today would report as expired (the scan's own rule)."""
    path = params.get("waivers_path")
    if not path:
        return []
    _, notices = apply_waivers([], load_waivers(Path(path)), today)
    return [notice for notice in notices if notice.problem == "expired"]


def _waiver_line(notice: WaiverNotice) -> str:
    return (
        f"waiver expired on {notice.expires}: rule {notice.rule}, asset {notice.asset}, "
        f"owner {notice.owner} ({notice.origin})"
    )


def _verdict(command: str, probes: list[ProbeResult] | None) -> str:
    """The last line: whether the run would start, and whether its sources answered."""
    failed = sum(1 for result in probes or () if not result.ok)
    if failed:
        return (
            f"a '{command}' run would start but be incomplete (exit {ExitCode.INCOMPLETE}): "
            f"{failed} source(s) could not be read"
        )
    start = f"OK, a '{command}' run would start with these settings"
    if probes is None:
        return f"{start}; {NOT_PROBED}" if command in _SOURCE_COMMANDS else start
    return f"{start}, and every source answered its probe" if probes else start


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
@click.option(
    "--probe",
    is_flag=True,
    help="Also try each live source (aws, gcp, azure, net) with one cheap read-only call, "
    "and say what it could not read.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: table.")
@logging_options
@command_body
def check(command_name: str, probe: bool, fmt: str | None) -> None:
    """Validate --config FILE (or $SOVAUDIT_CONFIG), show every resolved setting and where it
    came from, read every file it names, and list waivers that have expired. Exit 0 when a
    scheduled run would start, 2 with one line naming the file and line otherwise. Nothing is
    scanned or sent; with --probe each source is also tried with one read (exit 3 when one
    cannot be read, as the scan would be incomplete).

    \b
    Examples:
      sovaudit config check --config /etc/sovaudit/sovaudit.yaml
      sovaudit config check --config /etc/sovaudit/sovaudit.yaml --probe
    """
    root = click.get_current_context()
    config = loaded_config(root)
    if config is None:
        raise UsageError("give --config FILE or set SOVAUDIT_CONFIG")
    _check_sections(config, root)
    ctx = _resolve(command_name, config, root)
    rows = list(_settings_rows(ctx, config, command_name))
    checked = []
    if command_name in _SOURCE_COMMANDS:
        checked = _check_files(ctx.params) + _check_sampling(ctx.params)
    expired = _expired_waivers(ctx.params, utc_now().date())
    probes: list[ProbeResult] | None = None
    if probe:  # imported here: the catalogue and the providers only for a run that probes
        from sovaudit.cli.config_probe import probe_sources

        probes = probe_sources(ctx.params) if command_name in _SOURCE_COMMANDS else []
    failed = any(not result.ok for result in probes or ())
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
                    "probes": None if probes is None else [r.to_dict() for r in probes],
                    "waivers_expired": [waiver_notice_to_dict(n) for n in expired],
                    "ok": not failed,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        if failed:
            sys.exit(ExitCode.INCOMPLETE)
        return
    table = [(name, json.dumps(value, ensure_ascii=False), origin) for name, value, origin in rows]
    click.echo("".join(format_table(("OPTION", "VALUE", "FROM"), table, max_cell=60)), nl=False)
    for item in checked:
        click.echo(f"checked: {item}")
    for notice in expired:
        click.echo(_waiver_line(notice))
    for result in probes or ():
        click.echo(result.line())
    if probes == [] and command_name in _SOURCE_COMMANDS:
        click.echo("probe: no live source configured (inventory files are read above)")
    click.echo(f"{config.path}: {_verdict(command_name, probes)}")
    if failed:
        sys.exit(ExitCode.INCOMPLETE)
