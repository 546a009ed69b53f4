"""Decide what kind of data an asset holds: what its owner declared or tagged, and what a
sample of its content showed.

This stage reads labels and, when ``--sample-content`` ran, the evidence the provider
attached (``Asset.content``); it never reads data itself. Precedence (docs/content-sampling.md):

- a declared classification (inventory ``classification:``) or else a tag gives the
  *declared* value; with neither, the declared value is ``unknown``;
- content evidence of personal or sensitive data wins when it is more severe than the
  declared value (sensitive > personal > unknown > none): a tag saying ``public`` does not
  make a bucket full of CURPs public. The source becomes ``content-sample`` and the declared
  value and its source are kept in the sample, so findings can say both;
- content that shows nothing never lowers or settles anything: a bounded sample that found
  no identifier is not proof that there are none, and a bucket that could not be read is
  never called ``none``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence

from sovaudit.bundled import data_yaml
from sovaudit.model import Asset, Classification, evolve

CONTENT_SOURCE = "content-sample"
DEFAULT_SOURCE = "default"
# How severe a classification is, for "the more severe wins".
SEVERITY = {
    Classification.NONE: 0,
    Classification.UNKNOWN: 1,
    Classification.PERSONAL: 2,
    Classification.SENSITIVE: 3,
}

_FOLD = re.compile(r"[\s_]+")


@functools.lru_cache(maxsize=4096)  # the same few tag keys and values, over and over
def _fold(text: str) -> str:
    return _FOLD.sub("-", text.strip()).casefold()


@dataclasses.dataclass(frozen=True)
class TagConventions:
    """Which tag keys carry a classification, and what their values mean."""

    keys: tuple[str, ...]
    values: Mapping[str, Classification]

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> TagConventions:
        keys = data.get("keys", ())
        values = data.get("values", {})
        if not isinstance(keys, Sequence) or not isinstance(values, Mapping):
            raise ValueError("classification conventions need a 'keys' list and 'values' map")
        meaning: dict[str, Classification] = {}
        for classification, spellings in values.items():
            for spelling in spellings:
                meaning[_fold(str(spelling))] = Classification(classification)
        return cls(keys=tuple(_fold(str(k)) for k in keys), values=meaning)


def default_conventions() -> TagConventions:
    """The bundled conventions (sovaudit/data/classification.yaml)."""
    return TagConventions.from_mapping(data_yaml("classification.yaml"))


class Classifier:
    def __init__(self, conventions: TagConventions) -> None:
        self.conventions = conventions

    def from_tags(self, tags: Mapping[str, str]) -> tuple[Classification, str] | None:
        """The classification the tags give, and the tag it came from."""
        folded = {_fold(key): (key, value) for key, value in tags.items()}
        for key in self.conventions.keys:
            if key not in folded:
                continue
            original_key, value = folded[key]
            meaning = self.conventions.values.get(_fold(str(value)))
            if meaning is not None:
                return meaning, f"tag:{original_key}"
        return None

    def classify(self, asset: Asset) -> Asset:
        """The asset with its classification settled (precedence: see the module docstring)."""
        decided = self.classified_fields(asset)
        return asset if decided is None else evolve(asset, **decided)

    def declared(self, asset: Asset) -> tuple[Classification, str]:
        """What the owner says: a declared classification, else the tags, else unknown."""
        if asset.classification_source != DEFAULT_SOURCE:
            return asset.classification, asset.classification_source
        found = self.from_tags(asset.tags) if asset.tags else None
        return found if found is not None else (asset.classification, DEFAULT_SOURCE)

    def classified_fields(self, asset: Asset) -> dict[str, object] | None:
        """The fields that change, or None when there is nothing to change."""
        content = asset.content
        if content is None:
            if asset.classification_source != DEFAULT_SOURCE or not asset.tags:
                return None
            found = self.from_tags(asset.tags)
            if found is None:
                return None
            return {"classification": found[0], "classification_source": found[1]}
        if asset.classification_source == CONTENT_SOURCE:
            return None  # settled by an earlier run (a previous scan read back as inventory)
        classification, source = self.declared(asset)
        changes: dict[str, object] = {
            "content": evolve(
                content, declared_classification=classification, declared_source=source
            )
        }
        indicated = content.classification
        if indicated.is_personal and SEVERITY[indicated] > SEVERITY[classification]:
            classification, source = indicated, CONTENT_SOURCE
        if (classification, source) != (asset.classification, asset.classification_source):
            changes.update(classification=classification, classification_source=source)
        return changes
