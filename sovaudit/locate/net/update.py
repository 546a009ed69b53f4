"""Refresh the IP-range data from the providers' official files into the user's cache.

The bundled snapshot ages (clouds add prefixes every month); ``update_ranges`` downloads the
current files and writes a fresh snapshot into the cache directory, which ``CloudRanges.load``
prefers when it is newer. It is all-or-nothing: if any download or parse fails the previous
cache file stays byte-identical, because a snapshot silently missing a provider would turn its
addresses into "not a cloud". Failures are reported per source, never raised.

Azure publishes its Service Tags weekly under a new file name (ServiceTags_Public_YYYYMMDD.json)
behind the Microsoft download page (id 56519); there is no stable URL to fetch. Pass the current
file's link as ``azure_url``; without it Azure is skipped and its rows are carried over from the
previous snapshot (the cache, else the bundled one) with their old date, and the report says so.
"""

from __future__ import annotations

import dataclasses
import datetime
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sovaudit.locate.net.range_sources import (
    AZURE_DOWNLOAD_PAGE,
    OFFICIAL_URLS,
    ParsedSource,
    parse_source,
    render_snapshot,
)
from sovaudit.locate.net.ranges import (
    CACHE_FILENAME,
    PROVIDERS,
    RangeDataError,
    RangeRow,
    SnapshotPath,
    SourceInfo,
    bundled_snapshot,
    read_snapshot,
)
from sovaudit.output import write_bytes_atomic

DOWNLOAD_TIMEOUT = 60.0  # seconds; the largest file (Azure) is ~4 MB
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024  # ten times the largest file today: a runaway guard
USER_AGENT = "sovaudit-ip-ranges-update"

Fetch = Callable[[str], bytes]


def fetch_url(url: str) -> bytes:
    """GET ``url`` (http or https only) with a timeout and a size cap."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"refusing to fetch {url!r}: only http(s) URLs")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:  # noqa: S310
        data: bytes = response.read(MAX_DOWNLOAD_BYTES + 1)
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise ValueError(f"{url} is larger than {MAX_DOWNLOAD_BYTES} bytes")
    return data


@dataclasses.dataclass(frozen=True)
class SourceStatus:
    """What happened to one provider's file."""

    provider: str
    status: str  # "downloaded", "kept" (not downloaded, previous rows reused), "failed"
    message: str
    url: str | None = None

    def line(self) -> str:
        return f"{self.provider}: {self.status}: {self.message}"


@dataclasses.dataclass(frozen=True)
class UpdateReport:
    """Per-source outcome and whether a new snapshot was written; a CLI prints ``lines()``."""

    sources: tuple[SourceStatus, ...]
    path: Path
    written: bool
    error: str | None = None  # why nothing was written, when nothing was

    @property
    def ok(self) -> bool:
        """True when the cache now holds a snapshot of this run (failures make it False)."""
        return self.written and not any(s.status == "failed" for s in self.sources)

    def lines(self) -> list[str]:
        result = [status.line() for status in self.sources]
        if self.written:
            result.append(f"wrote {self.path}")
        else:
            result.append(f"{self.path} left unchanged: {self.error or 'nothing to write'}")
        return result


def _download(
    provider: str, url: str, fetch: Fetch, today: datetime.date
) -> tuple[ParsedSource | None, SourceStatus]:
    """One source: fetched and parsed, or a failure status (never an exception)."""
    try:
        raw = fetch(url)
    except Exception as error:  # any transport fault of any fetch function is reported
        return None, SourceStatus(provider, "failed", f"download of {url} failed: {error}", url)
    try:
        parsed = parse_source(provider, raw, url, today)
    except RangeDataError as error:
        return None, SourceStatus(provider, "failed", str(error), url)
    message = f"{len(parsed.rows)} prefixes, {parsed.info.label} from {url}"
    return parsed, SourceStatus(provider, "downloaded", message, url)


def _previous(cache_file: Path) -> tuple[list[SourceInfo], list[RangeRow]] | None:
    """The snapshot a skipped source's rows are carried over from: the cache, else bundled."""
    candidates: Sequence[SnapshotPath] = (
        (cache_file, bundled_snapshot()) if cache_file.is_file() else (bundled_snapshot(),)
    )
    for candidate in candidates:
        try:
            return read_snapshot(candidate)
        except RangeDataError:
            continue
    return None


def _carry_over(
    provider: str, reason: str, previous: tuple[list[SourceInfo], list[RangeRow]] | None
) -> tuple[ParsedSource | None, SourceStatus]:
    if previous is not None:
        sources, rows = previous
        for info in sources:
            if info.provider == provider:
                kept = tuple(row for row in rows if row.provider == provider)
                message = f"{reason}; kept {len(kept)} rows of {info.label}"
                return ParsedSource(info, kept), SourceStatus(provider, "kept", message)
    return None, SourceStatus(provider, "kept", f"{reason}; no previous data to keep")


def update_ranges(
    cache_dir: Path,
    fetch: Fetch = fetch_url,
    *,
    urls: Mapping[str, str] | None = None,
    azure_url: str | None = None,
    today: datetime.date | None = None,
) -> UpdateReport:
    """Download the four official files and write a new snapshot to ``cache_dir``.

    ``urls`` overrides the download address per provider (``aws``, ``gcp``, ``azure``,
    ``oci``); ``azure_url`` is the current weekly Azure file (see the module docstring).
    ``today`` dates an Azure file whose name carries no date.
    """
    day = today or datetime.date.today()
    addresses = {**OFFICIAL_URLS, **(urls or {})}
    addresses["azure"] = azure_url or (urls or {}).get("azure", "")
    cache_file = cache_dir / CACHE_FILENAME
    parsed: list[ParsedSource] = []
    statuses: list[SourceStatus] = []
    previous: tuple[list[SourceInfo], list[RangeRow]] | None = None
    for provider in PROVIDERS:
        url = addresses.get(provider, "")
        if url:
            source, status = _download(provider, url, fetch, day)
        else:
            previous = previous or _previous(cache_file)
            reason = (
                f"not downloaded: no stable URL; pass the current file's link from "
                f"{AZURE_DOWNLOAD_PAGE}"
                if provider == "azure"
                else "not downloaded: no URL"
            )
            source, status = _carry_over(provider, reason, previous)
        statuses.append(status)
        if source is not None:
            parsed.append(source)
    failed = [s.provider for s in statuses if s.status == "failed"]
    if failed:
        error = f"{', '.join(failed)} failed, so the previous data is kept as it was"
        return UpdateReport(tuple(statuses), cache_file, written=False, error=error)
    return _write(cache_dir, cache_file, parsed, statuses)


def _write(
    cache_dir: Path, cache_file: Path, parsed: list[ParsedSource], statuses: list[SourceStatus]
) -> UpdateReport:
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(cache_file, render_snapshot(parsed))
    except OSError as error:
        return UpdateReport(tuple(statuses), cache_file, written=False, error=str(error))
    return UpdateReport(tuple(statuses), cache_file, written=True)
