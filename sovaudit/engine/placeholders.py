"""What a finding says: the placeholders a rule's message fills from the asset view.

A rule's message is ``str.format_map`` over these (``{countries}``, ``{outside_home}``...),
each worked out from the view only when the message uses it. The words they are made of
("outside", "an unknown location"...) live in ``sovaudit/data/messages.yaml`` under
``finding_*`` keys and are read through the Translator, so both languages are checked for the
same placeholders like every other string a report shows.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sovaudit.i18n import Translator
from sovaudit.model import Asset


def _place(countries: Iterable[str], t: Translator) -> str:
    return "/".join(countries) or t("finding_unknown")


def _copy_list(copies: Iterable[Mapping[str, Any]], t: Translator) -> str:
    in_ = t("finding_in")
    return ", ".join(
        f"{c['kind']} {in_} {_place(c['countries'], t)}"
        + (f" ({c['region']})" if c["region"] else "")
        for c in copies
    ) or t("finding_none")


def _countries_text(view: Mapping[str, Any], t: Translator) -> str:
    countries = view["countries"]
    if len(countries) == 1:
        place = ", ".join(p for p in (view["city"], view["subdivision"]) if p)
        return f"{countries[0]} ({place})" if place else countries[0]
    return _place(countries, t)


def _declared_text(view: Mapping[str, Any], content: Mapping[str, Any], t: Translator) -> str:
    source = str(content.get("declared_source") or "default")
    value = str(content.get("declared_classification") or "unknown")
    if source.startswith("tag:"):
        key = source[4:]
        return t("finding_declared_tag", tag=key, value=view["tags"].get(key, value))
    if source == "default":
        return t("finding_declared_nothing")
    return t("finding_declared_inventory", value=value)


def _classification_evidence(view: Mapping[str, Any], t: Translator) -> str:
    """When content sampling raised the classification: what it found, and what was declared.

    Empty otherwise, so messages of assets that were not sampled, or whose tags already said
    as much, read exactly as before.
    """
    content = view["content"]
    if not content or view["classification_source"] != "content-sample":
        return ""
    from sovaudit.classify.content.keywords import vocabulary  # only when an asset was sampled

    vocab = vocabulary()
    counts = content.get("distinct_identifiers") or content.get("identifiers") or {}
    found = ", ".join(
        f"{vocab.label(kind, t.lang)}: {n}"
        for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    categories = content.get("sensitive_categories") or {}
    if categories and view["classification"] == "sensitive":
        labels = ", ".join(vocab.label(name, t.lang) for name in sorted(categories))
        found += t("finding_with_terms", categories=labels)
    return t(
        "finding_evidence",
        found=found,
        objects=content.get("objects_with_hits", 0),
        read=content.get("objects_read", 0),
        declared=_declared_text(view, content, t),
    )


def _outside_home(view: Mapping[str, Any], t: Translator) -> str:
    if view["touches_home"]:
        return t("finding_partly_outside", home=view["home"])
    return t("finding_outside", home=view["home"])


_PLACEHOLDERS: dict[str, Callable[[Mapping[str, Any], Translator], str]] = {
    "id": lambda v, t: str(v["id"]),
    "name": lambda v, t: str(v["name"]),
    "provider": lambda v, t: str(v["provider"]),
    "service": lambda v, t: str(v["service"] or ""),
    "kind": lambda v, t: str(v["kind"] or "asset"),
    "region": lambda v, t: str(v["region"] or v["zone"] or ""),
    "home": lambda v, t: str(v["home"]),
    "classification": lambda v, t: str(v["classification"]),
    "countries": _countries_text,
    "outside_home": _outside_home,
    "copy_countries": lambda v, t: "/".join(v["copy_countries"]) or t("finding_none"),
    "copies_outside_home": lambda v, t: _copy_list((c for c in v["copies"] if not c["in_home"]), t),
    "secondaries_abroad": lambda v, t: _copy_list(
        (c for c in v["copies"] if c["outside_primary"]), t
    ),
    "location_note": lambda v, t: str(v["location_note"] or ""),
    "classification_evidence": _classification_evidence,
}
MESSAGE_FIELDS = frozenset(_PLACEHOLDERS)


# Placeholders that can differ between two assets with the same view.shared_key().
_PER_ASSET_PLACEHOLDERS = frozenset({"id", "name", "classification_evidence"})


class MessageFields(dict[str, str]):
    """The placeholders of a rule's message, each worked out only if the message uses it."""

    __slots__ = ("t", "view")
    view: Mapping[str, Any]
    t: Translator

    def __init__(self, view: Mapping[str, Any], lang: str = "en") -> None:
        super().__init__()
        self.view = view
        self.t = Translator(lang)

    def __missing__(self, key: str) -> str:
        value = self[key] = _PLACEHOLDERS[key](self.view, self.t)
        return value


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class Message:
    """One rule's message in one language, filled for many assets at the cost of a few.

    Most of a message (``{countries}``, ``{outside_home}``...) is the same for every asset
    of one kind (``view.shared_key``); only ``{id}``, ``{name}`` and the evidence of content
    sampling differ. ``template`` fills the shared part once per kind of asset, and ``fill``
    the rest per asset, without building the asset's view. A message that uses conversions
    or format specs (``{name!r}``) is filled whole for each asset instead.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts = list(string.Formatter().parse(text))
        self.plain = all(not spec and not conversion for _, _, spec, conversion in self.parts)
        self.per_asset = {name for _, name, _, _ in self.parts if name in _PER_ASSET_PLACEHOLDERS}

    def template(self, view: Mapping[str, Any], lang: str) -> str:
        """What every asset of ``view``'s kind shares: a format string for ``fill``."""
        if not self.plain:
            return self.text
        if not self.per_asset:
            return self.text.format_map(MessageFields(view, lang))  # the message itself
        fields = MessageFields(view, lang)
        template = []
        for literal, name, _, _ in self.parts:
            template.append(_escaped(literal))
            if name in self.per_asset:
                template.append("{" + name + "}")
            elif name is not None:
                template.append(_escaped(fields[name]))
        return "".join(template)

    def needs_view(self, asset: Asset) -> bool:
        """Whether ``fill`` needs the asset's view (for most assets it does not)."""
        return not self.plain or (bool(self.per_asset) and asset.content is not None)

    def fill(self, template: str, asset: Asset, view: Mapping[str, Any] | None, lang: str) -> str:
        """The message for ``asset`` from its kind's ``template``; ``view`` is the asset's
        view when ``needs_view`` says so (None otherwise)."""
        if view is not None and self.needs_view(asset):
            source = self.text if not self.plain else template
            return source.format_map(MessageFields(view, lang))
        if not self.per_asset:
            return template
        return template.format_map(
            {"id": asset.id, "name": asset.name or asset.id, "classification_evidence": ""}
        )
