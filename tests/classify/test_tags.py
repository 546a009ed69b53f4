"""Classification from declarations and tags."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from sovaudit.classify.tags import Classifier, TagConventions
from sovaudit.model import Asset, Classification


def _asset(tags: dict[str, str], **kwargs: object) -> Asset:
    return Asset(id="a", provider="aws", tags=MappingProxyType(tags), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tags", "expected", "source"),
    [
        ({"data-classification": "personal"}, Classification.PERSONAL, "tag:data-classification"),
        ({"Data_Classification": "PII"}, Classification.PERSONAL, "tag:Data_Classification"),
        ({"DataClassification": "Sensitive"}, Classification.SENSITIVE, "tag:DataClassification"),
        ({"pii": "true"}, Classification.PERSONAL, "tag:pii"),
        ({"datos-personales": "sí"}, Classification.PERSONAL, "tag:datos-personales"),
        ({"clasificacion": "datos sensibles"}, Classification.SENSITIVE, "tag:clasificacion"),
        ({"sensitivity": "public"}, Classification.NONE, "tag:sensitivity"),
        # the first key in convention order that says something decides
        (
            {"pii": "maybe", "classification": "sensitive"},
            Classification.SENSITIVE,
            "tag:classification",
        ),
    ],
)
def test_tags_classify(
    classifier: Classifier, tags: dict[str, str], expected: Classification, source: str
) -> None:
    classified = classifier.classify(_asset(tags))
    assert classified.classification is expected
    assert classified.classification_source == source


@pytest.mark.parametrize("tags", [{}, {"env": "prod"}, {"classification": "internal"}])
def test_unrecognised_tags_leave_unknown_never_none(
    classifier: Classifier, tags: dict[str, str]
) -> None:
    classified = classifier.classify(_asset(tags))
    assert classified.classification is Classification.UNKNOWN
    assert classified.classification_source == "default"


def test_a_declared_classification_is_never_overridden_by_tags(classifier: Classifier) -> None:
    asset = _asset(
        {"pii": "false"}, classification=Classification.SENSITIVE, classification_source="declared"
    )
    assert classifier.classify(asset) is asset


def test_conventions_are_data() -> None:
    conventions = TagConventions.from_mapping(
        {"keys": ["Privacy Level"], "values": {"sensitive": ["L3"], "none": ["L0"]}}
    )
    classified = Classifier(conventions).classify(_asset({"privacy_level": "l3"}))
    assert classified.classification is Classification.SENSITIVE
    with pytest.raises(ValueError, match="classification conventions"):
        TagConventions.from_mapping({"keys": "pii", "values": []})
