"""``sovaudit data``: the reference data in use (cloud IP ranges, GeoIP) and refreshing it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sovaudit.cli.common import command_body, logging_options
from sovaudit.errors import ExitCode
from sovaudit.report.text_table import format_table


@click.group()
def data() -> None:
    """The reference data in use, and refreshing the clouds' IP ranges."""


@data.command("show")
@click.option(
    "--geoip-db",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Show this GeoIP database instead of the one found by default.",
)
@logging_options
@command_body
def show(geoip_db: Path | None) -> None:
    """Which IP range files and GeoIP database `locate` and the net provider would use."""
    from sovaudit.locate.net.geoip import GeoIPDatabase, find_database
    from sovaudit.locate.net.ranges import CloudRanges

    ranges = CloudRanges.load()
    rows = [(s.provider, s.name, s.date.isoformat(), s.url) for s in ranges.sources]
    click.echo("".join(format_table(("PROVIDER", "FILE", "DATE", "OFFICIAL URL"), rows)), nl=False)
    path = find_database(geoip_db)
    if path is None:
        click.echo(
            "\nGeoIP: none found (give --geoip-db, or install a GeoLite2/GeoIP2 database "
            "with geoipupdate)"
        )
        return
    database = GeoIPDatabase.open(path)
    click.echo(f"\nGeoIP: {database.description} ({path})")
    if database.attribution:
        click.echo(database.attribution)


@data.command("update")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to keep the downloaded ranges (default: $XDG_CACHE_HOME/sovaudit, "
    "else ~/.cache/sovaudit).",
)
@click.option(
    "--azure-url",
    metavar="URL",
    help="This week's Azure Service Tags file (Microsoft download 56519); without it "
    "the Azure ranges in use are kept.",
)
@logging_options
@command_body
def update(cache_dir: Path | None, azure_url: str | None) -> None:
    """Download the clouds' current IP range files into the cache.

    Either every file downloads and parses and a new snapshot replaces the old one, or the
    old one stays untouched. Exit 3 when a source could not be downloaded.
    """
    from sovaudit.locate.net.ranges import default_cache_dir
    from sovaudit.locate.net.update import update_ranges

    report = update_ranges(cache_dir or default_cache_dir(), azure_url=azure_url)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(ExitCode.INCOMPLETE)
