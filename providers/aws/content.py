"""S3 buckets as content-sampling sources: ListObjectsV2, then GetObject with a byte range.

Only ``ListObjectsV2`` (IAM ``s3:ListBucket``) and ``GetObject`` (``s3:GetObject``) are called,
through the provider's guarded sessions: both pass the read-only allow-list (List*, Get*),
which still refuses anything that writes. Every GetObject carries ``Range: bytes=0-N`` so only
the sample is transferred (and billed); the body is also cut at N in case an endpoint ignores
the range.

What S3 answers is sorted into the sampler's three outcomes (sovaudit.classify.content.errors):

- skip the object: archived (Glacier Flexible Retrieval / Deep Archive, or
  ``InvalidObjectState``), encrypted with a KMS key the caller may not use, or with a
  customer-provided key (SSE-C), deleted since the listing;
- the bucket cannot be read: AccessDenied on the listing or on GetObject, throttling,
  network; the provider records an error entry for the bucket (exit 3).

No message built here carries object data; object keys only travel inside the sampler,
which redacts them before they reach the evidence.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sovaudit.classify.content.errors import ObjectReadError, SkipObject
from sovaudit.classify.content.sample import ARCHIVED, ENCRYPTED, GONE, ObjectRef
from sovaudit.classify.content.text import EMPTY
from sovaudit.providers.aws.failures import describe_failure
from sovaudit.providers.aws.s3 import LEGACY_LOCATION, NULL_LOCATION

log = logging.getLogger(__name__)

SERVICE = "s3"
PAGE = 1000
# Storage classes whose objects must be restored before GetObject works.
ARCHIVED_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
_DENIED = {"AccessDenied", "AllAccessDisabled", "AccountProblem"}
_GONE = {"NoSuchKey", "NoSuchVersion"}


def bucket_region(location: str | None, partition: str) -> str:
    """The region to call for a bucket whose raw LocationConstraint is ``location``."""
    if not location:
        return NULL_LOCATION.get(partition, "us-east-1")
    return LEGACY_LOCATION.get(location, location)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", ""))


def _kms_refusal(exc: ClientError) -> bool:
    """S3 passes KMS's refusals through: codes ``KMS.*``, or AccessDenied naming KMS."""
    code, text = _code(exc), _message(exc).lower()
    return code.startswith("KMS.") or "kms" in text or "customer master key" in text


def _failure(exc: ClientError | BotoCoreError) -> ObjectReadError:
    denied = isinstance(exc, ClientError) and _code(exc) in _DENIED
    return ObjectReadError(describe_failure(exc, SERVICE), denied=denied)


class S3ObjectSource:
    """One bucket's objects, read with a client in the bucket's own region."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def list_objects(self, max_objects: int) -> Iterator[ObjectRef]:
        token: str | None = None
        listed = 0
        while listed < max_objects:
            params: dict[str, Any] = {
                "Bucket": self.bucket,
                "MaxKeys": min(PAGE, max_objects - listed),
            }
            if token:
                params["ContinuationToken"] = token
            try:
                page = self.client.list_objects_v2(**params)
            except (ClientError, BotoCoreError) as exc:
                raise _failure(exc) from None
            for item in page.get("Contents", ()):
                listed += 1
                yield ObjectRef(
                    key=str(item["Key"]),
                    size=int(item.get("Size", 0)),
                    archived=str(item.get("StorageClass", "")) in ARCHIVED_CLASSES,
                )
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    def read(self, ref: ObjectRef, max_bytes: int) -> bytes:
        try:
            answer = self.client.get_object(
                Bucket=self.bucket, Key=ref.key, Range=f"bytes=0-{max_bytes - 1}"
            )
            body = answer["Body"]
            try:
                return bytes(body.read(max_bytes))
            finally:
                body.close()
        except ClientError as exc:
            code = _code(exc)
            if code in _GONE:
                raise SkipObject(GONE) from None
            if code == "InvalidObjectState":
                raise SkipObject(ARCHIVED) from None
            if code == "InvalidRange":
                raise SkipObject(EMPTY) from None
            if _kms_refusal(exc):
                raise SkipObject(ENCRYPTED) from None
            if code == "InvalidRequest" and "encrypt" in _message(exc).lower():
                raise SkipObject(ENCRYPTED) from None  # SSE-C: the key is the uploader's
            raise _failure(exc) from None
        except BotoCoreError as exc:
            raise _failure(exc) from None


class ClientCache:
    """S3 clients per (thread, session, region): building a client costs more than a read."""

    def __init__(self) -> None:
        self._local = threading.local()

    def get(self, session: Any, region: str) -> Any:
        clients: dict[tuple[int, str], Any] | None = getattr(self._local, "clients", None)
        if clients is None:
            clients = self._local.clients = {}
        key = (id(session), region)
        client = clients.get(key)
        if client is None:
            client = clients[key] = session.client(SERVICE, region_name=region)
        return client
