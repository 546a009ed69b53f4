"""The network options `sovaudit locate` shares with the net provider: name servers, the GeoIP
database, the DNS timeout.

They are the net provider's declared options (``Provider.options``), taken by their parameter
names, so `locate` and `scan --endpoint` offer the same flags with the same help and the
config keys ``sources.net.*`` feed both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

SHARED_PARAMS = ("nameservers", "geoip_db", "dns_timeout")


def net_options(func: F) -> F:
    from sovaudit.cli.sources import click_option, declared_options

    chosen = {
        option.param_for(name): (name, option)
        for name, option in declared_options()
        if option.param_for(name) in SHARED_PARAMS
    }
    for param in reversed(SHARED_PARAMS):
        name, option = chosen[param]
        func = click_option(name, option)(func)
    return func
