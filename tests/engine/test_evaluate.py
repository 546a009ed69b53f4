"""Evaluation: findings, stable ids, and memoised outcomes never mixing up alike assets."""

from __future__ import annotations

from pathlib import Path

from sovaudit.classify.tags import Classifier
from sovaudit.engine.evaluate import evaluate, finding_id
from sovaudit.engine.rules import load_rules
from sovaudit.inputs.inventory.build import build_asset
from sovaudit.locate.regions import Locator

PER_ASSET = """\
rules:
  - id: tagged-prod
    title: {en: Prod, es: Producción}
    severity: low
    condition: "tags.env == 'prod' && !in_home"
    message: {en: "{name} is prod in {countries}", es: "{name} es producción en {countries}"}
    rationale: {en: x, es: y}
    remediation: {en: x, es: y}
    references: []
    examples:
      match: [{id: a, provider: aws, region: us-east-1, tags: {env: prod}}]
      no_match: [{id: b, provider: aws, region: us-east-1, tags: {env: dev}}]
  - id: whole-view
    title: {en: Whole, es: Todo}
    severity: info
    condition: "length(keys(@)) > `0` && id == 'c'"
    message: {en: "{name}", es: "{name}"}
    rationale: {en: x, es: y}
    remediation: {en: x, es: y}
    references: []
    examples:
      match: [{id: c}]
      no_match: [{id: d}]
"""


def _assets(locator: Locator, classifier: Classifier, raw: list[dict]) -> list:
    return [classifier.classify(locator.locate_asset(build_asset(a))) for a in raw]


def test_alike_assets_still_get_their_own_findings_and_messages(
    write, locator: Locator, classifier: Classifier
) -> None:
    rules = load_rules([write("r.yaml", PER_ASSET)], builtin=False)
    raw = [
        {
            "id": f"vm-{n}",
            "name": f"web-{n}",
            "provider": "aws",
            "region": "us-east-1",
            "tags": {"env": "prod" if n % 2 else "dev"},
        }
        for n in range(6)
    ] + [{"id": "c"}, {"id": "d"}]
    findings, errors = evaluate(_assets(locator, classifier, raw), rules, "MX")
    assert errors == []
    prod = [f for f in findings if f.rule_id == "tagged-prod"]
    assert [f.asset_id for f in prod] == ["vm-1", "vm-3", "vm-5"]
    assert [f.message for f in prod] == [f"web-{n} is prod in US (US-VA)" for n in (1, 3, 5)]
    assert [f.asset_id for f in findings if f.rule_id == "whole-view"] == ["c"]


def test_memoised_builtin_rules_match_a_fresh_evaluation_per_asset(
    locator: Locator, classifier: Classifier
) -> None:
    rules = load_rules()
    raw = [
        {"id": "a", "provider": "aws", "region": "us-east-1", "classification": "personal"},
        {
            "id": "b",
            "provider": "aws",
            "region": "us-east-1",
            "classification": "personal",
            "copies": [{"kind": "backup", "region": "mx-central-1"}],
        },
        {"id": "c", "provider": "aws", "region": "us-east-1", "classification": "personal"},
        {"id": "dr", "provider": "aws", "region": "us-east-1", "classification": "personal"},
        {
            "id": "src",
            "provider": "aws",
            "region": "mx-central-1",
            "classification": "none",
            "copies": [{"kind": "replica", "region": "us-east-1", "target": "dr"}],
        },
    ]
    assets = _assets(locator, classifier, raw)
    together, _ = evaluate(assets, rules, "MX")
    one_by_one = []
    for asset in assets:
        # `dr` needs its source in the same evaluation to know it has a Mexican copy.
        context = [asset, assets[-1]] if asset.id == "dr" else [asset]
        one_by_one += [f for f in evaluate(context, rules, "MX")[0] if f.asset_id == asset.id]
    key = lambda f: (f.rule_id, f.asset_id)  # noqa: E731
    assert sorted(together, key=key) == sorted(one_by_one, key=key)
    without_copy = {f.asset_id for f in together if f.rule_id == "personal-data-without-home-copy"}
    assert without_copy == {"a", "c"}


def test_finding_ids_are_stable_and_distinct() -> None:
    assert finding_id("r", "a") == finding_id("r", "a")
    assert finding_id("r", "a") != finding_id("r", "b") != finding_id("s", "a")
    assert finding_id("personal-data-outside-home", "crm").startswith("personal-data-outside-home/")
    assert len(finding_id("r", "a").split("/")[1]) == 16


def test_spanish_messages_use_spanish_words(
    locator: Locator, classifier: Classifier, tmp_path: Path
) -> None:
    rules = [r for r in load_rules() if r.id == "personal-data-copied-abroad"]
    raw = [
        {
            "id": "m",
            "provider": "aws",
            "region": "mx-central-1",
            "classification": "personal",
            "copies": [{"kind": "replica"}],
        }
    ]
    assets = _assets(locator, classifier, raw)
    assert evaluate(assets, rules, "MX", "es")[0] == []  # copy unlocated: not "abroad"
    raw[0]["copies"] = [{"kind": "replica", "region": "us-east-1"}]
    (finding,), _ = evaluate(_assets(locator, classifier, raw), rules, "MX", "es")
    assert finding.message == (
        "m guarda datos personales en MX (Querétaro, MX-QUE), pero los "
        "copia al extranjero: replica en US (us-east-1)."
    )
