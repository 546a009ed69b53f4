"""Storage accounts as content-sampling sources: list containers and blobs, then ranged reads.

Only GETs are sent (List Containers, List Blobs, Get Blob with ``x-ms-range``), with the scan's
token credential (the identity needs the ``Storage Blob Data Reader`` role: the ``Reader`` role
on the account does not read data) through ``GuardedTransport``, which refuses any other
method before the request is sent: the storage SDK builds its own pipeline, so the guard sits
in its transport, where nothing can get around it. Every read asks for the sample's bytes only.

A storage account is one source: its blobs are listed container by container (keys are
``container/blob``, redacted by the sampler before they reach the evidence). Skipped, not
failures: blobs in the Archive tier (they must be rehydrated first), blobs encrypted with a
customer-provided key, blobs deleted since the listing. A refused listing or read makes the
account an error entry naming the role to grant; no message built here carries blob data.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sovaudit.classify.content.errors import ObjectReadError, SkipObject
from sovaudit.classify.content.outcome import sampled_asset
from sovaudit.classify.content.sample import ENCRYPTED, GONE, ObjectRef, Sampler
from sovaudit.model import Asset, ScanError
from sovaudit.providers.azure.guard import PROVIDER, ReadOnlyViolation, reads

WORKERS = 4
ROLE = "Storage Blob Data Reader"


def guarded_transport(inner: Any) -> Any:
    """An azure-core transport that sends only reads, wrapped around ``inner``."""
    from azure.core.pipeline.transport import HttpTransport

    class GuardedTransport(HttpTransport):
        def __enter__(self) -> Any:
            inner.__enter__()
            return self

        def __exit__(self, *args: Any) -> None:
            inner.__exit__(*args)

        def open(self) -> None:
            inner.open()

        def close(self) -> None:
            inner.close()

        def send(self, request: Any, **kwargs: Any) -> Any:
            method = str(request.method).upper()
            if not reads(method, str(request.url)) or method != "GET":
                raise ReadOnlyViolation(method, str(request.url))
            return inner.send(request, **kwargs)

    return GuardedTransport()


def _code(exc: Any) -> str:
    return str(getattr(exc, "error_code", "") or "")


def _failure(exc: Any, what: str) -> ObjectReadError:
    status = getattr(exc, "status_code", None)
    code = _code(exc)
    if status in (401, 403):
        return ObjectReadError(
            f"permission denied {what} ({status} {code or 'Forbidden'}): grant the identity "
            f"the {ROLE} role on the account",
            denied=True,
        )
    if isinstance(status, int):
        return ObjectReadError(f"{what} failed: {status} {code}".rstrip())
    first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return ObjectReadError(f"{what} failed: {first}")


class BlobAccountSource:
    """One storage account's blobs, every container, for the sampler."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def list_objects(self, max_objects: int) -> Iterator[ObjectRef]:
        from azure.core.exceptions import AzureError

        listed = 0
        try:
            for container in self.service.list_containers():
                client = self.service.get_container_client(container.name)
                for blob in client.list_blobs():
                    if listed >= max_objects:
                        return
                    listed += 1
                    tier = str(getattr(blob, "blob_tier", "") or "")
                    yield ObjectRef(
                        key=f"{container.name}/{blob.name}",
                        size=int(blob.size or 0),
                        archived=tier.casefold() == "archive",
                    )
        except ReadOnlyViolation as exc:  # a bug if ever: said as the account's error entry
            raise ObjectReadError(str(exc)) from None
        except AzureError as exc:
            raise _failure(exc, "listing blobs") from None

    def read(self, ref: ObjectRef, max_bytes: int) -> bytes:
        from azure.core.exceptions import AzureError, ResourceNotFoundError

        container, _, name = ref.key.partition("/")
        blob = self.service.get_blob_client(container, name)
        try:
            data = blob.download_blob(offset=0, length=max_bytes).readall()
        except ResourceNotFoundError:
            raise SkipObject(GONE) from None
        except ReadOnlyViolation as exc:
            raise ObjectReadError(str(exc)) from None
        except AzureError as exc:
            if "customer" in _code(exc).casefold() and "encrypt" in _code(exc).casefold():
                raise SkipObject(ENCRYPTED) from None  # a customer-provided key: the uploader's
            raise _failure(exc, "reading a blob") from None
        return bytes(data[:max_bytes])


def blob_service(endpoint: str, credential: Any) -> Any:
    """A BlobServiceClient for one account, token-authenticated, behind the guard."""
    from azure.core.pipeline.transport import RequestsTransport
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient(
        endpoint,
        credential=credential,
        transport=guarded_transport(RequestsTransport(connection_timeout=10, read_timeout=60)),
        retry_total=3,
    )


def sample_accounts(
    assets: Sequence[Asset],
    sampler: Sampler,
    make_service: Callable[[Asset], Any],
    workers: int = WORKERS,
) -> tuple[list[Asset], list[ScanError]]:
    """Every storage account sampled; an error entry per account that could not be read."""

    def one(asset: Asset) -> tuple[Asset, ScanError | None]:
        service = make_service(asset)
        try:
            sample = sampler.sample(BlobAccountSource(service))
        finally:
            service.close()
        return sampled_asset(
            asset,
            sample,
            provider=PROVIDER,
            url=str(service.url).rstrip("/"),
            scope=f"{asset.account}/{asset.name}",
        )

    if not assets:
        return [], []
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, min(workers, len(assets))), thread_name_prefix="sovaudit-blob"
    ) as pool:
        results = list(pool.map(one, assets))
    return [asset for asset, _ in results], [error for _, error in results if error is not None]
