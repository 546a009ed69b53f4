"""Build time: the clouds' published IP-range files, parsed and merged into a snapshot.

Only ``sovaudit data update`` (``netloc.update``), ``scripts/build_ip_snapshot.py`` and tests
import this module; looking an address up (``netloc.ranges``) reads the snapshot it writes and
never the providers' own formats, so a scan does not load these parsers.

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
``ranges.precedence`` (CDN first, then regional over global, then a specific service over the
catch-all ``AMAZON`` / ``AzureCloud.*``, then the service name) and it inherits a region from a
duplicate when it has none. A region-less, non-CDN row covered by a regional prefix of the same
provider is dropped: as the longest match it would hide the region and add only a service name.
Other region-less rows are kept: "this is AWS, region unknown" still beats GeoIP.
"""

from __future__ import annotations

import dataclasses
import datetime
import gzip
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sovaudit.locate.net.ranges import (
    PROVIDERS,
    SNAPSHOT_COLUMNS,
    SNAPSHOT_FORMAT,
    SNAPSHOT_VERSION,
    CloudRanges,
    RangeDataError,
    RangeRow,
    SourceInfo,
    precedence,
)

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

AWS_EDGE_SERVICES = frozenset(
    {"CLOUDFRONT", "CLOUDFRONT_ORIGIN_FACING", "GLOBALACCELERATOR", "ROUTE53"}
)
_AZURE_FILE_DATE = re.compile(r"ServiceTags_Public_(\d{4})(\d{2})(\d{2})")


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


# --- merging ---------------------------------------------------------------------------------


def _best(rows: Sequence[RangeRow]) -> RangeRow:
    best = max(rows, key=precedence)
    if best.region is None:
        regional = [row for row in rows if row.region is not None]
        if regional:
            best = best._replace(region=max(regional, key=precedence).region)
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


def ranges_from_sources(sources: Sequence[ParsedSource]) -> CloudRanges:
    """A lookup table straight from parsed official files, merged as a snapshot would be."""
    rows = merge_rows(row for parsed in sources for row in parsed.rows)
    return CloudRanges([parsed.info for parsed in sources], rows, origin="parsed files")


# --- writing the snapshot --------------------------------------------------------------------


def render_snapshot(sources: Sequence[ParsedSource]) -> bytes:
    """The gzip snapshot of ``sources``: byte-identical for identical input (mtime 0).

    The format is the one ``ranges.read_snapshot`` reads; its constants live there.
    """
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


__all__ = [
    "AZURE_DOWNLOAD_PAGE",
    "OFFICIAL_URLS",
    "SOURCE_FILES",
    "ParsedSource",
    "merge_rows",
    "parse_directory",
    "parse_source",
    "ranges_from_sources",
    "render_snapshot",
]
