"""An in-memory ObjectSource that records every listing and read the sampler asks for."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from sovaudit.classify.content.errors import ObjectReadError, SkipObject
from sovaudit.classify.content.sample import ObjectRef


@dataclasses.dataclass
class MemorySource:
    """Objects by key; ``skips`` and ``failures`` make chosen reads skip or fail."""

    objects: Mapping[str, bytes]
    skips: Mapping[str, str] = dataclasses.field(default_factory=dict)
    failures: Mapping[str, ObjectReadError] = dataclasses.field(default_factory=dict)
    archived: frozenset[str] = frozenset()
    listing_error: ObjectReadError | None = None
    listings: list[int] = dataclasses.field(default_factory=list)
    reads: list[tuple[str, int]] = dataclasses.field(default_factory=list)

    def list_objects(self, max_objects: int) -> Iterator[ObjectRef]:
        self.listings.append(max_objects)
        if self.listing_error is not None:
            raise self.listing_error
        for count, (key, data) in enumerate(sorted(self.objects.items())):
            if count >= max_objects:
                return
            yield ObjectRef(key=key, size=len(data), archived=key in self.archived)

    def read(self, ref: ObjectRef, max_bytes: int) -> bytes:
        self.reads.append((ref.key, max_bytes))
        if ref.key in self.skips:
            raise SkipObject(self.skips[ref.key])
        if ref.key in self.failures:
            raise self.failures[ref.key]
        return self.objects[ref.key][:max_bytes]

    @property
    def read_keys(self) -> list[str]:
        return [key for key, _ in self.reads]
