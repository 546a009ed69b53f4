"""Plain-text tables for the terminal, with no dependency heavier than the stdlib."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two cells, combining marks none."""
    if text.isascii():  # nearly every cell, and a 100,000-finding table has 400,000 of them
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def printable(cell: object) -> str:
    """One line of printable text: a tag value must not be able to redraw the terminal."""
    text = "" if cell is None else str(cell)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else "?" for ch in text.replace("\n", " "))


_clean = printable


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], max_cell: int = 60
) -> Iterator[str]:
    """Lines of a left-aligned table; cells longer than ``max_cell`` are shortened with …."""
    cells = [[_clean(c) for c in row] for row in rows]
    widths = [_width(h) for h in headers]
    cell_widths = []
    for row in cells:
        row_widths = []
        for i, text in enumerate(row):
            width = _width(text)
            if width > max_cell:
                text = row[i] = text[: max_cell - 1] + "…"
                width = _width(text)
            row_widths.append(width)
            if width > widths[i]:
                widths[i] = width
        cell_widths.append(row_widths)

    def line(values: Sequence[str], value_widths: Sequence[int]) -> str:
        padded = (
            v + " " * (w - vw) for v, vw, w in zip(values, value_widths, widths, strict=False)
        )
        return "  ".join(padded).rstrip() + "\n"

    yield line(headers, [_width(h) for h in headers])
    yield line(["-" * w for w in widths], widths)
    for row, row_widths in zip(cells, cell_widths, strict=True):
        yield line(row, row_widths)
