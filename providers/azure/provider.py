"""The Azure provider: where each resource of each readable subscription is, and its GRS copy.

Azure Resource Manager (ARM) gives every resource a ``location``: an ARM region name
(``mexicocentral``), sometimes a display name (``Brazil South``), ``global`` for resources that
live in no region (DNS zones, Front Door), or nothing at all. The provider passes the string as
it came in ``Asset.region``; the locator folds the spellings. ``global`` and missing locations
are not guessed: the asset keeps ``region=None`` and an unknown location with a note saying why,
so it is never counted as being at home.

Storage accounts matter most: a ``*_GRS``/``*_RAGRS``/``*_GZRS``/``*_RAGZRS`` account keeps a
full copy in ``secondaryLocation``, the region's pair, which for Brazil South is South Central
US in Texas. The storage API is read for that and merged into the generic resource entry, so
each account is reported once, with its SKU and its secondary as a ``Copy``.

Subscriptions are read in a bounded thread pool, one worker per subscription. One that cannot
be read (403 AuthorizationFailed, throttled past the SDK's retries, the network) becomes an
error entry and the others go on: the scan reports what it read and exits 3. Not being able to
start at all (SDK missing, no token, the subscription list unreadable) is a ProviderError.

Every client carries a read-only guard (``ReadOnlyPolicy``): a pipeline policy that refuses any
HTTP method other than GET before the request reaches the transport. Tokens are fetched by the
credential through its own pipeline, so the guard never sees (or blocks) the token request.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import os
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from sovaudit.providers.interface import (
    NOT_FINISHED,
    Provider,
    ProviderError,
    unexpected_answer,
)

from sovaudit import progress
from sovaudit.deadline import run_scopes
from sovaudit.model import Asset, Copy, ScanError, unknown_location

log = logging.getLogger(__name__)

PROVIDER = "azure"
# Per call: connect, wait for an answer, retry; --timeout bounds the whole collection.
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60
RETRIES = 3
PUBLIC_ARM = "https://management.azure.com"
MISSING_SDK = (
    "the Azure provider needs azure-identity and azure-mgmt-resource: pip install 'sovaudit[azure]'"
)
MISSING_STORAGE_SDK = (
    "the Azure provider needs azure-mgmt-storage to read storage redundancy: "
    "pip install 'sovaudit[azure]'"
)
ROLE_HINT = "grant the identity the Reader role on the subscription"
# Used only when no SubscriptionClient is installed (azure-mgmt-resource 24+ without
# azure-mgmt-resource-subscriptions): the version the SubscriptionClient itself uses.
SUBSCRIPTIONS_API_VERSION = "2022-12-01"
READ_METHODS = frozenset({"GET"})
# Locations that name no region. ARM writes "global" for DNS zones, Traffic Manager, Front Door.
NON_REGIONAL = frozenset({"global"})
SKIPPED_STATES = frozenset({"deleted"})

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
STORAGE_TYPE = "Microsoft.Storage/storageAccounts"


class ReadOnlyViolation(ProviderError):
    """Something tried to send a request that could change the subscription."""

    def __init__(self, method: str, url: str) -> None:
        path = urllib.parse.urlsplit(url).path
        super().__init__(
            PROVIDER, f"refused {method} {path}: sovaudit only sends GET requests to Azure"
        )
        self.method = method
        self.url = url


class ReadOnlyPolicy:
    """An azure-core HTTP policy that lets only GET requests through to the transport.

    Placed after the retry policy (``per_retry_policies``), so it also sees requests that other
    policies make on their own, such as the automatic resource-provider registration POST that
    ARM clients send on a ``MissingSubscriptionRegistration`` answer. Duck-typed (``next`` and
    ``send``) so this module imports without azure-core installed.
    """

    next: Any

    def send(self, request: Any) -> Any:
        http_request = request.http_request
        method = str(http_request.method).upper()
        if method not in READ_METHODS:
            raise ReadOnlyViolation(method, str(http_request.url))
        return self.next.send(request)


def _first_of(*candidates: tuple[str, str]) -> Any:
    """The first ``module.name`` that imports, or None: where a class is depends on the release."""
    for module_name, name in candidates:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, name, None)
        if found is not None:
            return found
    return None


def _load_sdk() -> SimpleNamespace:
    """The Azure SDK pieces the provider uses, imported only when a scan starts.

    The clients moved between releases: older azure-mgmt-resource ships
    ``azure.mgmt.resource.SubscriptionClient`` and ``ResourceManagementClient``; 26 has the
    resources client at ``azure.mgmt.resource.resources`` and no subscription client, which is
    the separate azure-mgmt-resource-subscriptions package (``azure.mgmt.resource.subscriptions``).
    When no subscription client is installed the list is read with a plain GET through the
    guarded ARM pipeline.
    """
    try:
        from azure.core.exceptions import (
            AzureError,
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
        )
        from azure.core.rest import HttpRequest
        from azure.identity import DefaultAzureCredential
    except ImportError:
        raise ProviderError(PROVIDER, MISSING_SDK) from None
    resource_client = _first_of(
        ("azure.mgmt.resource.resources", "ResourceManagementClient"),
        ("azure.mgmt.resource", "ResourceManagementClient"),
    )
    if resource_client is None:
        raise ProviderError(PROVIDER, MISSING_SDK)
    subscription_client = _first_of(
        ("azure.mgmt.resource.subscriptions", "SubscriptionClient"),
        ("azure.mgmt.resource", "SubscriptionClient"),
    )
    try:
        from azure.mgmt.storage import StorageManagementClient
    except ImportError:
        raise ProviderError(PROVIDER, MISSING_STORAGE_SDK) from None
    return SimpleNamespace(
        AzureError=AzureError,
        ClientAuthenticationError=ClientAuthenticationError,
        HttpResponseError=HttpResponseError,
        ServiceRequestError=ServiceRequestError,
        HttpRequest=HttpRequest,
        DefaultAzureCredential=DefaultAzureCredential,
        ResourceManagementClient=resource_client,
        SubscriptionClient=subscription_client,
        StorageManagementClient=StorageManagementClient,
    )


def _arm_error(exc: BaseException) -> tuple[str, str]:
    """ARM's error ``code`` and ``message`` from an HttpResponseError, as far as they exist."""
    error = getattr(exc, "error", None)
    code = str(getattr(error, "code", "") or "")
    message = str(getattr(error, "message", "") or "")
    response = getattr(exc, "response", None)
    if not code and response is not None:
        try:
            body = json.loads(response.text())
        except (ValueError, TypeError, AttributeError):
            body = None
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            code = str(body["error"].get("code") or "")
            message = str(body["error"].get("message") or "")
    if not message:
        message = str(getattr(exc, "message", "") or exc)
    return code, message.splitlines()[0][:200] if message else ""


