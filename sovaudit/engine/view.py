"""The asset view: what a rule condition sees.

Conditions read plain JSON-like data so that they are ordinary JMESPath. Besides the asset's
own fields, the view offers derived fields relative to the home country, so a rule says
``personal && !in_home`` instead of re-deriving "is this wholly in Mexico" in every rule. The
home country is a parameter: the same rules serve any country.

Field reference (also in docs/rules.md):

=====================  ========================================================================
``countries``          where the data is (several for a multi-region; empty when unknown)
``location_known``     the location is established (``countries`` not empty)
``in_home``            every country the data may be in is the home country
``touches_home``       at least one of them is
``multi_country``      the location spans more than one country
``personal``           classified personal or sensitive; ``sensitive``: sensitive only
``classified``         the classification is known (not ``unknown``)
``copies``             list of {kind, region, provider, target, countries, known, in_home,
                       outside_primary}: ``outside_primary`` when the copy may be in a country
                       the primary is not in
``copy_countries``     every country any copy may be in
``copied_abroad``      some located copy is not wholly in the home country
``copy_location_unknown``  some copy's location is unknown
``copied_from``        list of {id, countries, in_home}: assets that name this one as a copy's
                       ``target`` (a replica's source)
``has_home_copy``      the data or a copy of it (either way round) is wholly in the home country
``declared_classification``  what tags or the inventory say, before content sampling is
                       considered (equals ``classification`` unless sampling raised it)
``content_classification``  what content sampling indicates (sensitive, personal, none,
                       unknown), or null when the asset was not sampled
``content``            the ``content_sample`` object of the JSON (counts per identifier and
                       category, objects read...), or null when the asset was not sampled
=====================  ========================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from sovaudit.engine.expressions import SCALAR, lst, obj
from sovaudit.model import Asset, Location

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


def _within(location: Location, home: str) -> bool:
    countries = location.countries
    # Most locations are one country: compare the tuple before looping.
    return countries == (home,) or (len(countries) > 1 and all(c == home for c in countries))


def copy_sources(assets: Iterable[Asset]) -> dict[str, list[Asset]]:
    """For each asset id named as a copy's ``target``, the assets it is a copy of."""
    sources: dict[str, list[Asset]] = {}
    for asset in assets:
        for copy in asset.copies:
            if copy.target and copy.target != asset.id:
                sources.setdefault(copy.target, []).append(asset)
    return sources


