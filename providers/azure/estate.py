"""Resource rows (rows.py) to assets: one per resource, with every copy its properties or
another resource's declare. The live Resource Graph path and the offline reader of
``az graph query`` / ``az resource list`` exports both come through here, so a Cosmos DB
account read live and read from an export give the same asset."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sovaudit.model import Asset, evolve
from sovaudit.providers.azure.copies import Paired, own_copies
from sovaudit.providers.azure.links import LINK_TYPES, Estate, link
from sovaudit.providers.azure.resources import resource_asset
from sovaudit.providers.azure.scope import Subscription
from sovaudit.providers.azure.storage import STORAGE_TYPE, storage_asset


def subscription_of(row: Mapping[str, Any]) -> Subscription:
    given = row.get("subscriptionId")
    if isinstance(given, str) and given:
        return Subscription(given)
    parts = str(row.get("id") or "").split("/")
    return Subscription(parts[2] if len(parts) > 2 else "")


def row_asset(row: Mapping[str, Any], paired: Paired) -> Asset:
    """One resource as an asset, with the copies its own properties declare."""
    subscription = subscription_of(row)
    is_storage = str(row.get("type") or "").casefold() == STORAGE_TYPE.casefold()
    asset = storage_asset(subscription, row) if is_storage else resource_asset(subscription, row)
    copies = own_copies(row, paired)
    if copies:
        asset = evolve(asset, copies=(*asset.copies, *copies))
    kind = row.get("kind")
    if isinstance(kind, str) and kind and "kind" not in asset.attributes:
        asset = evolve(asset, attributes={**asset.attributes, "kind": kind})
    return asset


def assets_from_rows(rows: Iterable[Mapping[str, Any]], paired: Paired) -> list[Asset]:
    """Every resource of a listing, each once (ids compared as ARM does, case-insensitively),
    then the links between them."""
    listed = list(rows)
    assets: dict[str, Asset] = {}
    for row in listed:
        if str(row.get("type") or "").casefold() in LINK_TYPES:
            continue
        asset = row_asset(row, paired)
        assets.setdefault(asset.id.casefold(), asset)
    estate = Estate(assets)
    for row in listed:
        link(row, estate)
    return list(estate.assets.values())
