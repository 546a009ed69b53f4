"""The sampler: which objects of a bucket to read, how much of each, within which budget.

Providers implement ``ObjectSource`` (list keys, read a prefix of one object with a ranged
GET); the sampler knows nothing of S3 or GCS. Per bucket it:

1. lists at most ``list_limit`` keys (one ListObjectsV2 page; the first keys in key order);
2. sets aside what cannot be inspected, counting each by reason: folders, empty objects,
   archived (cold storage) or client-key-encrypted objects, and by name images, documents and
   other binary formats;
3. reads objects whose name promises text first (``.csv``, ``.json``, ``.log``, ``.csv.gz``...),
   then the rest, each group spread evenly over the listing rather than the first N keys
   (the first keys are often one old day's folder), up to ``objects_per_bucket`` inspected
   objects, ``bytes_per_object`` of each, and never beyond the scan-wide byte budget;
4. turns each prefix into text (text.py) and looks for identifiers (analyse.py).

Deterministic: the same listing gives the same sample, so two runs compare.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from sovaudit.classify.content.analyse import Analyser, TextFindings
from sovaudit.classify.content.errors import ObjectReadError, SkipObject
from sovaudit.classify.content.evidence import indicated_classification
from sovaudit.classify.content.mask import redact_key
from sovaudit.classify.content.text import EMPTY, extract_text, skip_by_name, text_like_name
from sovaudit.model import Classification, ContentSample, ObjectHits

KiB = 1024
MiB = 1024 * KiB
DEFAULT_OBJECTS = 20
DEFAULT_OBJECT_BYTES = 1 * MiB
DEFAULT_TOTAL_BYTES = 256 * MiB
LIST_LIMIT = 1000  # one ListObjectsV2 / objects.list page
# Text decompressed from a gzip prefix is capped at this multiple of the per-object limit
# (CSV and JSON compress 5-10x): a bigger sample of the same object, and no gzip bomb.
INFLATE_FACTOR = 8
# ...and never beyond this, whatever --sample-bytes says: up to eight workers each hold one
# object's text, and a str of accented text takes up to four bytes a character.
MAX_INFLATED = 64 * MiB
# Reads that did not yield text (binary without a telling name) stop counting at this
# multiple of objects_per_bucket, so a bucket of extension-less binaries costs bounded reads.
FETCH_FACTOR = 2
MAX_READ_ERRORS = 3
DISTINCT_CAP = 100_000  # keyed hashes kept per type and bucket, to count distinct values

# Why an object was not inspected (ContentSample.skipped).
FOLDER, ARCHIVED, ENCRYPTED, GONE = "folder", "archived", "encrypted", "gone"

_T = TypeVar("_T")


class ByteBudget:
    """The bytes a whole scan may still read, shared by every bucket and thread."""

    def __init__(self, total: int) -> None:
        self._lock = threading.Lock()
        self._remaining = total

    @property
    def remaining(self) -> int:
        with self._lock:
            return self._remaining

    def take(self, wanted: int) -> int:
        """Reserve up to ``wanted`` bytes; returns how many were granted (0 when spent)."""
        with self._lock:
            granted = max(0, min(wanted, self._remaining))
            self._remaining -= granted
            return granted

    def give_back(self, unused: int) -> None:
        """Return what a read did not use (the object was shorter than reserved)."""
        if unused > 0:
            with self._lock:
                self._remaining += unused


@dataclasses.dataclass(frozen=True)
class SamplingLimits:
    """How much content sampling may read. One instance is one scan's budget.

    ``budget`` is created from ``total_bytes`` and shared by whoever holds this instance: pass
    the same ``SamplingLimits`` to every provider of a scan and the total holds across them.
    """

    objects_per_bucket: int = DEFAULT_OBJECTS
    bytes_per_object: int = DEFAULT_OBJECT_BYTES
    total_bytes: int = DEFAULT_TOTAL_BYTES
    examples_per_type: int = 3
    objects_reported: int = 20
    list_limit: int = LIST_LIMIT
    budget: ByteBudget = dataclasses.field(
        default=None,  # type: ignore[assignment]  # replaced in __post_init__
        compare=False,
        repr=False,
    )

    def __post_init__(self) -> None:
        for name in ("objects_per_bucket", "bytes_per_object", "list_limit"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.total_bytes < 0 or self.examples_per_type < 0 or self.objects_reported < 0:
            raise ValueError("sampling limits cannot be negative")
        if self.budget is None:
            object.__setattr__(self, "budget", ByteBudget(self.total_bytes))

    def describe(self) -> dict[str, int]:
        return {
            "objects_per_bucket": self.objects_per_bucket,
            "bytes_per_object": self.bytes_per_object,
            "total_bytes": self.total_bytes,
        }


@dataclasses.dataclass(frozen=True)
class ObjectRef:
    """One listed object, with what the listing already says about it."""

    key: str
    size: int | None = None
    archived: bool = False  # cold storage that must be restored before a read
    encrypted: bool = False  # needs a key the reader cannot supply (SSE-C, CSEK)


class ObjectSource(Protocol):
    """A bucket's objects, as a provider reads them.

    ``read`` returns at most ``max_bytes`` from the start of the object (a ranged GET, so
    only that much is transferred and billed). It raises ``SkipObject`` for an object that
    cannot be inspected (archived, undecryptable, gone) and ``ObjectReadError`` when the read
    was refused or failed; ``list_objects`` raises ``ObjectReadError`` when the listing is.
    """

    def list_objects(self, max_objects: int) -> Iterable[ObjectRef]: ...

    def read(self, ref: ObjectRef, max_bytes: int) -> bytes: ...


def spread(items: Sequence[_T], count: int) -> list[_T]:
    """``count`` items evenly spaced over ``items`` first, then the others in order."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    first = sorted({int(i * step) for i in range(count)})
    chosen = set(first)
    return [items[i] for i in first] + [item for i, item in enumerate(items) if i not in chosen]


