"""The vocabulary of content sampling (sovaudit/data/content_keywords.yaml), compiled once.

Matching is on *folded* text: lowercase, accents removed, camelCase split, so that
``tipoSangre``, ``TIPO_DE_SANGRE`` and ``tipo de sangre`` are the same words. Only counts and
yes/no answers come out of folded text, never offsets, so folding may change its length.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sovaudit.bundled import data_yaml

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Between the words of a term: any run of spaces, underscores, hyphens or dots.
_GAP = r"[\s_.\-]+"
# Whole words only: a term must not be glued to a letter or digit on either side. Underscores
# are separators here (``nss_empleado``), unlike in regex's own \b.
_BEFORE = r"(?<![a-z0-9])"
_AFTER = r"(?![a-z0-9])"


def _fold_table() -> dict[int, int]:
    """Every Latin-1/Latin Extended-A letter with a diacritic -> its base letter, lowercased."""
    table: dict[int, int] = {}
    for code in range(0xC0, 0x180):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0].lower()
        if len(base) == 1 and base.isascii() and base.isalpha():
            table[code] = ord(base)
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lowercase, accent-free, camelCase split: the form every term is matched against."""
    return _CAMEL.sub(" ", text).lower().translate(_FOLD)


_WORD = re.compile(r"[a-z0-9]+")

# A term's words after its first one, and its category; per first word, longest first.
TermIndex = Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]


def term_index(categories: Mapping[str, Iterable[str]]) -> TermIndex:
    """First word -> (following words, category), so a text is matched word by word.

    One regex alternation of a hundred phrases is tried at every character of a megabyte;
    splitting the text into words once and looking words up in a dict is ten times faster.
    """
    entries: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for category, terms in categories.items():
        for term in terms:
            words = tuple(_WORD.findall(fold(term)))
            if words:
                entries.setdefault(words[0], []).append((words[1:], category))
    return {
        first: tuple(sorted(set(rests), key=lambda r: (-len(r[0]), r)))
        for first, rests in entries.items()
    }


# Words as written (any case, Latin-1 accents): folded once per distinct word, not per word.
_TOKEN = re.compile(r"[A-Za-z\u00c0-\u00ff0-9]+")


def count_terms(text: str, index: TermIndex) -> Counter[str]:
    """Occurrences of each category's terms in ``text`` (whole words, folded).

    Most texts hold no term at all, and most that hold a term's first word ("face" in a hex
    id, "estado" in Spanish prose) do not hold the rest: both are settled from the set of
    distinct words, and only a text where some whole term may occur is walked word by word.
    """
    counts: Counter[str] = Counter()
    tokens = _TOKEN.findall(text)
    distinct = list(set(tokens))
    # One fold of all distinct words joined by newlines: the C string methods do the work,
    # and folding never adds or removes a newline.
    folded = dict(zip(distinct, fold("\n".join(distinct)).split("\n"), strict=True))
    present = set(" ".join(folded.values()).split())
    firsts = {
        first
        for first in index.keys() & present
        if any(all(word in present for word in rest) for rest, _ in index[first])
    }
    if not firsts:
        return counts
    words = " ".join(folded[token] for token in tokens).split()
    resume = 0  # a term's later words cannot start another term
    for position in [i for i, word in enumerate(words) if word in firsts]:
        if position < resume:
            continue
        for rest, category in index[words[position]]:
            if tuple(words[position + 1 : position + 1 + len(rest)]) == rest:
                counts[category] += 1
                resume = position + 1 + len(rest)
                break
    return counts


def term_pattern(terms: Iterable[str]) -> str:
    """One alternation matching any of ``terms`` as whole words, longest first."""
    words = sorted({fold(t).strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    alternatives = [_GAP.join(re.escape(w) for w in term.split()) for term in words]
    return _BEFORE + "(?:" + "|".join(alternatives) + ")" + _AFTER


@dataclasses.dataclass(frozen=True)
class Vocabulary:
    """The compiled vocabulary: context words per identifier, sensitive categories, labels."""

    context: Mapping[str, re.Pattern[str]]
    sensitive: TermIndex
    category_labels: Mapping[str, Mapping[str, str]]
    identifier_labels: Mapping[str, Mapping[str, str]]
    email_roles: frozenset[str]
    email_false_tlds: frozenset[str]
    clabe_banks: frozenset[str]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Vocabulary:
        context = {
            str(name): re.compile(term_pattern(str(t) for t in terms))
            for name, terms in (data.get("context") or {}).items()
        }
        categories = data.get("sensitive") or {}
        return cls(
            context=context,
            sensitive=term_index(
                {str(name): [str(t) for t in spec["terms"]] for name, spec in categories.items()}
            ),
            category_labels={
                str(name): dict(spec.get("label") or {}) for name, spec in categories.items()
            },
            identifier_labels={
                str(name): dict(labels) for name, labels in (data.get("identifiers") or {}).items()
            },
            email_roles=frozenset(str(r).lower() for r in data.get("email_roles") or ()),
            email_false_tlds=frozenset(str(t).lower() for t in data.get("email_false_tlds") or ()),
            clabe_banks=frozenset(str(c).zfill(3) for c in data.get("clabe_banks") or ()),
        )

    def sensitive_terms(self, text: str) -> Counter[str]:
        """Occurrences of each sensitive category's terms in ``text``."""
        return count_terms(text, self.sensitive)

    def label(self, kind: str, lang: str) -> str:
        """How a person reads an identifier type or a category, in ``lang`` (else English)."""
        labels = self.identifier_labels.get(kind) or self.category_labels.get(kind) or {}
        return labels.get(lang) or labels.get("en") or kind


@functools.lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The bundled vocabulary, read on first use (the scan without sampling never reads it)."""
    return Vocabulary.from_mapping(data_yaml("content_keywords.yaml"))
