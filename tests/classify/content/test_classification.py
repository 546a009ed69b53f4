"""Content evidence in classification, findings, JSON and inventories (the precedence table of
docs/content-sampling.md)."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

import pytest

from sovaudit.classify.tags import Classifier
from sovaudit.engine.evaluate import evaluate
from sovaudit.engine.rules import load_rules
from sovaudit.inputs.inventory.reader import read_inventory
from sovaudit.inputs.validation import validate
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset, Classification, ContentSample, ObjectHits, ScanResult
from sovaudit.output import as_text
from sovaudit.pipeline import prepare
from sovaudit.report.json_document import (
    asset_to_dict,
    inventory_document,
    iter_json,
    scan_document,
)
from sovaudit.summary import summarise

P, S, N, U = (
    Classification.PERSONAL,
    Classification.SENSITIVE,
    Classification.NONE,
    Classification.UNKNOWN,
)


def evidence(classification: Classification) -> ContentSample:
    hits = {"curp": 12, "rfc": 3} if classification.is_personal else {}
    return ContentSample(
        classification=classification,
        objects_listed=40,
        objects_read=20,
        bytes_read=123_456,
        identifiers=hits,
        distinct_identifiers=hits,
        categories={"health": 2} if classification is S else {},
        objects_with_hits=4 if hits else 0,
        objects=(ObjectHits("exports/clientes.csv", hits),) if hits else (),
        examples={"curp": ("GOMC******HDF*****",)} if hits else {},
        skipped={"image": 3},
    )


def bucket(tags: dict[str, str] | None = None, **fields: object) -> Asset:
    return Asset(
        id="arn:aws:s3:::clientes",
        provider="aws",
        service="s3",
        kind="object_store",
        name="clientes",
        region="us-east-1",
        tags=MappingProxyType(tags or {}),
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("tag", "content", "expected", "source", "declared", "declared_source"),
    [
        # the more severe wins; the tag is remembered
        ("public", P, P, "content-sample", N, "tag:data-classification"),
        ("public", S, S, "content-sample", N, "tag:data-classification"),
        ("personal", S, S, "content-sample", P, "tag:data-classification"),
        (None, P, P, "content-sample", U, "default"),
        # agreement or a less severe finding: the tag stands
        ("personal", P, P, "tag:data-classification", P, "tag:data-classification"),
        ("sensitive", P, S, "tag:data-classification", S, "tag:data-classification"),
        # nothing found, or nothing readable, never settles or lowers anything
        ("personal", N, P, "tag:data-classification", P, "tag:data-classification"),
        ("personal", U, P, "tag:data-classification", P, "tag:data-classification"),
        (None, N, U, "default", U, "default"),
        (None, U, U, "default", U, "default"),
    ],
)
def test_precedence(
    classifier: Classifier,
    tag: str | None,
    content: Classification,
    expected: Classification,
    source: str,
    declared: Classification,
    declared_source: str,
) -> None:
    tags = {"data-classification": tag} if tag else {}
    classified = classifier.classify(bucket(tags, content=evidence(content)))
    assert (classified.classification, classified.classification_source) == (expected, source)
    assert classified.content is not None
    assert classified.content.declared_classification is declared
    assert classified.content.declared_source == declared_source
    assert classified.content.classification is content  # what the data said, unchanged


def test_a_declared_inventory_classification_is_compared_too(classifier: Classifier) -> None:
    declared = bucket(
        classification=Classification.NONE,
        classification_source="declared",
        content=evidence(P),
    )
    classified = classifier.classify(declared)
    assert classified.classification is P
    assert classified.classification_source == "content-sample"
    assert classified.content is not None
    assert classified.content.declared_classification is N
    assert classified.content.declared_source == "declared"


def test_without_content_nothing_changes(classifier: Classifier) -> None:
    asset = bucket({"data-classification": "public"})
    assert classifier.classify(asset).classification is N
    declared = bucket(classification=S, classification_source="declared")
    assert classifier.classify(declared) is declared


def _finding_messages(asset: Asset, locator: Locator, classifier: Classifier, lang: str) -> str:
    [prepared] = prepare([asset], locator, classifier)
    findings, errors = evaluate([prepared], load_rules(), "MX", lang)
    assert errors == []
    return " | ".join(f"{f.rule_id}: {f.message}" for f in findings)


def test_findings_say_both_what_the_data_holds_and_what_the_tag_said(
    locator: Locator, classifier: Classifier
) -> None:
    asset = bucket({"data-classification": "public"}, content=evidence(S))
    english = _finding_messages(asset, locator, classifier, "en")
    spanish = _finding_messages(asset, locator, classifier, "es")

    assert "sensitive-data-outside-home: clientes holds sensitive personal data in US" in english
    assert (
        "Content sampling found CURP: 12, RFC: 3 alongside health terms in 4 of 20 objects read; "
        "the tag data-classification says 'public'." in english
    )
    assert "guarda datos personales sensibles en US" in spanish
    assert (
        "El muestreo de contenido encontró CURP: 12, RFC: 3 junto con términos de salud en 4 de 20 "
        "objetos leídos; la etiqueta data-classification dice 'public'." in spanish
    )


def test_untagged_and_agreeing_assets_read_as_before(
    locator: Locator, classifier: Classifier
) -> None:
    untagged = _finding_messages(bucket(content=evidence(P)), locator, classifier, "en")
    assert "no tag or declaration classified it." in untagged
    agreeing = bucket({"data-classification": "personal"}, content=evidence(P))
    plain = bucket({"data-classification": "personal"})
    assert _finding_messages(agreeing, locator, classifier, "en") == _finding_messages(
        plain, locator, classifier, "en"
    )


def test_custom_rules_can_read_the_evidence(
    tmp_path: Path, locator: Locator, classifier: Classifier
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """
pack: mine
rules:
  - id: mislabelled
    title: {en: Tag contradicted by content, es: Etiqueta contradicha por el contenido}
    severity: low
    condition: "content_classification == 'personal' && declared_classification == 'none'"
    message: {en: "{name} is tagged none", es: "{name} tiene etiqueta none"}
    rationale: {en: r, es: r}
    remediation: {en: r, es: r}
    references: []
    examples:
      match:
        - id: y
          provider: aws
          tags: {data-classification: public}
          content_sample: {classification: personal}
      no_match: [{id: x, provider: aws, classification: personal}]
