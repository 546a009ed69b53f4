"""Options and behaviour every command shares: output, logging, errors, exit codes."""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sovaudit.errors import ExitCode, SovauditError, UsageError
from sovaudit.logs import LOG_FORMATS, final_line, setup_logging
from sovaudit.output import OutputTarget, prepare_target
from sovaudit.report.registry import suffix_formats

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


# Output-file suffix -> format: the scan reporters' (report/registry.py), whose names the
# other commands' table/json/csv/markdown share, plus the YAML only `inventory` writes.
SUFFIX_FORMATS = {**suffix_formats(), ".yaml": "yaml", ".yml": "yaml"}


def suffixes_for(formats: Iterable[str]) -> list[str]:
    """The output-file suffixes a command offering ``formats`` accepts, sorted."""
    offered = set(formats)
    return sorted(suffix for suffix, fmt in SUFFIX_FORMATS.items() if fmt in offered)


def logging_options(func: F) -> F:
    """``-v/--verbose``, ``-q/--quiet`` and ``--log-format``; logs always go to stderr."""
    func = click.option(
        "--log-format",
        type=click.Choice(LOG_FORMATS),
        default="text",
        show_default=True,
        help="'json' writes one JSON object per log line on stderr, for log collectors.",
    )(func)
    func = click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="No progress or information on stderr; warnings and errors are still shown.",
    )(func)
    return click.option(
        "-v", "--verbose", count=True, help="More detail on stderr (-vv for debugging)."
    )(func)


def output_options(formats: tuple[str, ...]) -> Callable[[F], F]:
    """``--format`` (one of ``formats``), ``-o/--output FILE`` and ``--mkdir``."""

    def decorate(func: F) -> F:
        func = click.option(
            "--mkdir",
            is_flag=True,
            help="Create the --output file's folder if it does not exist.",
        )(func)
        func = click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path),
            help="Write results to FILE instead of stdout: a regular file is replaced "
            "atomically (keeping its permissions), a FIFO or device is written to, '-' is "
            "stdout.",
        )(func)
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            help=f"Output format. Default: from the --output suffix, else '{formats[0]}' on "
            "a terminal and 'json' when piped.",
        )(func)

    return decorate


def choose_format(fmt: str | None, output: Path | None, formats: tuple[str, ...]) -> str:
    """The explicit format, else the output file's suffix, else table on a TTY, else JSON.

    A suffix that names no format of this command (``report.pdf``) is a usage error rather
    than a JSON file with a misleading name; a name without a suffix (a FIFO) gets JSON.
    """
    if fmt:
        return fmt
    if output is not None and str(output) != "-":
        suffix = output.suffix.casefold()
        by_suffix = SUFFIX_FORMATS.get(suffix)
        if by_suffix in formats:
            return str(by_suffix)
        if suffix:
            known = suffixes_for(formats)
            raise UsageError(
                f"{output}: cannot tell the format from the suffix {output.suffix!r} "
                f"(known: {', '.join(known)}); give --format "
                f"({', '.join(formats)})"
            )
    if output is None and sys.stdout.isatty() and formats[0] == "table":
        return "table"
    return "json"


def resolve_output(
    fmt: str | None, output: Path | None, formats: tuple[str, ...], *, mkdir: bool = False
) -> tuple[str, OutputTarget]:
    """The format and a checked output target, before any work: a run that cannot write
    its report fails in a second, not after an hour of collection."""
    chosen = choose_format(fmt, output, formats)
    return chosen, prepare_target(output, mkdir=mkdir)


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Turn sovaudit's own errors into one line on stderr and their exit code."""
    try:
        yield
    except SovauditError as exc:
        final_line("error", str(exc), **_error_fields(exc))
        sys.exit(exc.exit_code)
    except OSError as exc:
        name = f"{exc.filename}: " if exc.filename else ""
        final_line("error", f"{name}{exc.strerror or exc}")
        sys.exit(ExitCode.BAD_INPUT)


def _error_fields(exc: SovauditError) -> dict[str, Any]:
    """File, line and field of an input error, as fields of a JSON log line."""
    fields = {key: getattr(exc, key, None) for key in ("path", "line", "field")}
    return {key: value for key, value in fields.items() if value is not None}


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a batch run.

    A scan builds millions of small objects that never form cycles, and the collector would
    walk all of them again and again as they accumulate: about a quarter of a 100,000-asset
    scan, and more as estates grow. Reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def command_body(func: F) -> F:
    """Wrap a command so that its errors are reported as one line with the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        setup_logging(
            kwargs.pop("verbose", 0),
            kwargs.pop("quiet", False),
            kwargs.pop("log_format", "text"),
            progress=kwargs.pop("progress", "never"),
        )
        with reported_errors(), cyclic_gc_paused():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def home_option(func: F) -> F:
    """``--home-country CC``: the country data should stay in."""
    return click.option(
        "--home-country",
        "home_country",
        default="MX",
        show_default=True,
        metavar="CC",
        callback=_check_country,
        help="The country data should stay in (ISO 3166-1 alpha-2).",
    )(func)


def _check_country(ctx: click.Context, param: click.Parameter, value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise click.BadParameter(f"{value!r} is not an ISO 3166-1 alpha-2 code (e.g. MX)")
    return code
