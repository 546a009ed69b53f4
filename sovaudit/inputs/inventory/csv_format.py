"""Inventory as CSV: one asset a row, the JSON field names as columns.

Spreadsheets are how many teams already keep their on-premises and SaaS lists, so CSV is a
first-class format. Nested fields flatten as follows:

- ``country`` or ``countries``, ``subdivision``, ``city`` (or ``location.<field>``): the
  declared location;
- ``data_locations``, ``countries``: several values separated by ``;``;
- ``copies``: ``KIND:WHERE`` items separated by ``;``, WHERE being a region of the asset's
  provider, ``PROVIDER/REGION``, ``country=CC`` (``country=US|CA`` for several) or ``?``
  (unknown), optionally followed by ``-> TARGET``, the copy's own asset id
  (``replica:us-east-1 -> arn:aws:s3:::dr; backup:country=US; backup:?``);
- ``tag:KEY`` (or ``tags.KEY``) columns: tags; ``attr:KEY`` columns: attributes.

Files are written by ``sovaudit.csv_cells``, which quotes any cell holding a line break and
gives a leading ``'`` to a cell a spreadsheet would run as a formula; the reader takes that
``'`` off again (and skips a byte order mark), so ``inventory --format csv`` reads back as
the same assets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from sovaudit.csv_cells import BOM, csv_document, restore
from sovaudit.errors import InputError
from sovaudit.model import Asset, Copy

PLAIN_COLUMNS = (
    "id",
    "provider",
    "service",
    "kind",
    "name",
    "account",
    "region",
    "zone",
    "classification",
    "classification_source",
    "owner",
    "description",
)
LOCATION_COLUMNS = ("country", "countries", "subdivision", "city")
LIST_SEPARATOR = ";"


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def _parse_copies(cell: str, file: str, line: int) -> list[dict[str, Any]]:
    copies: list[dict[str, Any]] = []
    for item in _split(cell):
        body, arrow, target = item.partition("->")
        kind, sep, where = body.partition(":")
        kind, where, target = kind.strip(), where.strip(), target.strip()
        if not sep or not kind or not where or (arrow and not target):
            raise InputError(
                file,
                f"copy {item!r} is not KIND:WHERE[ -> TARGET] (WHERE: REGION, "
                "PROVIDER/REGION, country=CC or ?)",
                line=line,
                field="copies",
            )
        copy: dict[str, Any] = {"kind": kind}
        if where.casefold().startswith("country="):
            countries = [c.strip() for c in where[len("country=") :].split("|") if c.strip()]
            copy["location"] = {"countries": countries}
        elif where != "?":
            provider, slash, region = where.rpartition("/")
            copy["region"] = region.strip()
            if slash:
                copy["provider"] = provider.strip()
        if target:
            copy["target"] = target
        copies.append(copy)
    return copies


def _column_role(column: str) -> tuple[str, str]:
    """What a header cell means: (role, key)."""
    name = column.strip()
    lowered = name.casefold()
    for prefix, role in (
        ("tag:", "tag"),
        ("tags.", "tag"),
        ("attr:", "attr"),
        ("attributes.", "attr"),
        ("location.", "location"),
    ):
        if lowered.startswith(prefix) and len(name) > len(prefix):
            key = name[len(prefix) :]
            if role == "location" and key.casefold() not in LOCATION_COLUMNS:
                break
            return role, key.casefold() if role == "location" else key
    if lowered in PLAIN_COLUMNS:
        return "plain", lowered
    if lowered in LOCATION_COLUMNS:
        return "location", lowered
    if lowered in ("copies", "data_locations"):
        return lowered, lowered
    return "unknown", name


def read_csv(text: str, file: str) -> tuple[list[dict[str, Any]], list[int]]:
    """Rows as inventory objects, and the line each row starts on.

    Files read from disk have lost their byte order mark already (``read_text``); text
    handed in directly may still have one.
    """
    reader = csv.reader(io.StringIO(text.removeprefix(BOM), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            file, "empty CSV file: expected a header row with at least 'id'", line=1
        ) from None
    except csv.Error as exc:
        raise InputError(file, f"CSV syntax: {exc}", line=1) from None
    roles = [_column_role(restore(c.lstrip())) for c in header]
    for role, key in roles:
        if role == "unknown":
            raise InputError(
                file,
                f"unknown column {key!r} (see the inventory format in the README)",
                line=1,
                field=key,
            )
    seen: dict[tuple[str, str], int] = {}
    for index, column in enumerate(roles):
        if column in seen:  # two columns for one field: one of them would be dropped silently
            raise InputError(
                file,
                f"columns {seen[column] + 1} and {index + 1} are both {header[index].strip()!r}",
                line=1,
                field=column[1],
            )
        seen[column] = index
    if ("plain", "id") not in roles:
        raise InputError(file, "the header has no 'id' column", line=1)
    assets: list[dict[str, Any]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                start = reader.line_num + 1
                continue
            if len(row) > len(header):
                raise InputError(
                    file, f"{len(row)} cells but the header has {len(header)}", line=start
                )
            assets.append(_row_to_object(roles, row, file, start))
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(file, f"CSV syntax: {exc}", line=reader.line_num) from None
    return assets, lines


def _row_to_object(
    roles: list[tuple[str, str]], row: list[str], file: str, line: int
) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    location: dict[str, Any] = {}
    for (role, key), raw in zip(roles, row, strict=False):
        # The writer's ' is undone before the trim every cell gets, so a defused "\tx" reads
        # back as "x", as " x" does.
        cell = restore(raw.lstrip()).strip()
        if not cell:
            continue
        if role == "plain":
            obj[key] = cell
        elif role == "location":
            location[key] = _split(cell) if key == "countries" else cell
        elif role == "tag":
            obj.setdefault("tags", {})[key] = cell
        elif role == "attr":
            obj.setdefault("attributes", {})[key] = cell
        elif role == "data_locations":
            obj["data_locations"] = _split(cell)
        elif role == "copies":
            obj["copies"] = _parse_copies(cell, file, line)
    if location:
        obj["location"] = location
    return obj


CSV_HEADER = (
    *PLAIN_COLUMNS[:8],
    "data_locations",
    "countries",
    "subdivision",
    "city",
    "copies",
    "classification",
    "classification_source",
    "owner",
    "description",
)


def write_csv(assets: Iterable[Asset]) -> Iterator[str]:
    """CSV text for ``assets``, in the format ``read_csv`` accepts back, BOM first."""
    assets = list(assets)
    tag_keys = sorted({key for asset in assets for key in asset.tags})
    header = [*CSV_HEADER, *(f"tag:{k}" for k in tag_keys)]
    return csv_document(
        header,
        ([*_asset_cells(asset), *(asset.tags.get(k, "") for k in tag_keys)] for asset in assets),
    )


def _copy_cell(copy: Copy) -> str:
    if copy.region:
        where = f"{copy.provider}/{copy.region}" if copy.provider else copy.region
    elif copy.location.countries:
        where = "country=" + "|".join(copy.location.countries)
    else:
        where = "?"
    return f"{copy.kind}:{where}" + (f" -> {copy.target}" if copy.target else "")


def _asset_cells(asset: Asset) -> list[str]:
    loc = asset.location
    copies = LIST_SEPARATOR.join(_copy_cell(copy) for copy in asset.copies)
    declared = loc.source.value != "catalogue"
    values: Mapping[str, Any] = {
        "id": asset.id,
        "provider": asset.provider,
        "service": asset.service,
        "kind": asset.kind,
        "name": asset.name,
        "account": asset.account,
        "region": asset.region,
        "zone": asset.zone,
        "data_locations": LIST_SEPARATOR.join(asset.data_locations),
        "countries": LIST_SEPARATOR.join(loc.countries) if declared else "",
        "subdivision": loc.subdivision if declared else "",
        "city": loc.city if declared else "",
        "copies": copies,
        "classification": asset.classification.value,
        "classification_source": asset.classification_source,
        "owner": asset.owner,
        "description": asset.description,
    }
    return ["" if values[c] is None else str(values[c]) for c in CSV_HEADER]
