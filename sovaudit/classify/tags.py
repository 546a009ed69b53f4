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


# Past this many distinct sets of tag keys (an estate that puts ids in its keys), new sets
# are worked out each time instead of kept.
_KEY_SETS_KEPT = 10_000


class Classifier:
    def __init__(self, conventions: TagConventions) -> None:
        self.conventions = conventions
        # Which of an asset's tag keys to read, in the conventions' order, by the keys it
        # has: a large estate has a handful of key sets, so this is one lookup per asset.
        self._keys_to_read: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}

    def _classifying_keys(self, keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """(tag key, source) for each key that may classify, in the conventions' order; of
        keys that fold alike (``Data Classification``, ``data_classification``), the last."""
        folded = {_fold(key): key for key in keys}
        return tuple(
            (folded[key], f"tag:{folded[key]}") for key in self.conventions.keys if key in folded
        )

    def from_tags(self, tags: Mapping[str, str]) -> tuple[Classification, str] | None:
        """The classification the tags give, and the tag it came from."""
        keys = tuple(tags)
        to_read = self._keys_to_read.get(keys)
        if to_read is None:
            to_read = self._classifying_keys(keys)
            if len(self._keys_to_read) < _KEY_SETS_KEPT:
                self._keys_to_read[keys] = to_read
        for key, source in to_read:
            meaning = self.conventions.values.get(_fold(str(tags[key])))
            if meaning is not None:
                return meaning, source
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
