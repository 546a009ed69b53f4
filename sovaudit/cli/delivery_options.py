"""Options of a scheduled scan: baseline, run history, and SIEM delivery targets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_TOKEN_ENV = "SOVAUDIT_HEC_TOKEN"  # noqa: S105 - a variable name, not a token


def history_options(func: F) -> F:
    """``--baseline``, ``--history`` and its retention."""
    options = (
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help="A previous scan's JSON result: the report says what is new and resolved "
            "since then.",
        ),
        click.option(
            "--history",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help="SQLite file where this run is recorded (created if missing); "
            "see 'sovaudit history'.",
        ),
        click.option(
            "--history-keep-days",
            type=click.IntRange(min=1),
            metavar="DAYS",
            help="Forget recorded runs older than DAYS (the newest run is always kept).",
        ),
        click.option(
            "--history-keep-runs",
            type=click.IntRange(min=1),
            metavar="N",
            help="Keep only the newest N recorded runs.",
        ),
    )
    for option in reversed(options):
        func = option(func)
    return func


def delivery_options(func: F) -> F:
    """Where findings go besides the output: syslog collectors and a Splunk-style HEC."""
    options = (
        click.option(
            "--syslog",
            "syslog_urls",
            multiple=True,
            metavar="URL",
            help="Send each finding as an RFC 5424 message to udp://HOST[:514], "
            "tcp://HOST[:601] or tls://HOST[:6514]; repeatable.",
        ),
        click.option(
            "--syslog-ca-file",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help="CA certificates to trust for tls:// syslog (default: the system's).",
        ),
        click.option(
            "--syslog-facility",
            default="local0",
            show_default=True,
            metavar="NAME",
            help="Syslog facility of the messages.",
        ),
        click.option(
            "--hec-url",
            metavar="URL",
            help="Post each finding to this HTTP Event Collector (Splunk HEC format).",
        ),
        click.option(
            "--hec-token-env",
            default=DEFAULT_TOKEN_ENV,
            show_default=True,
            metavar="NAME",
            help="Environment variable holding the HEC token (never given on the command line, "
            "where other users could read it).",
        ),
        click.option("--hec-index", metavar="INDEX", help="HEC index for the events."),
        click.option(
            "--hec-ca-file",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help="CA certificates to trust for an https:// HEC (default: the system's).",
        ),
    )
    for option in reversed(options):
        func = option(func)
    return func


def progress_option(func: F) -> F:
    return click.option(
        "--progress",
        type=click.Choice(("auto", "always", "never")),
        default="auto",
        show_default=True,
        help="A progress line on stderr per source and scope; 'auto' shows it only on a "
        "terminal, so cron logs stay clean.",
    )(func)
