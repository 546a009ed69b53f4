"""Run each rule's declared examples: the rule must fire on `match` and not on `no_match`.

This is how every rule, built-in or custom, carries its own positive and negative test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from sovaudit.classify.tags import Classifier
from sovaudit.engine.evaluate import evaluate
from sovaudit.engine.rules import Rule
from sovaudit.inputs.inventory.build import build_asset
from sovaudit.inputs.inventory.reader import INVENTORY_SCHEMA
from sovaudit.inputs.validation import validate
from sovaudit.locate.regions import Locator


@dataclasses.dataclass(frozen=True)
class ExampleFailure:
    rule_id: str
    origin: str
    expected_match: bool
    asset_id: str
    detail: str = ""

    def describe(self) -> str:
        if self.detail:
            return f"rule {self.rule_id}: example {self.asset_id!r}: {self.detail}"
        verb = "should fire on" if self.expected_match else "should not fire on"
        return (
            f"rule {self.rule_id} {verb} its example {self.asset_id!r}, but it does not"
            if (self.expected_match)
            else f"rule {self.rule_id} {verb} its example {self.asset_id!r}, but it does"
        )


def _fires(
    rule: Rule, example: Mapping[str, Any], locator: Locator, classifier: Classifier, home: str
) -> bool:
    asset = classifier.classify(locator.locate_asset(build_asset(example)))
    findings, errors = evaluate([asset], [dataclasses.replace(rule, enabled=True)], home)
    if errors:
        raise ValueError(errors[0].message)
    return bool(findings)


def check_examples(
    rules: Iterable[Rule], locator: Locator, classifier: Classifier, home: str = "MX"
) -> list[ExampleFailure]:
    """Every example that does not behave as its rule declares."""
    failures = []
    for rule in rules:
        for expected, examples in ((True, rule.examples_match), (False, rule.examples_no_match)):
            for example in examples:
                asset_id = str(example.get("id"))
                try:
                    validate({"assets": [example]}, rule.origin, lambda _: None, INVENTORY_SCHEMA)
                    fired = _fires(rule, example, locator, classifier, home)
                except Exception as exc:
                    failures.append(
                        ExampleFailure(rule.id, rule.origin, expected, asset_id, detail=str(exc))
                    )
                    continue
                if fired != expected:
                    failures.append(ExampleFailure(rule.id, rule.origin, expected, asset_id))
    return failures
