"""An independent reader of RFC 5424 structured data (section 6.3), for assertions.

Written from the ABNF, not from the code under test: ``SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"``,
``SD-PARAM = PARAM-NAME "=" %d34 PARAM-VALUE %d34``, and inside PARAM-VALUE ``\\"``, ``\\\\``
and ``\\]`` stand for ``"``, ``\\`` and ``]``.
"""

from __future__ import annotations

import re

_ELEMENT = re.compile(r"\[([^ \]=\"]+)((?: [^ =\]\"]+=\"(?:[^\"\\\]]|\\.)*\")*)\]")
_PARAM = re.compile(r" ([^ =\]\"]+)=\"((?:[^\"\\\]]|\\.)*)\"")
_ESCAPE = re.compile(r"\\([\"\\\]])")


def parse_sd(text: str) -> dict[str, dict[str, str]]:
    """``[id a="1"][id2 b="2"]`` as ``{"id": {"a": "1"}, "id2": {"b": "2"}}``; ``-`` as {}."""
    if text == "-":
        return {}
    elements: dict[str, dict[str, str]] = {}
    position = 0
    while position < len(text):
        match = _ELEMENT.match(text, position)
        assert match, f"not RFC 5424 structured data at {position}: {text[position:]!r}"
        elements[match.group(1)] = {
            name: _ESCAPE.sub(r"\1", value) for name, value in _PARAM.findall(match.group(2))
        }
        position = match.end()
    return elements
