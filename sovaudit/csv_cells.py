"""Every CSV sovaudit writes (scan findings, inventories), written one way: inert and exact.

Asset names, ids, tags and descriptions come from the estate being audited, so whoever can
name a bucket can put text in these files. The files are opened in spreadsheets, shown with
``cat`` and read back by sovaudit itself, so that text is kept from acting in three ways:

- Formulas. A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-``, ``@``, TAB
  or CR (``=HYPERLINK(...)`` exfiltrates on click, ``=cmd|...`` starts a program), so such a
  cell gets a leading ``'``, as OWASP recommends: the value stays readable. To be reversible
  the rule also covers values that already start with apostrophes before a formula start:
  a value matching ``'*`` then a formula start gets one more ``'``, and ``restore`` takes one
  off a cell matching ``'+`` then a formula start. No other value changes, so an inventory
  written as CSV reads back exactly (surrounding whitespace aside: the inventory reader trims
  cells, as hand-written files need).
- Row breaks. Rows end in CRLF, as RFC 4180 and Excel do. Python's writer quotes a field
  holding the delimiter, the quote or any character of the line terminator, so with CRLF a
  field holding a bare CR or LF is always quoted. With LF alone a bare CR went unquoted, and
  every CR-aware reader (Excel, LibreOffice, Python, sovaudit's own) split the row there: the
  rest of a tag became a row of its own, undefused, or a forged asset on reading back.
- Control characters. C0 controls other than TAB, LF and CR, DEL and C1 controls (ESC, so
  the OSC 52 clipboard sequence ``ESC ] 52 ;``, and CSI ``\\x9b``) would drive the terminal
  of whoever prints the file. They have no use in a name or a tag, so each is replaced by
  U+FFFD, which shows where one was. This is the one lossy step: ``restore`` cannot bring
  them back, and an inventory written as CSV carries U+FFFD where its input had one.

Files start with a UTF-8 byte order mark: without it Excel reads a CSV in the ANSI code page
and shows "QuerÃ©taro". sovaudit's readers skip it; other Python readers want
``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"
# Rows of a scan or an inventory put in one chunk: the output streams, in few writes.
BATCH = 500

_STARTS = "[" + re.escape("".join(FORMULA_STARTS)) + "]"
_DEFUSE = re.compile("'*" + _STARTS)
_DEFUSED = re.compile("'+" + _STARTS)
# Most cells start with none of these, and a set lookup is cheaper than a regex match.
_FIRST = frozenset("'" + "".join(FORMULA_STARTS))
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def defuse(value: str | None) -> str:
    """``value`` as a cell a spreadsheet shows as text, never evaluates; ``restore`` undoes it."""
    if not value:
        return ""
    if value[0] in _FIRST and _DEFUSE.match(value):
        return "'" + value
    return value


def restore(cell: str) -> str:
    """The value ``defuse`` was given, from the cell it made (any other cell as it is)."""
    if cell[:1] == "'" and _DEFUSED.match(cell):
        return cell[1:]
    return cell


def cell(value: object) -> str:
    """``value`` as it is written to a CSV: no control character, no live formula."""
    if value is None:
        return ""
    text = str(value)
    # isprintable is a fast C scan that is true of almost every cell: only the rest, which
    # may hold a control character (or TAB, CR, LF, NBSP), is searched.
    if not text.isprintable():
        text = _CONTROLS.sub(REPLACEMENT, text)
    return defuse(text)


def rows_text(rows: Iterable[Iterable[object]]) -> str:
    """CSV text for ``rows``, each cell made safe by ``cell``, each row ended by CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def csv_document(header: Sequence[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """A whole CSV file: the byte order mark and the header first, then rows in batches."""
    yield BOM + rows_text([header])
    batch: list[Iterable[object]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield rows_text(batch)
            batch = []
    if batch:
        yield rows_text(batch)
