"""Storage accounts as assets, with the copy that geo-redundancy keeps in another region.

Storage accounts matter most: a ``*_GRS``/``*_RAGRS``/``*_GZRS``/``*_RAGZRS`` account keeps a
full copy in ``secondaryLocation``, the region's pair, which for Brazil South is South Central
US in Texas. The generic resource listing does not say so; the storage API does. Its answer is
merged into the generic entry, so each account is reported once, with its SKU and its secondary
as a ``Copy``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sovaudit.model import Asset, Copy, evolve
from sovaudit.providers.azure.resources import field, resource_asset, text
from sovaudit.providers.azure.scope import Subscription

STORAGE_TYPE = "Microsoft.Storage/storageAccounts"
# Asset attribute, SDK model attribute, raw ARM property.
_ACCOUNT_FACTS = (
    ("storage_kind", "kind", "kind"),
    ("primary_location", "primary_location", "primaryLocation"),
    ("secondary_location", "secondary_location", "secondaryLocation"),
    ("status_of_primary", "status_of_primary", "statusOfPrimary"),
    ("status_of_secondary", "status_of_secondary", "statusOfSecondary"),
)


def storage_asset(subscription: Subscription, account: Any) -> Asset:
    """A storage account with its SKU and, when geo-redundant, its secondary copy."""
    base = resource_asset(subscription, account)
    attributes = dict(base.attributes)
    attributes["type"] = STORAGE_TYPE
    sku = field(account, "sku")
    sku_name = text(field(sku, "name")) if sku is not None else None
    if sku_name:
        attributes["sku"] = sku_name
    for attribute, model_name, raw in _ACCOUNT_FACTS:
        value = text(field(account, model_name, raw))
        if value:
            attributes[attribute] = value
    secondary = attributes.get("secondary_location")
    copies = (Copy(kind="secondary", region=secondary),) if secondary else ()
    return evolve(
        base,
        service="storage",
        kind="object_store",
        copies=copies,
        attributes=attributes,
    )


def merge(generic: Asset, storage: Asset) -> Asset:
    """One asset for a storage account: the storage API's facts over the generic listing's."""
    attributes = {**generic.attributes, **storage.attributes}
    tags = storage.tags or generic.tags
    return evolve(
        storage,
        id=generic.id,
        region=storage.region or generic.region,
        location=storage.location if storage.region else generic.location,
        tags=tags,
        attributes=attributes,
    )


def merge_listings(resources: Iterable[Asset], accounts: Iterable[Asset]) -> list[Asset]:
    """A subscription's assets, each once: the resource listing in its order, every storage
    account merged into its generic entry (ARM ids compared case-insensitively, as ARM does),
    and accounts the resource listing missed appended."""
    assets: dict[str, Asset] = {}
    for asset in resources:
        assets.setdefault(asset.id.casefold(), asset)
    for storage in accounts:
        key = storage.id.casefold()
        generic = assets.get(key)
        assets[key] = storage if generic is None else merge(generic, storage)
    return list(assets.values())
