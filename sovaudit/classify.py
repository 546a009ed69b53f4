"""Decide what kind of data an asset holds from what its owner declared or tagged.

Content sampling (reading the data itself) is a separate, opt-in stage; this one only reads
labels, so it is instant and never touches data.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence
from importlib import resources

import yaml

from sovaudit.model import Asset, Classification, evolve

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
    text = (resources.files("sovaudit") / "data" / "classification.yaml").read_text("utf-8")
    return TagConventions.from_mapping(yaml.safe_load(text))


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
        """The asset with its classification settled; a declared one is never overridden."""
        decided = self.classified_fields(asset)
        return asset if decided is None else evolve(asset, **decided)

    def classified_fields(self, asset: Asset) -> dict[str, object] | None:
        """The classification the tags give, or None when there is nothing to change."""
        if asset.classification_source != "default" or not asset.tags:
            return None
        found = self.from_tags(asset.tags)
        if found is None:
            return None
        return {"classification": found[0], "classification_source": found[1]}
