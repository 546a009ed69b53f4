"""How the HTML report turns values into markup: escaping, and the cells and tables it shares.

Asset names, tags, owners, messages and region codes come from files anyone in the company
can edit, so every such value enters the page through :func:`escape` and is only ever placed
in text or in a quoted attribute. Keeping that one function and the cells built on it in
their own module makes the rule easy to check: the report's sections (html.py) pass every
string they place through these.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence

from sovaudit.model import Asset, Copy, Severity
from sovaudit.report.model import UNKNOWN, Report, Row

_CODE = re.compile(r"`([^`<>]+)`")


def escape(value: object) -> str:
    """Escape anything for HTML text or a quoted attribute: the one way data enters the page."""
    return html.escape("" if value is None else str(value), quote=True)


def prose(text: str) -> str:
    """Escape, then show the Markdown-style `code` spans the messages use as <code>.

    The backtick pattern runs on already escaped text and cannot span a tag, so it can
    only wrap escaped characters in <code>.
    """
    return _CODE.sub(r"<code>\1</code>", escape(text))


def place(report: Report, key: str) -> str:
    """A country or state bucket's name, with ``?`` as "unknown" in the reader's language."""
    return report.t("unknown_place") if key == UNKNOWN else key


def breakdown(
    report: Report, rows: Sequence[Row], first: str, columns: Sequence[str], places: bool = False
) -> Iterator[str]:
    """A breakdown table; ``places`` names the ``?`` bucket as :func:`place` does."""
    if not rows:
        yield f'<p class="empty">{escape(report.t("nothing"))}</p>\n'
        return
    yield f'<table class="compact">\n<thead><tr><th>{escape(first)}</th>'
    for column in columns:
        yield f'<th class="num">{escape(report.t(column))}</th>'
    yield "</tr></thead>\n<tbody>\n"
    for row in rows:
        values = (row.assets, row.personal, row.personal_outside)[: len(columns)]
        name = place(report, row.key) if places else row.key
        cells = "".join(f'<td class="num">{value}</td>' for value in values)
        yield f"<tr><td>{escape(name)}</td>{cells}</tr>\n"
    yield "</tbody>\n</table>\n"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """A plain table whose cells are already-escaped HTML."""
    yield '<div class="scroll"><table>\n<thead><tr>'
    yield "".join(f"<th>{escape(h)}</th>" for h in headers)
    yield "</tr></thead>\n<tbody>\n"
    for row in rows:
        yield "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n"
    yield "</tbody>\n</table></div>\n"


def asset_cell(report: Report, asset_id: str, details: bool = False) -> str:
    """Name in bold with the id under it; with ``details``, the owner and tags too."""
    asset = report.assets.get(asset_id)
    if asset is None or not asset.name or asset.name == asset_id:
        parts = [f'<span class="asset-name mono">{escape(asset_id)}</span>']
    else:
        parts = [
            f'<span class="asset-name">{escape(asset.name)}</span>',
            f'<span class="asset-id mono">{escape(asset_id)}</span>',
        ]
    if details and asset is not None:
        if asset.owner:
            parts.append(f'<span class="asset-id">{escape(asset.owner)}</span>')
        if asset.tags:
            tags = "".join(
                f'<span class="tag">{escape(key)}: {escape(value)}</span>'
                for key, value in asset.tags.items()
            )
            parts.append(f'<span class="tags">{tags}</span>')
    return "".join(parts)


def where_cell(report: Report, asset: Asset) -> str:
    """Where it is, and for an unknown location the reason nobody could place it."""
    text = escape(report.where(asset))
    if not asset.location.known and asset.location.note:
        text += f'<span class="asset-id">{escape(asset.location.note)}</span>'
    return text


def copies_cell(report: Report, asset: Asset) -> str:
    """Each copy on a line of its own; a dash when there is none."""
    if not asset.copies:
        return '<span class="muted">—</span>'
    return "<br>".join(escape(_copy_text(report, copy)) for copy in asset.copies)


def _copy_text(report: Report, copy: Copy) -> str:
    """``replica → US-VA (us-east-1)``: kind, where it landed, and the code the inventory gave."""
    location = copy.location
    if not location.countries:
        where = report.t("unknown_place")
    elif len(location.countries) > 1:
        where = "/".join(location.countries)
    else:
        where = location.subdivision or location.countries[0]
    extra = [v for v in (copy.provider, copy.region) if v]
    suffix = f" ({', '.join(extra)})" if extra else ""
    return f"{copy.kind} → {where}{suffix}"


def severity_chip(report: Report, severity: Severity) -> str:
    """The severity as a coloured label in the reader's language."""
    name = report.t.severity(severity.value)
    return f'<span class="sev sev-{escape(severity.value)}">{escape(name)}</span>'
