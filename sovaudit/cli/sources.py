"""Where a command's assets come from: inventory files, and providers with their options.

No provider is named here. Each provider declares its options (``Provider.options``, a tuple
of ``SourceOption``); the flags below are generated from those declarations, for built-in
providers and those installed by other packages alike (the ``sovaudit.providers`` entry-point
group), and so are the config keys ``sources.<provider>.<key>`` (sovaudit.inputs.config) and their
JSON Schema.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sovaudit.errors import UsageError
from sovaudit.inputs.readers import READERS

if TYPE_CHECKING:
    from sovaudit.locate.regions import Locator
    from sovaudit.providers.interface import Provider, SourceOption

F = TypeVar("F", bound=Callable[..., Any])

# A nightly collection still running after an hour is stuck on something; a very large
# organisation raises it (--timeout, config `timeout`).
DEFAULT_TIMEOUT = 3600.0


def declared_options() -> Iterator[tuple[str, SourceOption]]:
    """(provider name, option) for every option every available provider declares."""
    from sovaudit.providers.registry import declared

    for name, cls in declared().items():
        for option in cls.options:
            yield name, option


@dataclasses.dataclass(frozen=True)
class Sources:
    """Where a command's assets come from: inventory files and live providers with options."""

    inventories: tuple[Path, ...]
    providers: tuple[str, ...]
    options: dict[str, dict[str, Any]]
    strict: bool = False
    timeout: float | None = None  # seconds the whole collection may take (--timeout)
    input_format: str | None = None  # the reader of every file (--input-format); None: by content

    def deadline(self) -> float | None:
        """The collection's deadline, counted from now (a time.monotonic() value)."""
        return None if not self.timeout else time.monotonic() + self.timeout

    def build(self, locator: Locator) -> list[Provider]:
        """The providers to collect from, inventory files first."""
        from sovaudit.pipeline import build_sources

        return build_sources(
            self.inventories,
            self.providers,
            locator,
            self.options,
            strict=self.strict,
            input_format=self.input_format,
        )

    def require(self) -> None:
        if not self.inventories and not self.providers and not self.options:
            raise UsageError(
                "nothing to read: give INVENTORY files, --endpoints FILE, --provider NAME, "
                "or a --config file with 'sources'"
            )


def _given(value: Any, option: SourceOption) -> bool:
    """Whether the user gave this option (a default value does not count)."""
    if option.multiple:
        return bool(value)
    return value is not None and value != option.default


def _sources(kwargs: dict[str, Any]) -> Sources:
    """Gather the source options click parsed into one value (and out of ``kwargs``).

    A provider runs when it is named with --provider, or when one of its options that
    ``enables`` it is given (an endpoint turns the net provider on; a DNS timeout does not).
    """
    providers = tuple(kwargs.pop("providers"))
    values: dict[str, dict[str, Any]] = {}
    enabled: set[str] = set()
    for name, option in declared_options():
        value = kwargs.pop(option.param_for(name), option.default)
        if option.multiple:
            value = list(value or ())
        values.setdefault(name, {})[option.key] = value
        if option.enables and _given(value, option):
            enabled.add(name)
    options = {name: own for name, own in values.items() if name in providers or name in enabled}
    return Sources(
        tuple(kwargs.pop("inventories")),
        providers,
        options,
        bool(kwargs.pop("strict", False)),
        kwargs.pop("timeout", None),
        kwargs.pop("input_format", None),
    )


def sources_from(params: Mapping[str, Any]) -> Sources:
    """The sources a command's parsed parameters describe (``config check`` resolves them)."""
    return _sources(dict(params))


def _click_type(option: SourceOption) -> Any:
    if option.kind == "path":
        return click.Path(path_type=Path)
    if option.kind == "number":
        return click.FloatRange(min=option.minimum)
    return str


def click_option(source: str, option: SourceOption) -> Callable[[F], F]:
    """The command-line flag a declared option becomes."""
    return click.option(
        option.flag_for(source),
        option.param_for(source),
        type=_click_type(option),
        multiple=option.multiple,
        default=() if option.multiple else option.default,
        show_default=option.default is not None and not option.multiple,
        metavar=option.metavar,
        help=option.help,
    )


def _reader_lines() -> list[str]:
    return [f"{name}: {description}" for name, (_, description) in READERS.items()]


def _provider_help() -> str:
    from sovaudit.providers.registry import available

    return f"Also collect from this live provider ({', '.join(available())}); repeatable."


def source_options(func: F) -> F:
    """``[INVENTORY]...``, ``--provider``, and each provider's options, passed as ``sources``.

    The command receives one ``sources: Sources`` argument instead of a dozen flags; the
    providers' flags come from their declarations, so adding a provider touches nothing here.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, sources=_sources(kwargs), **kwargs)

    decorators: list[Callable[[Any], Any]] = [
        click.argument(
            "inventories", nargs=-1, type=click.Path(path_type=Path), metavar="[INVENTORY]..."
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            metavar="SECONDS",
            help="Most the collection may take; scopes not read by then are errors "
            "(exit 3) and the rest is reported. 0: no limit.",
        ),
        click.option(
            "--strict",
            is_flag=True,
            help="Reject (exit 2) inventory values nobody recognises: region codes no "
            "catalogue knows, subdivisions and countries that are not ISO 3166, unknown "
            "provider names. Default: warn, keep the asset, leave it unlocated.",
        ),
        click.option(
            "--input-format",
            type=click.Choice(list(READERS)),
            default=None,
            help="Read every INVENTORY file as this kind of input instead of recognising "
            "each by its content (" + "; ".join(_reader_lines()) + ").",
        ),
        click.option(
            "--provider", "providers", multiple=True, metavar="NAME", help=_provider_help()
        ),
        *(click_option(name, option) for name, option in declared_options()),
    ]
    command: Any = wrapper
    for decorate in reversed(decorators):
        command = decorate(command)
    return command
