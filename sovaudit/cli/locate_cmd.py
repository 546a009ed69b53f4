"""``sovaudit locate``: resolve names and place every address they lead to."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from sovaudit.cli.common import (
    command_body,
    logging_options,
    output_options,
    resolve_output,
)
from sovaudit.cli.net_options import net_options
from sovaudit.cli.settings import config_option
from sovaudit.errors import ExitCode
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.net.endpoints import Located, build_attributor, locate_all, located_to_dict
from sovaudit.locate.regions import Locator
from sovaudit.output import emit
from sovaudit.report.text_table import format_table

FORMATS = ("table", "json")


def _table(located: list[Located]) -> Iterator[str]:
    rows = []
    for item in located:
        resolution = item.resolution
        if not item.addresses:
            rows.append(
                (resolution.query, "", "", "", "", "", "", resolution.error or "no addresses")
            )
        via = " → ".join(resolution.cname_chain[1:]) if resolution.cname_chain else ""
        for a in item.addresses:
            loc = a.location
            where = "/".join(loc.countries) or "unknown"
            cloud = "/".join(p for p in (a.provider, a.region or a.service) if p)
            rows.append(
                (
                    resolution.query,
                    a.ip,
                    where,
                    loc.subdivision or "",
                    loc.city or "",
                    cloud,
                    a.database or loc.source.value,
                    "; ".join(p for p in (f"via {via}" if via else "", loc.note or "") if p),
                )
            )
    yield from format_table(
        ("QUERY", "ADDRESS", "COUNTRY", "STATE", "CITY", "CLOUD", "HOW KNOWN", "NOTE"),
        rows,
        max_cell=70,
    )


@click.command()
@config_option
@click.argument("queries", nargs=-1, required=True, metavar="HOST_OR_IP...")
@net_options
@output_options(FORMATS)
@logging_options
@command_body
def locate(
    queries: tuple[str, ...],
    nameservers: tuple[str, ...],
    geoip_db: Path | None,
    dns_timeout: float,
    fmt: str | None,
    output: Path | None,
    mkdir: bool,
) -> None:
    """Resolve host names (following CNAMEs) and tell where each address is: country, state,
    city, cloud provider and region, and how sovaudit knows.

    The clouds' published IP ranges come first (with the catalogue, they place an address in
    a region); a GeoIP database second. CDN and anycast addresses are reported as such: the
    data behind them is somewhere else. Exit 3 when a name could not be resolved.

    \b
    Examples:
      sovaudit locate crm.example.com 200.57.7.1
      sovaudit locate api.vendor.com --nameserver 10.0.0.2 --format json
    """
    fmt, target = resolve_output(fmt, output, FORMATS, mkdir=mkdir)
    from sovaudit.locate.net.dns import DnsResolver

    attributor = build_attributor(Locator(load_catalogue()), geoip_db)
    resolver = DnsResolver(nameservers=nameservers, timeout=dns_timeout)
    located = locate_all(queries, resolver.resolve_many(list(queries)), attributor)
    if fmt == "json":
        chunks: Iterator[str] = iter(
            [json.dumps([located_to_dict(i) for i in located], indent=2, ensure_ascii=False), "\n"]
        )
    else:
        chunks = _table(located)
    emit(chunks, target)
    if any(item.resolution.error or any(a.error for a in item.addresses) for item in located):
        sys.exit(ExitCode.INCOMPLETE)
