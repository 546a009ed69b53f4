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
from sovaudit.providers.azure.failures import describe_failure
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
    SourceOption,
    unexpected_answer,
)

log = logging.getLogger(__name__)


class AzureProvider(Provider):
    """Reads every subscription the identity can see, or the ones given."""

    name = PROVIDER
    options = (
        SourceOption(
            "subscriptions",
            "Azure subscription to read (default: every one the identity can see); repeatable.",
            multiple=True,
            metavar="ID",
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

    def _targets(self) -> list[Subscription]:
        if self.subscriptions:
            return configured(self.subscriptions)
        return visible(self._session())

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
