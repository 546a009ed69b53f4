"""YAML loading that remembers where each value was written, for error messages.

Mappings and lists come back as dict and list subclasses carrying the line of each key or
item, so a schema error deep inside a 10,000-asset file can still say "line 4127".
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import yaml

try:  # libyaml is several times faster on large inventories; pure Python is the fallback.
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[Hashable, int]


class LineList(list[Any]):
    """A list that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class AliasBombError(yaml.MarkedYAMLError):
    pass


# Aliases may reuse parts of a document, not multiply it: a 560-byte inventory of nine levels
# of nine aliases once grew to 1.9 GB. The expanded document may hold at most this many times
# the nodes actually written, plus a small allowance for the usual `<<: *defaults`.
ALIAS_GROWTH = 2
ALIAS_ALLOWANCE = 10_000


def expanded_size(root: yaml.Node) -> tuple[int, int]:
    """(nodes written, nodes once every alias is expanded), without recursion or expansion."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return len(sizes), sizes[id(root)]


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        written, expanded = expanded_size(node)
        if expanded > written * ALIAS_GROWTH + ALIAS_ALLOWANCE:
            raise AliasBombError(
                None,
                None,
                f"aliases expand this document to {expanded:,} values from {written:,} "
                "written: refused (use aliases to share a part, not to multiply it)",
                node.start_mark,
            )
        return self.construct_document(node)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                "found an unhashable key",
                key_node.start_mark,
            )
        if key in result.key_lines:
            raise DuplicateKeyError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    # `expires: 2026-12-31` or a tag value `created: 2024-01-01` stays the text the user
    # wrote; the schemas say "string" and the code parses dates where it needs them.
    return str(loader.construct_scalar(node))


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_with_lines(text: str) -> Any:
    """Parse YAML (or JSON) text; raises ``yaml.YAMLError`` with a mark on bad syntax."""
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader


def line_of(document: Any, path: Sequence[str | int]) -> int | None:
    """The line of the deepest element of ``path`` that the document can still place."""
    line: int | None = getattr(document, "line", None)
    node = document
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line
