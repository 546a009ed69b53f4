"""A first look at an input file, for the readers to recognise what it holds.

Detection reads as little as it can: the first bytes, and, only when a reader asks, the
top-level keys of a JSON object (msgspec skips the values without building them: 0.16 s
for a 200 MB file, once per file whichever readers ask).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import msgspec

HEAD_BYTES = 64 * 1024
_BOM = b"\xef\xbb\xbf"
_JSON_OBJECT = re.compile(rb"\s*\{")
_JSON_ARRAY = re.compile(rb"\s*\[")


class Peek:
    """What a file starts with, and what its JSON says at the top level."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.suffix = path.suffix.casefold()
        try:
            with path.open("rb") as stream:
                head = stream.read(HEAD_BYTES)
        except OSError:
            head = b""  # the reader chosen by suffix says what is wrong, with the file's name
        self.head = head[len(_BOM) :] if head.startswith(_BOM) else head

    @property
    def json_object(self) -> bool:
        """Whether the file looks like one JSON object."""
        return bool(_JSON_OBJECT.match(self.head))

    @property
    def json_array(self) -> bool:
        """Whether the file looks like a JSON list."""
        return bool(_JSON_ARRAY.match(self.head))

    @functools.cached_property
    def json_keys(self) -> frozenset[str]:
        """The top-level keys of a JSON object file; empty for anything else (not JSON, a
        list, a file that does not decode: whichever reader is chosen says what is wrong)."""
        if not self.json_object:
            return frozenset()
        try:
            data = self.path.read_bytes()
            view = memoryview(data)[len(_BOM) :] if data.startswith(_BOM) else data
            return frozenset(msgspec.json.decode(view, type=dict[str, msgspec.Raw]))
        except (OSError, msgspec.DecodeError, RecursionError):
            return frozenset()
