"""Conditions: field checking, and the compiler agreeing with the reference interpreter."""

from __future__ import annotations

import json

import pytest

from sovaudit.classify.tags import Classifier
from sovaudit.copies import copy_sources
from sovaudit.engine.expressions import ExpressionError, compile_condition, reference_evaluate
from sovaudit.engine.rules import load_rules
from sovaudit.engine.view import VIEW_SHAPE, build_view
from sovaudit.inputs.inventory.reader import read_inventory
from sovaudit.locate.regions import Locator
from tests.conftest import SAMPLES

EXPRESSIONS = [
    "personal && !in_home",
    "location_known && !in_home",
    "length(copies[?kind == 'secondary' && outside_primary]) > `0`",
    "copies[].countries[]",
    "copies[*].kind",
    "copies[0].region",
    "copies[-1].in_home",
    "contains(countries, home)",
    "contains(countries, 'US') || multi_country",
    "tags.\"data-classification\" == 'personal'",
    "tags.pii",
    "attributes.sku",
    "!classified || sensitive",
    "copied_from[?in_home].id",
    "length(countries) >= `2`",
    "length(countries) < `1`",
    "starts_with(id, 'arn:aws:s3')",
    "[countries, copy_countries]",
    "{c: countries, h: has_home_copy}",
    "countries | [0]",
    "copies[?!in_home] | length(@)",
    "tags.*",
    "location_confidence == 'high' && location_source != 'declared'",
    "not_null(zone, region, id)",
    "sort_by(copies, &kind)[].kind",  # expref: runs on the reference interpreter
    "`0` && personal",  # 0 is true in JMESPath
    "`true` == `1`",  # and true is not 1
]


def _views(locator: Locator, classifier: Classifier) -> list[dict]:
    views = []
    for sample in sorted(SAMPLES.glob("*.*")):
        if sample.suffix not in (".yaml", ".json", ".csv"):
            continue
        assets = [classifier.classify(locator.locate_asset(a)) for a in read_inventory(sample)]
        sources = copy_sources(assets)
        views += [build_view(a, "MX", sources) for a in assets]
    return views


def test_compiled_conditions_agree_with_the_reference_interpreter(
    locator: Locator, classifier: Classifier
) -> None:
    views = _views(locator, classifier)
    assert len(views) > 90
    compiled_count = 0
    for text in EXPRESSIONS:
        condition = compile_condition(text, VIEW_SHAPE)
        compiled_count += condition.compiled
        for view in views:
            expected = reference_evaluate(text, view)
            assert condition.evaluate(view) == expected, (text, view["id"])
            assert type(condition.evaluate(view)) is type(expected), (text, view["id"])
    assert compiled_count == len(EXPRESSIONS) - 1


def test_every_builtin_condition_is_compiled_and_agrees(
    locator: Locator, classifier: Classifier
) -> None:
    views = _views(locator, classifier)
    for rule in load_rules():
        assert rule.condition.compiled, rule.id
        for view in views:
            assert rule.condition.evaluate(view) == reference_evaluate(rule.condition.text, view)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("personal && !in_hom", "unknown field in_hom"),
        ("copies[?knd == 'secondary']", "unknown field knd"),
        ("copies.kind", "asked of a list"),
        ("copied_from[].country", "unknown field country"),
        ("personal &&", "invalid JMESPath"),
        ("nosuch(countries)", "unknown function nosuch()"),
    ],
)
def test_bad_conditions_are_caught_at_load(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_condition(text, VIEW_SHAPE)


def test_tags_and_attributes_accept_any_key() -> None:
    assert compile_condition("tags.anything && attributes.whatever.deep", VIEW_SHAPE).compiled


def test_view_is_plain_json(locator: Locator, classifier: Classifier) -> None:
    for view in _views(locator, classifier)[:10]:
        whole = view.materialize()
        assert json.loads(json.dumps(whole)) == whole
        assert set(whole) == set(VIEW_SHAPE.fields or ())
