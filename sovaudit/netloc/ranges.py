"""The clouds' published IP ranges: parsers, the bundled snapshot, and longest-prefix lookups.

GeoIP databases place cloud addresses badly (a Querétaro address may be filed under the
provider's head office); the providers' own range files say which region announces a prefix.
This module turns the four official files into one compact snapshot that ships with the
package (``sovaudit/data/ip-ranges/snapshot.tsv.gz``, built by ``scripts/build_ip_snapshot.py``)
and answers "whose, and which region, is this address?" quickly enough for whole DNS zones.

Attribution rules (each one documented because a wrong choice silently moves data abroad):

* AWS: the region is the ``network_border_group`` when it differs from ``region`` and is not
  ``GLOBAL``. That is how the Querétaro Local Zone (``us-east-1-qro-1``) reads as Mexico although
  its ``region`` says us-east-1. ``GLOBAL`` means no physical region (``None``).
* CDN / anycast edges (``cdn=True``): AWS ``CLOUDFRONT``, ``CLOUDFRONT_ORIGIN_FACING`` (the
  addresses CloudFront's edge caches use to fetch from origins: still edge, the data is at the
  origin), ``GLOBALACCELERATOR`` and ``ROUTE53`` (anycast DNS); Azure ``AzureFrontDoor.*``.
  An edge keeps the region the provider published for it (often none); callers must read
  ``cdn`` first: an edge's region is where the edge is, not where the data is.
* Google: ``scope`` is the region; ``global`` means none. Oracle: the region of the block; the
  service is the block's tags joined with ``,``.
* Azure: regional service tags give the region (``properties.region``, the short Service Tags
  spelling the catalogue resolves through its aliases); the service is the tag name, e.g.
  ``Storage.MexicoCentral``. Global tags (empty region) only add rows the regional ones lack.

Merging, when one provider lists the same prefix several times: one row is kept, chosen by
(CDN first, then regional over global, then a specific service over the catch-all ``AMAZON`` /
``AzureCloud.*``, then the service name) and it inherits a region from a duplicate when it has
none. A region-less, non-CDN row covered by a regional prefix of the same provider is dropped:
as the longest match it would hide the region and add only a service name. Other region-less
rows are kept: "this is AWS, region unknown" still beats GeoIP.

Lookups return the row of the longest prefix containing the address. If two providers
published the very same prefix (never seen), the precedence above decides, then provider order
``aws, gcp, azure, oci``. IPv4-mapped IPv6 addresses (``::ffff:a.b.c.d``) are looked up as IPv4.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import gzip
import ipaddress
import json
import logging
import os
import re
import socket
import sys
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from sovaudit.errors import InputError
from sovaudit.netloc.model import RangeMatch

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

log = logging.getLogger(__name__)

PROVIDERS = ("aws", "gcp", "azure", "oci")
SOURCE_FILES = {
    "aws": "aws-ip-ranges.json",
    "gcp": "google-cloud.json",
    "azure": "azure-service-tags.json",
    "oci": "oracle-public-ip-ranges.json",
}
SOURCE_NAMES = {
    "aws": "AWS ip-ranges.json",
    "gcp": "Google cloud.json",
    "azure": "Azure Service Tags",
    "oci": "Oracle public_ip_ranges.json",
}
# Azure's weekly file changes name every week (ServiceTags_Public_YYYYMMDD.json); this page
# links to the current one.
AZURE_DOWNLOAD_PAGE = "https://www.microsoft.com/download/details.aspx?id=56519"
OFFICIAL_URLS = {
    "aws": "https://ip-ranges.amazonaws.com/ip-ranges.json",
    "gcp": "https://www.gstatic.com/ipranges/cloud.json",
    "azure": AZURE_DOWNLOAD_PAGE,
    "oci": "https://docs.oracle.com/iaas/tools/public_ip_ranges.json",
}
SNAPSHOT_FORMAT = "sovaudit-ip-ranges"
SNAPSHOT_VERSION = 1
SNAPSHOT_COLUMNS = ("network", "provider", "region", "service", "cdn")
CACHE_FILENAME = "ip-ranges.tsv.gz"
STALE_AFTER_DAYS = 90

AWS_EDGE_SERVICES = frozenset(
    {"CLOUDFRONT", "CLOUDFRONT_ORIGIN_FACING", "GLOBALACCELERATOR", "ROUTE53"}
)
_CATCH_ALL_SERVICES = ("AMAZON", "AzureCloud")
_AZURE_FILE_DATE = re.compile(r"ServiceTags_Public_(\d{4})(\d{2})(\d{2})")


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


@dataclasses.dataclass(frozen=True)
class ParsedSource:
    """One provider's official file, parsed."""

    info: SourceInfo
    rows: tuple[RangeRow, ...]


# --- parsing the official files -------------------------------------------------------------


def _canonical(prefix: Any) -> str:
    if not isinstance(prefix, str):
        raise ValueError(f"prefix {prefix!r} is not a string")
    return str(ipaddress.ip_network(prefix.strip(), strict=False))