def describe_failure(exc: BaseException, what: str) -> str:
    """A short message for an error entry: what was refused and what to do about it."""
    if isinstance(exc, ReadOnlyViolation):
        return str(exc)
    status = getattr(exc, "status_code", None)
    if status is None and not hasattr(exc, "response"):
        name = type(exc).__name__
        if name in {"ServiceRequestError", "ServiceRequestTimeoutError"}:
            return f"cannot reach the Azure Resource Manager endpoint while {what}: {exc}"
        if name in {"ClientAuthenticationError", "CredentialUnavailableError"}:
            return f"no usable Azure credential while {what}: {str(exc).splitlines()[0][:200]}"
        return f"{what} failed: {str(exc).splitlines()[0][:200] if str(exc) else name}"
    code, message = _arm_error(exc)
    label = f"{status} {code}".strip() if code else str(status)
    if status == 403:
        return f"access denied while {what} ({label}): {message}; {ROLE_HINT}"
    if status == 401:
        return f"the token was refused while {what} ({label}): {message}"
    if status == 429:
        return f"throttled while {what}, still after the SDK's retries ({label})"
    if status == 404:
        return f"not found while {what} ({label}): {message}"
    return f"{what} failed ({label}): {message}"


def _field(obj: Any, name: str, *alternatives: str) -> Any:
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


