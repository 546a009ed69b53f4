"""One object's text in, what it holds out: identifier counts, sensitive categories, examples.

The output carries counts, masked examples and keyed hashes (to count distinct values across
a bucket); the text and the values found in it stay inside this call.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping

from sovaudit.classify.content.context import TextContext
from sovaudit.classify.content.detectors import Detectors


@dataclasses.dataclass(frozen=True)
class TextFindings:
    """What one text holds, without any of its values."""

    identifiers: Mapping[str, int]  # type -> occurrences
    categories: Mapping[str, int]  # sensitive category -> occurrences of its terms
    examples: Mapping[str, tuple[str, ...]]  # type -> distinct masked forms, capped
    fingerprints: Mapping[str, frozenset[bytes]] = dataclasses.field(repr=False)

    @property
    def identifier_hits(self) -> int:
        return sum(self.identifiers.values())


class Analyser:
    """Runs every detector and the sensitive-category vocabulary over a text."""

    def __init__(self, detectors: Detectors | None = None, examples_per_type: int = 3) -> None:
        self.detectors = detectors or Detectors()
        self.examples_per_type = examples_per_type

    def analyse(self, text: str) -> TextFindings:
        counts: Counter[str] = Counter()
        examples: dict[str, dict[str, None]] = {}
        prints: dict[str, set[bytes]] = {}
        for found in self.detectors.find(TextContext(text)):
            counts[found.kind] += 1
            prints.setdefault(found.kind, set()).add(found.fingerprint)
            shown = examples.setdefault(found.kind, {})
            if len(shown) < self.examples_per_type:
                shown.setdefault(found.masked, None)
        categories = self.detectors.vocab.sensitive_terms(text)
        return TextFindings(
            identifiers=dict(counts),
            categories=dict(categories),
            examples={kind: tuple(shown) for kind, shown in examples.items()},
            fingerprints={kind: frozenset(values) for kind, values in prints.items()},
        )