""",
        encoding="utf-8",
    )
    tagged = bucket({"data-classification": "public"}, content=evidence(P))
    [prepared] = prepare([tagged], locator, classifier)
    findings, _ = evaluate([prepared], load_rules([rules], builtin=False), "MX", "en")
    assert [f.rule_id for f in findings] == ["mislabelled"]
    untouched = prepare([bucket({"data-classification": "public"})], locator, classifier)
    assert evaluate(untouched, load_rules([rules], builtin=False), "MX", "en")[0] == []
    from sovaudit.engine.examples import check_examples

    assert check_examples(load_rules([rules], builtin=False), locator, classifier) == []


# --- JSON and inventories ---------------------------------------------------------------------


def test_json_has_content_sample_only_when_sampled() -> None:
    assert "content_sample" not in asset_to_dict(bucket())
    rendered = asset_to_dict(bucket(content=evidence(P)))["content_sample"]
    assert rendered["classification"] == "personal"
    assert rendered["identifiers"] == {"curp": 12, "rfc": 3}
    assert rendered["objects"] == [
        {
            "key": "exports/clientes.csv",
            "identifiers": {"curp": 12, "rfc": 3},
            "sensitive_categories": {},
        }
    ]
    assert rendered["objects_skipped"] == 3


def test_scan_json_with_content_matches_the_schema(
    tmp_path: Path, locator: Locator, classifier: Classifier
) -> None:
    assets = prepare(
        [bucket({"data-classification": "public"}, content=evidence(S))], locator, classifier
    )
    findings, _ = evaluate(assets, load_rules(), "MX", "en")
    result = ScanResult(
        started_at="2025-03-21T00:00:00Z",
        finished_at="2025-03-21T00:00:01Z",
        home_country="MX",
        assets=tuple(assets),
        findings=tuple(findings),
    )
    document = json.loads(as_text(iter_json(scan_document(result, summarise(result)))))
    validate(document, "scan.json", lambda path: None, "scan-result.schema.json")
    sample = document["assets"][0]["content_sample"]
    assert sample["declared_classification"] == "none"
    assert sample["declared_source"] == "tag:data-classification"
    assert document["summary"]["personal_assets"] == 1

    # A previous scan's JSON is an inventory: the evidence and the decision survive.
    path = tmp_path / "previous.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    [again] = read_inventory(path)
    assert again.classification is S
    assert again.classification_source == "content-sample"
    assert again.content is not None
    assert again.content.to_dict() == sample
    assert classifier.classify(again) is again  # settled: not re-decided on the way back


def test_inventory_document_round_trip(tmp_path: Path, classifier: Classifier) -> None:
    asset = classifier.classify(bucket({"data-classification": "public"}, content=evidence(P)))
    path = tmp_path / "inventory.json"
    path.write_text(as_text(iter_json(inventory_document([asset], []))), encoding="utf-8")
    [back] = read_inventory(path)
    assert back.content is not None
    assert back.content.declared_classification is N
    assert back.content.objects == asset.content.objects  # type: ignore[union-attr]


def test_unknown_parts_of_a_content_sample_are_ignored() -> None:
    sample = ContentSample.from_dict(
        {"classification": "bogus", "identifiers": {"curp": "many", "rfc": 2}, "objects": [1]}
    )
    assert sample.classification is U
    assert sample.identifiers == {"rfc": 2}
    assert sample.objects == ()
