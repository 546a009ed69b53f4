"""JSON text for every machine format: one encoder, in C, compact.

msgspec encodes the model's dictionaries several times faster than the stdlib's encoder, and
a whole batch of list elements in one call (bench/bench_scan.py). Elements are written
without spaces (``{"id":"a","tags":{}}``), as JSON Lines usually are; the documents keep one
element of each top-level list per line. Two harmless differences from ``json.dumps``
remain, both valid JSON that reads back to the same value: floats with an exponent are
written ``1e16`` (not ``1e+16``), and a non-finite float (which only a hand-written
``Infinity`` in an inventory can bring) is ``null``, not the invalid ``Infinity``. A value
msgspec cannot encode goes through the stdlib encoder instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import msgspec


def _plain(value: Any) -> Any:
    """What msgspec does not encode itself: the model's read-only mappings (tags)."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_encoder = msgspec.json.Encoder(enc_hook=_plain)
_stdlib = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":")).encode


def builtins(value: Any) -> Any:
    """``value`` (Structs, read-only mappings and all) as plain dicts, lists and scalars."""
    return msgspec.to_builtins(value, enc_hook=_plain)


def dumps(value: Any) -> str:
    """``value`` as one line of compact JSON text."""
    try:
        return _encoder.encode(value).decode("utf-8")
    except (TypeError, OverflowError):
        return _stdlib(value)


def encode(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON."""
    try:
        return _encoder.encode(value)
    except (TypeError, OverflowError):
        return _stdlib(value).encode("utf-8")


def lines(values: Sequence[Any], separator: bytes = b"\n") -> bytes:
    """Each of ``values`` as compact UTF-8 JSON, joined by ``separator`` (which should hold a
    line break: encoded JSON never holds one, so the lines split back into the values).

    Bytes, not text, all the way to the file: decoding a large result to text and encoding
    it back cost a tenth of a scan.
    """
    try:
        encoded = _encoder.encode_lines(values)
    except (TypeError, OverflowError):
        return separator.join(map(encode, values))
    return encoded[:-1].replace(b"\n", separator) if separator != b"\n" else encoded[:-1]


def json_lines(values: Iterable[Any], batch: int = 1000) -> Iterator[bytes]:
    """JSON Lines for ``values``, in chunks of ``batch`` lines (one encoder call each)."""
    pending: list[Any] = []
    for value in values:
        pending.append(value)
        if len(pending) == batch:
            yield lines(pending) + b"\n"
            pending.clear()
    if pending:
        yield lines(pending) + b"\n"
