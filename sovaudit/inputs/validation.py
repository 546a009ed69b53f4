"""Validate documents against sovaudit's published JSON Schemas.

The schema files (sovaudit/schemas/*.json) are the one source of truth: users point their
editors at them, and this module turns a violation into one line naming file, line and
field. Validation code is generated from the schema once per run (fastjsonschema), which
checks 100,000 assets in about a second where an interpreting validator takes tens.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from sovaudit.errors import InputError
from sovaudit.inputs.documents import LineFinder


def load_schema(name: str) -> dict[str, Any]:
    """A bundled JSON Schema by file name."""
    text = (resources.files("sovaudit") / "schemas" / name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _compiled(name: str, build: Callable[[], dict[str, Any]] | None = None) -> Callable[[Any], Any]:
    # Imported here so that commands which validate nothing (--version) never pay for it.
    import fastjsonschema

    schema = build() if build is not None else load_schema(name)
    validator: Callable[[Any], Any] = fastjsonschema.compile(schema)
    return validator


def field_path(path: Sequence[str | int]) -> str:
    """``['assets', 3, 'location']`` -> ``assets[3].location``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _typed_path(document: Any, raw: Sequence[str]) -> list[str | int]:
    """fastjsonschema writes list indexes as strings; make them ints where they index lists."""
    path: list[str | int] = []
    node = document
    for step in raw:
        if isinstance(node, list) and step.isdigit():
            index = int(step)
            path.append(index)
            node = node[index] if index < len(node) else None
        else:
            path.append(step)
            node = node.get(step) if isinstance(node, dict) else None
    return path


def _types(definition: dict[str, Any]) -> str:
    types = definition.get("type", ())
    types = [types] if isinstance(types, str) else list(types)
    return " or ".join(repr(t) for t in types)


# A value quoted in a message is cut to this many characters: a waiver file once produced a
# 4 MB error line, and one line must stay readable in a terminal and a log collector.
SHOWN = 80


def shown(value: Any) -> str:
    """``repr(value)``, shortened with … when long (the message names the field anyway)."""
    text = repr(value) if not isinstance(value, (dict, list)) else repr(_outline(value))
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _outline(value: Any) -> Any:
    """A container's first few items only: never walk (or print) a huge value."""
    if isinstance(value, dict):
        return {k: "…" if isinstance(v, (dict, list)) else v for k, v in list(value.items())[:5]}
    return ["…" if isinstance(v, (dict, list)) else v for v in value[:5]]


def _explain(
    rule: str | None, value: Any, definition: dict[str, Any], path: list[str | int], fallback: str
) -> tuple[list[str | int], str]:
    """The path to blame and a message a person can act on."""
    if rule == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(definition.get("properties", {}))
        unexpected = sorted(str(k) for k in value if k not in allowed)
        if unexpected:
            return [*path, unexpected[0]], f"unknown field (expected one of: {', '.join(allowed)})"
    if rule == "required" and isinstance(value, dict):
        missing = [k for k in definition.get("required", ()) if k not in value]
        if missing:
            return path, f"missing required field {missing[0]!r}"
    if rule == "enum":
        return path, f"{shown(value)} is not one of: {', '.join(map(str, definition['enum']))}"
    if rule == "type":
        return path, f"{shown(value)} is not of type {_types(definition)}"
    if rule == "pattern":
        hint = definition.get("description")
        return path, f"{shown(value)} does not match the expected form" + (
            f" ({hint})" if hint else f" {definition.get('pattern')}"
        )
    if rule == "oneOf":
        hint = definition.get("description")
        return path, f"{shown(value)} is not valid here" + (f": expected {hint}" if hint else "")
    if rule == "not" and path and path[-1] == "location":
        return path, "give either 'country' or 'countries', not both"
    return path, fallback


def validate(
    document: Any,
    file: str,
    find_line: LineFinder,
    schema: str,
    *,
    build: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """Raise InputError for the first schema violation in ``document``.

    ``build`` makes the schema instead of reading the file ``schema`` names (the config
    file's, whose provider sections come from the providers' declarations).
    """
    import fastjsonschema

    try:
        _compiled(schema, build)(document)
    except fastjsonschema.JsonSchemaValueException as exc:
        path = _typed_path(document, exc.path[1:])
        fallback = exc.message.removeprefix(exc.name or "").strip() or exc.message
        if len(fallback) > 4 * SHOWN:  # fastjsonschema quotes the whole value in some messages
            fallback = fallback[: 4 * SHOWN - 1] + "…"
        definition = exc.definition if isinstance(exc.definition, dict) else {}
        path, message = _explain(exc.rule, exc.value, definition, path, fallback)
        raise InputError(
            file, message, line=find_line(path), field=field_path(path) or None
        ) from None
