"""Which provider name means which class: built-ins in one table, plug-ins by entry point."""

from __future__ import annotations

import functools
import importlib
from importlib.metadata import entry_points

from sovaudit.errors import UsageError
from sovaudit.providers.interface import Provider

ENTRY_POINT_GROUP = "sovaudit.providers"

# name -> "module:Class", imported only when that provider runs (cloud SDKs are heavy).
BUILTIN: dict[str, str] = {
    "aws": "sovaudit.providers.aws:AwsProvider",
    "azure": "sovaudit.providers.azure:AzureProvider",
    "gcp": "sovaudit.providers.gcp:GcpProvider",
    "net": "sovaudit.providers.net:NetProvider",
}
# The extra that installs each built-in provider's SDK.
EXTRAS = {"aws": "aws", "net": "net", "gcp": "gcp", "azure": "azure"}


@functools.cache
def declared() -> dict[str, type[Provider]]:
    """Every provider class whose options the CLI and the config file offer, by name.

    Built-ins first, then plug-ins. A plug-in that cannot even be imported is left out here
    (its options do not exist) and says why when it is asked for with ``--provider``; a
    broken third-party package must not stop every command.
    """
    classes: dict[str, type[Provider]] = {}
    for name in [*BUILTIN, *sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})]:
        if name in classes:
            continue
        try:
            classes[name] = provider_class(name)
        except (UsageError, ImportError, AttributeError):
            continue
    return classes


def samplers() -> list[str]:
    """The providers --sample-content applies to."""
    return [name for name, cls in declared().items() if cls.samples_content]


def available() -> list[str]:
    """Every provider name a user can pass to ``--provider``."""
    names = set(BUILTIN)
    names.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(names)


def provider_class(name: str) -> type[Provider]:
    """The class behind a provider name, or UsageError listing the names that exist."""
    target = BUILTIN.get(name)
    if target is not None:
        module_name, _, class_name = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] == "sovaudit":  # our own bug, not a missing SDK
                raise
            raise UsageError(
                f"the {name} provider needs {exc.name}: pip install "
                f"'sovaudit[{EXTRAS.get(name, name)}]'"
            ) from None
        cls = getattr(module, class_name)
    else:
        matches = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not matches:
            known = ", ".join(available()) or "none installed yet"
            raise UsageError(
                f"unknown provider {name!r} (available: {known}; inventory "
                "files are given as arguments)"
            )
        cls = matches[0].load()
    if not (isinstance(cls, type) and issubclass(cls, Provider)):
        raise UsageError(f"provider {name!r} does not implement sovaudit's Provider interface")
    return cls
