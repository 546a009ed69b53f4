"""Values an inventory may hold but nobody recognises: a warning each, or an error with --strict.

``subdivision: MX-NL`` (Nuevo León is ``MX-NLE``), ``country: UK`` (the United Kingdom is
``GB``) and ``provider: Amazon`` were accepted silently: the asset is placed, but a report
grouped by state or provider is quietly wrong. One odd row must not stop a 5,000-row audit
either, so by default each distinct value is one warning line on stderr, counted, naming the
first line it is on; ``--strict`` makes the first of them an input error (exit 2) instead.
Region codes are the locator's to judge (sovaudit.locate.regions): live providers meet
them too.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Collection, Iterator, Sequence

from sovaudit.locate import iso3166
from sovaudit.model import Asset, Location, LocationSource

# Provider names an inventory may use for what no cloud catalogue places (they are declared).
GENERIC_PROVIDERS = ("inventory", "onprem", "colo", "saas", "other")
# What people write for the providers sovaudit knows by their short names.
PROVIDER_SPELLINGS = {
    "amazon": "aws",
    "amazonwebservices": "aws",
    "google": "gcp",
    "googlecloud": "gcp",
    "googlecloudplatform": "gcp",
    "microsoft": "azure",
    "microsoftazure": "azure",
    "oracle": "oci",
    "oraclecloud": "oci",
    "huaweicloud": "huawei",
    "onpremises": "onprem",
    "onpremise": "onprem",
    "colocation": "colo",
}


@dataclasses.dataclass(frozen=True)
class Doubt:
    """One unrecognised value: where it is (a path into the document) and what is wrong."""

    path: tuple[str | int, ...]
    value: str
    message: str

    @property
    def key(self) -> tuple[str, str]:
        """Doubts with the same key are the same mistake repeated: warned about once."""
        return (str(self.path[-1]), self.value)


def _provider_hint(name: str, known: Collection[str]) -> str:
    folded = "".join(ch for ch in name.casefold() if ch.isalnum())
    if folded in known:
        return f"; did you mean {folded!r}?"
    spelled = PROVIDER_SPELLINGS.get(folded)
    if spelled:
        return f"; did you mean {spelled!r}?"
    close = difflib.get_close_matches(name.casefold(), sorted(known), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _location_doubts(location: Location, path: tuple[str | int, ...]) -> Iterator[Doubt]:
    if location.source is not LocationSource.DECLARED:
        return
    for country in location.countries:
        if not iso3166.is_country(country):
            hint = " (the United Kingdom is GB)" if country == "UK" else ""
            yield Doubt(
                (*path, "countries"),
                country,
                f"country {country!r} is not an ISO 3166-1 alpha-2 code{hint}",
            )
    subdivision = location.subdivision
    if subdivision and not iso3166.is_subdivision(subdivision):
        closest = iso3166.closest_subdivision(subdivision)
        hint = f"; did you mean {closest}?" if closest else ""
        yield Doubt(
            (*path, "subdivision"),
            subdivision,
            f"subdivision {subdivision!r} is not an ISO 3166-2 code{hint}",
        )
    elif subdivision and subdivision[:2] not in location.countries:
        yield Doubt(
            (*path, "subdivision"),
            subdivision,
            f"subdivision {subdivision!r} is not in {'/'.join(location.countries)}",
        )


def find_doubts(assets: Sequence[Asset], known_providers: Collection[str]) -> Iterator[Doubt]:
    """Every unrecognised provider name, country and subdivision, in document order."""
    known = {*known_providers, *GENERIC_PROVIDERS}
    for index, asset in enumerate(assets):
        base: tuple[str | int, ...] = ("assets", index)
        if asset.provider not in known:
            yield Doubt(
                (*base, "provider"),
                asset.provider,
                f"provider {asset.provider!r} is not a known provider name "
                f"({', '.join(sorted(known))}){_provider_hint(asset.provider, known)}",
            )
        yield from _location_doubts(asset.location, (*base, "location"))
        for n, copy in enumerate(asset.copies):
            yield from _location_doubts(copy.location, (*base, "copies", n, "location"))
            if copy.provider and copy.provider not in known:
                yield Doubt(
                    (*base, "copies", n, "provider"),
                    copy.provider,
                    f"provider {copy.provider!r} is not a known provider name"
                    f"{_provider_hint(copy.provider, known)}",
                )
