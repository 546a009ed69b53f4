"""What content sampling learnt about one bucket: the evidence, never the data.

A ``ContentSample`` holds counts, masked examples and (redacted) object keys; no field can
hold an identifier's value, so no renderer, log line or exception built from it can leak one.
It says what the content *indicates*; classify.py decides what the asset's classification
becomes, and records here what the owner had declared, so a finding can say both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from sovaudit.model import Classification

IDENTIFIER_TYPES = ("curp", "rfc", "clabe", "nss", "ine", "phone_mx", "email")
# Identifiers that name one person in a national register: one is evidence enough. Phone
# numbers and e-mail addresses are contact data: a bucket of build artefacts has the
# maintainer's address in it, so contact data counts from CONTACT_MIN_DISTINCT different
# values (a list of people, not a signature line).
NATIONAL_IDS = frozenset({"curp", "rfc", "clabe", "nss", "ine"})
CONTACT_MIN_DISTINCT = 3


def _counts(data: Any) -> dict[str, int]:
    if not isinstance(data, Mapping):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int) and v >= 0}


@dataclasses.dataclass(frozen=True)
class ObjectHits:
    """One object with hits: its key (redacted) and what was found in it."""

    key: str
    identifiers: Mapping[str, int]
    categories: Mapping[str, int] = dataclasses.field(default_factory=dict)

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


def indicated_classification(
    distinct: Mapping[str, int],
    *,
    sensitive_object: bool,
    objects_read: int,
    objects_listed: int,
    failed: bool,
) -> Classification:
    """What the evidence indicates. Never ``none`` when reading failed or nothing was read.

    ``sensitive_object``: some object holds identifiers *and* terms of a sensitive category
    (a patient list with CURPs and diagnoses); a sensitive term alone (a health policy PDF)
    says nothing about a person.
    """
    national = any(distinct.get(kind, 0) for kind in NATIONAL_IDS)
    contact = sum(n for kind, n in distinct.items() if kind not in NATIONAL_IDS)
    if national or contact >= CONTACT_MIN_DISTINCT:
        return Classification.SENSITIVE if sensitive_object else Classification.PERSONAL
    if failed:
        return Classification.UNKNOWN
    if objects_read or not objects_listed:
        return Classification.NONE
    return Classification.UNKNOWN  # objects exist but none could be inspected


@dataclasses.dataclass(frozen=True)
class ContentSample:
    """The evidence from one bucket's sample. ``to_dict`` is its JSON (``content_sample``).

    ``limited_by`` names the limits that cut the sample short: ``listing`` (only the first
    keys were considered), ``objects`` (more objects could have been read), ``bytes`` (some
    object was read only in part), ``budget`` (the scan-wide byte budget ran out).
    """

    classification: Classification
    objects_listed: int = 0
    objects_read: int = 0
    skipped: Mapping[str, int] = dataclasses.field(default_factory=dict)
    bytes_read: int = 0
    identifiers: Mapping[str, int] = dataclasses.field(default_factory=dict)
    distinct_identifiers: Mapping[str, int] = dataclasses.field(default_factory=dict)
    categories: Mapping[str, int] = dataclasses.field(default_factory=dict)
    objects_with_hits: int = 0
    objects: tuple[ObjectHits, ...] = ()
    examples: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    limited_by: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    limits: Mapping[str, int] = dataclasses.field(default_factory=dict)
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
