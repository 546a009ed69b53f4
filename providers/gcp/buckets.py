"""One Cloud Storage bucket as an Asset: the location evidence exactly as Google gives it.

A bucket's ``location`` alone is ambiguous (DOMAIN.md): ``US`` is a multi-region spanning the
United States, but also the location a configurable dual-region reports, whose two regions are
only in ``customPlacementConfig.dataLocations``. So the asset carries both raw: ``region`` is
the location code as given (``NORTHAMERICA-SOUTH1``, ``NAM4``, ``US``), ``data_locations`` the
configurable dual-region's regions, lowercased to the catalogue's spelling. The locator turns
them into countries and into explicit ``dual-region`` copies (a dual-region over Querétaro and
Dallas has a copy in Mexico); nothing here guesses a country.

Only properties of the bucket resource that ``buckets.list`` already returned are read: no
per-bucket request is made, so nothing here can reach Google at all (see provider.py for the
read-only guard on the requests that are made).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from sovaudit.model import EMPTY_TAGS, Asset

PROVIDER = "gcp"
SERVICE = "gcs"
KIND = "object_store"
TURBO_REPLICATION = "ASYNC_TURBO"


def kms_key_location(key_name: str | None) -> str | None:
    """The location in a Cloud KMS key name (``projects/P/locations/L/keyRings/R/...``).

    Where the key lives matters on its own: data in Querétaro whose key is held in ``global``
    or ``us`` depends on a service outside Mexico to be read at all.
    """
    if not key_name:
        return None
    parts = key_name.split("/")
    for index in range(len(parts) - 1):
        if parts[index] == "locations" and parts[index + 1]:
            return parts[index + 1].lower()
    return None


def _labels(bucket: Any) -> Mapping[str, str]:
    labels = bucket.labels or {}
    if not labels:
        return EMPTY_TAGS
    return MappingProxyType({str(key): str(value) for key, value in labels.items()})


def _data_locations(bucket: Any) -> tuple[str, ...]:
    """The regions of a configurable dual-region, in the catalogue's lowercase spelling."""
    return tuple(str(code).lower() for code in (bucket.data_locations or ()) if code)


def bucket_to_asset(bucket: Any, project: str) -> Asset:
    """The asset for ``bucket`` (a ``google.cloud.storage.Bucket`` from ``list_buckets``).

    Typed loosely so this module never imports the SDK; only public ``Bucket`` properties are
    used, each a plain read of the listed resource.
    """
    name = str(bucket.name)
    kms_key = bucket.default_kms_key_name or None
    rpo = bucket.rpo or None
    attributes: dict[str, Any] = {
        "location_type": bucket.location_type or None,
        "storage_class": bucket.storage_class or None,
        "rpo": rpo,
        "turbo_replication": rpo == TURBO_REPLICATION,
        "kms_key_name": kms_key,
        "kms_key_location": kms_key_location(kms_key),
    }
    project_number = bucket.project_number
    if project_number is not None:
        attributes["project_number"] = str(project_number)
    location = bucket.location
    return Asset(
        id=f"gs://{name}",
        provider=PROVIDER,
        service=SERVICE,
        kind=KIND,
        name=name,
        account=project,
        region=str(location).upper() if location else None,
        data_locations=_data_locations(bucket),
        tags=_labels(bucket),
        attributes=MappingProxyType(attributes),
    )