def _listing_skip(ref: ObjectRef) -> str | None:
    if ref.key.endswith("/") and not ref.size:
        return FOLDER
    if ref.size == 0:
        return EMPTY
    if ref.archived:
        return ARCHIVED
    if ref.encrypted:
        return ENCRYPTED
    return skip_by_name(ref.key)


class _Tally:
    """The running evidence of one bucket."""

    def __init__(self, limits: SamplingLimits) -> None:
        self.limits = limits
        self.skipped: Counter[str] = Counter()
        self.identifiers: Counter[str] = Counter()
        self.categories: Counter[str] = Counter()
        self.distinct: dict[str, set[bytes]] = {}
        self.examples: dict[str, dict[str, None]] = {}
        self.objects: list[ObjectHits] = []
        self.objects_with_hits = 0
        self.sensitive_object = False
        self.read = 0
        self.bytes_read = 0
        self.limited: set[str] = set()
        self.errors: list[str] = []

    def add(self, key: str, found: TextFindings) -> None:
        self.read += 1
        self.identifiers.update(found.identifiers)
        self.categories.update(found.categories)
        for kind, prints in found.fingerprints.items():
            seen = self.distinct.setdefault(kind, set())
            if len(seen) < DISTINCT_CAP:
                seen.update(prints)
        for kind, shown in found.examples.items():
            kept = self.examples.setdefault(kind, {})
            for masked in shown:
                if len(kept) < self.limits.examples_per_type:
                    kept.setdefault(masked, None)
        if found.identifier_hits:
            self.objects_with_hits += 1
            self.sensitive_object = self.sensitive_object or bool(found.categories)
            self.objects.append(
                ObjectHits(redact_key(key), dict(found.identifiers), dict(found.categories))
            )

    def result(self, listed: int) -> ContentSample:
        distinct = {kind: len(prints) for kind, prints in self.distinct.items()}
        reported = sorted(self.objects, key=lambda o: (-o.total, o.key))
        return ContentSample(
            classification=indicated_classification(
                distinct,
                sensitive_object=self.sensitive_object,
                objects_read=self.read,
                objects_listed=listed,
                failed=bool(self.errors),
            ),
            objects_listed=listed,
            objects_read=self.read,
            skipped=dict(sorted(self.skipped.items())),
            bytes_read=self.bytes_read,
            identifiers=dict(sorted(self.identifiers.items())),
            distinct_identifiers=dict(sorted(distinct.items())),
            categories=dict(sorted(self.categories.items())),
            objects_with_hits=self.objects_with_hits,
            objects=tuple(reported[: self.limits.objects_reported]),
            examples={kind: tuple(kept) for kind, kept in sorted(self.examples.items())},
            limited_by=tuple(sorted(self.limited)),
            errors=tuple(self.errors),
            limits=self.limits.describe(),
        )


