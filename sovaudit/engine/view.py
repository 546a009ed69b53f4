"""The asset view: what a rule condition sees.

Conditions read plain JSON-like data so that they are ordinary JMESPath. Besides the asset's
own fields, the view offers derived fields relative to the home country, so a rule says
``personal && !in_home`` instead of re-deriving "is this wholly in Mexico" in every rule. The
home country is a parameter: the same rules serve any country.

``VIEW_SHAPE`` declares the fields, so that a rule naming one that does not exist fails at
load; docs/rules.md describes each of them (a test fails when one is missing there). What a
finding's message says about the asset is ``engine.placeholders``, worked out from this view.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sovaudit.copies import has_home_copy, within
from sovaudit.engine.expressions import SCALAR, lst, obj
from sovaudit.model import Asset

_COPY_SHAPE = obj(
    {
        name: SCALAR if name != "countries" else lst(SCALAR)
        for name in (
            "kind",
            "region",
            "provider",
            "target",
            "countries",
            "known",
            "in_home",
            "outside_primary",
        )
    }
)
_SOURCE_SHAPE = obj({"id": SCALAR, "countries": lst(SCALAR), "in_home": SCALAR})

VIEW_SHAPE = obj(
    {
        **{
            name: SCALAR
            for name in (
                "id",
                "provider",
                "service",
                "kind",
                "name",
                "account",
                "region",
                "zone",
                "owner",
                "subdivision",
                "city",
                "location_source",
                "location_confidence",
                "location_note",
                "location_known",
                "in_home",
                "touches_home",
                "multi_country",
                "classification",
                "classification_source",
                "personal",
                "sensitive",
                "classified",
                "copied_abroad",
                "copy_location_unknown",
                "has_home_copy",
                "home",
                "declared_classification",
                "content_classification",
            )
        },
        "countries": lst(SCALAR),
        "copy_countries": lst(SCALAR),
        "data_locations": lst(SCALAR),
        "copies": lst(_COPY_SHAPE),
        "copied_from": lst(_SOURCE_SHAPE),
        "tags": obj(None),
        "attributes": obj(None),
        "content": obj(None),
    }
)


def _copies(view: AssetView) -> list[dict[str, Any]]:
    asset, home = view.asset, view.home
    primary = set(asset.location.countries)
    return [
        {
            "kind": copy.kind,
            "region": copy.region,
            "provider": copy.provider or asset.provider,
            "target": copy.target,
            "countries": list(copy.location.countries),
            "known": bool(copy.location.countries),
            "in_home": within(copy.location, home),
            "outside_primary": bool(copy.location.countries)
            and not primary.issuperset(copy.location.countries),
        }
        for copy in asset.copies
    ]


def _copied_from(view: AssetView) -> list[dict[str, Any]]:
    return [
        {
            "id": source.id,
            "countries": list(source.location.countries),
            "in_home": within(source.location, view.home),
        }
        for source in view.sources.get(view.asset.id, ())
    ]


def _declared_classification(view: AssetView) -> str:
    content = view.asset.content
    if content is not None and content.declared_classification is not None:
        return content.declared_classification._value_
    return view.asset.classification._value_


def _copy_countries(view: AssetView) -> list[str]:
    return list(dict.fromkeys(c for copy in view.asset.copies for c in copy.location.countries))


# Not `.value` on the enums: on Python 3.11 it is a descriptor call that dominates these
# one-line functions on a large estate; `_value_` is the same string.
_FIELDS: dict[str, Callable[[AssetView], Any]] = {
    "id": lambda v: v.asset.id,
    "provider": lambda v: v.asset.provider,
    "service": lambda v: v.asset.service,
    "kind": lambda v: v.asset.kind,
    "name": lambda v: v.asset.name or v.asset.id,
    "account": lambda v: v.asset.account,
    "region": lambda v: v.asset.region,
    "zone": lambda v: v.asset.zone,
    "owner": lambda v: v.asset.owner,
    "countries": lambda v: list(v.asset.location.countries),
    "subdivision": lambda v: v.asset.location.subdivision,
    "city": lambda v: v.asset.location.city,
    "location_source": lambda v: v.asset.location.source._value_,
    "location_confidence": lambda v: v.asset.location.confidence._value_,
    "location_note": lambda v: v.asset.location.note,
    "location_known": lambda v: bool(v.asset.location.countries),
    "in_home": lambda v: within(v.asset.location, v.home),
    "touches_home": lambda v: v.home in v.asset.location.countries,
    "multi_country": lambda v: len(set(v.asset.location.countries)) > 1,
    "classification": lambda v: v.asset.classification._value_,
    "classification_source": lambda v: v.asset.classification_source,
    "personal": lambda v: v.asset.classification._value_ in ("personal", "sensitive"),
    "sensitive": lambda v: v.asset.classification._value_ == "sensitive",
    "classified": lambda v: v.asset.classification._value_ != "unknown",
    "copies": _copies,
    "copy_countries": _copy_countries,
    "copied_abroad": lambda v: any(
        c.location.countries and not within(c.location, v.home) for c in v.asset.copies
    ),
    "copy_location_unknown": lambda v: any(not c.location.countries for c in v.asset.copies),
    "copied_from": _copied_from,
    "has_home_copy": lambda v: has_home_copy(v.asset, v.home, v.sources),
    "data_locations": lambda v: list(v.asset.data_locations),
    "tags": lambda v: dict(v.asset.tags),
    "attributes": lambda v: dict(v.asset.attributes),
    "home": lambda v: v.home,
    "declared_classification": _declared_classification,
    "content_classification": lambda v: (
        v.asset.content.classification._value_ if v.asset.content is not None else None
    ),
    "content": lambda v: v.asset.content.to_dict() if v.asset.content is not None else None,
}


# Fields that can differ between two assets with the same shared_key(): conditions reading
# them are evaluated for every asset; others once per shared_key.
PER_ASSET_FIELDS = frozenset(
    {
        "id",
        "name",
        "account",
        "owner",
        "tags",
        "attributes",
        "declared_classification",
        "content_classification",
        "content",
    }
)


def shared_key(asset: Asset, sources: Mapping[str, list[Asset]]) -> Hashable:
    """Everything the view's other fields are derived from.

    Locations are compared by identity: the locator hands out one object per place, so this
    is cheap and exact while the assets are alive (declared locations simply never share).
    An asset that is some other asset's copy (``copied_from``, which feeds ``has_home_copy``)
    is keyed by itself: its answers depend on who copies to it.
    """
    return (
        id(asset) if asset.id in sources else None,
        asset.classification,
        asset.classification_source,
        asset.provider,
        asset.service,
        asset.kind,
        asset.region,
        asset.zone,
        asset.data_locations,
        id(asset.location),
        tuple((c.kind, c.region, c.provider, c.target, id(c.location)) for c in asset.copies),
    )


class AssetView(dict[str, Any]):
    """The asset view, each field computed the first time a condition asks for it.

    A rule reads a handful of the view's fields; computing all of them for every asset cost
    more than the rest of the scan. To JMESPath (and to ``message_fields``) it is an ordinary
    mapping whose ``get`` and ``[]`` answer every field; ``materialize`` gives the whole view.
    """

    __slots__ = ("asset", "home", "sources")
    asset: Asset
    home: str
    sources: Mapping[str, list[Asset]]

    def __init__(self, asset: Asset, home: str, sources: Mapping[str, list[Asset]]) -> None:
        super().__init__()
        self.asset = asset
        self.home = home
        self.sources = sources

    def __missing__(self, key: str) -> Any:
        compute = _FIELDS.get(key)
        if compute is None:
            raise KeyError(key)
        value = compute(self)
        self[key] = value
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def materialize(self) -> dict[str, Any]:
        return {key: self[key] for key in _FIELDS}


def build_view(
    asset: Asset, home: str, sources: Mapping[str, list[Asset]] | None = None
) -> AssetView:
    """The view rule conditions are evaluated against."""
    return AssetView(asset, home, sources if sources is not None else {})
