"""What a per-service collector is given: one account, one region, a read-only session."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from sovaudit.model import Asset


@dataclasses.dataclass(frozen=True)
class AwsScope:
    """One account and region to read, with a boto3 session already guarded read-only.

    ``client(service)`` returns a client for this region, built from the scope's session (one
    session per worker thread: boto3 sessions are not thread-safe).
    """

    account_id: str
    region: str
    partition: str
    session: Any  # boto3.Session; typed loosely so this module never imports boto3

    def client(self, service: str) -> Any:
        return self.session.client(service, region_name=self.region)

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account_id}:{resource}"
        )


# A collector yields the assets of one service in one scope. Access problems are raised as
# botocore ClientError/EndpointConnectionError; the provider turns them into error entries.
Collector = Callable[[AwsScope], Iterator[Asset]]


def arn_region(arn: str) -> str | None:
    """The region field of an ARN (``arn:aws:rds:sa-east-1:...`` gives ``sa-east-1``)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not parts[3]:
        return None
    return parts[3]


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    """Every item under ``key`` across all pages of a list operation."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, ())
