"""The data model every stage shares: assets, where they are, their copies, findings, results.

Everything here is frozen: a stage that learns something new about an asset makes a new
asset (``evolve``) rather than changing the one it was given, so no later stage
can quietly rewrite what an earlier one decided. The JSON of CONTRACT.md is a rendering of
these classes (``sovaudit.report.json_document``), not a second model.

The classes are msgspec Structs, not dataclasses: a 100,000-asset estate makes hundreds of
thousands of them, and a Struct is built (and copied by ``evolve``) several times faster
than a frozen dataclass, which sets every field through ``object.__setattr__``. The ones made
per asset are not tracked by the cyclic garbage collector (``gc=False``: 16 bytes less each,
and nothing for the collector to walk): they hold text, numbers, tuples and mappings of
those, never themselves, so they cannot be part of a reference cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar

import msgspec

_T = TypeVar("_T")


class LocationSource(str, Enum):
    """How a location was learnt, most trustworthy first."""

    CATALOGUE = "catalogue"
    CLOUD_IP_RANGES = "cloud-ip-ranges"
    GEOIP = "geoip"
    DECLARED = "declared"
    UNKNOWN = "unknown"


class Confidence(str, Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Classification(str, Enum):
    """What kind of data an asset holds. ``UNKNOWN`` is a real answer, not a default of none."""

    SENSITIVE = "sensitive"
    PERSONAL = "personal"
    NONE = "none"
    UNKNOWN = "unknown"

    @property
    def is_personal(self) -> bool:
        """Sensitive data is personal data of a special kind (LFPDPPP Art. 2)."""
        return self in (Classification.SENSITIVE, Classification.PERSONAL)


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse, so severities compare with plain integers."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


# By member and by value: a str Enum hashes by its name, so "high" and Severity.HIGH are
# two keys (and calling Severity() per finding of a large estate costs more than sorting).
_WORST_FIRST: dict[str, int] = {
    **{severity: -rank for severity, rank in _SEVERITY_RANK.items()},
    **{severity.value: -rank for severity, rank in _SEVERITY_RANK.items()},
}


def worst_first_key(severity: str, rule_id: str, asset_id: str) -> tuple[int, str, str]:
    """The order every list of findings uses: worst severity first, then rule, then asset."""
    return (_WORST_FIRST[severity], rule_id, asset_id)


EMPTY_TAGS: Mapping[str, str] = MappingProxyType({})


def evolve(instance: _T, **changes: Any) -> _T:
    """A copy of a frozen model object with some fields changed (TypeError for a field it
    does not have)."""
    return msgspec.structs.replace(instance, **changes)  # type: ignore[type-var]


class Location(msgspec.Struct, frozen=True, gc=False):
    """Where something physically is.

    ``countries`` is a tuple because a multi-region (GCS ``EU``) spans several countries.
    An empty tuple means the location is unknown; such a location is never "at home".
    """

    countries: tuple[str, ...]
    source: LocationSource
    confidence: Confidence
    subdivision: str | None = None
    city: str | None = None
    note: str | None = None

    @property
    def known(self) -> bool:
        return bool(self.countries)

    def within(self, country: str) -> bool:
        """True only when every country the data may be in is ``country``."""
        return bool(self.countries) and all(c == country for c in self.countries)

    def touches(self, country: str) -> bool:
        """True when at least one place the data may be in is ``country``."""
        return country in self.countries


UNKNOWN_LOCATION = Location(countries=(), source=LocationSource.UNKNOWN, confidence=Confidence.LOW)


def unknown_location(note: str | None = None) -> Location:
    """The explicit "we do not know" value, with the reason when there is one."""
    if note is None:
        return UNKNOWN_LOCATION
    return evolve(UNKNOWN_LOCATION, note=note)


class Copy(msgspec.Struct, frozen=True, gc=False):
    """Another place the same data lives: a replica, a backup, a geo-redundant secondary."""

    kind: str
    location: Location = UNKNOWN_LOCATION
    region: str | None = None
    provider: str | None = None  # when the copy is held by another provider than the asset
    target: str | None = None  # the copy's own id (bucket ARN, replica id), when known


class Asset(msgspec.Struct, frozen=True, gc=False):
    """One thing that holds or serves data: a bucket, a database, a VM, a rack, a SaaS tenant."""

    id: str
    provider: str
    location: Location = UNKNOWN_LOCATION
    service: str | None = None
    kind: str | None = None
    name: str | None = None
    account: str | None = None
    region: str | None = None
    zone: str | None = None
    data_locations: tuple[str, ...] = ()
    copies: tuple[Copy, ...] = ()
    classification: Classification = Classification.UNKNOWN
    classification_source: str = "default"
    tags: Mapping[str, str] = EMPTY_TAGS
    owner: str | None = None
    description: str | None = None
    attributes: Mapping[str, Any] = EMPTY_TAGS
    # What reading a sample of the data found (``--sample-content``); None when not sampled.
    content: ContentSample | None = None

    @property
    def copy_countries(self) -> tuple[str, ...]:
        """Every country a copy of this asset may be in, in first-seen order."""
        seen: dict[str, None] = {}
        for copy in self.copies:
            for country in copy.location.countries:
                seen.setdefault(country, None)
        return tuple(seen)


class Waiver(msgspec.Struct, frozen=True):
    reason: str
    expires: str | None = None
    owner: str | None = None


class Finding(msgspec.Struct, frozen=True, gc=False):
    """A rule's verdict on one asset. ``id`` is stable: same rule and asset, same id."""

    id: str
    rule_id: str
    severity: Severity
    asset_id: str
    title: str
    message: str
    references: tuple[str, ...] = ()
    remediation: str = ""
    status: str = "open"
    waiver: Waiver | None = None


