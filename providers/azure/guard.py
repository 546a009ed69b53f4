"""Read-only by construction: every Azure request passes an HTTP-method check before it is sent.

An audit tool is given an identity that could, with a careless role assignment, also change
things. So the provider never trusts itself to send only reads: every client it builds carries
``ReadOnlyPolicy``, a pipeline policy that refuses any method other than GET before the request
reaches the transport. Tokens are fetched by the credential through its own pipeline, so the
guard never sees (or blocks) the token request.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from sovaudit.providers.interface import ProviderError

PROVIDER = "azure"
READ_METHODS = frozenset({"GET"})
# Requests that read although they are not GETs: the Resource Graph query is a POST whose body
# is the query; it changes nothing. Exactly this path (case-insensitive, as ARM reads paths).
READING_POSTS = frozenset({"/providers/microsoft.resourcegraph/resources"})


class ReadOnlyViolation(ProviderError):
    """Something tried to send a request that could change the subscription."""

    def __init__(self, method: str, url: str) -> None:
        path = urllib.parse.urlsplit(url).path
        super().__init__(
            PROVIDER,
            f"refused {method} {path}: sovaudit only reads Azure "
            "(GET, and the Resource Graph query)",
        )
        self.method = method
        self.url = url


def reads(method: str, url: str) -> bool:
    """Whether a request only reads: a GET, or the Resource Graph query POST."""
    if method in READ_METHODS:
        return True
    path = urllib.parse.urlsplit(url).path.rstrip("/").casefold()
    return method == "POST" and path in READING_POSTS


class ReadOnlyPolicy:
    """An azure-core HTTP policy that lets only reads (GET, and the Resource Graph query)
    through to the transport.

    Placed after the retry policy (``per_retry_policies``), so it also sees requests that other
    policies make on their own, such as the automatic resource-provider registration POST that
    ARM clients send on a ``MissingSubscriptionRegistration`` answer. Duck-typed (``next`` and
    ``send``) so this module imports without azure-core installed.
    """

    next: Any

    def send(self, request: Any) -> Any:
        http_request = request.http_request
        method = str(http_request.method).upper()
        if not reads(method, str(http_request.url)):
            raise ReadOnlyViolation(method, str(http_request.url))
        return self.next.send(request)
