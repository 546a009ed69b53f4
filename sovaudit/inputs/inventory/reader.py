"""Read inventory files (YAML, JSON, CSV, or a previous scan's JSON) into assets."""

from __future__ import annotations

import contextlib
import logging
import re
from collections import Counter
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import msgspec
from msgspec import UNSET

from sovaudit.errors import InputError
from sovaudit.inputs.documents import (
    LineFinder,
    json_line_finder,
    parse_json,
    parse_yaml,
    read_bytes,
    read_text,
    require_mapping,
)
from sovaudit.inputs.inventory.build import asset_from_record, forget_shared
from sovaudit.inputs.inventory.csv_format import read_csv
from sovaudit.inputs.inventory.doubts import Doubt, find_doubts
from sovaudit.inputs.inventory.records import (
    AssetRecord,
    asset_beyond_types,
    beyond_types,
    convert,
    decode_asset,
    decode_outline,
    records_error,
)
from sovaudit.inputs.peek import Peek
from sovaudit.inputs.readers import FileContext, Reader, RegionCheck
from sovaudit.inputs.validation import field_path, validate
from sovaudit.model import Asset

INVENTORY_SCHEMA = "inventory.schema.json"
SUFFIX_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
# Distinct doubtful values warned about per file; past that, one line says how many more.
MAX_WARNINGS = 20
_BOM = b"\xef\xbb\xbf"
_JSON_OBJECT = re.compile(rb"(\xef\xbb\xbf)?\s*\{")

log = logging.getLogger(__name__)


def detect_format(path: Path, text: str) -> str:
    """By suffix, else by content: JSON starts with ``{``, anything else is read as YAML."""
    by_suffix = SUFFIX_FORMATS.get(path.suffix.casefold())
    if by_suffix:
        return by_suffix
    return "json" if text.lstrip().startswith("{") else "yaml"


def read_inventory(
    path: Path,
    region_check: RegionCheck | None = None,
    *,
    strict: bool = False,
    known_providers: Collection[str] | None = None,
) -> list[Asset]:
    """Every asset in an inventory file, or InputError naming the file, line and field.

    Values nobody recognises (a provider name, an ISO subdivision or country, a region code)
    do not stop the audit: the asset is kept, a region code no catalogue knows leaves it
    unlocated (the locator warns), and each distinct doubtful value is one warning. With
    ``strict`` they are input errors instead: ``region_check`` says why a region code is
    unusable (not applied to a previous scan's result, whose unknown regions were already
    reported), and ``known_providers`` (default: no provider check) lists accepted names.
    """
    file = str(path)
    assets, find_line, schema_version = _read_assets(path)
    _check_unique_ids(assets, file, find_line)
    if strict and region_check is not None and not schema_version:
        _check_regions(assets, file, find_line, region_check)
    if known_providers is not None:
        _judge(list(find_doubts(assets, known_providers)), file, find_line, strict)
    return assets


def _read_assets(path: Path) -> tuple[list[Asset], LineFinder, bool]:
    """The file's assets, its line finder, and whether it is a previous scan's result.

    JSON is decoded from the file's bytes and checked in one pass, one asset at a time
    (records.decode_outline); YAML and CSV are parsed first, then checked. Only a file that
    does not pass is read and checked again the slow way, by the published schema, for an
    error message with its line and field (its text is kept only then: a 200 MB export is
    not held twice).
    """
    file = str(path)
    if SUFFIX_FORMATS.get(path.suffix.casefold(), "json") == "json":
        decoded = _decoded(path)
        if decoded is not None:
            return decoded[0], json_line_finder(lambda: read_text(path)), decoded[1]
    text = read_text(path)
    fmt = detect_format(path, text)
    records = None
    if fmt == "json":
        document, find_line = parse_json(text, file)
    else:
        document, find_line = _parse_csv(text, file) if fmt == "csv" else parse_yaml(text, file)
        with contextlib.suppress(msgspec.ValidationError):
            records = convert(document)
        if records is not None and not beyond_types(records):
            return _assets(records.assets), find_line, records.schema_version is not UNSET
    document = require_mapping(document, file, "an 'assets' list")
    validate(document, file, find_line, INVENTORY_SCHEMA)
    # The schema accepts what the records refused. tests/inputs/test_records_schema.py holds
    # the two to one verdict, so this should not happen; if it does, the records' reason is
    # still one line with file, line and field.
    try:
        records = convert(document)
    except msgspec.ValidationError as exc:
        raise records_error(exc, file, find_line) from None
    return _assets(records.assets), find_line, "schema_version" in document


