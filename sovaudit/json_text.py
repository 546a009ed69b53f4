"""JSON text for every machine format: one encoder, in C, with the stdlib's spacing.

msgspec encodes the model's dictionaries several times faster than the stdlib's encoder
(bench/bench_scan.py), and ``msgspec.json.format(..., indent=0)`` spaces the text exactly as
``json.dumps`` does (``{"a": 1, "b": [1, 2]}``), so output files keep their shape. Two
harmless differences from the stdlib remain, both valid JSON read back to the same value:
floats with an exponent are written ``1e16`` (not ``1e+16``), and a non-finite float (which
only a hand-written ``Infinity`` in an inventory can bring) is ``null``, not the invalid
``Infinity``. A value msgspec cannot encode goes through the stdlib encoder instead.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_encode = msgspec.json.Encoder().encode
_format = msgspec.json.format
_stdlib = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def dumps(value: Any) -> str:
    """``value`` as one line of JSON text, spaced like ``json.dumps``."""
    try:
        return _format(_encode(value), indent=0).decode("utf-8")
    except (TypeError, OverflowError):
        return _stdlib(value)
