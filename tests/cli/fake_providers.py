"""Providers for testing the CLI's handling of sources (our own interface, not a cloud)."""

from __future__ import annotations

from collections.abc import Iterator

from sovaudit.model import Asset, ScanError
from sovaudit.providers.interface import Provider, ProviderError


class HalfReadableProvider(Provider):
    """Reads one region, cannot read another: the partial-scan path (exit 3)."""

    name = "halfreadable"

    def __init__(self) -> None:
        self._errors: list[ScanError] = []

    def collect(self) -> Iterator[Asset]:
        yield Asset(id="arn:aws:s3:::readable", provider="aws", service="s3", region="mx-central-1")
        self._errors.append(
            ScanError(
                "halfreadable",
                "123456789012/us-east-1",
                "AccessDenied: not authorised to ListBuckets",
            )
        )

    @property
    def errors(self) -> list[ScanError]:
        return self._errors


class BrokenProvider(Provider):
    """Cannot start at all (as when its SDK or credentials are missing)."""

    name = "broken"

    def collect(self) -> Iterator[Asset]:
        raise ProviderError("broken", "no credentials found")
        yield  # pragma: no cover - makes this a generator


class NotAProvider:
    pass
