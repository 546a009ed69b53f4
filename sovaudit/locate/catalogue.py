"""The region catalogue: where each provider's regions physically are.

The facts live in CSV files under ``sovaudit/data/regions`` (one per provider, each row with
its source) so a maintainer can correct a country without touching code. This module only
loads and indexes them.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import sys
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from sovaudit.errors import CatalogueError
from sovaudit.model import Confidence, Location, LocationSource, unknown_location

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

REGION_COLUMNS = (
    "region",
    "name",
    "aliases",
    "countries",
    "subdivision",
    "city",
    "kind",
    "members",
    "paired_region",
    "parent_region",
    "source",
    "notes",
)
ALIAS_COLUMNS = ("provider", "service", "code", "region", "source")
REGION_KINDS = frozenset({"region", "multi-region", "dual-region", "local-zone", "wavelength-zone"})
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_KEY_NOISE = re.compile(r"[\s_]+")


def lookup_key(code: str) -> str:
    """Fold the spellings providers use for one place: ``Mexico Central`` = ``mexicocentral``."""
    return _KEY_NOISE.sub("", code).casefold()


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


@dataclasses.dataclass(frozen=True)
class Region:
    provider: str
    code: str
    name: str
    countries: tuple[str, ...]
    kind: str
    source: str
    aliases: tuple[str, ...] = ()
    subdivision: str | None = None
    city: str | None = None
    members: tuple[str, ...] = ()
    paired_region: str | None = None
    parent_region: str | None = None
    notes: str | None = None

    def location(self) -> Location:
        """The Location a resource in this region has."""
        if not self.countries:
            return unknown_location(
                f"{self.provider} region {self.code!r} is catalogued but its country is not "
                "published" + (f" ({self.notes})" if self.notes else "")
            )
        note = None
        if len(self.countries) > 1:
            note = f"{self.kind} {self.code}: data may be in any of {', '.join(self.countries)}"
        return Location(
            countries=self.countries,
            subdivision=self.subdivision,
            city=self.city,
            source=LocationSource.CATALOGUE,
            confidence=Confidence.HIGH,
            note=note,
        )


@dataclasses.dataclass(frozen=True)
class ServiceAlias:
    """A location code one service returns that is not a region code (S3's null and ``EU``)."""

    provider: str
    service: str
    code: str
    region: str
    source: str


class Catalogue:
    """Regions indexed by provider and by every spelling of their code."""

    def __init__(self, regions: Iterable[Region], aliases: Iterable[ServiceAlias] = ()) -> None:
        self._regions: dict[str, list[Region]] = {}
        self._index: dict[tuple[str, str], Region] = {}
        self._service_aliases: dict[tuple[str, str, str], str] = {}
        ambiguous: set[tuple[str, str]] = set()
        for region in regions:
            self._regions.setdefault(region.provider, []).append(region)
            key = (region.provider, lookup_key(region.code))
            if key in self._index and self._index[key].code != region.code:
                raise CatalogueError(f"{region.provider}: region code {region.code!r} repeated")
            self._index[key] = region
        # Display names and aliases come second so they can never shadow a real code.
        for provider, provider_regions in self._regions.items():
            for region in provider_regions:
                for spelling in (region.name, *region.aliases):
                    key = (provider, lookup_key(spelling))
                    if not key[1] or key in ambiguous:
                        continue
                    existing = self._index.get(key)
                    if existing is None:
                        self._index[key] = region
                    elif existing.code != region.code and lookup_key(existing.code) != key[1]:
                        ambiguous.add(key)
                        del self._index[key]
        self.ambiguous_names = frozenset(ambiguous)
        for alias in aliases:
            self._service_aliases[(alias.provider, alias.service, alias.code.casefold())] = (
                alias.region
            )

    @property
    def providers(self) -> list[str]:
        return sorted(self._regions)

    def regions(self, provider: str | None = None) -> Iterator[Region]:
        """Every region, or one provider's, in file order."""
        providers = [provider] if provider else self.providers
        for name in providers:
            yield from self._regions.get(name, ())

    def has_provider(self, provider: str) -> bool:
        return provider in self._regions

    def lookup(self, provider: str, code: str) -> Region | None:
        """The region a code, display name or alias stands for, ignoring case and spaces."""
        return self._index.get((provider, lookup_key(code)))

    def service_alias(self, provider: str, service: str | None, code: str | None) -> str | None:
        """The region behind a service-specific code; ``None`` code is the API's null."""
        if not service:
            return None
        return self._service_aliases.get((provider, service, (code or "").casefold()))


def _read_rows(path: Traversable, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    if tuple(reader.fieldnames or ()) != columns:
        raise CatalogueError(f"{path.name}: header must be {','.join(columns)}")
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise CatalogueError(f"{path.name}:{reader.line_num}: wrong number of columns")
        yield reader.line_num, {k: v.strip() for k, v in row.items()}


def _region_from_row(provider: str, file: str, line: int, row: dict[str, str]) -> Region:
    where = f"{file}:{line}"
    if not row["region"]:
        raise CatalogueError(f"{where}: empty region code")
    if row["kind"] not in REGION_KINDS:
        raise CatalogueError(f"{where}: kind {row['kind']!r} is not one of {sorted(REGION_KINDS)}")
    countries = _split(row["countries"])
    for country in countries:
        if not _COUNTRY.match(country):
            raise CatalogueError(f"{where}: {country!r} is not an ISO 3166-1 alpha-2 code")
    subdivision = row["subdivision"] or None
    if subdivision and not (_SUBDIVISION.match(subdivision) and subdivision[:2] in countries):
        raise CatalogueError(f"{where}: subdivision {subdivision!r} is not in {countries}")
    if not row["source"]:
        raise CatalogueError(f"{where}: every row needs a source")
    return Region(
        provider=provider,
        code=row["region"],
        name=row["name"] or row["region"],
        aliases=_split(row["aliases"]),
        countries=countries,
        subdivision=subdivision,
        city=row["city"] or None,
        kind=row["kind"],
        members=_split(row["members"]),
        paired_region=row["paired_region"] or None,
        parent_region=row["parent_region"] or None,
        source=row["source"],
        notes=row["notes"] or None,
    )


def load_catalogue(directory: Traversable | Path | None = None) -> Catalogue:
    """Read every ``<provider>.csv`` and ``aliases.csv`` in ``directory`` (default: bundled)."""
    folder: Traversable = (
        directory if directory is not None else resources.files("sovaudit") / "data" / "regions"
    )
    regions: list[Region] = []
    aliases: list[ServiceAlias] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".csv"):
            continue
        if entry.name == "aliases.csv":
            for line, row in _read_rows(entry, ALIAS_COLUMNS):
                if not (row["provider"] and row["service"] and row["region"] and row["source"]):
                    raise CatalogueError(
                        f"{entry.name}:{line}: provider, service, region and source are required"
                    )
                aliases.append(ServiceAlias(**row))
            continue
        provider = entry.name[: -len(".csv")]
        for line, row in _read_rows(entry, REGION_COLUMNS):
            regions.append(_region_from_row(provider, entry.name, line, row))
    catalogue = Catalogue(regions, aliases)
    for alias in aliases:
        if catalogue.lookup(alias.provider, alias.region) is None:
            raise CatalogueError(
                f"aliases.csv: {alias.provider} {alias.service} {alias.code!r} points to "
                f"unknown region {alias.region!r}"
            )
    return catalogue
