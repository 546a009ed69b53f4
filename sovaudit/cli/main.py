"""``sovaudit`` entry point. Imports of subcommands are deferred so ``--version`` is instant."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

import click
from click.core import ParameterSource

from sovaudit import __version__
from sovaudit.errors import ExitCode
from sovaudit.logs import final_line

# The shell's convention, 128 + the signal number, so a scheduler can tell "stopped" from
# "findings" (1) or "bad input" (2).
EXIT_SIGNALLED = {signal.SIGINT: ExitCode.INTERRUPTED, signal.SIGTERM: ExitCode.TERMINATED}


class Stopped(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM.

    A BaseException, so no ``except Exception`` on the way turns it into a result, and every
    ``finally`` and cleanup (temporary output files) runs on the way out.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise Stopped(signum)


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when invoked or listed in help."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, _, attribute = self.lazy[cmd_name].partition(":")
            command: click.Command = getattr(importlib.import_module(module_name), attribute)
            # Imported here so that --version stays instant.
            from sovaudit.cli.settings import attach_env_vars

            attach_env_vars(command, [cmd_name])
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy={
        "scan": "sovaudit.cli.scan_cmd:scan",
        "inventory": "sovaudit.cli.inventory_cmd:inventory",
        "rules": "sovaudit.cli.rules_cmd:rules",
        "diff": "sovaudit.cli.diff_cmd:diff",
        "report": "sovaudit.cli.report_cmd:report",
        "regions": "sovaudit.cli.regions_cmd:regions",
        "locate": "sovaudit.cli.locate_cmd:locate",
        "data": "sovaudit.cli.data_cmd:data",
        "history": "sovaudit.cli.history_cmd:history",
        "config": "sovaudit.cli.config_cmd:config",
    },
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(
    __version__, "--version", prog_name="sovaudit", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Where does your data physically live, and how much personal data sits outside Mexico?

    sovaudit inventories cloud and on-premises assets, places each one (and each of its
    copies) in a country, state and city, and reports the exposure of personal data outside
    the home country (MX by default).

    Every option can also come from a --config YAML file or from an environment variable
    named after it: SOVAUDIT_<COMMAND>_<OPTION> (SOVAUDIT_SCAN_FORMAT=html), and for the
    settings commands share, SOVAUDIT_<OPTION> (SOVAUDIT_FAIL_ON=critical). The command
    line wins over the environment, which wins over the file (docs/configuration.md).

    \b
    Exit codes: 0 done; 1 findings at or above --fail-on; 2 bad input or usage;
    3 incomplete (a provider or scope could not be read); 4 internal error (a bug);
    5 results written but not recorded in the history or not delivered to the SIEM;
    130/143 stopped by SIGINT/SIGTERM (nothing recorded, temporary files removed).
    """


def main() -> None:
    """Console-script entry: run the CLI, turning unexpected failures into one line."""
    for signum in EXIT_SIGNALLED:
        signal.signal(signum, _stop)
    try:
        _run()
    except SystemExit as stop:
        _leave_abandoned_threads(stop.code)
        raise


def _leave_abandoned_threads(code: object) -> None:
    """End the process now if --timeout left a thread blocked in a call (it would otherwise
    be joined at exit, holding a finished run for as long as the call takes)."""
    deadline = sys.modules.get("sovaudit.deadline")
    if deadline is not None and deadline.abandoned():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def _run() -> None:
    try:
        code = cli.main(prog_name="sovaudit", standalone_mode=False)
    except SystemExit:
        raise
    except click.ClickException as exc:  # a usage error, before logging is set up
        variable = _variable_behind(exc)
        if variable is not None:  # a bad SOVAUDIT_* value: name the variable, in one line
            final_line(
                "error",
                f"{variable}: {getattr(exc, 'message', exc)}",
                as_json=_json_logs_requested(sys.argv[1:], os.environ),
            )
        elif _json_logs_requested(sys.argv[1:], os.environ):
            final_line("error", exc.format_message(), as_json=True, usage=True)
        else:
            exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        final_line("stopped", "aborted")
        sys.exit(1)
    except Stopped as stop:
        name = signal.Signals(stop.signum).name
        final_line("stopped", f"stopped by {name}: nothing more was written or recorded")
        # Worker threads may sit in a call that never answers; the process must end now, not
        # when they do (Python joins them at exit). The cleanup has already run on the way up.
        with contextlib.suppress(OSError):
            sys.stdout.flush()
        os._exit(EXIT_SIGNALLED[signal.Signals(stop.signum)])
    except Exception as exc:  # a bug: say so in one line, the traceback only with -vv
        logging.getLogger("sovaudit").debug("internal error", exc_info=True)
        final_line(
            "internal error",
            f"{type(exc).__name__}: {exc} (please report it; -vv shows the traceback)",
        )
        sys.exit(ExitCode.INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


def _variable_behind(exc: click.ClickException) -> str | None:
    """The environment variable a bad parameter value came from, if it came from one."""
    if not isinstance(exc, click.BadParameter) or exc.ctx is None or exc.param is None:
        return None
    name = exc.param.name or ""
    if exc.ctx.get_parameter_source(name) is not ParameterSource.ENVIRONMENT:
        return None
    envvar = exc.param.envvar
    names: list[str] = [envvar] if isinstance(envvar, str) else list(envvar or ())
    return next((n for n in names if n in os.environ), None)


def _json_logs_requested(argv: list[str], environ: Mapping[str, str]) -> bool:
    """Whether this run asked for JSON logs, judged before its options could be parsed."""
    for index, arg in enumerate(argv):
        if arg == "--log-format=json" or (
            arg == "--log-format" and argv[index + 1 : index + 2] == ["json"]
        ):
            return True
    return any(
        name.startswith("SOVAUDIT_") and name.endswith("LOG_FORMAT") and value == "json"
        for name, value in environ.items()
    )


if __name__ == "__main__":  # pragma: no cover - python -m sovaudit.cli.main
    main()
