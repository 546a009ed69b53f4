"""The whole tenant in one query: Azure Resource Graph, paged, patient with its quota.

One KQL query returns every resource of every subscription the identity can see (or of the
subscriptions and management groups given), with its ``properties``: what the copy
interpreters (copies.py, links.py) read. It is a POST that only reads; the read-only guard
allows exactly that request. Pages follow ``$skipToken``. A 429 is retried by the SDK (it
honours ``Retry-After``); between pages, a spent per-user quota
(``x-ms-user-quota-remaining: 0``) is waited out for ``x-ms-user-quota-resets-after``.

When Resource Graph is not allowed (403) or not installed, the provider lists each
subscription through ARM instead (provider.py): the fallback, not an error.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

QUERY = (
    "Resources | project id, name, type, location, tags, sku, kind, subscriptionId, "
    "resourceGroup, properties"
)
# The subscriptions whose resources the identity can read (to name the ones it cannot).
CONTAINERS_QUERY = (
    "ResourceContainers | where type =~ 'microsoft.resources/subscriptions' "
    "| project subscriptionId"
)
PAGE_SIZE = 1000
# Concurrent queries, each over its share of the subscriptions: Resource Graph pages are
# sequential (each needs the previous one's $skipToken), and its per-user quota (15 queries
# per 5 s) is shared, so a few streams, not one per subscription.
GRAPH_WORKERS = 4
MAX_SUBSCRIPTIONS_PER_QUERY = 1000  # the service's limit
# Longest wait for a spent quota before the next page; the collection's deadline still rules.
MAX_QUOTA_WAIT = 60.0


def _seconds(resets_after: str | None) -> float:
    """``00:00:05`` (hh:mm:ss, as Resource Graph writes it) -> 5.0."""
    try:
        hours, minutes, seconds = (resets_after or "").split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    except ValueError:
        return 0.0


def _page(
    response: Any, deserialized: Any, headers: Mapping[str, str]
) -> tuple[Any, dict[str, str]]:
    http = getattr(response, "http_response", None)
    found = dict(getattr(http, "headers", None) or headers or {})
    return deserialized, {k.casefold(): v for k, v in found.items()}


def query_rows(
    client: Any,
    models: Any,
    subscriptions: Sequence[str] = (),
    management_groups: Sequence[str] = (),
    *,
    query: str = QUERY,
    page_size: int = PAGE_SIZE,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[dict[str, Any]]:
    """Every row of the query, page after page."""
    skip_token: str | None = None
    pages = 0
    while True:
        request = models.QueryRequest(
            query=query,
            subscriptions=list(subscriptions) or None,
            management_groups=list(management_groups) or None,
            options=models.QueryRequestOptions(
                skip_token=skip_token, top=page_size, result_format="objectArray"
            ),
        )
        answer, headers = client.resources(request, cls=_page)
        pages += 1
        for row in answer.data or ():
            if isinstance(row, dict):
                yield row
        skip_token = answer.skip_token
        if not skip_token:
            log.info("azure: Resource Graph: %d page(s)", pages)
            return
        if headers.get("x-ms-user-quota-remaining") == "0":
            wait = min(_seconds(headers.get("x-ms-user-quota-resets-after")), MAX_QUOTA_WAIT)
            log.info("azure: Resource Graph quota spent; waiting %.1f s", wait)
            sleep(wait)


def subscription_groups(
    subscriptions: Sequence[str], workers: int = GRAPH_WORKERS
) -> list[list[str]]:
    """The subscriptions in at most ``workers`` groups (more when a group would exceed the
    service's limit), in order."""
    if not subscriptions:
        return []
    size = max(math.ceil(len(subscriptions) / workers), 1)
    size = min(size, MAX_SUBSCRIPTIONS_PER_QUERY)
    return [list(subscriptions[i : i + size]) for i in range(0, len(subscriptions), size)]


def query_groups(
    make_client: Callable[[], Any], models: Any, groups: Sequence[Sequence[str]]
) -> list[dict[str, Any]]:
    """The rows of every group, queried concurrently, each with its own client; in group
    order. The first group that fails raises its error (the caller decides what it means)."""

    def one(group: Sequence[str]) -> list[dict[str, Any]]:
        with make_client() as client:
            return list(query_rows(client, models, group))

    if len(groups) <= 1:
        return one(groups[0] if groups else [])
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=min(GRAPH_WORKERS, len(groups)), thread_name_prefix="sovaudit-graph"
    ) as pool:
        futures = [pool.submit(one, group) for group in groups]
        rows: list[dict[str, Any]] = []
        for future in futures:
            rows.extend(future.result())
    return rows
