"""Google Cloud Asset Inventory exports as input: an organisation exported once, audited offline.

``gcloud asset search-all-resources --format=json`` (a JSON list), ``gcloud asset export
--content-type=resource`` (NDJSON, one asset per line) and ``gcloud asset list
--content-type=resource --format=json`` (a JSON list), and the API's answers (``{results}``,
``{assets}``), are recognised by content: entries with a full resource name (``//...``) and
an asset type. They go through the interpreters of sovaudit.providers.gcp.assets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sovaudit.errors import InputError
from sovaudit.inputs.documents import parse_json, read_text
from sovaudit.inputs.peek import Peek
from sovaudit.inputs.readers import FileContext, Reader
from sovaudit.model import Asset


def _record(item: Any) -> bool:
    from sovaudit.providers.gcp.assets import is_record

    return is_record(item)


def _first_line(head: bytes) -> Any:
    line = head.split(b"\n", 1)[0].strip()
    try:
        return json.loads(line) if line.startswith(b"{") else None
    except (ValueError, RecursionError):  # the inventory reader says what is wrong with it
        return None


class CloudAssetReader(Reader):
    name = "gcp-assets"

    def detects(self, peek: Peek) -> bool:
        # Every asset names its type near its start: a file whose first 64 KiB do not say
        # asset_type is no export, and a 200 MB inventory is not decoded to find that out.
        if b"asset_type" not in peek.head and b"assetType" not in peek.head:
            return False
        if peek.json_array:
            return _record(peek.first_item())
        keys = peek.json_keys
        if keys:
            if "body" in keys:
                body = peek.first_item("body")
                return isinstance(body, dict) and any(
                    isinstance(body.get(k), list) and body[k] and _record(body[k][0])
                    for k in ("results", "assets")
                )
            return any(k in keys and _record(peek.first_item(k)) for k in ("results", "assets"))
        return _record(_first_line(peek.head))  # NDJSON: one asset per line

    def read(self, path: Path, context: FileContext) -> list[Asset]:
        from sovaudit.providers.gcp.assets import assets_from_records, records

        file = str(path)
        text = read_text(path)
        document: Any
        try:
            document = json.loads(text.lstrip("\ufeff"))
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":  # one object per line is NDJSON; anything else is bad
                document, _ = parse_json(text, file)  # raises, naming the line
            document = _ndjson(text, file)
        except RecursionError:
            document, _ = parse_json(text, file)  # raises: too deep
        listed = list(records(document))
        if not listed and document not in ([], {}):
            raise InputError(
                file,
                "not a Cloud Asset Inventory export: no entry with a full resource name "
                "(//...) and an asset type",
                line=1,
            )
        return assets_from_records(listed)


def _ndjson(text: str, file: str) -> list[Any]:
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip().lstrip("\ufeff")
        if not line:
            continue
        try:
            items.append(json.loads(line))
        except ValueError as exc:
            raise InputError(file, f"JSON syntax: {exc}", line=number) from None
    return items


READER = CloudAssetReader()
