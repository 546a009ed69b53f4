"""Where option values come from besides the command line: ``--config FILE`` and ``SOVAUDIT_*``.

Both feed click's own mechanisms (``default_map`` and ``envvar``), so click keeps the
precedence the docs promise — command line > environment > config file > default — and
``ctx.get_parameter_source`` can tell ``config check`` which one won.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from sovaudit.errors import InputError, SovauditError
from sovaudit.inputs.config import CONFIG_ENV, Config, env_names, load_config, shared_params

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_META = "sovaudit.inputs.config"


def _fail(ctx: click.Context, error: SovauditError) -> None:
    """One line and exit 2: a config mistake must not look like a usage screen or a crash."""
    click.echo(f"sovaudit: error: {error}", err=True)
    ctx.exit(error.exit_code)


def _command_name(ctx: click.Context) -> str:
    return ctx.info_name or (ctx.command.name or "")


def option_keys(command: click.Command) -> dict[str, str]:
    """Config keys of a command's options (``format``, ``fail_on``...) -> parameter names."""
    keys: dict[str, str] = {}
    for param in command.params:
        if param.name is None or param.name == "config_path":
            continue
        names = [opt.lstrip("-") for opt in param.opts if opt.startswith("--")]
        if isinstance(param, click.Argument):
            names = ["inventory"] if param.name == "inventories" else [param.name]
        for name in [*names, param.name]:
            keys[name.replace("-", "_")] = param.name
    return keys


def _anchored(config: Config, value: Any) -> Any:
    """``value`` (a path or a list of paths) made relative to the config file's folder."""
    if isinstance(value, list):
        return [_anchored(config, item) for item in value]
    path = Path(str(value)).expanduser()
    return str(path if path.is_absolute() else config.path.parent / path)


def _check_command_sections(ctx: click.Context, config: Config) -> None:
    """A ``commands.scna`` section is a typo that every run would silently ignore."""
    root = ctx.find_root().command
    if not isinstance(root, click.Group):
        return
    known = root.list_commands(ctx)
    for name, section in config.commands.items():
        if name not in known:
            lines = [setting.line for setting in section.values() if setting.line]
            raise InputError(
                str(config.path),
                f"'{name}' is not a command (commands: {', '.join(known)})",
                line=min(lines) if lines else None,  # its first option: inside the section
                field=f"commands.{name}",
            )


def _checked_defaults(ctx: click.Context, config: Config) -> dict[str, Any]:
    """The command's values from the file, each converted as click would, with its line."""
    command = _command_name(ctx)
    _check_command_sections(ctx, config)
    params = {param.name: param for param in ctx.command.params if param.name}
    keys = option_keys(ctx.command)
    defaults = config.default_map(command, list(params), keys)
    for key in sorted(set(config.commands.get(command, {})) - set(keys)):
        options = ", ".join(sorted({k for k, name in keys.items() if k != name or "_" not in k}))
        raise InputError(
            str(config.path),
            f"'{command}' has no option '{key}' (it has: {options})",
            line=config.line_of(command, key),
            field=f"commands.{command}.{key}",
        )
    # Paths in a command's own section are relative to the file, like every other path in it.
    for key in config.commands.get(command, {}):
        name = keys[key]
        if isinstance(params[name].type, click.Path) and defaults.get(name) is not None:
            defaults[name] = _anchored(config, defaults[name])
    # Where each value was written: the command's own key if any, else the shared setting.
    written = {name: name for name in defaults}
    written.update({keys[key]: key for key in config.commands.get(command, {})})
    for name, value in defaults.items():
        try:
            params[name].type_cast_value(ctx, value)
        except click.BadParameter as exc:
            raise InputError(
                str(config.path),
                exc.format_message(),
                line=config.line_of(command, written[name]),
            ) from None
    return defaults


def _load(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    if value is None or ctx.resilient_parsing:
        return value
    try:
        config = load_config(value)
        ctx.default_map = {**(ctx.default_map or {}), **_checked_defaults(ctx, config)}
    except SovauditError as error:
        _fail(ctx, error)
    ctx.meta[CONFIG_META] = config
    return value


def config_option(func: F) -> F:
    """``--config FILE`` (default ``$SOVAUDIT_CONFIG``), read before every other option."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar=CONFIG_ENV,
        is_eager=True,
        expose_value=False,
        callback=_load,
        metavar="FILE",
        help="YAML settings (sources, rules, waivers, history, delivery); the command line and "
        "SOVAUDIT_* variables override it. Default: $SOVAUDIT_CONFIG.",
    )(func)


def loaded_config(ctx: click.Context) -> Config | None:
    """The config file this command was given, if any."""
    config: Config | None = ctx.find_root().meta.get(CONFIG_META) or ctx.meta.get(CONFIG_META)
    return config


def attach_env_vars(command: click.Command, path: Sequence[str]) -> None:
    """Give every option without one its ``SOVAUDIT_<COMMAND>_<OPTION>`` (and, for settings
    shared by commands, ``SOVAUDIT_<OPTION>``).

    Done once, where the CLI loads a command, so that no option can be added without its
    environment variable. Arguments (inventory files) get ``SOVAUDIT_INVENTORY`` the same way.
    """
    shared = shared_params()
    for param in command.params:
        if param.envvar is not None or param.name is None:
            continue
        if isinstance(param, click.Option):
            longs = [opt for opt in param.opts if opt.startswith("--")]
            stem = longs[0][2:] if longs else param.name
        else:
            stem = param.name.removesuffix("s") if param.name == "inventories" else param.name
        param.envvar = env_names(path, stem, shared=param.name in shared)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            attach_env_vars(sub, [*path, name])
