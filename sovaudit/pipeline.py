"""The stages between sources and rules: collect, locate, classify.

Each stage takes what the previous one produced and returns new values; none reaches back.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sovaudit import progress
from sovaudit.classify.tags import Classifier
from sovaudit.deadline import DeadlineReached, passed, within
from sovaudit.errors import SovauditError, UsageError
from sovaudit.inputs.readers import FileContext
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset, ScanError, evolve
from sovaudit.providers.interface import (
    NOT_FINISHED,
    Provider,
    ProviderError,
    unexpected_answer,
)
from sovaudit.providers.inventory_file import InventoryFileProvider
from sovaudit.providers.registry import available, provider_class

log = logging.getLogger(__name__)

NOT_STARTED = "not read: the collection's --timeout ran out before this source was started"


@dataclasses.dataclass(frozen=True)
class Stages:
    """The locate and classify stages a command runs, built once from the bundled data and
    passed to whatever needs them (the net provider included: the catalogue is read once)."""

    locator: Locator
    classifier: Classifier

    @classmethod
    def default(cls) -> Stages:
        from sovaudit.classify.tags import default_conventions
        from sovaudit.locate.catalogue import load_catalogue

        return cls(Locator(load_catalogue()), Classifier(default_conventions()))


@dataclasses.dataclass(frozen=True)
class Collected:
    assets: tuple[Asset, ...]
    errors: tuple[ScanError, ...]


def collect(providers: Iterable[Provider], *, deadline: float | None = None) -> Collected:
    """Every asset from every source; a provider that fails is an error entry, not a crash.

    The same asset id from two sources (an inventory file and a previous scan, say) is kept
    once, first source first, so nothing is counted twice. ``deadline`` (from --timeout, a
    time.monotonic() value) ends the collection: what was read by then is kept, and every
    source or scope still unread is an error entry.
    """
    assets: dict[str, Asset] = {}
    errors: list[ScanError] = []
    for provider in providers:
        label = provider.label
        if passed(deadline):
            errors.append(ScanError(provider.name, "*", NOT_STARTED))
            continue
        provider.deadline = deadline
        progress.source_started(label)
        before, errors_before = len(assets), len(errors)
        try:
            for asset in within(provider.collect, deadline):
                if asset.id in assets:
                    log.warning(
                        "asset %s appears in more than one source; keeping the first", asset.id
                    )
                    continue
                assets[asset.id] = asset
        except ProviderError as exc:
            errors.append(exc.to_scan_error())
        except DeadlineReached:
            errors.append(ScanError(provider.name, "*", NOT_FINISHED))
        except SovauditError:
            raise  # the user's own input (an inventory file): exit 2, not an incomplete scan
        except Exception as exc:  # a malformed answer that a provider did not contain
            log.debug("%s: reading failed", label, exc_info=True)
            errors.append(ScanError(provider.name, "*", unexpected_answer(exc)))
        errors.extend(provider.errors)
        progress.source_finished(label, len(assets) - before, len(errors) - errors_before)
    progress.collection_done(len(assets))
    return Collected(assets=tuple(assets.values()), errors=tuple(errors))


def prepare(assets: Iterable[Asset], locator: Locator, classifier: Classifier) -> list[Asset]:
    """Every asset located and classified (one new object per asset that changes)."""
    prepared = []
    for asset in assets:
        changes = locator.located_fields(asset) or {}
        classified = classifier.classified_fields(asset)
        if classified:
            changes.update(classified)
        prepared.append(evolve(asset, **changes) if changes else asset)
    warn_unknown_codes(locator)
    return prepared


def warn_unknown_codes(locator: Locator) -> None:
    """One warning per region code no catalogue knows, with how many assets carry it.

    A region launched after the catalogue was written, or a typo in one row of a large
    export, must not stop the audit: those assets are unlocated (and the rules report them),
    and this line tells the user why, once.
    """
    for (provider, code), asset_ids in sorted(locator.unknown_codes.items()):
        count = len(asset_ids)
        close = locator.closest_code(provider, code)
        log.warning(
            "%s region %r is not in the region catalogue%s: %d asset%s located as unknown "
            "(e.g. %s); declare their 'location', or --strict to reject such codes",
            provider,
            code,
            f" (closest known code: {close!r})" if close else "",
            count,
            "" if count == 1 else "s",
            next(iter(asset_ids)),
        )
    locator.unknown_codes.clear()


def build_sources(
    inventories: Sequence[Path],
    provider_names: Sequence[str],
    locator: Locator,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    strict: bool = False,
    input_format: str | None = None,
) -> list[Provider]:
    """Inventory files first (their mistakes are found before any cloud call), then providers.

    ``options`` maps a provider name to its own options (the net provider's endpoints file,
    name servers...); a provider given options is collected even if not named with --provider.
    ``strict`` makes values an inventory holds but nobody recognises input errors;
    ``input_format`` names the reader of every file instead of recognising each by content.
    """
    options = options or {}
    names = list(dict.fromkeys([*provider_names, *options]))
    known = {*locator.catalogue.providers, *available()}
    context = FileContext(locator, strict=strict, known_providers=known)
    sources: list[Provider] = [
        InventoryFileProvider(path, context, input_format=input_format) for path in inventories
    ]
    for name in names:
        try:
            provider = provider_class(name).from_options(options.get(name, {}))
        except ValueError as exc:  # a provider's verdict on its own options: bad input
            raise UsageError(f"{name}: {exc}") from None
        provider.locator = locator
        sources.append(provider)
    return sources
