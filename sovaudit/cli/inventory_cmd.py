"""``sovaudit inventory``: collect and locate assets, without judging them."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from sovaudit.cli.announce import announce
from sovaudit.cli.common import (
    command_body,
    home_option,
    logging_options,
    output_options,
    resolve_output,
)
from sovaudit.cli.content_options import (
    attach_content_sampling,
    content_limits,
    content_options,
)
from sovaudit.cli.delivery_options import progress_option
from sovaudit.cli.settings import config_option
from sovaudit.cli.sources import Sources, source_options
from sovaudit.errors import ExitCode
from sovaudit.inputs.inventory.csv_format import write_csv
from sovaudit.model import Asset, ScanError
from sovaudit.output import Chunk, emit
from sovaudit.pipeline import Stages, collect, prepare
from sovaudit.report.json_document import inventory_document, iter_json
from sovaudit.report.text_table import format_table

FORMATS = ("table", "json", "yaml", "csv")


def _where(asset: Asset) -> tuple[str, str, str]:
    location = asset.location
    return (
        "/".join(location.countries) or "unknown",
        location.subdivision or "",
        location.city or "",
    )


def _region_text(asset: Asset) -> str:
    """The most precise code: a zone name (a Local Zone) beats its region; "1" does not."""
    if asset.zone and not asset.zone.isdigit():
        return asset.zone
    return asset.region or ("+".join(asset.data_locations))


def _copies_text(asset: Asset) -> str:
    return ", ".join(
        f"{c.kind}→{'/'.join(c.location.countries) or 'unknown'}" for c in asset.copies
    )


def _table(assets: list[Asset], errors: list[ScanError], home: str) -> Iterator[str]:
    rows = [
        (
            asset.id,
            asset.provider,
            asset.zone or asset.region or "",
            *_where(asset),
            f"{asset.location.source.value}/{asset.location.confidence.value}",
            asset.classification.value,
            _copies_text(asset),
        )
        for asset in assets
    ]
    yield from format_table(
        ("ASSET", "PROVIDER", "REGION", "COUNTRY", "STATE", "CITY", "HOW KNOWN", "DATA", "COPIES"),
        rows,
        max_cell=48,
    )
    yield "\n" + _summary(assets, home) + "\n"
    for error in errors:
        yield f"NOT READ: {error.provider} {error.scope}: {error.message}\n"


def _summary(assets: list[Asset], home: str) -> str:
    by_country = Counter(
        "+".join(a.location.countries) if a.location.known else "unknown" for a in assets
    )
    personal = [a for a in assets if a.classification.is_personal]
    abroad = [a for a in personal if not a.location.within(home)]
    countries = ", ".join(f"{country} {count}" for country, count in by_country.most_common())
    return (
        f"{len(assets)} assets ({countries}); {len(personal)} hold personal data, "
        f"{len(abroad)} of them not wholly in {home}."
    )


def _render(fmt: str, assets: list[Asset], errors: list[ScanError], home: str) -> Iterator[Chunk]:
    if fmt == "table":
        return _table(assets, errors, home)
    if fmt == "csv":
        return write_csv(assets)
    document = inventory_document(assets, errors)
    if fmt == "yaml":
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        document["assets"] = list(document["assets"])  # the YAML dumper wants a real list
        return iter([yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True)])
    return iter_json(document)


@click.command()
@config_option
@source_options
@content_options
@home_option
@output_options(FORMATS)
@progress_option
@logging_options
@command_body
def inventory(
    sources: Sources,
    home_country: str,
    fmt: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Collect assets and place each one, and each copy, in a country, state and city.

    INVENTORY files are YAML, JSON or CSV (see the README), or a previous scan's JSON. The
    output is itself an inventory file that `sovaudit scan` accepts back.

    \b
    Examples:
      sovaudit inventory sample_inventories/retail_monterrey.yaml
      sovaudit inventory racks.csv saas.yaml -o estate.json
    """
    sources.require()
    fmt, target = resolve_output(fmt, output, FORMATS, mkdir=params.pop("mkdir", False))
    attach_content_sampling(sources.options, content_limits(params))
    stages = Stages.default()
    collected = collect(sources.build(stages.locator), deadline=sources.deadline())
    assets = prepare(collected.assets, stages.locator, stages.classifier)
    errors = list(collected.errors)
    announce(errors)
    emit(_render(fmt, assets, errors, home_country), target)
    if errors:
        sys.exit(ExitCode.INCOMPLETE)
