"""What a finding says: the placeholders a rule's message fills from the asset view.

A rule's message is ``str.format_map`` over these (``{countries}``, ``{outside_home}``...),
each worked out from the view only when the message uses it. The words they are made of
("outside", "an unknown location"...) live in ``sovaudit/data/messages.yaml`` under
``finding_*`` keys and are read through the Translator, so both languages are checked for the
same placeholders like every other string a report shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sovaudit.i18n import Translator


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
    """The placeholders of a rule's message, each worked out only if the message uses it.

    ``shared`` holds the placeholders that depend only on the asset's shared_key(), filled
    by whichever alike asset needs them first.
    """

    __slots__ = ("shared", "t", "view")
    view: Mapping[str, Any]
    t: Translator
    shared: dict[str, str]

    def __init__(
        self, view: Mapping[str, Any], lang: str = "en", shared: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.view = view
        self.t = Translator(lang)
        self.shared = shared if shared is not None else {}

    def __missing__(self, key: str) -> str:
        if key in _PER_ASSET_PLACEHOLDERS:
            value = _PLACEHOLDERS[key](self.view, self.t)
        else:
            value = self.shared.get(key) or self.shared.setdefault(
                key, _PLACEHOLDERS[key](self.view, self.t)
            )
        self[key] = value
        return value


def message_fields(
    view: Mapping[str, Any], lang: str = "en", shared: dict[str, str] | None = None
) -> MessageFields:
    """The placeholders a rule's message may use, for ``str.format_map``."""
    return MessageFields(view, lang, shared)
