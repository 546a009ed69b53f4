"""The Azure provider: where each resource of each readable subscription is, and its GRS copy.

This module only orchestrates; each concern has its own module:
- guard.py: ``ReadOnlyPolicy`` refuses any HTTP method but GET before it reaches the transport;
- session.py: the SDK, imported only when a scan starts, and the guarded clients built from it;
- subscriptions.py: the subscriptions to read, configured or listed;
- resources.py and storage.py: ARM resources and storage accounts (with their GRS secondary)
  as assets, one per resource;
- failures.py: an Azure error worded for an error entry; probe.py: ``config check --probe``.

Subscriptions are read in a bounded thread pool, one worker per subscription. One that cannot
be read (403 AuthorizationFailed, throttled past the SDK's retries, the network) becomes an
error entry and the others go on: the scan reports what it read and exits 3. Not being able to
start at all (SDK missing, no token, the subscription list unreadable) is a ProviderError.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from sovaudit import progress
from sovaudit.deadline import run_scopes
from sovaudit.model import Asset, ScanError
from sovaudit.providers.azure.estate import assets_from_rows
from sovaudit.providers.azure.failures import describe_failure
from sovaudit.providers.azure.graph import (
    CONTAINERS_QUERY,
    query_groups,
    query_rows,
    subscription_groups,
)
from sovaudit.providers.azure.guard import PROVIDER, ReadOnlyViolation
from sovaudit.providers.azure.resources import resource_asset
from sovaudit.providers.azure.scope import Subscription
from sovaudit.providers.azure.session import (
    PUBLIC_ARM,
    ArmSession,
    client_kwargs,
    load_sdk,
    token_scope,
)
from sovaudit.providers.azure.storage import STORAGE_TYPE, merge_listings, storage_asset
from sovaudit.providers.azure.subscriptions import configured, visible
from sovaudit.providers.interface import (
    NOT_FINISHED,
    Provider,
    ProviderError,
    SourceOption,
    unexpected_answer,
)

log = logging.getLogger(__name__)


# Where a storage account's blobs are (--sample-content); sovereign clouds have other suffixes.
PUBLIC_BLOB_ENDPOINT = "https://{account}.blob.core.windows.net"


def _blob_endpoint(template: str | None) -> str:
    """The blob endpoint template, checked: https, or http on loopback (an emulator)."""
    template = (template or PUBLIC_BLOB_ENDPOINT).rstrip("/")
    if "{account}" not in template:
        raise ValueError(f"the blob endpoint needs {{account}} for the account name: {template!r}")
    parsed = urllib.parse.urlsplit(template.replace("{account}", "account"))
    loopback = parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise ValueError(
            f"the blob endpoint must be https:// (http only on 127.0.0.1): {template!r}"
        )
    return template


class AzureProvider(Provider):
    """Reads every subscription the identity can see, or the ones given."""

    name = PROVIDER
    samples_content = True
    options = (
        SourceOption(
            "subscriptions",
            "Azure subscription to read (default: every one the identity can see); repeatable.",
            multiple=True,
            metavar="ID",
        ),
        SourceOption(
            "management_groups",
            "Azure management group whose subscriptions to read through Resource Graph "
            "(default: every subscription the identity can see); repeatable.",
            multiple=True,
            metavar="ID",
        ),
        SourceOption(
            "blob_endpoint",
            "Blob service URL of each storage account for --sample-content, with {account} "
            "for its name (default: https://{account}.blob.core.windows.net; plain http only "
            "on 127.0.0.1, for an emulator).",
            metavar="URL",
            enables=False,
        ),
        SourceOption(
            "endpoint",
            "Azure Resource Manager endpoint, for sovereign clouds (default: the public cloud).",
            kind="https_url",
            metavar="URL",
        ),
    )

    def __init__(
        self,
        subscriptions: Sequence[str] = (),
        endpoint: str | None = None,
        credential: Any = None,
        max_workers: int = 8,
        management_groups: Sequence[str] = (),
        content_sampling: Any = None,
        blob_endpoint: str | None = None,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.subscriptions = tuple(s.strip() for s in subscriptions if s and s.strip())
        self.management_groups = tuple(g.strip() for g in management_groups if g and g.strip())
        self.content_sampling = content_sampling  # SamplingLimits, from --sample-content
        self.blob_endpoint = _blob_endpoint(blob_endpoint)
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
        self._listed_subscriptions: list[Subscription] | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> AzureProvider:
        subscriptions = options.get("subscriptions") or ()
        if isinstance(subscriptions, str):
            subscriptions = [s.strip() for s in subscriptions.split(",") if s.strip()]
        groups = options.get("management_groups") or ()
        if isinstance(groups, str):
            groups = [g.strip() for g in groups.split(",") if g.strip()]
        return cls(
            subscriptions=tuple(subscriptions),
            management_groups=tuple(groups),
            endpoint=options.get("endpoint") or None,
            content_sampling=options.get("content_sampling") or None,
            blob_endpoint=options.get("blob_endpoint") or None,
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
        return token_scope(self.endpoint)

    def client_kwargs(self) -> dict[str, Any]:
        """What every SDK client gets: the guard, the token scope, bounded calls, TLS trust."""
        return client_kwargs(self.endpoint)

    def _sdk_modules(self) -> SimpleNamespace:
        if self._sdk is None:
            self._sdk = load_sdk()
        return self._sdk

    def _credential(self) -> Any:
        if self.credential is None:
            sdk = self._sdk_modules()
            self.credential = sdk.DefaultAzureCredential()
        return self.credential

    def _session(self) -> ArmSession:
        """The SDK and the credential, loaded and built on first use, for this endpoint."""
        sdk = self._sdk_modules()
        return ArmSession(sdk, self._credential(), self.endpoint)

    def resource_client(self, subscription_id: str) -> Any:
        return self._session().resources(subscription_id)

    def storage_client(self, subscription_id: str) -> Any:
        return self._session().storage(subscription_id)

    # --- finding what to read --------------------------------------------------------------

    def _start(self) -> None:
        """Check a token can be had, once, so a missing login is one message, not N."""
        self._session().require_token()

    def _visible(self) -> list[Subscription]:
        """The subscriptions the identity can see, listed once per scan."""
        if self._listed_subscriptions is None:
            self._listed_subscriptions = visible(self._session())
        return self._listed_subscriptions

    def _targets(self) -> list[Subscription]:
        if self.subscriptions:
            return configured(self.subscriptions)
        return self._visible()

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
        assets = merge_listings(
            (resource_asset(subscription, resource) for resource in resources),
            (storage_asset(subscription, account) for account in accounts),
        )
        return assets, errors

    def probe(self) -> str:
        """A token and one cheap read (probe.py), worded as a scan would word a failure."""
        from sovaudit.providers.azure.probe import probe

        return probe(self)

    def _paired(self, location: str) -> str | None:
        """The region's pair, from the catalogue (what a geo-redundant copy is kept in)."""
        locator = getattr(self, "locator", None)
        return locator.paired_region(PROVIDER, location) if locator is not None else None

    def _from_graph(self) -> list[Asset] | None:
        """The tenant (or the subscriptions and management groups given) in one paged query;
        None when Resource Graph is not installed or not allowed, for the ARM fallback."""
        session = self._session()
        client = session.resource_graph()
        if client is None:
            log.info("azure: azure-mgmt-resourcegraph is not installed: listing through ARM")
            return None
        sdk = self._sdk_modules()
        scope = ",".join(self.subscriptions or self.management_groups) or "tenant"
        progress.scopes_planned(self.name, 1)
        try:
            with client:
                models = sdk.graph_models
                if self.management_groups:
                    rows = list(query_rows(client, models, (), self.management_groups))
                    unread: list[ScanError] = []
                else:
                    # The tenant's subscriptions are listed first (one cheap GET) so the query
                    # can be split across a few concurrent streams, and so a subscription
                    # Resource Graph leaves out can be named.
                    targets = [] if self.subscriptions else self._visible()
                    wanted = list(self.subscriptions) or [t.subscription_id for t in targets]
                    rows = query_groups(session.resource_graph, models, subscription_groups(wanted))
                    unread = self._unread(client, targets) if targets else []
        except sdk.HttpResponseError as exc:
            if getattr(exc, "status_code", None) in (401, 403) and not self.management_groups:
                log.warning(
                    "azure: Resource Graph not allowed (%s): listing each subscription "
                    "through ARM instead",
                    describe_failure(exc, "querying Resource Graph"),
                )
                return None
            return self._graph_failed(scope, describe_failure(exc, "querying Resource Graph"))
        except sdk.ServiceRequestError as exc:  # unreachable, untrusted TLS: nothing can start
            raise ProviderError(
                PROVIDER, describe_failure(exc, "querying Resource Graph")
            ) from None
        except (sdk.AzureError, ReadOnlyViolation) as exc:
            return self._graph_failed(scope, describe_failure(exc, "querying Resource Graph"))
        assets = assets_from_rows(rows, self._paired)
        self._errors.extend(unread)
        progress.scope_finished(self.name, scope, len(assets), failed=bool(unread))
        return assets

    def _graph_failed(self, scope: str, message: str) -> list[Asset]:
        self._errors.append(ScanError(PROVIDER, scope, message))
        progress.scope_finished(self.name, scope, 0, failed=True)
        return []

    def _unread(self, client: Any, targets: Sequence[Subscription]) -> list[ScanError]:
        """Subscriptions the identity can see but whose resources Resource Graph did not
        return: a tenant-wide query leaves them out silently, so they are said here."""
        sdk = self._sdk_modules()
        readable = {
            str(row.get("subscriptionId", "")).casefold()
            for row in query_rows(
                client,
                sdk.graph_models,
                [t.subscription_id for t in targets],
                query=CONTAINERS_QUERY,
            )
        }
        return [
            ScanError(
                PROVIDER,
                target.subscription_id,
                "the identity can see this subscription but Resource Graph returns none of "
                "its resources: grant it the Reader role on the subscription",
            )
            for target in targets
            if target.subscription_id.casefold() not in readable
        ]

    def collect(self) -> Iterator[Asset]:
        self._start()
        yield from self._sampled(self._listed())

    def _sampled(self, assets: list[Asset]) -> list[Asset]:
        """The assets, storage accounts sampled when --sample-content asks (blobs.py)."""
        if self.content_sampling is None:
            return assets
        from sovaudit.classify.content.sample import Sampler
        from sovaudit.providers.azure.blobs import blob_service, sample_accounts

        accounts = [i for i, a in enumerate(assets) if a.service == "storage" and a.name]
        credential = self._credential()
        sampled, errors = sample_accounts(
            [assets[i] for i in accounts],
            Sampler(self.content_sampling),
            lambda asset: blob_service(self.blob_endpoint.format(account=asset.name), credential),
        )
        self._errors.extend(errors)
        result = list(assets)
        for index, asset in zip(accounts, sampled, strict=True):
            result[index] = asset
        return result

    def _listed(self) -> list[Asset]:
        from_graph = self._from_graph()
        if from_graph is not None:
            log.info("azure: %d resource(s) through Resource Graph", len(from_graph))
            return from_graph
        if self.management_groups:
            raise ProviderError(
                PROVIDER, "--azure-management-group needs Resource Graph (azure-mgmt-resourcegraph)"
            )
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
        return collected
