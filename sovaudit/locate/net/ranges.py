"""Run time: the clouds' IP ranges as a table, and "whose, and which region, is this address?"

GeoIP databases place cloud addresses badly (a Querétaro address may be filed under the
provider's head office); the providers' own range files say which region announces a prefix.
Those files are turned into one compact snapshot at build time (``netloc.range_sources``, by
``sovaudit data update`` and ``scripts/build_ip_snapshot.py``); the snapshot ships with the
package (``sovaudit/data/ip-ranges/snapshot.tsv.gz``). This module only reads snapshots and
answers lookups, quickly enough for whole DNS zones, so ``sovaudit locate``, a scan and the net
provider start without importing the providers' parsers.

Lookups return the row of the longest prefix containing the address. If two providers
published the very same prefix (never seen), ``precedence`` decides (CDN first, then regional
over global, then a specific service over the catch-all ``AMAZON`` / ``AzureCloud.*``), then
provider order ``aws, gcp, azure, oci``. IPv4-mapped IPv6 addresses (``::ffff:a.b.c.d``) are
looked up as IPv4.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import gzip
import logging
import os
import socket
import sys
import zlib
from collections.abc import Generator, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from sovaudit.errors import InputError
from sovaudit.locate.net.model import RangeMatch

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

log = logging.getLogger(__name__)

PROVIDERS = ("aws", "gcp", "azure", "oci")
SNAPSHOT_FORMAT = "sovaudit-ip-ranges"
SNAPSHOT_VERSION = 1
SNAPSHOT_COLUMNS = ("network", "provider", "region", "service", "cdn")
CACHE_FILENAME = "ip-ranges.tsv.gz"
STALE_AFTER_DAYS = 90

_CATCH_ALL_SERVICES = ("AMAZON", "AzureCloud")


class RangeDataError(InputError):
    """A range file or snapshot that cannot be used (corrupt, wrong shape): exit 2."""


class RangeRow(NamedTuple):
    """One published prefix and what it says: the unit of the snapshot."""

    network: str  # canonical CIDR
    provider: str
    region: str | None
    service: str | None
    cdn: bool


@dataclasses.dataclass(frozen=True)
class SourceInfo:
    """Which file a provider's rows came from, so every answer can cite its data and age."""

    provider: str
    name: str
    url: str
    date: datetime.date
    version: str = ""  # the file's own serial: syncToken, changeNumber, timestamp

    @property
    def label(self) -> str:
        """How a match cites its data: ``AWS ip-ranges.json 2025-07-24``."""
        return f"{self.name} {self.date.isoformat()}"


def precedence(row: RangeRow) -> tuple[bool, bool, bool, str]:
    """Sort key, higher wins: CDN, regional, a specific service, then the name (determinism).

    One order for both places rows compete: merging a provider's duplicates at build time and
    two rows for the very same prefix at lookup time.
    """
    service = row.service or ""
    specific = bool(service) and not service.startswith(_CATCH_ALL_SERVICES)
    return (row.cdn, row.region is not None, specific, service)


# --- reading the snapshot --------------------------------------------------------------------


SnapshotPath = Path | Traversable


def bundled_snapshot() -> Traversable:
    """The snapshot that ships inside the package."""
    return resources.files("sovaudit") / "data" / "ip-ranges" / "snapshot.tsv.gz"


def _open_text(path: SnapshotPath) -> Generator[str, None, None]:
    try:
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
            yield from text
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as error:
        raise RangeDataError(str(path), f"cannot read IP range snapshot: {error}") from None


def _source_from_header(path: SnapshotPath, cells: list[str], line: int) -> SourceInfo:
    if len(cells) != 6 or cells[1] not in PROVIDERS:
        raise RangeDataError(str(path), "malformed #source line", line=line)
    try:
        day = datetime.date.fromisoformat(cells[4])
    except ValueError:
        raise RangeDataError(str(path), f"bad date {cells[4]!r}", line=line) from None
    return SourceInfo(cells[1], cells[2], cells[3], day, cells[5])


def _read_header(path: SnapshotPath, lines: Iterator[str]) -> list[SourceInfo]:
    """Read up to and including ``#columns``; the iterator is left at the first row."""
    first = next(lines, "").rstrip("\n").split("\t")
    if first != [f"#{SNAPSHOT_FORMAT}", str(SNAPSHOT_VERSION)]:
        raise RangeDataError(str(path), f"not a {SNAPSHOT_FORMAT} v{SNAPSHOT_VERSION} snapshot")
    sources: list[SourceInfo] = []
    for number, text in enumerate(lines, start=2):
        cells = text.rstrip("\n").split("\t")
        if cells[0] == "#columns":
            if tuple(cells[1:]) != SNAPSHOT_COLUMNS:
                raise RangeDataError(str(path), "unexpected columns", line=number)
            return sources
        if cells[0] != "#source":
            raise RangeDataError(str(path), "expected #source or #columns", line=number)
        sources.append(_source_from_header(path, cells, number))
    raise RangeDataError(str(path), "no #columns line: truncated snapshot")