class Sampler:
    """Samples buckets within one scan's limits. Thread-safe: share one across workers."""

    def __init__(self, limits: SamplingLimits, analyser: Analyser | None = None) -> None:
        self.limits = limits
        self.analyser = analyser or Analyser(examples_per_type=limits.examples_per_type)

    def sample(self, source: ObjectSource) -> ContentSample:
        """The evidence from one bucket. Read failures are in ``errors``, never raised."""
        limits, tally = self.limits, _Tally(self.limits)
        try:
            listed = list(
                itertools.islice(source.list_objects(limits.list_limit + 1), limits.list_limit + 1)
            )
        except ObjectReadError as exc:
            tally.errors.append(redact_key(exc.message))  # may quote the key
            return tally.result(0)
        if len(listed) > limits.list_limit:
            tally.limited.add("listing")
            listed = listed[: limits.list_limit]
        texts: list[ObjectRef] = []
        others: list[ObjectRef] = []
        for ref in listed:
            reason = _listing_skip(ref)
            if reason is not None:
                tally.skipped[reason] += 1
            else:
                (texts if text_like_name(ref.key) else others).append(ref)
        wanted = limits.objects_per_bucket
        order = spread(texts, wanted) + spread(others, wanted)
        self._read_in_order(source, order, tally)
        return tally.result(len(listed))

    def _read_in_order(self, source: ObjectSource, order: list[ObjectRef], tally: _Tally) -> None:
        limits = self.limits
        fetches = 0
        for ref in order:
            if tally.read >= limits.objects_per_bucket or fetches >= (
                FETCH_FACTOR * limits.objects_per_bucket
            ):
                tally.limited.add("objects")
                return
            wanted = (
                limits.bytes_per_object
                if ref.size is None
                else min(limits.bytes_per_object, ref.size)
            )
            granted = limits.budget.take(wanted)
            if granted <= 0:
                tally.limited.add("budget")
                return
            if granted < wanted:
                tally.limited.add("budget")
            fetches += 1
            try:
                data = source.read(ref, granted)[:granted]
            except SkipObject as skip:
                limits.budget.give_back(granted)
                tally.skipped[skip.reason] += 1
                continue
            except ObjectReadError as exc:
                limits.budget.give_back(granted)
                tally.errors.append(redact_key(exc.message))  # may quote the key
                if exc.denied or len(tally.errors) >= MAX_READ_ERRORS:
                    return
                continue
            limits.budget.give_back(granted - len(data))
            tally.bytes_read += len(data)
            if len(data) >= limits.bytes_per_object and (ref.size is None or ref.size > len(data)):
                tally.limited.add("bytes")  # the object goes on beyond what was read
            inflated = min(INFLATE_FACTOR * limits.bytes_per_object, MAX_INFLATED)
            extracted = extract_text(data, max_bytes=max(inflated, len(data)))
            if extracted.skipped is not None:
                tally.skipped[extracted.skipped] += 1
                continue
            tally.add(ref.key, self.analyser.analyse(extracted.text))


def unread(reason: str) -> ContentSample:
    """A sample that could not start at all (the reason goes to ``errors``)."""
    return ContentSample(classification=Classification.UNKNOWN, errors=(reason,))
