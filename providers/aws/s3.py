"""S3 buckets and their replicas: where each bucket's data is, and where its copies go.

S3 is global: one ListBuckets answers for every region, so the provider runs this collector
once per account (in one region, see provider.py), not once per region. Each bucket's region is
what GetBucketLocation says, kept raw (``null`` for us-east-1, ``EU`` for old eu-west-1 buckets):
the locator knows those traps. A replication rule is a copy of the data in the destination
bucket's region, which may be another country (DOMAIN.md); when that bucket belongs to an
account we cannot read, the copy's location stays unknown, with the reason.

Per-bucket reads that are refused (tags, replication, encryption) do not stop the listing:
every readable bucket is still yielded, then the first refusal is raised so the provider
records the scope as incomplete.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from botocore.exceptions import ClientError

from sovaudit.model import EMPTY_TAGS, Asset, Copy, unknown_location
from sovaudit.providers.aws.scope import AwsScope

SERVICE = "s3"
# A null LocationConstraint is the partition's first region (DOMAIN.md: the S3 trap).
NULL_LOCATION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}
LEGACY_LOCATION = {"EU": "eu-west-1"}
_ABSENT = {
    "NoSuchTagSet",
    "ReplicationConfigurationNotFoundError",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchBucket",
}
_MISSING = object()
# Threads reading one account's buckets (within one of the provider's workers).
BUCKET_WORKERS = 8


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def bucket_name_from_arn(arn: str) -> str:
    """``arn:aws:s3:::name`` (or a bare name) -> ``name``."""
    return arn.rsplit(":", 1)[-1].split("/", 1)[0]


def kms_key_region(key_arn: str) -> str | None:
    """The region in a KMS key ARN (``arn:aws:kms:REGION:ACCOUNT:key/ID``); None for an alias
    or a bare key id, which live in the bucket's own region."""
    parts = key_arn.split(":")
    return parts[3] or None if len(parts) >= 6 and parts[2] == "kms" else None


class _Buckets:
    """The S3 clients and bucket locations one collection needs, each fetched once."""

    def __init__(self, scope: AwsScope) -> None:
        self.scope = scope
        self.home = scope.client(SERVICE)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()  # sessions are not thread-safe; their clients are
        self._locations: dict[str, str | Exception | None] = {}

    def location(self, name: str) -> str | None:
        """The raw LocationConstraint (None for us-east-1); raises ClientError if refused."""
        known = self._locations.get(name, _MISSING)
        if known is _MISSING:
            try:
                answer = self.home.get_bucket_location(Bucket=name)
                known = answer.get("LocationConstraint") or None
            except ClientError as exc:
                known = exc
            self._locations[name] = known
        if isinstance(known, Exception):
            raise known
        return known if isinstance(known, str) else None

    def client_for(self, location: str | None) -> Any:
        """A client in the bucket's own region, so no call is redirected."""
        region = self.real_region(location)
        with self._lock:
            client = self._clients.get(region)
            if client is None:
                client = self.scope.session.client(SERVICE, region_name=region)
                self._clients[region] = client
        return client

    def real_region(self, location: str | None) -> str:
        if not location:
            return NULL_LOCATION.get(self.scope.partition, "us-east-1")
        return LEGACY_LOCATION.get(location, location)


def _optional(call: Any, **params: Any) -> Mapping[str, Any] | None:
    """A read whose "not configured" answer is an error code; None when absent."""
    try:
        return dict(call(**params))
    except ClientError as exc:
        if _code(exc) in _ABSENT:
            return None
        raise


def _tags(client: Any, name: str) -> Mapping[str, str]:
    answer = _optional(client.get_bucket_tagging, Bucket=name)
    if not answer or not answer.get("TagSet"):
        return EMPTY_TAGS
    return MappingProxyType({str(t["Key"]): str(t["Value"]) for t in answer["TagSet"]})


def _replicas(buckets: _Buckets, client: Any, name: str) -> tuple[Copy, ...]:
    answer = _optional(client.get_bucket_replication, Bucket=name)
    if not answer:
        return ()
    copies: list[Copy] = []
    for rule in answer.get("ReplicationConfiguration", {}).get("Rules", []):
        if rule.get("Status", "Enabled") != "Enabled":
            continue
        target = str(rule.get("Destination", {}).get("Bucket", ""))
        if not target:
            continue
        try:
            location = buckets.location(bucket_name_from_arn(target))
        except ClientError as exc:
            note = f"destination bucket's region unreadable ({_code(exc) or 'error'})"
            copies.append(Copy(kind="replica", target=target, location=unknown_location(note)))
            continue
        # A copy's null region would not reach the S3 alias in the locator: name it.
        copies.append(Copy(kind="replica", target=target, region=buckets.real_region(location)))
    return tuple(dict.fromkeys(copies))


def _encryption(client: Any, name: str) -> dict[str, Any]:
    answer = _optional(client.get_bucket_encryption, Bucket=name)
    if not answer:
        return {}
    rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        attributes: dict[str, Any] = {"encryption": default.get("SSEAlgorithm")}
        key = default.get("KMSMasterKeyID")
        if key:
            attributes["kms_key_arn"] = key
            attributes["kms_key_region"] = kms_key_region(key)
        return attributes
    return {}


def _list_buckets(client: Any) -> Iterator[str]:
    if client.can_paginate("list_buckets"):
        for page in client.get_paginator("list_buckets").paginate():
            yield from (str(b["Name"]) for b in page.get("Buckets", []))
    else:
        yield from (str(b["Name"]) for b in client.list_buckets().get("Buckets", []))


def _read_bucket(buckets: _Buckets, name: str) -> tuple[Asset | None, ClientError | None]:
    """One bucket as an asset, and the refusal that left part of it unread, if any."""
    try:
        location = buckets.location(name)
    except ClientError as exc:
        if _code(exc) == "NoSuchBucket":
            return None, None  # deleted between the listing and now
        # Without its region a bucket cannot be placed, and a null region would read as
        # us-east-1: leave it out and make the scope incomplete.
        return None, exc
    client = buckets.client_for(location)
    failure: ClientError | None = None
    try:
        tags = _tags(client, name)
        copies = _replicas(buckets, client, name)
        attributes = _encryption(client, name)
    except ClientError as exc:
        if _code(exc) == "NoSuchBucket":
            return None, None
        failure = exc
        tags, copies, attributes = EMPTY_TAGS, (), {"details": "unreadable"}
    asset = Asset(
        id=f"arn:{buckets.scope.partition}:s3:::{name}",
        provider="aws",
        service=SERVICE,
        kind="object_store",
        name=name,
        account=buckets.scope.account_id,
        region=location,
        copies=copies,
        tags=tags,
        attributes=MappingProxyType(attributes) if attributes else EMPTY_TAGS,
    )
    return asset, failure


def collect(scope: AwsScope) -> Iterator[Asset]:
    """Every bucket the account owns, with tags, replicas and default encryption.

    A bucket costs four or five calls and an account may have thousands, all in this one
    scope, so buckets are read by a few threads sharing the scope's (thread-safe) clients.
    """
    buckets = _Buckets(scope)
    names = list(_list_buckets(buckets.home))
    deferred: ClientError | None = None
    with concurrent.futures.ThreadPoolExecutor(BUCKET_WORKERS, "sovaudit-s3") as pool:
        for asset, failure in pool.map(lambda n: _read_bucket(buckets, n), names):
            deferred = deferred or failure
            if asset is not None:
                yield asset
    if deferred is not None:
        raise deferred
