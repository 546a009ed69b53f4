"""Cloud Storage buckets as content-sampling sources: objects.list, then a ranged media GET.

Both are GET requests (``storage.objects.list``, ``storage.objects.get``), sent through the
provider's read-only session, which still refuses every other method. Downloads ask for
``Range: bytes=0-N`` so only the sample is transferred, with ``raw_download`` so a
gzip-encoded object comes as stored (the sampler decompresses it) instead of being inflated
by Google, which would ignore the range.

Skipped, not failures: objects encrypted with a customer-supplied key (CSEK: the listing says
so, and Google refuses the read without the key), objects whose Cloud KMS key cannot be used,
objects deleted since the listing. A refused listing or read makes the bucket an error entry.

Each worker thread has its own session and client (requests sessions are not meant to be
shared across threads); all are closed when the project is done.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sovaudit.classify.content.errors import ObjectReadError, SkipObject
from sovaudit.classify.content.outcome import sampled_asset
from sovaudit.classify.content.sample import ENCRYPTED, GONE, ObjectRef, Sampler
from sovaudit.model import Asset, ScanError
from sovaudit.providers.gcp.failures import read_errors

PROVIDER = "gcp"
WORKERS = 4
LIST_PERMISSION = "storage.objects.list"
GET_PERMISSION = "storage.objects.get"


def _reason_and_text(exc: Any) -> tuple[str, str]:
    errors = getattr(exc, "errors", None) or []
    first = errors[0] if errors and isinstance(errors[0], Mapping) else {}
    reason = str(first.get("reason") or "")
    text = str(first.get("message") or getattr(exc, "message", "") or "")
    return reason, text.splitlines()[0][:200] if text else ""


def _failure(exc: BaseException, permission: str) -> ObjectReadError:
    """The error entry's text: the permission to grant, never Google's text naming the caller."""
    code = getattr(exc, "code", None)
    reason, _ = _reason_and_text(exc)
    if code in (401, 403):
        label = reason or "forbidden"
        return ObjectReadError(f"permission denied: {permission} ({code} {label})", denied=True)
    if isinstance(code, int):
        return ObjectReadError(f"{permission} failed: {code} {reason}".rstrip())
    first_line = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return ObjectReadError(f"{permission} failed: {first_line}")


def _kms_or_key(exc: BaseException) -> bool:
    """Google's refusal names the encryption: a CSEK object, a CMEK key that cannot be used."""
    _, text = _reason_and_text(exc)
    lowered = text.lower()
    return "kms" in lowered or "encryption key" in lowered or "customer-supplied" in lowered


def _read_errors() -> tuple[type[BaseException], ...]:
    return read_errors()


class GcsObjectSource:
    """One bucket's objects, through a storage client on a read-only session."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def list_objects(self, max_objects: int) -> Iterator[ObjectRef]:
        try:
            for blob in self.client.list_blobs(self.bucket, max_results=max_objects):
                yield ObjectRef(
                    key=str(blob.name),
                    size=int(blob.size) if blob.size is not None else None,
                    encrypted=blob._properties.get("customerEncryption") is not None,
                )
        except _read_errors() as exc:
            raise _failure(exc, LIST_PERMISSION) from None

    def read(self, ref: ObjectRef, max_bytes: int) -> bytes:
        from google.api_core import exceptions as api

        blob = self.client.bucket(self.bucket).blob(ref.key)
        try:
            data = blob.download_as_bytes(
                start=0, end=max_bytes - 1, raw_download=True, checksum=None
            )
        except api.NotFound:
            raise SkipObject(GONE) from None
        except (api.Forbidden, api.BadRequest) as exc:
            if _kms_or_key(exc):
                raise SkipObject(ENCRYPTED) from None
            raise _failure(exc, GET_PERMISSION) from None
        except _read_errors() as exc:
            raise _failure(exc, GET_PERMISSION) from None
        return bytes(data[:max_bytes])


class _ThreadClients:
    """A storage client per worker thread, each on its own read-only session."""

    def __init__(self, make_client: Callable[[], tuple[Any, Any]]) -> None:
        self._make = make_client
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[Any] = []

    def get(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client, session = self._make()
            self._local.client = client
            with self._lock:
                self._sessions.append(session)
        return client

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()


def sample_buckets(
    assets: Sequence[Asset],
    sampler: Sampler,
    make_client: Callable[[], tuple[Any, Any]],
    project: str,
    workers: int = WORKERS,
) -> tuple[list[Asset], list[ScanError]]:
    """Every bucket of one project sampled; an error entry per bucket that could not be read.

    ``make_client`` returns a new ``(storage.Client, session)``; it is called once per
    worker thread.
    """
    clients = _ThreadClients(make_client)

    def one(asset: Asset) -> tuple[Asset, ScanError | None]:
        sample = sampler.sample(GcsObjectSource(clients.get(), str(asset.name)))
        return sampled_asset(
            asset,
            sample,
            provider=PROVIDER,
            url=f"gs://{asset.name}",
            scope=f"{project}/{asset.name}",
        )

    try:
        with concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, min(workers, len(assets))), thread_name_prefix="sovaudit-gcs"
        ) as pool:
            results = list(pool.map(one, assets))
    finally:
        clients.close()
    return [asset for asset, _ in results], [error for _, error in results if error is not None]