def read_sources(path: SnapshotPath) -> list[SourceInfo]:
    """Only a snapshot's header: cheap enough to compare candidates before loading one."""
    lines = _open_text(path)
    try:
        return _read_header(path, lines)
    finally:
        lines.close()


def read_snapshot(path: SnapshotPath) -> tuple[list[SourceInfo], list[RangeRow]]:
    """A whole snapshot: its sources and every row, as written (already merged)."""
    lines = _open_text(path)
    sources = _read_header(path, lines)
    rows = []
    for number, text in enumerate(lines, start=len(sources) + 3):
        cells = text.rstrip("\n").split("\t")
        if len(cells) != len(SNAPSHOT_COLUMNS):
            raise RangeDataError(str(path), "wrong number of columns", line=number)
        network, provider, region, service, cdn = cells
        if provider not in PROVIDERS:
            raise RangeDataError(str(path), f"unknown provider {provider!r}", line=number)
        rows.append(RangeRow(network, provider, region or None, service or None, cdn == "1"))
    return sources, rows


# --- lookups ---------------------------------------------------------------------------------


def _address(ip: str) -> tuple[int, int]:
    """(family bits, integer) of an address; socket's parser is ~20x faster than ipaddress."""
    text = ip.strip()
    try:
        return 32, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except OSError:
        pass
    try:
        value = int.from_bytes(socket.inet_pton(socket.AF_INET6, text.split("%", 1)[0]), "big")
    except (OSError, ValueError):
        raise ValueError(f"{ip!r} is not an IP address") from None
    if value >> 32 == 0xFFFF:  # ::ffff:a.b.c.d is an IPv4 address in IPv6 clothes
        return 32, value & 0xFFFFFFFF
    return 128, value


def _network(cidr: str) -> tuple[int, int, int]:
    """(family bits, first, last address) of a canonical CIDR; OSError/ValueError if not one."""
    address, _, length = cidr.partition("/")
    if ":" in address:
        bits, start = 128, int.from_bytes(socket.inet_pton(socket.AF_INET6, address), "big")
    else:
        bits, start = 32, int.from_bytes(socket.inet_pton(socket.AF_INET, address), "big")
    return bits, start, start | ((1 << (bits - int(length))) - 1)


class _Intervals:
    """Disjoint address intervals, each owned by the longest prefix covering it; bisect finds one.

    Flattening nested prefixes once at load time makes every lookup a single binary search,
    whatever the nesting depth. The sweep is written inline because it runs at every start.
    """

    def __init__(self, prefixes: list[tuple[int, int, int]]) -> None:
        # prefixes: (start, last, row), ascending start, outer prefix first at equal starts;
        # CIDR blocks are either nested or disjoint, so a stack of open prefixes suffices.
        starts: list[int] = []
        ends: list[int] = []
        rows: list[int] = []
        stack: list[tuple[int, int]] = []  # (last, row) of the prefixes open at `position`
        position = 0
        for start, last, row in prefixes:
            while stack and stack[-1][0] < start:
                end, owner = stack.pop()
                if position <= end:
                    starts.append(position)
                    ends.append(end)
                    rows.append(owner)
                position = end + 1
            if stack and position < start:
                starts.append(position)
                ends.append(start - 1)
                rows.append(stack[-1][1])
            stack.append((last, row))
            position = start
        while stack:
            end, owner = stack.pop()
            if position <= end:
                starts.append(position)
                ends.append(end)
                rows.append(owner)
            position = end + 1
        self.starts, self.ends, self.rows = starts, ends, rows

    def find(self, value: int) -> int | None:
        index = bisect.bisect_right(self.starts, value) - 1
        if index >= 0 and value <= self.ends[index]:
            return self.rows[index]
        return None

    def __len__(self) -> int:
        return len(self.starts)


def _rank(row: RangeRow, index: int) -> tuple[bool, bool, bool, int, int]:
    """Which of two rows for the very same prefix wins (different providers, or a hand edit)."""
    cdn, regional, specific, _ = precedence(row)
    order = PROVIDERS.index(row.provider) if row.provider in PROVIDERS else len(PROVIDERS)
    return (cdn, regional, specific, -order, -index)