def _text(value: Any) -> str | None:
    """An SDK enum or string as plain text; None stays None."""
    if value is None:
        return None
    text = getattr(value, "value", value)
    return str(text) or None


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
    return KINDS.get(resource_type.casefold(), "resource")


def region_and_note(location: str | None, resource_type: str) -> tuple[str | None, str | None]:
    """The region to report, and why there is none when there is none.

    ``global`` is not a place: the asset gets no region and an unknown location that says so,
    rather than a guess (and never "home").
    """
    text = (location or "").strip()
    if not text:
        return None, f"Azure reports no location for this {resource_type} resource"
    if text.casefold() in NON_REGIONAL:
        return None, (
            f"Azure location {text!r}: this {resource_type} resource is not placed in one "
            "region, so where its data is cannot be told from the resource"
        )
    return text, None


@dataclasses.dataclass(frozen=True)
class Subscription:
    subscription_id: str
    display_name: str | None = None
    state: str | None = None


class AzureProvider(Provider):
    """Reads every subscription the identity can see, or the ones given."""

    name = PROVIDER

    def __init__(
        self,
        subscriptions: Sequence[str] = (),
        endpoint: str | None = None,
        credential: Any = None,
        max_workers: int = 8,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.subscriptions = tuple(s.strip() for s in subscriptions if s and s.strip())
        self.endpoint = (endpoint or PUBLIC_ARM).rstrip("/")
        parsed = urllib.parse.urlsplit(self.endpoint)
        if parsed.scheme != "https" or not parsed.netloc:
            raise ValueError(f"the Azure endpoint must be an https:// URL, not {endpoint!r}")
        # Kept as given: DefaultAzureCredential is built only when collect() runs, so building
        # the provider (config checks, --help) never touches the credential chain.
        self.credential = credential
        self.max_workers = max_workers
        self._errors: list[ScanError] = []
        self._sdk: SimpleNamespace | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> AzureProvider:
        subscriptions = options.get("subscriptions") or ()
        if isinstance(subscriptions, str):
            subscriptions = [s.strip() for s in subscriptions.split(",") if s.strip()]
        return cls(
            subscriptions=tuple(subscriptions),
            endpoint=options.get("endpoint") or None,
            credential=options.get("credential"),
            max_workers=int(options.get("max_workers") or 8),
        )

    @property
    def errors(self) -> list[ScanError]:
        return self._errors

    # --- clients ---------------------------------------------------------------------------

    @property
    def scope(self) -> str:
        """The token scope of the ARM endpoint (sovereign clouds have their own audience)."""
        return f"{self.endpoint}/.default"

    def client_kwargs(self) -> dict[str, Any]:
        """What every SDK client gets: the guard, the token scope and the TLS trust.

        requests honours REQUESTS_CA_BUNDLE by itself; SSL_CERT_FILE (OpenSSL's variable,
        which requests ignores) is passed on explicitly when it is the only one set.
        """
        kwargs: dict[str, Any] = {
            "per_retry_policies": [ReadOnlyPolicy()],
            "credential_scopes": [self.scope],
            # azure-core waits 300 s for an answer and retries ten times: an endpoint that
            # never answered once held a scan for 20 minutes with nothing printed.
            "connection_timeout": CONNECT_TIMEOUT,
            "read_timeout": READ_TIMEOUT,
            "retry_total": RETRIES,
        }
        if not (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")):
            cert_file = os.environ.get("SSL_CERT_FILE")
            if cert_file:
                kwargs["connection_verify"] = cert_file
        return kwargs

    def _sdk_modules(self) -> SimpleNamespace:
        if self._sdk is None:
            self._sdk = _load_sdk()
        return self._sdk

    def _credential(self) -> Any:
        if self.credential is None:
            sdk = self._sdk_modules()
            self.credential = sdk.DefaultAzureCredential()
        return self.credential

    def resource_client(self, subscription_id: str) -> Any:
        sdk = self._sdk_modules()
        return sdk.ResourceManagementClient(
            self._credential(), subscription_id, base_url=self.endpoint, **self.client_kwargs()
        )

    def storage_client(self, subscription_id: str) -> Any:
        sdk = self._sdk_modules()
        return sdk.StorageManagementClient(
            self._credential(), subscription_id, base_url=self.endpoint, **self.client_kwargs()
        )

    # --- finding what to read --------------------------------------------------------------

    def _start(self) -> None:
        """Check a token can be had, once, so a missing login is one message, not N."""
        sdk = self._sdk_modules()
        credential = self._credential()
        try:
            credential.get_token(self.scope)
        except sdk.AzureError as exc:
            first = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            raise ProviderError(
                PROVIDER,
                f"no Azure token for {self.endpoint}: {first} (log in with 'az login', or set "
                "AZURE_TOKEN_CREDENTIALS / the AZURE_CLIENT_* variables)",
            ) from None

    def list_subscriptions(self) -> list[Subscription]:
        """Every subscription the identity can see, in ARM's order."""
        sdk = self._sdk_modules()
        if sdk.SubscriptionClient is None:
            return self._list_subscriptions_raw()
        client = sdk.SubscriptionClient(
            self._credential(), base_url=self.endpoint, **self.client_kwargs()
        )
        with client:
            return [
                Subscription(
                    subscription_id=str(item.subscription_id),
                    display_name=_text(item.display_name),
                    state=_text(item.state),
                )
                for item in client.subscriptions.list()
            ]

    def _list_subscriptions_raw(self) -> list[Subscription]:
        """``GET /subscriptions`` page by page, for installs without a subscription client."""
        sdk = self._sdk_modules()
        client = self.resource_client("00000000-0000-0000-0000-000000000000")
        url: str | None = f"{self.endpoint}/subscriptions?api-version={SUBSCRIPTIONS_API_VERSION}"
        found: list[Subscription] = []
        with client:
            while url:
                response = client.send_request(sdk.HttpRequest("GET", url))
                response.raise_for_status()
                body = response.json()
                for item in body.get("value") or []:
                    found.append(
                        Subscription(
                            subscription_id=str(item["subscriptionId"]),
                            display_name=item.get("displayName"),
                            state=item.get("state"),
                        )
                    )
                url = body.get("nextLink") or None
        return found

    def _targets(self) -> list[Subscription]:
        if self.subscriptions:
            return [Subscription(s) for s in dict.fromkeys(self.subscriptions)]
        sdk = self._sdk_modules()
        try:
            listed = self.list_subscriptions()
        except (sdk.AzureError, ReadOnlyViolation) as exc:
            raise ProviderError(
                PROVIDER,
                f"cannot list subscriptions: {describe_failure(exc, 'listing subscriptions')}",
            ) from None
        targets = []
        for subscription in listed:
            if (subscription.state or "").casefold() in SKIPPED_STATES:
                log.info("azure: skipping %s (state %s)", subscription.subscription_id, "Deleted")
                continue
            targets.append(subscription)
        if not targets:
            log.warning("azure: the identity can see no subscription at %s", self.endpoint)
        return targets

    # --- reading ---------------------------------------------------------------------------

    def _read(self, subscription: Subscription) -> tuple[list[Asset], list[ScanError]]:
        """One subscription: its resources, merged with its storage accounts' redundancy."""
        sdk = self._sdk_modules()
        sub = subscription.subscription_id
        errors: list[ScanError] = []
        try:
            with self.resource_client(sub) as client:
                resources = list(client.resources.list())
        except (sdk.AzureError, ReadOnlyViolation) as exc:
            message = describe_failure(exc, "listing resources")
            return [], [ScanError(PROVIDER, sub, message)]
        accounts: list[Any] = []
        try:
            with self.storage_client(sub) as client:
                accounts = list(client.storage_accounts.list())
        except (sdk.AzureError, ReadOnlyViolation) as exc:
            message = describe_failure(exc, "listing storage accounts")
            errors.append(ScanError(PROVIDER, f"{sub}/{STORAGE_TYPE}", message))
        assets: dict[str, Asset] = {}
        for resource in resources:
            asset = self._resource_asset(subscription, resource)
            assets.setdefault(asset.id.casefold(), asset)
        for account in accounts:
            storage = self._storage_asset(subscription, account)
            key = storage.id.casefold()
            generic = assets.get(key)
            assets[key] = storage if generic is None else _merge(generic, storage)
        return list(assets.values()), errors

    def _resource_asset(self, subscription: Subscription, resource: Any) -> Asset:
        resource_type = str(_field(resource, "type") or "")
        resource_id = str(_field(resource, "id"))
        region, note = region_and_note(_text(_field(resource, "location")), resource_type)
        attributes: dict[str, Any] = {"type": resource_type}
        group = resource_group(resource_id)
        if group:
            attributes["resource_group"] = group
        if subscription.display_name:
            attributes["subscription_name"] = subscription.display_name
        location_text = _text(_field(resource, "location"))
        if region is None and location_text:
            attributes["azure_location"] = location_text
        sku = _field(resource, "sku")
        if sku is not None and _text(_field(sku, "name")):
            attributes["sku"] = _text(_field(sku, "name"))
        return Asset(
            id=resource_id,
            provider=PROVIDER,
            service=service_for(resource_type),
            kind=kind_for(resource_type),
            name=_text(_field(resource, "name")),
            account=subscription.subscription_id,
            region=region,
            location=unknown_location(note) if note else unknown_location(),
            tags={str(k): str(v) for k, v in (_field(resource, "tags") or {}).items()},
            attributes=attributes,
        )

    def _storage_asset(self, subscription: Subscription, account: Any) -> Asset:
        """A storage account with its SKU and, when geo-redundant, its secondary copy."""
        base = self._resource_asset(subscription, account)
        attributes = dict(base.attributes)
        attributes["type"] = STORAGE_TYPE
        sku = _field(account, "sku")
        sku_name = _text(_field(sku, "name")) if sku is not None else None
        if sku_name:
            attributes["sku"] = sku_name
        for attribute, field, raw in (
            ("storage_kind", "kind", "kind"),
            ("primary_location", "primary_location", "primaryLocation"),
            ("secondary_location", "secondary_location", "secondaryLocation"),
            ("status_of_primary", "status_of_primary", "statusOfPrimary"),
            ("status_of_secondary", "status_of_secondary", "statusOfSecondary"),
        ):
            value = _text(_field(account, field, raw))
            if value:
                attributes[attribute] = value
        secondary = attributes.get("secondary_location")
        copies = (Copy(kind="secondary", region=secondary),) if secondary else ()
        return dataclasses.replace(
            base,
            service="storage",
            kind="object_store",
            copies=copies,
            attributes=attributes,
        )

    def probe(self) -> str:
        """A token and one cheap read (probe.py), worded as a scan would word a failure."""
        from sovaudit.providers.azure.probe import probe

        return probe(self)

    def collect(self) -> Iterator[Asset]:
        self._start()
        targets = self._targets()
        log.info("azure: reading %d subscription(s)", len(targets))
        progress.scopes_planned(self.name, len(targets))
        collected: list[Asset] = []
        outcomes = run_scopes(
            [target.subscription_id for target in targets],
            lambda index: self._read(targets[index]),
            failed=lambda sub, exc: ([], [ScanError(PROVIDER, sub, unexpected_answer(exc))]),
            workers=self.max_workers,
            deadline=self.deadline,
            thread_name_prefix="sovaudit-azure",
        )
        for subscription, outcome in outcomes:
            assets, errors = outcome or ([], [ScanError(PROVIDER, subscription, NOT_FINISHED)])
            progress.scope_finished(self.name, subscription, len(assets), failed=bool(errors))
            for error in errors:
                # Said once on stderr when the scan ends (sovaudit.cli.announce).
                log.info("azure: %s: %s", error.scope, error.message)
            self._errors.extend(errors)
            collected.extend(assets)
        yield from collected


def _merge(generic: Asset, storage: Asset) -> Asset:
    """One asset for a storage account: the storage API's facts over the generic listing's."""
    attributes = {**generic.attributes, **storage.attributes}
    tags = storage.tags or generic.tags
    return dataclasses.replace(
        storage,
        id=generic.id,
        region=storage.region or generic.region,
        location=storage.location if storage.region else generic.location,
        tags=tags,
        attributes=attributes,
    )