class ScanError(msgspec.Struct, frozen=True):
    """A scope that could not be read. Its presence makes the scan incomplete (exit 3)."""

    provider: str
    scope: str
    message: str


class WaiverNotice(msgspec.Struct, frozen=True):
    """A waiver that needs attention: ``expired`` (no longer applies) or ``unused``."""

    problem: str
    rule: str
    asset: str
    reason: str
    owner: str
    expires: str
    origin: str


class ScanResult(msgspec.Struct, frozen=True):
    started_at: str
    finished_at: str
    home_country: str
    assets: tuple[Asset, ...]
    findings: tuple[Finding, ...] = ()
    errors: tuple[ScanError, ...] = ()
    waiver_notices: tuple[WaiverNotice, ...] = ()


# --- content sampling's evidence: counts and masked examples, never a value ---------------


def _counts(data: Any) -> dict[str, int]:
    if not isinstance(data, Mapping):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int) and v >= 0}


class ObjectHits(msgspec.Struct, frozen=True):
    """One object with hits: its key (redacted) and what was found in it."""

    key: str
    identifiers: Mapping[str, int]
    categories: Mapping[str, int] = msgspec.field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.identifiers.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "identifiers": dict(self.identifiers),
            "sensitive_categories": dict(self.categories),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ObjectHits:
        return cls(
            key=str(data.get("key", "")),
            identifiers=_counts(data.get("identifiers")),
            categories=_counts(data.get("sensitive_categories")),
        )


class ContentSample(msgspec.Struct, frozen=True):
    """The evidence from one bucket's sample. ``to_dict`` is its JSON (``content_sample``).

    ``limited_by`` names the limits that cut the sample short: ``listing`` (only the first
    keys were considered), ``objects`` (more objects could have been read), ``bytes`` (some
    object was read only in part), ``budget`` (the scan-wide byte budget ran out).
    """

    classification: Classification
    objects_listed: int = 0
    objects_read: int = 0
    skipped: Mapping[str, int] = msgspec.field(default_factory=dict)
    bytes_read: int = 0
    identifiers: Mapping[str, int] = msgspec.field(default_factory=dict)
    distinct_identifiers: Mapping[str, int] = msgspec.field(default_factory=dict)
    categories: Mapping[str, int] = msgspec.field(default_factory=dict)
    objects_with_hits: int = 0
    objects: tuple[ObjectHits, ...] = ()
    examples: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
    limited_by: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    limits: Mapping[str, int] = msgspec.field(default_factory=dict)
    declared_classification: Classification | None = None
    declared_source: str | None = None

    @property
    def objects_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def truncated(self) -> bool:
        return bool(self.limited_by)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"classification": self.classification._value_}
        if self.declared_classification is not None:
            data["declared_classification"] = self.declared_classification._value_
            data["declared_source"] = self.declared_source
        data.update(
            {
                "objects_listed": self.objects_listed,
                "objects_read": self.objects_read,
                "objects_skipped": self.objects_skipped,
                "skipped": dict(self.skipped),
                "bytes_read": self.bytes_read,
                "identifiers": dict(self.identifiers),
                "distinct_identifiers": dict(self.distinct_identifiers),
                "sensitive_categories": dict(self.categories),
                "objects_with_hits": self.objects_with_hits,
                "objects": [hits.to_dict() for hits in self.objects],
                "examples": {kind: list(shown) for kind, shown in self.examples.items()},
                "truncated": self.truncated,
                "limited_by": list(self.limited_by),
                "errors": list(self.errors),
                "limits": dict(self.limits),
            }
        )
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContentSample:
        """Read back from a previous scan's JSON; unknown or malformed parts are dropped."""
        declared = data.get("declared_classification")
        given = data.get("examples")
        examples: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        return cls(
            classification=_classification(data.get("classification")),
            objects_listed=_int(data.get("objects_listed")),
            objects_read=_int(data.get("objects_read")),
            skipped=_counts(data.get("skipped")),
            bytes_read=_int(data.get("bytes_read")),
            identifiers=_counts(data.get("identifiers")),
            distinct_identifiers=_counts(data.get("distinct_identifiers")),
            categories=_counts(data.get("sensitive_categories")),
            objects_with_hits=_int(data.get("objects_with_hits")),
            objects=tuple(
                ObjectHits.from_dict(o)
                for o in _list(data.get("objects"))
                if isinstance(o, Mapping)
            ),
            examples={str(k): tuple(str(x) for x in _list(v)) for k, v in examples.items()},
            limited_by=tuple(str(x) for x in _list(data.get("limited_by"))),
            errors=tuple(str(x) for x in _list(data.get("errors"))),
            limits=_counts(data.get("limits")),
            declared_classification=_classification(declared) if declared else None,
            declared_source=str(data["declared_source"]) if data.get("declared_source") else None,
        )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _list(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else ()


def _classification(value: Any) -> Classification:
    try:
        return Classification(str(value))
    except ValueError:
        return Classification.UNKNOWN
