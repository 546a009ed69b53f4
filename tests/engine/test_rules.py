"""Rule packs: every built-in rule's examples, both languages, and bad packs caught at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from sovaudit.classify.tags import Classifier
from sovaudit.engine.examples import check_examples
from sovaudit.engine.rules import load_rules
from sovaudit.errors import InputError
from sovaudit.locate.regions import Locator

BUILTIN = load_rules()


def test_the_builtin_catalogue_covers_what_the_issue_asks() -> None:
    ids = {rule.id for rule in BUILTIN}
    assert {
        "personal-data-outside-home",
        "sensitive-data-outside-home",
        "personal-data-without-home-copy",
        "personal-data-copied-abroad",
        "personal-data-location-unknown",
        "storage-spans-several-countries",
        "geo-redundant-copy-in-another-country",
        "unclassified-data-outside-home",
    } <= ids
    assert next(r for r in BUILTIN if r.id == "sensitive-data-outside-home").severity.value == (
        "critical"
    )


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.id)
def test_every_builtin_rule_fires_on_its_examples_and_only_those(
    rule, locator: Locator, classifier: Classifier
) -> None:
    assert rule.examples_match
    assert rule.examples_no_match
    assert check_examples([rule], locator, classifier) == []


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.id)
def test_every_builtin_rule_speaks_english_and_spanish(rule) -> None:
    for text in (rule.title, rule.message, rule.rationale, rule.remediation):
        assert text.en.strip()
        assert text.es.strip()
        assert text.en != text.es  # a copy is not a translation
    assert rule.references


def test_a_broken_example_is_reported(
    tmp_path: Path, locator: Locator, classifier: Classifier
) -> None:
    rule = next(r for r in BUILTIN if r.id == "personal-data-outside-home")
    import dataclasses

    wrong = dataclasses.replace(
        rule,
        examples_no_match=(
            {"id": "x", "provider": "aws", "region": "us-east-1", "classification": "personal"},
        ),
    )
    (failure,) = check_examples([wrong], locator, classifier)
    assert failure.describe() == (
        "rule personal-data-outside-home should not fire on its example 'x', but it does"
    )


GOOD = """\
rules:
  - id: custom-rule
    title: {en: Title, es: Título}
    severity: low
    condition: personal
    message: {en: "{name} msg", es: "{name} mensaje"}
    rationale: {en: Why, es: Por qué}
    remediation: {en: Fix, es: Arreglo}
    references: []
    examples:
      match: [{id: a, classification: personal}]
      no_match: [{id: b}]
"""


def test_a_custom_pack_loads_beside_the_builtin_one(write) -> None:
    rules = load_rules([write("custom.yaml", GOOD)])
    assert rules[-1].id == "custom-rule"
    assert len(rules) == len(BUILTIN) + 1
    assert load_rules([write("only.yaml", GOOD)], builtin=False)[0].origin.endswith("only.yaml:2")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("    severity: low", "    severity: urgent"),
            ":4: rules[0].severity: 'urgent' is not one of",
        ),
        (
            ("    condition: personal", "    condition: personal && in_hom"),
            ":5: rules[0].condition: unknown field in_hom",
        ),
        (
            ("    condition: personal", "    condition: personal &&"),
            ":5: rules[0].condition: invalid JMESPath",
        ),
        (("{name} msg", "{nombre} msg"), ":6: rules[0].message.en: unknown placeholder {nombre}"),
        (("{name} mensaje", "{name mensaje"), ":6: rules[0].message.es: bad message template"),
        (("es: Título", "fr: Titre"), ":3: rules[0].title: missing required field 'es'"),
        (
            ("    references: []", "    referencias: []"),
            ":2: rules[0]: missing required field 'references'",
        ),
        (("  - id: custom-rule", "  - id: Custom Rule"), ":2: rules[0].id: 'Custom Rule' does not"),
        (("      no_match: [{id: b}]", "      no_match: []"), ":12: rules[0].examples.no_match:"),
        (("rules:", "rulez:"), ":1: missing required field 'rules'"),
    ],
)
def test_bad_rule_files_name_file_line_and_field(write, change, expected) -> None:
    path = write("bad.yaml", GOOD.replace(*change))
    with pytest.raises(InputError) as info:
        load_rules([path], builtin=False)
    assert f"{path}{expected}" in str(info.value), str(info.value)


def test_duplicate_ids_across_packs_are_refused(write) -> None:
    clash = GOOD.replace("custom-rule", "personal-data-outside-home")
    with pytest.raises(InputError, match="duplicate rule id 'personal-data-outside-home'"):
        load_rules([write("clash.yaml", clash)])


def test_a_rule_folder_loads_every_pack_and_an_empty_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yml").write_text(GOOD.replace("custom-rule", "custom-rule-2"))
    (tmp_path / "notes.txt").write_text("ignored")
    assert [r.id for r in load_rules([tmp_path], builtin=False)] == ["custom-rule", "custom-rule-2"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"no \.yaml, \.yml or \.json rule files"):
        load_rules([empty])
