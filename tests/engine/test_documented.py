"""docs/rules.md describes every field a condition can read and every message placeholder.

Rule authors learn the view from that page alone, so a field added to the view but not to
the page would exist only for those who read the source.
"""

from __future__ import annotations

import re

from sovaudit.engine.placeholders import MESSAGE_FIELDS
from sovaudit.engine.view import VIEW_SHAPE
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    start = DOC.index(f"## {heading}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end != -1 else None]


def _documented_fields() -> set[str]:
    """The names in the first column of the condition section's field table."""
    rows = [
        line.split("|")[1]
        for line in _section("The condition").splitlines()
        if line.startswith("| `")
    ]
    return {name for row in rows for name in re.findall(r"`([a-z_]+)`", row)}


def test_every_view_field_is_documented() -> None:
    fields = set(VIEW_SHAPE.fields or ())
    assert len(fields) > 30
    assert sorted(fields - _documented_fields()) == []


def test_no_documented_field_is_missing_from_the_view() -> None:
    assert sorted(_documented_fields() - set(VIEW_SHAPE.fields or ())) == []


def test_every_message_placeholder_is_documented() -> None:
    documented = set(re.findall(r"`\{([a-z_]+)\}`", _section("Message placeholders")))
    assert sorted(MESSAGE_FIELDS - documented) == []
    assert sorted(documented - MESSAGE_FIELDS) == []
