"""What every source of assets implements. The core only knows this module."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from sovaudit.model import Asset, ScanError

if TYPE_CHECKING:
    from sovaudit.locate.regions import Locator

# What a declared option holds. From the kind come the command-line type, the config file's
# conversion (paths are relative to the config file) and the JSON Schema of the config key.
OPTION_KINDS = ("text", "path", "https_url", "number")


@dataclasses.dataclass(frozen=True)
class SourceOption:
    """One option a source declares, once: everything else is generated from it.

    The command-line flag (``--aws-profile``), the config key (``sources.aws.profile``), the
    config file's JSON Schema, ``config check``'s listing and the ``SOVAUDIT_*`` variable all
    come from this declaration, so a provider, built in or installed from another package,
    is configured the same way as every other.
    """

    key: str  # the keyword ``from_options`` receives, and the config key under sources.<name>
    help: str
    kind: str = "text"
    multiple: bool = False  # repeatable flag; a list in the config file
    metavar: str | None = None
    flag: str | None = None  # default: --<provider>-<key>, singular when repeatable
    param: str | None = None  # default: <provider>_<key> (shared with `locate` for net's)
    default: Any = None
    minimum: float | None = None  # numbers only
    # Whether giving this option turns its source on (an endpoint list does, a DNS timeout
    # does not: it only tunes a source turned on otherwise).
    enables: bool = True

    def __post_init__(self) -> None:
        if self.kind not in OPTION_KINDS:
            raise ValueError(f"option {self.key}: kind must be one of {OPTION_KINDS}")

    def flag_for(self, source: str) -> str:
        if self.flag:
            return self.flag
        stem = self.key[:-1] if self.multiple and self.key.endswith("s") else self.key
        return f"--{source}-{stem.replace('_', '-')}"

    def param_for(self, source: str) -> str:
        return self.param or f"{source}_{self.key}"


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


def option_schema(option: SourceOption) -> dict[str, Any]:
    """The JSON Schema of one declared option's config key."""
    if option.multiple:
        return {"$ref": "#/$defs/paths" if option.kind == "path" else "#/$defs/strings"}
    if option.kind == "number":
        schema: dict[str, Any] = {"type": "number"}
        if option.minimum is not None:
            schema["minimum"] = option.minimum
        return schema
    if option.kind == "https_url":
        return {"type": "string", "pattern": "^https://", "description": "an https:// URL"}
    return {"type": "string", "minLength": 1}


class Provider(abc.ABC):
    """A source of assets: a cloud account, an inventory file, a list of endpoints.

    ``collect`` yields assets as they are found, with whatever location evidence the source
    has (region, zone, declared location); the locate stage does the rest. A scope that
    cannot be read is reported through ``errors`` and collection goes on with the others:
    a partial inventory that says what is missing beats none.
    """

    name: str
    # The options this source takes (see SourceOption); the CLI, the config file and its
    # schema are generated from them.
    options: ClassVar[tuple[SourceOption, ...]] = ()
    # Whether --sample-content applies: the provider then receives ``content_sampling``.
    samples_content: ClassVar[bool] = False
    # The scan's locator, handed over by sovaudit.pipeline.build_sources to providers that
    # place what they find themselves (the net provider), so the catalogue is read once.
    locator: Locator | None = None
    # When the whole collection must end (a time.monotonic() value), set by sovaudit.pipeline
    # from --timeout; a provider that reads scopes through sovaudit.deadline.run_scopes reports
    # the scopes unfinished by then as errors and returns what it read.
    deadline: float | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Provider:
        """Build the provider from CLI/config options (its own keys only)."""
        return cls(**options)

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> list[str]:
        """What ``config check`` reads of this source's options, offline: one line per file
        or value checked; InputError for a bad one. Nothing is contacted."""
        return []

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
