"""Which subscriptions a scan reads: the ones configured, or every one the identity can see.

Listing is the one read a scan cannot do without, so the caller turns its failure into a
ProviderError; skipping ``Deleted`` subscriptions keeps a scan from reporting, for each of them,
an access error nobody can fix.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sovaudit.providers.azure.failures import describe_failure
from sovaudit.providers.azure.guard import PROVIDER, ReadOnlyViolation
from sovaudit.providers.azure.resources import text
from sovaudit.providers.azure.scope import Subscription
from sovaudit.providers.azure.session import ArmSession
from sovaudit.providers.interface import ProviderError

log = logging.getLogger(__name__)

# Used only when no SubscriptionClient is installed (azure-mgmt-resource 24+ without
# azure-mgmt-resource-subscriptions): the version the SubscriptionClient itself uses.
SUBSCRIPTIONS_API_VERSION = "2022-12-01"
# Any subscription id does for the client that reads the tenant-level list.
_NO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
SKIPPED_STATES = frozenset({"deleted"})


def configured(subscription_ids: Sequence[str]) -> list[Subscription]:
    """The configured subscriptions, each once, in the order given; nothing is listed."""
    return [Subscription(s) for s in dict.fromkeys(subscription_ids)]


def list_subscriptions(session: ArmSession) -> list[Subscription]:
    """Every subscription the identity can see, in ARM's order."""
    if session.sdk.SubscriptionClient is None:
        return _list_subscriptions_raw(session)
    with session.client(session.sdk.SubscriptionClient) as client:
        return [
            Subscription(
                subscription_id=str(item.subscription_id),
                display_name=text(item.display_name),
                state=text(item.state),
            )
            for item in client.subscriptions.list()
        ]


def _list_subscriptions_raw(session: ArmSession) -> list[Subscription]:
    """``GET /subscriptions`` page by page, for installs without a subscription client."""
    url: str | None = f"{session.endpoint}/subscriptions?api-version={SUBSCRIPTIONS_API_VERSION}"
    found: list[Subscription] = []
    with session.resources(_NO_SUBSCRIPTION) as client:
        while url:
            response = client.send_request(session.sdk.HttpRequest("GET", url))
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


def visible(session: ArmSession) -> list[Subscription]:
    """The listed subscriptions a scan reads; ProviderError when the list cannot be read."""
    try:
        listed = list_subscriptions(session)
    except (session.sdk.AzureError, ReadOnlyViolation) as exc:
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
        log.warning("azure: the identity can see no subscription at %s", session.endpoint)
    return targets
