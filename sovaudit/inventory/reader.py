"""Read inventory files (YAML, JSON, CSV, or a previous scan's JSON) into assets."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from sovaudit.errors import InputError
from sovaudit.inventory.build import build_asset
from sovaudit.inventory.csv_format import read_csv
from sovaudit.inventory.lines import line_of, load_with_lines
from sovaudit.inventory.schema import field_path, validate
from sovaudit.model import Asset

INVENTORY_SCHEMA = "inventory.schema.json"
SUFFIX_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}

# Given (provider, service, region code), say why the code is unusable, or None when fine.
RegionCheck = Callable[[str, "str | None", str], "str | None"]


def detect_format(path: Path, text: str) -> str:
    """By suffix, else by content: JSON starts with ``{``, anything else is read as YAML."""
    by_suffix = SUFFIX_FORMATS.get(path.suffix.casefold())
    if by_suffix:
        return by_suffix
    return "json" if text.lstrip().startswith("{") else "yaml"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not an inventory file") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return load_with_lines(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            file, f"YAML syntax: {problem}", line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"YAML syntax: {exc}") from None


def _parse_json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            file, f"JSON syntax: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None


def _json_line_finder(text: str) -> Callable[[Sequence[str | int]], int | None]:
    """Lines for a JSON document, found only when an error needs one.

    JSON is parsed with the fast stdlib parser; on the error path it is parsed again as YAML
    (a superset of JSON in practice) to learn where the offending field was written.
    """

    def find(path: Sequence[str | int]) -> int | None:
        try:
            return line_of(load_with_lines(text), path)
        except yaml.YAMLError:
            return None

    return find


def read_inventory(path: Path, region_check: RegionCheck | None = None) -> list[Asset]:
    """Every asset in an inventory file, or InputError naming the file, line and field.

    ``region_check`` rejects region codes that no catalogue knows (a typo such as
    ``mx-centrl-1`` must not silently become "location unknown"). It is not applied to a
    previous scan's result, whose unknown regions were already reported as such.
    """
    file = str(path)
    text = _read_text(path)
    fmt = detect_format(path, text)
    find_line: Callable[[Sequence[str | int]], int | None]
    if fmt == "csv":
        objects, row_lines = read_csv(text, file)
        document: Any = {"assets": objects}

        def find_line(p: Sequence[str | int]) -> int | None:
            return row_lines[p[1]] if len(p) > 1 and isinstance(p[1], int) else 1
    elif fmt == "json":
        document = _parse_json(text, file)
        find_line = _json_line_finder(text)
    else:
        document = _parse_yaml(text, file)

        def find_line(p: Sequence[str | int]) -> int | None:
            return line_of(document, p)

    if not isinstance(document, dict):
        kind = (
            "nothing"
            if document is None
            else "a list"
            if isinstance(document, list)
            else f"a {type(document).__name__}"
        )
        raise InputError(
            file,
            f"expected a mapping with an 'assets' list, found {kind}",
            line=getattr(document, "line", 1),
        )
    validate(document, file, find_line, INVENTORY_SCHEMA)
    assets = [build_asset(obj) for obj in document["assets"]]
    _check_unique_ids(assets, file, find_line)
    if region_check is not None and "schema_version" not in document:
        _check_regions(assets, file, find_line, region_check)
    return assets


def _check_unique_ids(
    assets: list[Asset], file: str, find_line: Callable[[Sequence[str | int]], int | None]
) -> None:
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
    find_line: Callable[[Sequence[str | int]], int | None],
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
