"""A whole organisation, folder or project in two paged calls: Cloud Asset Inventory, live.

``SearchAllResources`` gives every resource of the scope with its location and labels;
``ListAssets`` with content type RESOURCE gives the resource data of the asset types whose data
decides where copies are (Cloud SQL replicas and backups, Spanner configurations, snapshots'
storage locations...). Both are GETs through google-cloud-asset's REST transport, whose HTTP
session is replaced by the provider's read-only one (it refuses any other method before it is
sent). The records go through the interpreters offline exports use (assets.py), so a scope
read live and its ``gcloud asset export`` give the same assets.

Quota answers (429 RESOURCE_EXHAUSTED) and unavailability are retried with backoff; a scope
whose API is disabled or whose permission is missing is that scope's error entry, naming the
API to enable or the role to grant (``roles/cloudasset.viewer``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sovaudit.model import Asset, ScanError
from sovaudit.providers.gcp.assets import PROVIDER, Record, assets_from_records, records

# Asset types whose resource data (not only location and labels) is read.
DATA_TYPES = (
    "storage.googleapis.com/Bucket",
    "bigquery.googleapis.com/Dataset",
    "sqladmin.googleapis.com/Instance",
    "spanner.googleapis.com/Instance",
    "firestore.googleapis.com/Database",
    "compute.googleapis.com/Disk",
    "compute.googleapis.com/RegionDisk",
    "compute.googleapis.com/Snapshot",
    "compute.googleapis.com/Image",
    "compute.googleapis.com/Instance",
    "bigtableadmin.googleapis.com/Cluster",
    "pubsub.googleapis.com/Topic",
    "secretmanager.googleapis.com/Secret",
)
SEARCH_PAGE = 500
LIST_PAGE = 1000
ROLE = "roles/cloudasset.viewer"
_API_DISABLED = frozenset({"SERVICE_DISABLED", "accessNotConfigured"})


def require_sdk() -> None:
    try:
        import google.cloud.asset_v1  # noqa: F401
    except ImportError:
        from sovaudit.providers.interface import ProviderError

        raise ProviderError(
            PROVIDER, "--gcp-scope needs google-cloud-asset: pip install 'sovaudit[gcp]'"
        ) from None


def scope_assets(
    credentials: Any, scope: str, endpoint: str | None
) -> tuple[list[Asset], list[ScanError]]:
    """One scope's assets, or its error entry when it cannot be read."""
    from sovaudit.providers.gcp.failures import ReadOnlyViolation, read_errors

    failures: tuple[type[BaseException], ...] = (*read_errors(), ReadOnlyViolation)
    try:
        found = read_scope(lambda: client(credentials, endpoint), scope)
    except failures as exc:
        return [], [ScanError(PROVIDER, scope, describe_scope_failure(exc, scope))]
    return assets_from_records(found), []


def client(credentials: Any, endpoint: str | None) -> Any:
    """An AssetServiceClient on the REST transport, its HTTP session made the read-only one."""
    from google.cloud.asset_v1 import AssetServiceClient
    from google.cloud.asset_v1.services.asset_service.transports.rest import (
        AssetServiceRestTransport,
    )

    from sovaudit.providers.gcp.provider import read_only_session_class

    host = endpoint or "cloudasset.googleapis.com"
    transport = AssetServiceRestTransport(credentials=credentials, host=host)
    # The transport builds its own AuthorizedSession and keys its methods by it, so the
    # session is not replaced: it becomes the provider's ReadOnlySession (a subclass of
    # AuthorizedSession that adds only the method check), refusing all but GET before sending.
    session = transport._session
    session.__class__ = read_only_session_class()
    return AssetServiceClient(transport=transport)


def _retry() -> Any:
    from google.api_core import exceptions, retry

    return retry.Retry(
        # 429 arrives over REST as TooManyRequests (ResourceExhausted is its gRPC subclass).
        predicate=retry.if_exception_type(
            exceptions.TooManyRequests,
            exceptions.ServiceUnavailable,
            exceptions.InternalServerError,
        ),
        initial=1.0,
        maximum=30.0,
        multiplier=2.0,
        timeout=300.0,
    )


def _dicts(pages: Any) -> Iterator[dict[str, Any]]:
    from google.protobuf.json_format import MessageToDict

    for item in pages:
        yield MessageToDict(type(item).pb(item))


def read_scope(make_client: Callable[[], Any], scope: str) -> list[Record]:
    """Every resource of one scope: search results, their data where it is listed."""
    from google.cloud.asset_v1 import ContentType

    asset_client = make_client()
    retry = _retry()
    searched = _dicts(
        asset_client.search_all_resources(
            request={"scope": scope, "page_size": SEARCH_PAGE}, retry=retry
        )
    )
    found: dict[str, Record] = {r.name: r for r in records(list(searched))}
    listed = _dicts(
        asset_client.list_assets(
            request={
                "parent": scope,
                "content_type": ContentType.RESOURCE,
                "asset_types": list(DATA_TYPES),
                "page_size": LIST_PAGE,
            },
            retry=retry,
        )
    )
    for detailed in records(list(listed)):
        summary = found.get(detailed.name)
        if summary is not None:  # the search knows labels and location even when data lacks them
            detailed = Record(
                name=detailed.name,
                asset_type=detailed.asset_type,
                location=detailed.location or summary.location,
                labels=detailed.labels or summary.labels,
                data=detailed.data,
                display_name=detailed.display_name or summary.display_name,
                project=detailed.project or summary.project,
            )
        found[detailed.name] = detailed
    return list(found.values())


def describe_scope_failure(exc: BaseException, scope: str) -> str:
    """The error entry's text: the API to enable or the role to grant, never the caller."""
    from google.api_core import exceptions as api

    from sovaudit.providers.gcp.failures import ReadOnlyViolation

    if isinstance(exc, ReadOnlyViolation):
        return str(exc)
    if isinstance(exc, api.GoogleAPICallError):
        reason = ""
        details: Mapping[str, Any] = {}
        for detail in getattr(exc, "details", None) or ():
            details = detail if isinstance(detail, Mapping) else {}
            reason = str(details.get("reason") or getattr(detail, "reason", "") or reason)
        reason = reason or str(getattr(exc, "reason", "") or "")
        text = str(getattr(exc, "message", "") or "")
        if exc.code == 403 and (
            reason in _API_DISABLED or "has not been used" in text or "disabled" in text
        ):
            return (
                f"the Cloud Asset API is not enabled for {scope} ({reason or exc.code}): enable "
                "cloudasset.googleapis.com in the project that makes the calls"
            )
        if exc.code in (401, 403):
            refused = f"{exc.code} {reason or 'forbidden'}"
            return f"permission denied reading {scope} ({refused}): grant {ROLE}"
        if exc.code == 404:
            return f"{scope} not found, or not visible to these credentials (404)"
        return f"Cloud Asset Inventory failed for {scope}: {exc.code} {reason}".rstrip()
    if isinstance(exc, api.RetryError):
        return f"Cloud Asset Inventory did not answer after retries for {scope}"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