def _decoded(path: Path) -> tuple[list[Asset], bool] | None:
    """The assets of a JSON file that passes every check, and whether it is a scan result;
    None for anything else (the slow path says what it is, and what is wrong)."""
    data = read_bytes(path)
    if not _JSON_OBJECT.match(data):
        return None
    # A view, not a slice: a copy of a 200 MB export would be one more at the peak.
    view = memoryview(data)[3:] if data.startswith(_BOM) else data
    assets: list[Asset] = []
    try:
        outline = decode_outline(view)
        for raw in outline.assets:
            record = decode_asset(raw)
            if asset_beyond_types(record):
                return None
            assets.append(asset_from_record(record))
    except (msgspec.DecodeError, RecursionError):
        return None
    finally:
        forget_shared()
    return assets, outline.schema_version is not UNSET


def _assets(records: list[AssetRecord]) -> list[Asset]:
    """The assets, each record let go once built (a 1,000,000-asset file's peak memory)."""
    records.reverse()
    assets = []
    while records:
        assets.append(asset_from_record(records.pop()))
    forget_shared()
    return assets


def _parse_csv(text: str, file: str) -> tuple[dict[str, Any], LineFinder]:
    objects, row_lines = read_csv(text, file)

    def find_line(path: Sequence[str | int]) -> int | None:
        return row_lines[path[1]] if len(path) > 1 and isinstance(path[1], int) else 1

    return {"assets": objects}, find_line


def _judge(doubts: list[Doubt], file: str, find_line: LineFinder, strict: bool) -> None:
    """The first doubt as an input error (strict), else one warning per distinct value."""
    if not doubts:
        return
    if strict:
        first = doubts[0]
        raise InputError(
            file,
            first.message,
            line=find_line(list(first.path)),
            field=field_path(list(first.path)),
        )
    counts = Counter(doubt.key for doubt in doubts)
    firsts: dict[tuple[str, str], Doubt] = {}
    for doubt in doubts:
        firsts.setdefault(doubt.key, doubt)
    for key, doubt in list(firsts.items())[:MAX_WARNINGS]:
        line = find_line(list(doubt.path))
        where = f"{file}:{line}" if line else file
        count = counts[key]
        log.warning(
            "%s: %s: %s (%d asset%s; kept as written, --strict rejects it)",
            where,
            field_path(list(doubt.path)),
            doubt.message,
            count,
            "" if count == 1 else "s",
        )
    if len(firsts) > MAX_WARNINGS:
        log.warning(
            "%s: %d more doubtful values not listed (--strict stops at the first)",
            file,
            len(firsts) - MAX_WARNINGS,
        )


def _check_unique_ids(assets: list[Asset], file: str, find_line: LineFinder) -> None:
    seen: dict[str, int] = {}
    for index, asset in enumerate(assets):
        if asset.id in seen:
            raise InputError(
                file,
                f"duplicate asset id {asset.id!r} (first at assets[{seen[asset.id]}])",
                line=find_line(["assets", index, "id"]),
                field=field_path(["assets", index, "id"]),
            )
        seen[asset.id] = index


def _check_regions(
    assets: list[Asset],
    file: str,
    find_line: LineFinder,
    region_check: RegionCheck,
) -> None:
    for index, asset in enumerate(assets):
        places: list[tuple[list[str | int], str, str]] = []
        if asset.location.source.value == "unknown":
            if asset.region:
                places.append((["assets", index, "region"], asset.provider, asset.region))
            elif asset.zone:
                places.append((["assets", index, "zone"], asset.provider, asset.zone))
            for n, member in enumerate(asset.data_locations):
                places.append((["assets", index, "data_locations", n], asset.provider, member))
        for n, copy in enumerate(asset.copies):
            if copy.region and copy.location.source.value == "unknown":
                places.append(
                    (
                        ["assets", index, "copies", n, "region"],
                        copy.provider or asset.provider,
                        copy.region,
                    )
                )
        for path, provider, code in places:
            problem = region_check(provider, asset.service, code)
            if problem:
                raise InputError(file, problem, line=find_line(path), field=field_path(path))


class InventoryReader(Reader):
    """sovaudit's own inventories (YAML, JSON, CSV) and previous scans' JSON: the reader of
    last resort, so a file no other reader recognises is told what an inventory lacks."""

    name = "inventory"

    def detects(self, peek: Peek) -> bool:
        return True

    def read(self, path: Path, context: FileContext) -> list[Asset]:
        return read_inventory(
            path,
            context.region_check,
            strict=context.strict,
            known_providers=context.known_providers,
        )


READER = InventoryReader()
