"""Plain-text tables for the terminal, with no dependency heavier than the stdlib."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two cells, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def printable(cell: object) -> str:
    """One line of printable text: a tag value must not be able to redraw the terminal."""
    text = "" if cell is None else str(cell)
    return "".join(ch if ch.isprintable() else "?" for ch in text.replace("\n", " "))


_clean = printable


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], max_cell: int = 60
) -> Iterator[str]:
    """Lines of a left-aligned table; cells longer than ``max_cell`` are shortened with …."""
    cells = [[_clean(c) for c in row] for row in rows]
    for row in cells:
        for i, text in enumerate(row):
            if _width(text) > max_cell:
                row[i] = text[: max_cell - 1] + "…"
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], _width(text))

    def line(values: Sequence[str]) -> str:
        padded = (v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=False))
        return "  ".join(padded).rstrip() + "\n"

    yield line(list(headers))
    yield line(["-" * w for w in widths])
    for row in cells:
        yield line(row)
