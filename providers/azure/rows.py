"""Azure resources as JSON rows, in every shape they come in, made one shape.

Resource Graph (``az graph query -o json``: ``{count, data, skip_token}``; the REST answer,
whose ``data`` may be the old table format, ``{columns, rows}``), ARM listings (``{value}``,
``az resource list``: a JSON list) and PowerShell exports (``Get-AzResource
-ExpandProperties``: PascalCase keys, display-name locations, child resources nested in
``resources``) all carry the same facts. ``rows`` gives each as a Resource Graph row:
camelCase ``id``, ``name``, ``type``, ``location``, ``tags``, ``sku``, ``kind``,
``properties``, ``subscriptionId``, ``resourceGroup``. The interpreters read only that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

# PowerShell's spelling -> Resource Graph's.
_PASCAL = {
    "ResourceId": "id",
    "Id": "id",
    "Name": "name",
    "ResourceName": "name",
    "ResourceType": "type",
    "Type": "type",
    "Location": "location",
    "Properties": "properties",
    "Sku": "sku",
    "Kind": "kind",
    "Tags": "tags",
    "SubscriptionId": "subscriptionId",
    "ResourceGroupName": "resourceGroup",
}


def is_resource(row: Any) -> bool:
    """Whether a JSON object is an Azure resource: an ARM id and a namespaced type."""
    if not isinstance(row, Mapping):
        return False
    row = _camel(row)
    resource_id, kind = row.get("id"), row.get("type")
    return (
        isinstance(resource_id, str)
        and resource_id.casefold().startswith("/subscriptions/")
        and isinstance(kind, str)
        and "/" in kind
    )


def rows(document: Any) -> Iterator[dict[str, Any]]:
    """Every resource in a listing or query answer, children included, as a camelCase row."""
    items: Any = document
    if isinstance(document, Mapping):
        items = document.get("data", document.get("value", ()))
        if isinstance(items, Mapping):  # Resource Graph's table format
            items = _table(items)
    for item in items if isinstance(items, list) else ():
        if isinstance(item, Mapping):
            yield from _flatten(item)


def _table(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    names = [str(c.get("name")) for c in table.get("columns") or () if isinstance(c, Mapping)]
    rows = [row for row in table.get("rows") or () if isinstance(row, list)]
    return [dict(zip(names, row, strict=False)) for row in rows]


def _camel(row: Mapping[str, Any]) -> dict[str, Any]:
    if not any(key in _PASCAL for key in row):
        return dict(row)
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = _PASCAL.get(key, key)
        if name not in out or out[name] in (None, ""):
            out[name] = value
    return out


def _flatten(item: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    row = _camel(item)
    children = row.pop("resources", None)
    # An extension resource (``.../providers/Microsoft.Security/...`` under an account) is a
    # setting of its parent, not a place data is kept.
    if is_resource(row) and str(row["id"]).casefold().count("/providers/") == 1:
        yield row
    for child in children if isinstance(children, list) else ():
        if isinstance(child, Mapping):
            yield from _flatten(child)
