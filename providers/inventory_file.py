"""Input files as a source: inventories (on-premises, colocation, SaaS), previous scans, and
the other kinds of file the readers recognise (sovaudit.inputs.readers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sovaudit.inputs.readers import FileContext, reader_for
from sovaudit.model import Asset
from sovaudit.providers.interface import Provider


class InventoryFileProvider(Provider):
    """Assets from one input file, read by the reader that recognises it.

    A bad file raises ``sovaudit.errors.InputError`` (exit 2) instead of being reported as an
    incomplete scope: the user wrote it and can fix it, and a scan that skipped it would
    understate the exposure.
    """

    name = "inventory"

    def __init__(
        self, path: Path, context: FileContext | None = None, *, input_format: str | None = None
    ) -> None:
        self.path = path
        self.context = context or FileContext()
        self.input_format = input_format

    @property
    def label(self) -> str:
        return self.path.name

    def collect(self) -> Iterator[Asset]:
        reader = reader_for(self.path, self.input_format)
        yield from reader.read(self.path, self.context)
