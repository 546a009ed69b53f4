"""Reading the YAML and JSON files users write (inventories, rules, waivers, config).

Every reader needs the same things: text decoded as UTF-8 with a clear error, syntax errors
with their line, and, for schema errors found later, a way back from a field path to the
line it was written on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from sovaudit.errors import InputError
from sovaudit.inputs.yaml_lines import line_of, load_with_lines

LineFinder = Callable[[Sequence[str | int]], "int | None"]


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or InputError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(str(path), exc.strerror or str(exc)) from None


def read_text(path: Path) -> str:
    """The file's text, or InputError saying why it cannot be read.

    A byte order mark (spreadsheets write one) is dropped. Line ends are kept as written:
    universal newlines would turn a CR or CRLF inside a quoted CSV cell into LF, and a tag
    would not read back as it was written.
    """
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path),
            f"not UTF-8 text (byte {exc.start}; save the file as UTF-8)",
            line=data[: exc.start].count(b"\n") + 1,
        ) from None


# No sovaudit file nests nearly this deep (an inventory asset's attributes are a few levels);
# JSON nested 100,000 levels used to end as an internal error (RecursionError), and a document
# that the parser accepts could still exhaust the stack in the schema check or the reporters.
MAX_DEPTH = 100


def _too_deep(file: str) -> InputError:
    return InputError(file, f"nested more than {MAX_DEPTH} levels deep: refused")


def check_depth(document: Any, file: str) -> None:
    """InputError when ``document`` nests deeper than MAX_DEPTH (measured without recursion)."""
    if depth_exceeds(document, MAX_DEPTH):
        raise _too_deep(file)


def depth_exceeds(node: Any, limit: int) -> bool:
    """True when lists and mappings nest more than ``limit`` levels in ``node`` (iteratively)."""
    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend(
                (child, depth + 1) for child in node.values() if isinstance(child, (dict, list))
            )
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, (dict, list)))
    return False


def parse_yaml(text: str, file: str) -> tuple[Any, LineFinder]:
    try:
        document = load_with_lines(text)
    except RecursionError:
        raise _too_deep(file) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            file, f"YAML syntax: {problem}", line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"YAML syntax: {exc}") from None
    check_depth(document, file)

    def find_line(path: Sequence[str | int]) -> int | None:
        return line_of(document, path)

    return document, find_line


def parse_json(text: str, file: str) -> tuple[Any, LineFinder]:
    """Parsed with the fast stdlib parser; lines are found only when an error needs one.

    On the error path the text is parsed again as YAML (in practice a superset of JSON) to
    learn where the offending field was written.
    """
    try:
        document = json.loads(text)
    except RecursionError:
        raise _too_deep(file) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            file, f"JSON syntax: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    check_depth(document, file)
    return document, json_line_finder(lambda: text)


def json_line_finder(text: Callable[[], str]) -> LineFinder:
    """Where a field of the JSON ``text()`` was written, found only when asked (then once).

    The text is parsed again as YAML (in practice a superset of JSON), which remembers lines.
    """
    parsed: list[Any] = []

    def find_line(path: Sequence[str | int]) -> int | None:
        try:
            if not parsed:
                parsed.append(load_with_lines(text()))
            return line_of(parsed[0], path)
        except (yaml.YAMLError, RecursionError, InputError):
            return None

    return find_line


def load_mapping(path: Path, what: str) -> tuple[dict[str, Any], LineFinder]:
    """A YAML or JSON file whose top level must be a mapping (``what`` names its key)."""
    file = str(path)
    text = read_text(path)
    if path.suffix.casefold() == ".json" or text.lstrip().startswith("{"):
        document, find_line = parse_json(text, file)
    else:
        document, find_line = parse_yaml(text, file)
    return require_mapping(document, file, what), find_line


def require_mapping(document: Any, file: str, what: str) -> dict[str, Any]:
    """The document if its top level is a mapping, else InputError saying what was found."""
    if isinstance(document, dict):
        return document
    found = (
        "nothing"
        if document is None
        else "a list"
        if isinstance(document, list)
        else f"a {type(document).__name__}"
    )
    raise InputError(
        file, f"expected a mapping with {what}, found {found}", line=getattr(document, "line", 1)
    )
