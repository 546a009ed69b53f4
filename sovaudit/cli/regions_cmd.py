"""``sovaudit regions``: the region catalogue, filtered by provider and country."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from sovaudit.cli.common import command_body, logging_options, output_options, resolve_output
from sovaudit.cli.settings import config_option
from sovaudit.errors import UsageError
from sovaudit.locate.catalogue import Region, load_catalogue
from sovaudit.output import emit
from sovaudit.report.text_table import format_table

FORMATS = ("table", "json")


def region_to_dict(region: Region, paired: bool = False) -> dict[str, Any]:
    """One row of ``regions --format json`` (CONTRACT.md)."""
    data: dict[str, Any] = {
        "provider": region.provider,
        "region": region.code,
        "name": region.name,
        "countries": list(region.countries),
        "subdivision": region.subdivision,
        "city": region.city,
        "kind": region.kind,
    }
    if region.kind in ("dual-region", "multi-region"):
        data["members"] = list(region.members)
    if paired:  # a provider that pairs regions says so of each, null for none (CONTRACT.md)
        data["paired_region"] = region.paired_region
    if region.parent_region:
        data["parent_region"] = region.parent_region
    if region.aliases:
        data["aliases"] = list(region.aliases)
    data["source"] = region.source
    if region.notes:
        data["notes"] = region.notes
    return data


def _table(regions: list[Region]) -> Iterator[str]:
    rows = [
        (
            r.provider,
            r.code,
            r.name,
            "/".join(r.countries) or "?",
            r.subdivision or "",
            r.city or "",
            r.kind if r.kind != "region" else "",
        )
        for r in regions
    ]
    yield from format_table(
        ("PROVIDER", "REGION", "NAME", "COUNTRY", "STATE", "CITY", "KIND"), rows
    )
    yield f"\n{len(regions)} regions\n"


@click.command()
@config_option
@click.option(
    "--provider",
    "providers",
    multiple=True,
    metavar="NAME",
    help="Only this provider (aws, gcp, azure, oci, huawei); repeatable.",
)
@click.option(
    "--country",
    "countries",
    multiple=True,
    metavar="CC",
    help="Only regions that store data in this country (ISO code, e.g. MX); "
    "repeatable. A multi-region matches every country it spans.",
)
@output_options(FORMATS)
@logging_options
@command_body
def regions(
    providers: tuple[str, ...],
    countries: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    mkdir: bool,
) -> None:
    """Where each cloud region physically is: country, state and city.

    \b
    Examples:
      sovaudit regions --country MX
      sovaudit regions --provider azure --format json
    """
    fmt, target = resolve_output(fmt, output, FORMATS, mkdir=mkdir)
    catalogue = load_catalogue()
    unknown = [p for p in providers if not catalogue.has_provider(p)]
    if unknown:
        raise UsageError(
            f"no region catalogue for {', '.join(unknown)} "
            f"(known: {', '.join(catalogue.providers)})"
        )
    wanted = {c.upper() for c in countries}
    selected = [
        region
        for provider in (providers or catalogue.providers)
        for region in catalogue.regions(provider)
        if not wanted or wanted.intersection(region.countries)
    ]
    pairing = {r.provider for r in catalogue.regions() if r.paired_region}
    if fmt == "json":
        chunks: Iterator[str] = iter(
            [
                json.dumps(
                    [region_to_dict(r, r.provider in pairing) for r in selected],
                    indent=2,
                    ensure_ascii=False,
                ),
                "\n",
            ]
        )
    else:
        chunks = _table(selected)
    emit(chunks, target)
