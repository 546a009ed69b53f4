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
=====================  ========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
            )
        },
        "countries": lst(SCALAR),
        "copy_countries": lst(SCALAR),
        "data_locations": lst(SCALAR),
        "copies": lst(_COPY_SHAPE),
        "copied_from": lst(_SOURCE_SHAPE),
        "tags": obj(None),
        "attributes": obj(None),
    }
)


def _within(location: Location, home: str) -> bool:
    return bool(location.countries) and all(c == home for c in location.countries)


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


def build_view(
    asset: Asset, home: str, sources: Mapping[str, list[Asset]] | None = None
) -> dict[str, Any]:
    """The dictionary rule conditions are evaluated against."""
    location = asset.location
    primary = set(location.countries)
    in_home = _within(location, home)
    copies = []
    copy_countries: dict[str, None] = {}
    for copy in asset.copies:
        countries = copy.location.countries
        copy_countries.update(dict.fromkeys(countries))
        copies.append(
            {
                "kind": copy.kind,
                "region": copy.region,
                "provider": copy.provider or asset.provider,
                "target": copy.target,
                "countries": list(countries),
                "known": bool(countries),
                "in_home": _within(copy.location, home),
                "outside_primary": bool(countries) and not primary.issuperset(countries),
            }
        )
    copied_from = [
        {
            "id": source.id,
            "countries": list(source.location.countries),
            "in_home": _within(source.location, home),
        }
        for source in (sources or {}).get(asset.id, ())
    ]
    classification = asset.classification
    return {
        "id": asset.id,
        "provider": asset.provider,
        "service": asset.service,
        "kind": asset.kind,
        "name": asset.name or asset.id,
        "account": asset.account,
        "region": asset.region,
        "zone": asset.zone,
        "owner": asset.owner,
        "countries": list(location.countries),
        "subdivision": location.subdivision,
        "city": location.city,
        "location_source": location.source.value,
        "location_confidence": location.confidence.value,
        "location_note": location.note,
        "location_known": bool(location.countries),
        "in_home": in_home,
        "touches_home": home in primary,
        "multi_country": len(primary) > 1,
        "classification": classification.value,
        "classification_source": asset.classification_source,
        "personal": classification.is_personal,
        "sensitive": classification.value == "sensitive",
        "classified": classification.value != "unknown",
        "copies": copies,
        "copy_countries": list(copy_countries),
        "copied_abroad": any(c["known"] and not c["in_home"] for c in copies),
        "copy_location_unknown": any(not c["known"] for c in copies),
        "copied_from": copied_from,
        "has_home_copy": has_home_copy(asset, home, sources or {}),
        "data_locations": list(asset.data_locations),
        "tags": dict(asset.tags),
        "attributes": dict(asset.attributes),
        "home": home,
    }


def _countries_text(countries: list[str], subdivision: str | None, city: str | None) -> str:
    if not countries:
        return "an unknown location"
    if len(countries) == 1:
        place = ", ".join(p for p in (city, subdivision) if p)
        return f"{countries[0]} ({place})" if place else countries[0]
    return "/".join(countries)


_OUTSIDE = {
    "en": ("outside {home}", "partly outside {home}"),
    "es": ("fuera de {home}", "parcialmente fuera de {home}"),
}


def message_fields(view: Mapping[str, Any], lang: str = "en") -> dict[str, str]:
    """The placeholders a rule's message may use, all as text."""
    abroad = [c for c in view["copies"] if not c["in_home"]]
    outside, partly = _OUTSIDE.get(lang, _OUTSIDE["en"])
    return {
        "outside_home": (partly if view["touches_home"] else outside).format(home=view["home"]),
        "id": str(view["id"]),
        "name": str(view["name"]),
        "provider": str(view["provider"]),
        "service": str(view["service"] or ""),
        "kind": str(view["kind"] or "asset"),
        "region": str(view["region"] or view["zone"] or ""),
        "home": str(view["home"]),
        "classification": str(view["classification"]),
        "countries": _countries_text(view["countries"], view["subdivision"], view["city"]),
        "copy_countries": "/".join(view["copy_countries"]) or "none",
        "copies_outside_home": ", ".join(
            f"{c['kind']} in {'/'.join(c['countries']) or 'an unknown location'}"
            + (f" ({c['region']})" if c["region"] else "")
            for c in abroad
        )
        or "none",
        "secondaries_abroad": ", ".join(
            f"{c['kind']} in {'/'.join(c['countries'])}"
            + (f" ({c['region']})" if c["region"] else "")
            for c in view["copies"]
            if c["outside_primary"]
        )
        or "none",
        "location_note": str(view["location_note"] or ""),
    }


MESSAGE_FIELDS = frozenset(message_fields(build_view(Asset(id="x", provider="x"), "MX")))
