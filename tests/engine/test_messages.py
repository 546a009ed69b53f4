"""A message filled from its kind's template reads exactly as one filled whole per asset.

evaluate() fills the shared part of a message once per kind of asset and the asset's own
part (``{id}``, ``{name}``, content evidence) per asset; these tests compare that with the
plain ``format_map`` over each asset's own view, including the values that could break a
template: braces in a region or a name, conversions, and sampled assets.
"""

from __future__ import annotations

import pytest

from sovaudit.engine.placeholders import Message, MessageFields
from sovaudit.engine.view import build_view, shared_key
from sovaudit.model import Asset, Classification, Confidence, ContentSample, Copy, Location
from sovaudit.model import LocationSource as Source

ABROAD = Location(("US",), Source.CATALOGUE, Confidence.HIGH, city="{Ashburn}")
SAMPLE = ContentSample(
    Classification.PERSONAL, objects_read=3, identifiers={"curp": 4}, objects_with_hits=2
)

TEXTS = (
    "{name} holds personal data in {countries}, {outside_home}.{classification_evidence}",
    "{id}: copies {copies_outside_home} ({region})",
    "No copy in {home}: only in {countries} (copies: {copy_countries}).",
    "{name!r} in {countries:>12}",
    "{{literal}} {name} {{{region}}}",
)


def _asset(name: str | None, asset_id: str, **fields: object) -> Asset:
    return Asset(
        id=asset_id,
        provider="aws",
        name=name,
        region="us-{east}-1",
        location=ABROAD,
        classification=Classification.PERSONAL,
        copies=(Copy("backup", ABROAD, region="{r}"),),
        **fields,  # type: ignore[arg-type]
    )


ASSETS = (
    _asset("clientes", "arn:1"),
    _asset("{weird} name", "arn:2"),
    _asset(None, "arn:{3}"),
    _asset("muestreado", "arn:4", content=SAMPLE, classification_source="content-sample"),
)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_template_then_fill_equals_filling_whole(text: str, lang: str) -> None:
    message = Message(text)
    first = build_view(ASSETS[0], "MX")
    template = message.template(first, lang)
    for asset in ASSETS:
        view = build_view(asset, "MX")
        expected = text.format_map(MessageFields(view, lang))
        given = view if message.needs_view(asset) else None
        assert message.fill(template, asset, given, lang) == expected


def test_the_assets_compared_are_of_one_kind() -> None:
    plain = [a for a in ASSETS if a.content is None]
    assert len({shared_key(a, {}) for a in plain}) == 1


def test_a_sampled_assets_evidence_is_its_own() -> None:
    message = Message(TEXTS[0])
    template = message.template(build_view(ASSETS[0], "MX"), "en")
    sampled = ASSETS[3]
    filled = message.fill(template, sampled, build_view(sampled, "MX"), "en")
    assert "muestreado" in filled
    assert filled != message.fill(template, ASSETS[0], None, "en").replace("clientes", "muestreado")