def _freshness(sources: Sequence[SourceInfo]) -> tuple[datetime.date, datetime.date]:
    dates = [source.date for source in sources] or [datetime.date.min]
    return min(dates), max(dates)


class CloudRanges:
    """Every provider's published prefixes, ready for longest-prefix lookups."""

    def __init__(
        self, sources: Sequence[SourceInfo], rows: Sequence[RangeRow], origin: str = ""
    ) -> None:
        self._sources = tuple(sources)
        self._labels = {source.provider: source.label for source in self._sources}
        self._rows = list(rows)
        self._matches: dict[int, RangeMatch] = {}
        self.origin = origin  # where the data was loaded from, for messages
        self._v4, self._v6 = self._index(self._rows)

    @staticmethod
    def _index(rows: Sequence[RangeRow]) -> tuple[_Intervals, _Intervals]:
        """Flatten each family's prefixes; a prefix listed twice keeps its higher-ranked row."""
        families: dict[int, list[tuple[int, int, int]]] = {32: [], 128: []}
        for index, row in enumerate(rows):
            bits, start, last = _network(row.network)
            families[bits].append((start, -last, index))
        tables = []
        for bits in (32, 128):
            entries = sorted(families[bits])  # ascending start, outer prefix first
            prefixes: list[tuple[int, int, int]] = []
            for start, negative_last, index in entries:
                last = -negative_last
                if prefixes and prefixes[-1][0] == start and prefixes[-1][1] == last:
                    if _rank(rows[index], index) > _rank(rows[prefixes[-1][2]], prefixes[-1][2]):
                        prefixes[-1] = (start, last, index)
                    continue
                prefixes.append((start, last, index))
            tables.append(_Intervals(prefixes))
        return tables[0], tables[1]

    @classmethod
    def read(cls, path: SnapshotPath) -> CloudRanges:
        """One snapshot file, as it is."""
        sources, rows = read_snapshot(path)
        try:
            return cls(sources, rows, origin=str(path))
        except (OSError, ValueError) as error:
            raise RangeDataError(str(path), f"bad prefix in snapshot: {error}") from None

    @classmethod
    def load(cls, path: Path | None = None) -> CloudRanges:
        """``path``, or the fresher of the user's cached update and the bundled snapshot.

        A cached copy that cannot be read is skipped with a warning (the bundled snapshot still
        works); an explicit ``path`` that cannot be read is the user's error and raises.
        """
        if path is not None:
            return cls.read(path)
        bundled = bundled_snapshot()
        cached = default_cache_dir() / CACHE_FILENAME
        if cached.is_file():
            try:
                if _freshness(read_sources(cached)) >= _freshness(read_sources(bundled)):
                    return cls.read(cached)
            except RangeDataError as error:
                log.warning("ignoring the cached IP ranges: %s", error)
        return cls.read(bundled)

    @property
    def sources(self) -> tuple[SourceInfo, ...]:
        """Name, official URL and date of each provider's file."""
        return self._sources

    @property
    def oldest_date(self) -> datetime.date | None:
        """The date of the oldest source: what a staleness warning should be about."""
        return min((source.date for source in self._sources), default=None)

    def is_stale(self, today: datetime.date | None = None) -> bool:
        """Older than STALE_AFTER_DAYS: clouds add prefixes monthly, so answers start to miss."""
        oldest = self.oldest_date
        if oldest is None:
            return True
        return ((today or datetime.date.today()) - oldest).days > STALE_AFTER_DAYS

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self) -> Iterator[RangeRow]:
        return iter(self._rows)

    def lookup(self, ip: str) -> RangeMatch | None:
        """The longest published prefix containing ``ip``, or None; ValueError if not an IP."""
        bits, value = _address(ip)
        index = (self._v4 if bits == 32 else self._v6).find(value)
        if index is None:
            return None
        match = self._matches.get(index)
        if match is None:
            row = self._rows[index]
            match = RangeMatch(
                provider=row.provider,
                region=row.region,
                service=row.service,
                network=row.network,
                cdn=row.cdn,
                source=self._labels.get(row.provider, row.provider),
            )
            self._matches[index] = match
        return match


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/sovaudit``, else ``~/.cache/sovaudit``: where updates are kept."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "sovaudit"


__all__ = [
    "CACHE_FILENAME",
    "PROVIDERS",
    "CloudRanges",
    "RangeDataError",
    "RangeRow",
    "SourceInfo",
    "bundled_snapshot",
    "default_cache_dir",
    "precedence",
    "read_snapshot",
]