def has_home_copy(asset: Asset, home: str, sources: Mapping[str, list[Asset]]) -> bool:
    """The data, a copy of it, or the asset it is a copy of, is wholly in ``home``."""
    return (
        _within(asset.location, home)
        or any(_within(copy.location, home) for copy in asset.copies)
        or any(_within(source.location, home) for source in sources.get(asset.id, ()))
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
            "in_home": _within(copy.location, home),
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
            "in_home": _within(source.location, view.home),
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
    "in_home": lambda v: _within(v.asset.location, v.home),
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
        c.location.countries and not _within(c.location, v.home) for c in v.asset.copies
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


_WORDS = {
    "en": {
        "lang": "en",
        "outside": "outside {home}",
        "partly": "partly outside {home}",
        "in": "in",
        "unknown": "an unknown location",
        "none": "none",
        "evidence": " Content sampling found {found} in {objects} of {read} objects read; "
        "{declared}.",
        "with_terms": " alongside {categories} terms",
        "declared_tag": "the tag {key} says '{value}'",
        "declared_inventory": "the inventory declares '{value}'",
        "declared_nothing": "no tag or declaration classified it",
    },
    "es": {
        "lang": "es",
        "outside": "fuera de {home}",
        "partly": "parcialmente fuera de {home}",
        "in": "en",
        "unknown": "una ubicación desconocida",
        "none": "ninguna",
        "evidence": " El muestreo de contenido encontró {found} en {objects} de {read} objetos "
        "leídos; {declared}.",
        "with_terms": " junto con términos de {categories}",
        "declared_tag": "la etiqueta {key} dice '{value}'",
        "declared_inventory": "el inventario declara '{value}'",
        "declared_nothing": "ninguna etiqueta ni declaración lo clasificaba",
    },
}


def _place(countries: Iterable[str], words: Mapping[str, str]) -> str:
    return "/".join(countries) or words["unknown"]


def _copy_list(copies: Iterable[Mapping[str, Any]], words: Mapping[str, str]) -> str:
    return (
        ", ".join(
            f"{c['kind']} {words['in']} {_place(c['countries'], words)}"
            + (f" ({c['region']})" if c["region"] else "")
            for c in copies
        )
        or words["none"]
    )


def _countries_text(view: Mapping[str, Any], words: Mapping[str, str]) -> str:
    countries = view["countries"]
    if len(countries) == 1:
        place = ", ".join(p for p in (view["city"], view["subdivision"]) if p)
        return f"{countries[0]} ({place})" if place else countries[0]
    return _place(countries, words)


def _declared_text(
    view: Mapping[str, Any], content: Mapping[str, Any], words: Mapping[str, str]
) -> str:
    source = str(content.get("declared_source") or "default")
    value = str(content.get("declared_classification") or "unknown")
    if source.startswith("tag:"):
        key = source[4:]
        return words["declared_tag"].format(key=key, value=view["tags"].get(key, value))
    if source == "default":
        return words["declared_nothing"]
    return words["declared_inventory"].format(value=value)


def _classification_evidence(view: Mapping[str, Any], words: Mapping[str, str]) -> str:
    """When content sampling raised the classification: what it found, and what was declared.

    Empty otherwise, so messages of assets that were not sampled, or whose tags already said
    as much, read exactly as before.
    """
    content = view["content"]
    if not content or view["classification_source"] != "content-sample":
        return ""
    from sovaudit.content.keywords import vocabulary  # only when an asset was sampled

    vocab, lang = vocabulary(), words["lang"]
    counts = content.get("distinct_identifiers") or content.get("identifiers") or {}
    found = ", ".join(
        f"{vocab.label(kind, lang)}: {n}"
        for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    categories = content.get("sensitive_categories") or {}
    if categories and view["classification"] == "sensitive":
        labels = ", ".join(vocab.label(name, lang) for name in sorted(categories))
        found += words["with_terms"].format(categories=labels)
    return words["evidence"].format(
        found=found,
        objects=content.get("objects_with_hits", 0),
        read=content.get("objects_read", 0),
        declared=_declared_text(view, content, words),
    )


_PLACEHOLDERS: dict[str, Callable[[Mapping[str, Any], Mapping[str, str]], str]] = {
    "id": lambda v, w: str(v["id"]),
    "name": lambda v, w: str(v["name"]),
    "provider": lambda v, w: str(v["provider"]),
    "service": lambda v, w: str(v["service"] or ""),
    "kind": lambda v, w: str(v["kind"] or "asset"),
    "region": lambda v, w: str(v["region"] or v["zone"] or ""),
    "home": lambda v, w: str(v["home"]),
    "classification": lambda v, w: str(v["classification"]),
    "countries": _countries_text,
    "outside_home": lambda v, w: w["partly" if v["touches_home"] else "outside"].format(
        home=v["home"]
    ),
    "copy_countries": lambda v, w: "/".join(v["copy_countries"]) or w["none"],
    "copies_outside_home": lambda v, w: _copy_list((c for c in v["copies"] if not c["in_home"]), w),
    "secondaries_abroad": lambda v, w: _copy_list(
        (c for c in v["copies"] if c["outside_primary"]), w
    ),
    "location_note": lambda v, w: str(v["location_note"] or ""),
    "classification_evidence": _classification_evidence,
}
MESSAGE_FIELDS = frozenset(_PLACEHOLDERS)


_PER_ASSET_PLACEHOLDERS = frozenset({"id", "name", "classification_evidence"})


class MessageFields(dict[str, str]):
    """The placeholders of a rule's message, each worked out only if the message uses it.

    ``shared`` holds the placeholders that depend only on the asset's shared_key(), filled
    by whichever alike asset needs them first.
    """

    __slots__ = ("shared", "view", "words")
    view: Mapping[str, Any]
    words: Mapping[str, str]
    shared: dict[str, str]

    def __init__(
        self, view: Mapping[str, Any], lang: str = "en", shared: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.view = view
        self.words = _WORDS.get(lang, _WORDS["en"])
        self.shared = shared if shared is not None else {}

    def __missing__(self, key: str) -> str:
        if key in _PER_ASSET_PLACEHOLDERS:
            value = _PLACEHOLDERS[key](self.view, self.words)
        else:
            value = self.shared.get(key) or self.shared.setdefault(
                key, _PLACEHOLDERS[key](self.view, self.words)
            )
        self[key] = value
        return value


def message_fields(
    view: Mapping[str, Any], lang: str = "en", shared: dict[str, str] | None = None
) -> MessageFields:
    """The placeholders a rule's message may use, for ``str.format_map``."""
    return MessageFields(view, lang, shared)