def _day(text: Any, field: str) -> datetime.date:
    """The calendar day a provider's timestamp starts with (their formats differ after it)."""
    if not isinstance(text, str) or len(text) < 10:
        raise ValueError(f"{field} {text!r} is not a date")
    return datetime.date.fromisoformat(text[:10])


def _aws_region(prefix: dict[str, Any]) -> str | None:
    region = prefix["region"]
    border = prefix.get("network_border_group") or region
    if border != region and border != "GLOBAL":
        return str(border)
    return None if region == "GLOBAL" else str(region)


def parse_aws(data: Any, url: str = OFFICIAL_URLS["aws"]) -> ParsedSource:
    """AWS ip-ranges.json: the border group is the place (Local Zones hide behind a region)."""
    rows = []
    for key, field in (("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")):
        for prefix in data[key]:
            service = str(prefix["service"])
            rows.append(
                RangeRow(
                    _canonical(prefix[field]),
                    "aws",
                    _aws_region(prefix),
                    service,
                    service in AWS_EDGE_SERVICES,
                )
            )
    created = str(data["createDate"])
    info = SourceInfo("aws", SOURCE_NAMES["aws"], url, _day(created, "createDate"), created)
    return ParsedSource(info, tuple(rows))


def parse_google(data: Any, url: str = OFFICIAL_URLS["gcp"]) -> ParsedSource:
    """Google cloud.json: ``scope`` is the region, ``global`` is anycast with no place."""
    rows = []
    for prefix in data["prefixes"]:
        network = prefix.get("ipv4Prefix") or prefix.get("ipv6Prefix")
        scope = prefix.get("scope") or None
        region = None if scope in (None, "global") else str(scope)
        service = prefix.get("service")
        rows.append(RangeRow(_canonical(network), "gcp", region, service and str(service), False))
    created = str(data["creationTime"])
    info = SourceInfo("gcp", SOURCE_NAMES["gcp"], url, _day(created, "creationTime"), created)
    return ParsedSource(info, tuple(rows))


def azure_file_date(url: str, fallback: datetime.date) -> datetime.date:
    """Azure's JSON carries no date; its file name does (``ServiceTags_Public_20250721``)."""
    found = _AZURE_FILE_DATE.search(url)
    if not found:
        return fallback
    return datetime.date(int(found[1]), int(found[2]), int(found[3]))


def parse_azure(
    data: Any, url: str = OFFICIAL_URLS["azure"], date: datetime.date | None = None
) -> ParsedSource:
    """Azure Service Tags: every tag's prefixes; duplicates are resolved by ``merge_rows``.

    ``date`` is the file's publication date when known, else the day it was fetched; a date in
    the URL's file name wins over both.
    """
    rows = []
    for value in data["values"]:
        name = str(value["name"])
        props = value["properties"]
        region = str(props.get("region") or "") or None
        cdn = name.startswith("AzureFrontDoor.")
        for prefix in props["addressPrefixes"]:
            rows.append(RangeRow(_canonical(prefix), "azure", region, name, cdn))
    change = f"changeNumber {data['changeNumber']}"
    day = azure_file_date(url, date or datetime.date.today())
    return ParsedSource(SourceInfo("azure", SOURCE_NAMES["azure"], url, day, change), tuple(rows))


def parse_oracle(data: Any, url: str = OFFICIAL_URLS["oci"]) -> ParsedSource:
    """Oracle public_ip_ranges.json: blocks grouped by region, tagged OCI / OSN / OBJECT_STORAGE."""
    rows = []
    for region in data["regions"]:
        code = str(region["region"]) or None
        for block in region["cidrs"]:
            tags = ",".join(str(tag) for tag in block.get("tags") or ()) or None
            rows.append(RangeRow(_canonical(block["cidr"]), "oci", code, tags, False))
    stamp = str(data["last_updated_timestamp"])
    info = SourceInfo("oci", SOURCE_NAMES["oci"], url, _day(stamp, "last_updated_timestamp"), stamp)
    return ParsedSource(info, tuple(rows))


def parse_source(
    provider: str,
    raw: bytes,
    url: str | None = None,
    date: datetime.date | None = None,
    where: str | None = None,
) -> ParsedSource:
    """Decode and parse one provider's official file; any fault becomes a RangeDataError.

    ``url`` is where it was downloaded (default: the official address); ``where`` names it in
    error messages (default: the URL).
    """
    where = where or url or SOURCE_FILES[provider]
    source_url = url or OFFICIAL_URLS[provider]
    try:
        data = json.loads(raw)
        if provider == "aws":
            parsed = parse_aws(data, source_url)
        elif provider == "gcp":
            parsed = parse_google(data, source_url)
        elif provider == "azure":
            parsed = parse_azure(data, source_url, date)
        elif provider == "oci":
            parsed = parse_oracle(data, source_url)
        else:
            raise ValueError(f"unknown provider {provider!r}")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        detail = f"missing field {error}" if isinstance(error, KeyError) else str(error)
        raise RangeDataError(where, f"not a valid {SOURCE_NAMES.get(provider)}: {detail}") from None
    if not parsed.rows:
        raise RangeDataError(where, "the file lists no prefixes")
    return parsed


