"""ARM resources as assets: kind, service, resource group and, above all, location.

Azure Resource Manager (ARM) gives every resource a ``location``: an ARM region name
(``mexicocentral``), sometimes a display name (``Brazil South``), ``global`` for resources that
live in no region (DNS zones, Front Door), or nothing at all. The string is passed as it came in
``Asset.region``; the locator folds the spellings. ``global`` and missing locations are not
guessed: the asset keeps ``region=None`` and an unknown location with a note saying why, so it
is never counted as being at home.

The SDK gives models, the raw ARM pipeline and recorded listings give JSON; ``field`` and
``text`` read both, so one mapping serves every way a resource arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sovaudit.model import Asset, unknown_location
from sovaudit.providers.azure.guard import PROVIDER
from sovaudit.providers.azure.scope import Subscription

# Locations that name no region. ARM writes "global" for DNS zones, Traffic Manager, Front Door.
NON_REGIONAL = frozenset({"global"})

# Resource type (case-folded) -> sovaudit kind. Anything else is a plain "resource".
KINDS: dict[str, str] = {
    "microsoft.storage/storageaccounts": "object_store",
    "microsoft.sql/servers/databases": "database",
    "microsoft.sql/managedinstances/databases": "database",
    "microsoft.documentdb/databaseaccounts": "database",
    "microsoft.dbforpostgresql/flexibleservers": "database",
    "microsoft.dbformysql/flexibleservers": "database",
    "microsoft.cache/redis": "database",
    "microsoft.compute/virtualmachines": "vm",
    "microsoft.compute/disks": "disk",
    "microsoft.compute/snapshots": "snapshot",
    "microsoft.recoveryservices/vaults": "backup",
    "microsoft.dataprotection/backupvaults": "backup",
}
# Resource provider namespace (case-folded) -> sovaudit service. Anything else keeps its type.
SERVICES: dict[str, str] = {
    "microsoft.storage": "storage",
    "microsoft.sql": "sql",
    "microsoft.documentdb": "cosmosdb",
}


def field(obj: Any, name: str, *alternatives: str) -> Any:
    """A model attribute, falling back to the raw ARM (camelCase, nested) spelling."""
    value = getattr(obj, name, None)
    if value is not None:
        return value
    if isinstance(obj, Mapping):
        for key in (name, *alternatives):
            if obj.get(key) is not None:
                return obj[key]
        properties = obj.get("properties")
        if isinstance(properties, Mapping):
            for key in alternatives:
                if properties.get(key) is not None:
                    return properties[key]
    return None


def text(value: Any) -> str | None:
    """An SDK enum or string as plain text; None stays None."""
    if value is None:
        return None
    found = getattr(value, "value", value)
    return str(found) or None


def resource_group(resource_id: str) -> str | None:
    """The resource group named in an ARM id (``.../resourceGroups/NAME/...``)."""
    parts = resource_id.split("/")
    for index, part in enumerate(parts[:-1]):
        if part.casefold() == "resourcegroups":
            return parts[index + 1] or None
    return None


def service_for(resource_type: str) -> str:
    """sovaudit's service name for an ARM type: ``Microsoft.Sql/servers/databases`` -> ``sql``."""
    namespace = resource_type.split("/", 1)[0].casefold()
    return SERVICES.get(namespace, resource_type)


def kind_for(resource_type: str) -> str:
    """sovaudit's kind for an ARM type, which the rules match on; ``resource`` when unknown."""
    return KINDS.get(resource_type.casefold(), "resource")


def region_and_note(location: str | None, resource_type: str) -> tuple[str | None, str | None]:
    """The region to report, and why there is none when there is none.

    ``global`` is not a place: the asset gets no region and an unknown location that says so,
    rather than a guess (and never "home").
    """
    stripped = (location or "").strip()
    if not stripped:
        return None, f"Azure reports no location for this {resource_type} resource"
    if stripped.casefold() in NON_REGIONAL:
        return None, (
            f"Azure location {stripped!r}: this {resource_type} resource is not placed in one "
            "region, so where its data is cannot be told from the resource"
        )
    return stripped, None


def resource_asset(subscription: Subscription, resource: Any) -> Asset:
    """One entry of a subscription's resource listing (model or JSON) as an asset."""
    resource_type = str(field(resource, "type") or "")
    resource_id = str(field(resource, "id"))
    region, note = region_and_note(text(field(resource, "location")), resource_type)
    attributes: dict[str, Any] = {"type": resource_type}
    group = resource_group(resource_id)
    if group:
        attributes["resource_group"] = group
    if subscription.display_name:
        attributes["subscription_name"] = subscription.display_name
    location_text = text(field(resource, "location"))
    if region is None and location_text:
        attributes["azure_location"] = location_text
    sku = field(resource, "sku")
    if sku is not None and text(field(sku, "name")):
        attributes["sku"] = text(field(sku, "name"))
    return Asset(
        id=resource_id,
        provider=PROVIDER,
        service=service_for(resource_type),
        kind=kind_for(resource_type),
        name=text(field(resource, "name")),
        account=subscription.subscription_id,
        region=region,
        location=unknown_location(note) if note else unknown_location(),
        tags={str(k): str(v) for k, v in (field(resource, "tags") or {}).items()},
        attributes=attributes,
    )
