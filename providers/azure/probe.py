"""``config check --probe`` for Azure: a token, then the one ARM read a scan would start with.

Everything goes through the provider's own pieces (its credential, its guarded clients, its
endpoint and its error wording), so a probe that passes means the scan's first steps pass too,
and a probe that fails says what the scan would have said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sovaudit.providers.azure.failures import describe_failure
from sovaudit.providers.azure.guard import PROVIDER, ReadOnlyViolation
from sovaudit.providers.interface import ProviderError

if TYPE_CHECKING:
    from sovaudit.providers.azure.provider import AzureProvider


def probe(provider: AzureProvider) -> str:
    """The subscription list (when none is configured) or the first page of the first
    configured subscription's resources (``$top=1``); ProviderError when either fails."""
    provider._start()  # no token is one message, as in a scan
    if not provider.subscriptions:
        visible = provider._targets()
        if not visible:
            return f"no subscription visible at {provider.endpoint}: a scan would read nothing"
        return f"{len(visible)} subscription(s) visible at {provider.endpoint}"
    first = provider.subscriptions[0]
    sdk = provider._sdk_modules()
    try:
        with provider.resource_client(first) as client:
            next(iter(client.resources.list(top=1)), None)
    except (sdk.AzureError, ReadOnlyViolation) as exc:
        message = describe_failure(exc, "listing resources")
        raise ProviderError(PROVIDER, message, scope=first) from None
    others = len(provider.subscriptions) - 1
    seen = f"subscription {first} readable at {provider.endpoint}"
    return seen + (f"; {others} other subscription(s) not probed" if others else "")
