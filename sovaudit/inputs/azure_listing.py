"""Azure exports as input: a whole tenant read once, audited offline.

``az graph query -q "Resources | ..." -o json`` (``{count, data, skip_token}``), the Resource
Graph REST answer (``data`` as rows or as the old table format), ARM listings (``{value}``),
``az resource list -o json`` and PowerShell exports (a JSON list) are recognised by content:
resources with an ARM id (``/subscriptions/...``) and a namespaced type. They go through the
interpreters the live Azure provider uses (sovaudit.providers.azure.estate), so an account
read live and read from an export is the same asset.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sovaudit.errors import InputError
from sovaudit.inputs.documents import parse_json, read_text
from sovaudit.inputs.peek import Peek
from sovaudit.inputs.readers import FileContext, Reader
from sovaudit.model import Asset


def _resource(item: Any) -> bool:
    from sovaudit.providers.azure.rows import is_resource

    if isinstance(item, dict) and "columns" in item and "rows" in item:  # the table format
        names = {c.get("name") for c in item["columns"] if isinstance(c, dict)}
        return {"id", "type"} <= names
    return is_resource(item)


class AzureListingReader(Reader):
    name = "azure"

    def detects(self, peek: Peek) -> bool:
        if b"/subscriptions/" not in peek.head.lower():  # every row starts with its ARM id
            return False
        if peek.json_array:
            return _resource(peek.first_item())
        keys = peek.json_keys
        return any(key in keys and _resource(peek.first_item(key)) for key in ("data", "value"))

    def read(self, path: Path, context: FileContext) -> list[Asset]:
        from sovaudit.providers.azure.estate import assets_from_rows
        from sovaudit.providers.azure.rows import rows

        file = str(path)
        document, _ = parse_json(read_text(path), file)
        listed = list(rows(document))
        if not listed and not _empty_listing(document):
            raise InputError(
                file,
                "not an Azure listing: no resource with an ARM id (/subscriptions/...) and a "
                "type (make it with `az graph query -o json` or `az resource list -o json`)",
                line=1,
            )
        locator = context.locator
        return assets_from_rows(
            listed, lambda code: locator.paired_region("azure", code) if locator else None
        )


def _empty_listing(document: Any) -> bool:
    if isinstance(document, list):
        return not document
    return isinstance(document, dict) and document.get("data", document.get("value")) in ([], None)


READER = AzureListingReader()
