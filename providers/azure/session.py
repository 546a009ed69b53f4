"""Loading the Azure SDK and building the clients the provider reads with: guarded and patient.

The SDK is imported only when a scan starts (``load_sdk``), so ``sovaudit --version``, config
checks and the other sources never pay for it, and a missing install is one line naming the
extra. Every client is built by ``ArmSession.client``, so none can escape the read-only guard,
the token scope of the endpoint (sovereign clouds have their own audience) or the bounded
timeouts.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from types import SimpleNamespace
from typing import Any

from sovaudit.providers.azure.guard import PROVIDER, ReadOnlyPolicy
from sovaudit.providers.interface import ProviderError

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


def load_sdk() -> SimpleNamespace:
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
    # Resource Graph is optional at run time: without it every subscription is listed
    # through ARM, as before (slower, and copies of fewer kinds).
    graph_client = _first_of(("azure.mgmt.resourcegraph", "ResourceGraphClient"))
    graph_models = _first_of(("azure.mgmt.resourcegraph", "models"))
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
        ResourceGraphClient=graph_client,
        graph_models=graph_models,
    )


def token_scope(endpoint: str) -> str:
    """The token scope of an ARM endpoint (sovereign clouds have their own audience)."""
    return f"{endpoint}/.default"


def client_kwargs(endpoint: str) -> dict[str, Any]:
    """What every SDK client gets: the guard, the token scope and the TLS trust.

    requests honours REQUESTS_CA_BUNDLE by itself; SSL_CERT_FILE (OpenSSL's variable,
    which requests ignores) is passed on explicitly when it is the only one set.
    """
    kwargs: dict[str, Any] = {
        "per_retry_policies": [ReadOnlyPolicy()],
        "credential_scopes": [token_scope(endpoint)],
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


@dataclasses.dataclass(frozen=True)
class ArmSession:
    """The loaded SDK, one credential and one ARM endpoint: what every client is built from."""

    sdk: SimpleNamespace
    credential: Any
    endpoint: str

    def client(self, factory: Any, *args: Any) -> Any:
        """An SDK client (``factory``) for this endpoint, guarded and with bounded calls."""
        return factory(
            self.credential, *args, base_url=self.endpoint, **client_kwargs(self.endpoint)
        )

    def resources(self, subscription_id: str) -> Any:
        return self.client(self.sdk.ResourceManagementClient, subscription_id)

    def storage(self, subscription_id: str) -> Any:
        return self.client(self.sdk.StorageManagementClient, subscription_id)

    def resource_graph(self) -> Any:
        """The Resource Graph client, or None when azure-mgmt-resourcegraph is not installed."""
        if self.sdk.ResourceGraphClient is None:
            return None
        return self.client(self.sdk.ResourceGraphClient)

    def require_token(self) -> None:
        """Check a token can be had, once, so a missing login is one message, not N."""
        try:
            self.credential.get_token(token_scope(self.endpoint))
        except self.sdk.AzureError as exc:
            first = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            raise ProviderError(
                PROVIDER,
                f"no Azure token for {self.endpoint}: {first} (log in with 'az login', or set "
                "AZURE_TOKEN_CREDENTIALS / the AZURE_CLIENT_* variables)",
            ) from None
