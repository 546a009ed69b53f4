"""Validate inventory documents against the published JSON Schema.

The schema file (sovaudit/schemas/inventory.schema.json) is the one source of truth: users
can point their editors at it, and this module turns its verdicts into one-line errors that
name the file, line and field.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from sovaudit.errors import InputError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

LineFinder = Callable[[Sequence[str | int]], "int | None"]


def load_schema(name: str) -> dict[str, Any]:
    """A bundled JSON Schema by file name."""
    text = (resources.files("sovaudit") / "schemas" / name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator(name: str) -> Validator:
    # Imported here: jsonschema costs ~100 ms to import and `--version` must not pay it.
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    validator: Validator = Draft202012Validator(schema)
    return validator


def field_path(path: Sequence[str | int]) -> str:
    """``['assets', 3, 'location']`` -> ``assets[3].location``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _explain(error: ValidationError) -> tuple[list[str | int], str]:
    """The path to blame and a message a person can act on."""
    path: list[str | int] = list(error.absolute_path)
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(schema.get("properties", {}))
        unexpected = sorted(str(k) for k in instance if k not in allowed)
        if unexpected:
            return [*path, unexpected[0]], (
                f"unknown field (expected one of: {', '.join(sorted(allowed))})"
            )
    if error.validator == "not" and path and path[-1] == "location":
        return path, "give either 'country' or 'countries', not both"
    if error.validator == "required" and isinstance(instance, dict):
        missing = [k for k in schema.get("required", ()) if k not in instance]
        if missing:
            return path, f"missing required field {missing[0]!r}"
    if error.validator == "enum":
        options = ", ".join(str(v) for v in schema.get("enum", ()))
        return path, f"{instance!r} is not one of: {options}"
    return path, error.message


def validate(document: Any, file: str, find_line: LineFinder, schema: str) -> None:
    """Raise InputError for the first (most relevant) schema violation in ``document``."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(schema).iter_errors(document))
    if error is None:
        return
    path, message = _explain(error)
    raise InputError(file, message, line=find_line(path), field=field_path(path) or None)
