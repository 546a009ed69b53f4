"""``sovaudit rules``: the rule catalogue, one rule in full, and checking custom rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from sovaudit.cli.common import command_body, logging_options
from sovaudit.engine.examples import check_examples
from sovaudit.engine.rules import Rule, load_rules, rule_files
from sovaudit.errors import InputError, UsageError
from sovaudit.i18n import LANGUAGES
from sovaudit.output import emit
from sovaudit.pipeline import Stages
from sovaudit.report.text_table import format_table


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "pack": rule.pack,
        "severity": rule.severity.value,
        "enabled": rule.enabled,
        "title": {"en": rule.title.en, "es": rule.title.es},
        "applies_to": {
            key: sorted(value)
            for key, value in (
                ("classifications", rule.applies_to.classifications),
                ("kinds", rule.applies_to.kinds),
                ("providers", rule.applies_to.providers),
            )
            if value is not None
        },
        "condition": rule.condition.text,
        "message": {"en": rule.message.en, "es": rule.message.es},
        "rationale": {"en": rule.rationale.en, "es": rule.rationale.es},
        "remediation": {"en": rule.remediation.en, "es": rule.remediation.es},
        "references": list(rule.references),
        "origin": rule.origin,
    }


def _show_text(rule: Rule, lang: str) -> Iterator[str]:
    yield f"{rule.id}  [{rule.severity.value}]  {rule.title.get(lang)}\n\n"
    applies = rule_to_dict(rule)["applies_to"]
    if applies:
        yield "Applies to: " + "; ".join(f"{k} {', '.join(v)}" for k, v in applies.items())
        yield "\n"
    yield f"Condition:  {rule.condition.text}\n\n"
    yield f"Why:\n  {rule.rationale.get(lang)}\n\nWhat to do:\n  {rule.remediation.get(lang)}\n"
    if rule.references:
        yield "\nReferences:\n" + "".join(f"  - {ref}\n" for ref in rule.references)
    yield f"\nDefined at {rule.origin}\n"


rules_option = click.option(
    "--rules",
    "rule_paths",
    multiple=True,
    metavar="PATH",
    type=click.Path(path_type=Path),
    help="Also load this rule file or folder; repeatable.",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="Output format.",
)
lang_option = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of titles and texts.",
)


@click.group()
def rules() -> None:
    """The rule catalogue: list it, show one rule, validate custom rules."""


@rules.command("list")
@rules_option
@format_option
@lang_option
@logging_options
@command_body
def list_rules(rule_paths: tuple[Path, ...], fmt: str, lang: str) -> None:
    """Every rule with its severity and title."""
    loaded = load_rules(rule_paths)
    if fmt == "json":
        emit(
            iter(
                [json.dumps([rule_to_dict(r) for r in loaded], indent=2, ensure_ascii=False), "\n"]
            ),
            None,
        )
        return
    rows = [
        (r.id, r.severity.value, r.title.get(lang) + ("" if r.enabled else " (disabled)"))
        for r in loaded
    ]
    emit(format_table(("RULE", "SEVERITY", "TITLE"), rows, max_cell=80), None)


@rules.command("show")
@click.argument("rule_id")
@rules_option
@format_option
@lang_option
@logging_options
@command_body
def show_rule(rule_id: str, rule_paths: tuple[Path, ...], fmt: str, lang: str) -> None:
    """One rule in full: condition, rationale, remediation, references."""
    loaded = {r.id: r for r in load_rules(rule_paths)}
    if rule_id not in loaded:
        raise UsageError(f"no rule {rule_id!r} (see `sovaudit rules list`)")
    rule = loaded[rule_id]
    if fmt == "json":
        emit(iter([json.dumps(rule_to_dict(rule), indent=2, ensure_ascii=False), "\n"]), None)
    else:
        emit(_show_text(rule, lang), None)


@rules.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@logging_options
@command_body
def validate_rules(path: Path) -> None:
    """Check a rule file or folder: schema, expressions, fields, ids, and its examples.

    Exit 0 when every rule loads and fires on its `match` examples and on none of its
    `no_match` examples; exit 2 with the file, line and reason otherwise.
    """
    # Loaded with the built-in rules, so an id that clashes with one of them is caught too.
    files = {f.resolve() for f in rule_files(path)}
    loaded = [r for r in load_rules([path]) if Path(r.origin.rpartition(":")[0]).resolve() in files]
    stages = Stages.default()
    failures = check_examples(loaded, stages.locator, stages.classifier)
    if failures:
        raise InputError(failures[0].origin, failures[0].describe())
    click.echo(f"{path}: {len(loaded)} rules valid; every example behaves as declared.")
