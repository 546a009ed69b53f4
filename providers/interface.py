"""What every source of assets implements. The core only knows this module."""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from typing import Any

from sovaudit.model import Asset, ScanError


class ProviderError(Exception):
    """A whole provider cannot run (SDK missing, no credentials): reported, exit 3."""

    def __init__(self, provider: str, message: str, scope: str = "*") -> None:
        super().__init__(message)
        self.provider = provider
        self.scope = scope

    def to_scan_error(self) -> ScanError:
        return ScanError(provider=self.provider, scope=self.scope, message=str(self))


# The errors entry of a scope still unread when the collection's --timeout ran out.
NOT_FINISHED = "not read: the collection's --timeout ran out before this scope answered"


def unexpected_answer(exc: Exception) -> str:
    """The error entry for a scope whose answer broke the code reading it.

    An HTTP 200 with a body no parser accepts, or well-formed JSON with the wrong field types,
    must cost that scope, not the scan: the scope becomes an ``errors`` entry (exit 3) and the
    other scopes are still reported. Should the answer have been valid, it is a bug, so the
    entry says how to report it.
    """
    text = " ".join(str(exc).split())[:200]
    return (
        f"unexpected answer ({type(exc).__name__}: {text}); if the service answered "
        "correctly this is a bug in sovaudit: please report it (-vv shows the traceback)"
    )


class Provider(abc.ABC):
    """A source of assets: a cloud account, an inventory file, a list of endpoints.

    ``collect`` yields assets as they are found, with whatever location evidence the source
    has (region, zone, declared location); the locate stage does the rest. A scope that
    cannot be read is reported through ``errors`` and collection goes on with the others:
    a partial inventory that says what is missing beats none.
    """

    name: str
    # When the whole collection must end (a time.monotonic() value), set by sovaudit.pipeline
    # from --timeout; a provider that reads scopes through sovaudit.deadline.run_scopes reports
    # the scopes unfinished by then as errors and returns what it read.
    deadline: float | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Provider:
        """Build the provider from CLI/config options (its own keys only)."""
        return cls(**options)

    @property
    def label(self) -> str:
        """How progress and logs name this source (a provider name, an inventory file)."""
        return self.name

    @abc.abstractmethod
    def collect(self) -> Iterator[Asset]:
        """Yield every asset this source can see."""

    @property
    def errors(self) -> list[ScanError]:
        """Scopes that could not be read during ``collect``."""
        return []

    def probe(self) -> str:
        """Try the source with one cheap read and say what was seen, so that ``config check
        --probe`` finds missing credentials before a scheduled night does.

        Raises ProviderError, worded as ``collect`` would word it, when the source cannot be
        read; a file the user gave that is unusable stays an InputError (exit 2), as in a
        scan. Only reads, like everything a provider does. Sources with nothing to reach (an
        inventory file, read in full by ``config check`` anyway) keep this default.
        """
        return "nothing to probe"
