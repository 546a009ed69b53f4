"""ISO 3166 country and subdivision codes, to tell a typo (``MX-NL``) from a real code.

The codes come from the iso-codes project (``sovaudit/data/iso3166/SOURCE.md``) and are read
only when a location needs checking, so commands that never check one do not pay for them.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources


@functools.cache
def _table(name: str) -> dict[str, str]:
    """``code -> name`` from one bundled TSV file (header row first)."""
    text = (resources.files("sovaudit") / "data" / "iso3166" / name).read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines()[1:] if line)
    return {row[0]: row[1] for row in rows}


def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name."""
    return _table("countries.tsv")


def subdivisions() -> dict[str, str]:
    """ISO 3166-2 code -> English name."""
    return _table("subdivisions.tsv")


def is_country(code: str) -> bool:
    return code.upper() in countries()


def is_subdivision(code: str) -> bool:
    return code.upper() in subdivisions()


def closest_subdivision(code: str) -> str | None:
    """The subdivision of the same country a mistyped ``code`` most likely meant.

    ``MX-NL`` gives ``MX-NLE (Nuevo León)``: codes of that country that start with what was
    typed come first, then the closest spelling.
    """
    code = code.upper()
    country, _, _ = code.partition("-")
    same_country = [known for known in subdivisions() if known.startswith(country + "-")]
    starting = [known for known in same_country if known.startswith(code)]
    close = starting or difflib.get_close_matches(code, same_country, n=1, cutoff=0.6)
    if not close:
        return None
    return f"{close[0]} ({subdivisions()[close[0]]})"
