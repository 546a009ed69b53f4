"""Inventory files as a source: on-premises, colocation, SaaS, or a previous scan."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

from sovaudit.inputs.inventory.reader import RegionCheck, read_inventory
from sovaudit.model import Asset
from sovaudit.providers.interface import Provider


class InventoryFileProvider(Provider):
    """Assets from one YAML, JSON or CSV inventory file.

    A bad file raises ``sovaudit.errors.InputError`` (exit 2) instead of being reported as an
    incomplete scope: the user wrote it and can fix it, and a scan that skipped it would
    understate the exposure.
    """

    name = "inventory"

    def __init__(
        self,
        path: Path,
        region_check: RegionCheck | None = None,
        *,
        strict: bool = False,
        known_providers: Collection[str] | None = None,
    ) -> None:
        self.path = path
        self.region_check = region_check
        self.strict = strict
        self.known_providers = known_providers

    @property
    def label(self) -> str:
        return self.path.name

    def collect(self) -> Iterator[Asset]:
        yield from read_inventory(
            self.path,
            self.region_check,
            strict=self.strict,
            known_providers=self.known_providers,
        )
