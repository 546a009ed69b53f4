"""Options of the commands that go to the network: name servers, GeoIP database, timeout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def net_options(func: F) -> F:
    func = click.option(
        "--dns-timeout",
        type=click.FloatRange(min=0.1),
        default=3.0,
        show_default=True,
        metavar="SECONDS",
        help="How long to wait for each DNS answer.",
    )(func)
    func = click.option(
        "--geoip-db",
        type=click.Path(path_type=Path),
        metavar="PATH",
        help="A MaxMind-format .mmdb (City or Country). Default: the usual geoipupdate "
        "locations, then a bundled fallback if installed.",
    )(func)
    return click.option(
        "--nameserver",
        "nameservers",
        multiple=True,
        metavar="IP[:PORT]",
        help="DNS server to ask; repeatable. Default: the system resolver.",
    )(func)
