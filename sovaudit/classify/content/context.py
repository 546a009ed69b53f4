"""What a value is labelled with in its text: the words just before it, its column's header.

A number alone cannot say whether it is an NSS or an order number; its label can. Two labels
are looked at:

- the *lead*: the text just before the value on the same line, back to the previous field
  separator, e.g. ``"nss": "`` in JSON, ``NSS:`` in prose, ``<nss>`` in XML;
- the *header*: for delimited text (CSV, TSV, ``;`` or ``|`` separated), the first line's
  name of the value's column.

Both are bounded (``LEAD_CHARS``, ``LINE_CHARS``) so that a one-line JSON document of a
megabyte costs the same per value as a short CSV row.
"""

from __future__ import annotations

import csv
import re

from sovaudit.classify.content.keywords import fold

LEAD_CHARS = 48
LINE_CHARS = 4096
DELIMITERS = (",", ";", "\t", "|")
_QUOTES = " \"'"
# Where a lead stops: the line's start, a field separator, the start of a JSON object or
# array. A label and its value are not separated by these; two different fields are.
_LEAD_STOPS = ("\n", ",", ";", "|", "\t", "{", "[")


class TextContext:
    """The labels around positions of one text (one object's sample)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.delimiter, self.header = _header(text)
        self.folded_header = tuple(fold(name) for name in self.header)
        self._header_end = text.find("\n") if self.header else -1
        # Whatever a detector wants to remember about this text (a column's label verdict).
        self.memo: dict[object, bool] = {}

    def lead(self, start: int) -> str:
        """The text before ``start`` on its line, back to the previous field separator."""
        text, low = self.text, max(0, start - LEAD_CHARS)
        cut = max(text.rfind(stop, low, start) for stop in _LEAD_STOPS)
        return text[cut + 1 : start] if cut >= 0 else text[low:start]

    def column(self, start: int) -> int | None:
        """The index of the header column ``start`` is in (delimited text with a header)."""
        if not self.header or start <= self._header_end:
            return None
        line_start = self.text.rfind("\n", max(0, start - LINE_CHARS), start)
        if line_start < 0:
            return None
        index = _field_index(self.text[line_start + 1 : start], self.delimiter)
        return index if index < len(self.header) else None

    def column_header(self, start: int) -> str | None:
        """The header of the column ``start`` is in, for delimited text with a header line."""
        index = self.column(start)
        return None if index is None else self.header[index]

    def labelled(self, pattern: re.Pattern[str], start: int) -> bool:
        """Whether ``pattern`` (folded vocabulary) matches the value's header or lead.

        A column's verdict is worked out once per text: a CSV column of a thousand numbers
        has one header.
        """
        index = self.column(start)
        if index is not None:
            key = (pattern, index)
            verdict = self.memo.get(key)
            if verdict is None:
                verdict = self.memo[key] = pattern.search(self.folded_header[index]) is not None
            if verdict:
                return True
        lead = self.lead(start)
        # A value that starts its field (a CSV cell) has no words of its own before it.
        return bool(lead.strip(_QUOTES)) and pattern.search(fold(lead)) is not None

    def label(self, start: int) -> str:
        """Lead and header together, folded for matching against the vocabulary."""
        header = self.column_header(start)
        lead = self.lead(start)
        return fold(f"{header} {lead}" if header else lead)


def _field_index(prefix: str, delimiter: str) -> int:
    """How many fields come before the end of ``prefix`` (delimiters inside quotes skipped)."""
    if '"' not in prefix:
        return prefix.count(delimiter)
    index, quoted = 0, False
    for char in prefix:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            index += 1
    return index


def _header(text: str) -> tuple[str, tuple[str, ...]]:
    """The delimiter and header fields of delimited text; ``("", ())`` for anything else.

    JSON, XML and prose have commas too, so a first line only counts as a header when the
    text does not start like a document and the second line has as many delimiters.
    """
    stripped = text.lstrip()
    if not stripped or stripped[0] in "{[<":
        return "", ()
    first, _, rest = text.partition("\n")
    second = rest.partition("\n")[0]
    first = first.rstrip("\r")[:LINE_CHARS]
    counts = {d: first.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0 or _field_index(second, delimiter) != _field_index(first, delimiter):
        return "", ()
    fields = next(csv.reader([first], delimiter=delimiter), [])
    return delimiter, tuple(f.strip() for f in fields)