# --- merging ---------------------------------------------------------------------------------


def _precedence(row: RangeRow) -> tuple[bool, bool, bool, str]:
    """Sort key, higher wins: CDN, regional, a specific service, then the name (determinism)."""
    service = row.service or ""
    specific = bool(service) and not service.startswith(_CATCH_ALL_SERVICES)
    return (row.cdn, row.region is not None, specific, service)


def _best(rows: Sequence[RangeRow]) -> RangeRow:
    best = max(rows, key=_precedence)
    if best.region is None:
        regional = [row for row in rows if row.region is not None]
        if regional:
            best = best._replace(region=max(regional, key=_precedence).region)
    return best


def _covered_by_regional(rows: Sequence[RangeRow]) -> set[int]:
    """Indexes of region-less, non-CDN rows inside a regional prefix of the same provider."""
    drop: set[int] = set()
    for version in (4, 6):
        # Outer prefixes sort before the prefixes they contain (same start, shorter length).
        entries = []
        for index, row in enumerate(rows):
            net = ipaddress.ip_network(row.network)
            if net.version == version:
                entries.append((row.provider, int(net.network_address), net.prefixlen, index))
        entries.sort()
        stack: list[tuple[str, int, int]] = []  # (provider, last address, row) of open prefixes
        for provider, start, length, index in entries:
            while stack and (stack[-1][0] != provider or stack[-1][1] < start):
                stack.pop()
            row = rows[index]
            if row.region is None and not row.cdn and any(rows[s[2]].region for s in stack):
                drop.add(index)
            bits = 32 if version == 4 else 128
            stack.append((provider, start | ((1 << (bits - length)) - 1), index))
    return drop


def merge_rows(rows: Iterable[RangeRow]) -> list[RangeRow]:
    """One row per (provider, prefix), pruned as the module docstring explains, sorted."""
    groups: dict[tuple[str, str], list[RangeRow]] = {}
    for row in rows:
        groups.setdefault((row.provider, row.network), []).append(row)
    merged = [_best(group) for group in groups.values()]
    drop = _covered_by_regional(merged)
    kept = [row for index, row in enumerate(merged) if index not in drop]
    kept.sort(key=_row_order)
    return kept


def _row_order(row: RangeRow) -> tuple[int, int, int, int]:
    net = ipaddress.ip_network(row.network)
    return (PROVIDERS.index(row.provider), net.version, int(net.network_address), net.prefixlen)


# --- the snapshot file -----------------------------------------------------------------------


def render_snapshot(sources: Sequence[ParsedSource]) -> bytes:
    """The gzip snapshot of ``sources``: byte-identical for identical input (mtime 0)."""
    lines = [f"#{SNAPSHOT_FORMAT}\t{SNAPSHOT_VERSION}"]
    for parsed in sorted(sources, key=lambda p: PROVIDERS.index(p.info.provider)):
        info = parsed.info
        fields = (info.provider, info.name, info.url, info.date.isoformat(), info.version)
        lines.append("#source\t" + "\t".join(_clean(f) for f in fields))
    lines.append("#columns\t" + "\t".join(SNAPSHOT_COLUMNS))
    for row in merge_rows(row for parsed in sources for row in parsed.rows):
        cells = (row.network, row.provider, row.region or "", row.service or "")
        lines.append("\t".join(_clean(c) for c in cells) + ("\t1" if row.cdn else "\t"))
    text = "\n".join(lines) + "\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def _clean(cell: str) -> str:
    return cell.replace("\t", " ").replace("\n", " ")


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
    cdn, regional, specific, _ = _precedence(row)
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
    def from_sources(cls, sources: Sequence[ParsedSource]) -> CloudRanges:
        """Straight from parsed official files (tests, and the updater's sanity check)."""
        rows = merge_rows(row for parsed in sources for row in parsed.rows)
        return cls([parsed.info for parsed in sources], rows, origin="parsed files")

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


def parse_directory(
    directory: Path,
    date: datetime.date | None = None,
    on_source: Callable[[str], None] | None = None,
) -> list[ParsedSource]:
    """Parse the four official files saved under their usual names in ``directory``."""
    parsed = []
    for provider in PROVIDERS:
        path = directory / SOURCE_FILES[provider]
        source = parse_source(provider, path.read_bytes(), None, date, where=str(path))
        parsed.append(source)
        if on_source is not None:
            on_source(f"{path.name}: {len(source.rows)} prefixes, {source.info.label}")
    return parsed


__all__ = [
    "CACHE_FILENAME",
    "OFFICIAL_URLS",
    "PROVIDERS",
    "SOURCE_FILES",
    "CloudRanges",
    "ParsedSource",
    "RangeDataError",
    "RangeRow",
    "SourceInfo",
]
