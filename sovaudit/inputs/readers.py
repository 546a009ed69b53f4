"""Which reader reads an input file: each kind of file is recognised by what it holds.

Every file argument of ``scan`` and ``inventory`` goes to the first reader in ``READERS``
whose ``detects`` says yes (``--input-format NAME`` skips the question). The sovaudit
inventory reader comes last and takes everything left, so a file nobody else recognises
gets the inventory's error message: file, line and field. A new kind of input is one module
with a ``Reader`` plus one line in the table below.
"""

from __future__ import annotations

import abc
import dataclasses
import importlib
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sovaudit.errors import UsageError

if TYPE_CHECKING:
    from sovaudit.inputs.peek import Peek
    from sovaudit.locate.regions import Locator
    from sovaudit.model import Asset

# Given (provider, service, region code), say why the code is unusable, or None when fine.
RegionCheck = Callable[[str, "str | None", str], "str | None"]


@dataclasses.dataclass(frozen=True)
class FileContext:
    """What a reader may need beyond the file: the catalogue, and how strict to be."""

    locator: Locator | None = None
    strict: bool = False
    known_providers: Collection[str] | None = None

    @property
    def region_check(self) -> RegionCheck | None:
        return self.locator.explain_unknown if self.locator is not None else None


class Reader(abc.ABC):
    """One kind of input file."""

    name: str  # what --input-format calls it, and its key in READERS

    @abc.abstractmethod
    def detects(self, peek: Peek) -> bool:
        """Whether the file holds this kind of input (cheap: a look at its start or keys)."""

    @abc.abstractmethod
    def read(self, path: Path, context: FileContext) -> Iterable[Asset]:
        """The file's assets, or ``InputError`` naming the file, line and field."""


# name -> ("module:attribute", what it reads), tried in this order. The module is imported
# only when a file is read; the description is here so --help needs no import.
READERS: dict[str, tuple[str, str]] = {
    "terraform": (
        "sovaudit.inputs.terraform.reader:READER",
        "Terraform or OpenTofu plan or state, as `terraform show -json` writes it, or a state file",
    ),
    "azure": (
        "sovaudit.inputs.azure_listing:READER",
        "Azure Resource Graph or ARM listing (`az graph query -o json`, "
        "`az resource list -o json`)",
    ),
    "gcp-assets": (
        "sovaudit.inputs.cloud_asset:READER",
        "Google Cloud Asset Inventory (`gcloud asset search-all-resources`, `export`, `list`)",
    ),
    "aws-config": (
        "sovaudit.inputs.aws_config:READER",
        "AWS Config items (`aws configservice select-resource-config`, snapshots, history)",
    ),
    "inventory": (
        "sovaudit.inputs.inventory.reader:READER",
        "sovaudit inventory (YAML, JSON, CSV) or a previous scan's JSON",
    ),
}


def reader_named(name: str) -> Reader:
    entry = READERS.get(name)
    if entry is None:
        raise UsageError(f"unknown input format {name!r} (known: {', '.join(READERS)})")
    target = entry[0]
    module_name, _, attribute = target.partition(":")
    reader = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(reader, Reader):
        raise TypeError(f"{target} is not a Reader")
    return reader


def reader_for(path: Path, forced: str | None = None) -> Reader:
    """The reader for a file: the one forced, else the first that recognises it."""
    if forced:
        return reader_named(forced)
    from sovaudit.inputs.peek import Peek  # msgspec: not for `sovaudit --version`

    peek = Peek(path)
    names = list(READERS)
    for name in names[:-1]:
        reader = reader_named(name)
        if reader.detects(peek):
            return reader
    return reader_named(names[-1])
