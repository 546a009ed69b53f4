"""Rule packs: YAML files of rules, validated and compiled once at load.

Everything that can be wrong with a rule is caught here, with the file and line: schema
violations, JMESPath that does not parse, fields the asset view does not have, message
placeholders that do not exist, duplicate ids across packs.
"""

from __future__ import annotations

import dataclasses
import functools
import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from sovaudit.engine.expressions import Condition, ExpressionError, compile_condition
from sovaudit.engine.placeholders import MESSAGE_FIELDS
from sovaudit.engine.view import VIEW_SHAPE
from sovaudit.errors import InputError
from sovaudit.i18n import LANGUAGES
from sovaudit.inputs.documents import LineFinder, load_mapping
from sovaudit.inputs.validation import field_path, validate
from sovaudit.model import Asset, Classification, Severity

RULES_SCHEMA = "rules.schema.json"
RULE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclasses.dataclass(frozen=True)
class Text:
    """One human-facing text in every language sovaudit speaks."""

    en: str
    es: str

    def get(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


@dataclasses.dataclass(frozen=True)
class AppliesTo:
    """A cheap filter checked before the condition (most assets are not personal)."""

    classifications: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    providers: frozenset[str] | None = None

    @property
    def unfiltered(self) -> bool:
        """Nothing but the classification to check (the caller has checked it)."""
        return self.kinds is None and self.providers is None

    def admits_classification(self, classification: Classification) -> bool:
        return self.classifications is None or classification.value in self.classifications

    def admits(self, asset: Asset) -> bool:
        return (
            (self.classifications is None or asset.classification.value in self.classifications)
            and (self.kinds is None or (asset.kind or "") in self.kinds)
            and (self.providers is None or asset.provider in self.providers)
        )


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    title: Text
    severity: Severity
    condition: Condition
    message: Text
    rationale: Text
    remediation: Text
    references: tuple[str, ...]
    applies_to: AppliesTo
    examples_match: tuple[Mapping[str, Any], ...]
    examples_no_match: tuple[Mapping[str, Any], ...]
    origin: str  # file:line where the rule is defined
    pack: str = ""
    enabled: bool = True

    @functools.cached_property
    def unfiltered(self) -> bool:
        """Nothing but the classification to check before the condition."""
        return self.applies_to.unfiltered


def _text(data: Mapping[str, str]) -> Text:
    return Text(en=data["en"], es=data["es"])


def _names(values: Sequence[str] | None) -> frozenset[str] | None:
    return frozenset(values) if values else None


def _check_placeholders(
    rule: Mapping[str, Any], index: int, file: str, find_line: LineFinder
) -> None:
    for lang in LANGUAGES:
        template = rule["message"][lang]
        path: list[str | int] = ["rules", index, "message", lang]
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        except ValueError as exc:
            raise InputError(
                file, f"bad message template: {exc}", line=find_line(path), field=field_path(path)
            ) from None
        unknown = sorted(names - MESSAGE_FIELDS)
        if unknown:
            raise InputError(
                file,
                f"unknown placeholder {{{unknown[0]}}} (available: "
                f"{', '.join(sorted(MESSAGE_FIELDS))})",
                line=find_line(path),
                field=field_path(path),
            )


def parse_pack(document: Mapping[str, Any], file: str, find_line: LineFinder) -> list[Rule]:
    """The rules of one validated-on-the-way document."""
    validate(document, file, find_line, RULES_SCHEMA)
    pack = document.get("pack") or Path(file).stem
    rules = []
    for index, data in enumerate(document["rules"]):
        condition_path: list[str | int] = ["rules", index, "condition"]
        try:
            condition = compile_condition(data["condition"], VIEW_SHAPE)
        except ExpressionError as exc:
            raise InputError(
                file, str(exc), line=find_line(condition_path), field=field_path(condition_path)
            ) from None
        _check_placeholders(data, index, file, find_line)
        applies = data.get("applies_to", {})
        rules.append(
            Rule(
                id=data["id"],
                title=_text(data["title"]),
                severity=Severity(data["severity"]),
                condition=condition,
                message=_text(data["message"]),
                rationale=_text(data["rationale"]),
                remediation=_text(data["remediation"]),
                references=tuple(data["references"]),
                applies_to=AppliesTo(
                    classifications=_names(applies.get("classifications")),
                    kinds=_names(applies.get("kinds")),
                    providers=_names(applies.get("providers")),
                ),
                examples_match=tuple(data["examples"]["match"]),
                examples_no_match=tuple(data["examples"]["no_match"]),
                origin=f"{file}:{find_line(['rules', index])}",
                pack=str(pack),
                enabled=data.get("enabled", True),
            )
        )
    return rules


def rule_files(path: Path) -> list[Path]:
    """A rule file, or every rule file in a folder (sorted, so the order is stable)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.casefold() in RULE_SUFFIXES)
        if not files:
            raise InputError(str(path), "folder has no .yaml, .yml or .json rule files")
        return files
    return [path]


def _builtin_files() -> Iterator[Any]:
    folder = resources.files("sovaudit.rules")
    yield from sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(RULE_SUFFIXES)),
        key=lambda e: e.name,
    )


def _resolved(path: Path) -> Path:
    """The real file behind ``path``; a symlink loop is bad input, not a crash."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as exc:  # Python < 3.13 raises RuntimeError for loops
        raise InputError(str(path), f"cannot be read: {exc}") from None


def load_rules(paths: Iterable[Path] = (), *, builtin: bool = True) -> list[Rule]:
    """Built-in rules (unless ``builtin`` is false) plus the rules in ``paths``.

    Ids must be unique across everything loaded: a custom rule cannot silently replace a
    built-in one (disable the built-in one and add yours under a new id instead).
    """
    sources: list[Path] = []
    if builtin:
        sources.extend(Path(str(entry)) for entry in _builtin_files())
    for path in paths:
        sources.extend(rule_files(path))
    # The same file named twice (or a built-in pack given with --rules) is read once.
    sources = list({_resolved(source): source for source in sources}.values())
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for source in sources:
        document, find_line = load_mapping(source, "a 'rules' list")
        for index, rule in enumerate(parse_pack(document, str(source), find_line)):
            if rule.id in seen:
                id_path: list[str | int] = ["rules", index, "id"]
                raise InputError(
                    str(source),
                    f"duplicate rule id {rule.id!r} (first defined at {seen[rule.id]})",
                    line=find_line(id_path),
                    field=field_path(id_path),
                )
            seen[rule.id] = rule.origin
            rules.append(rule)
    return rules
