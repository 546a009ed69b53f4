"""The typed records accept exactly what the published inventory schema accepts.

The reader decodes inventories into records (fast) and asks the schema only when a document
does not decode, for its message. If the records accepted something the schema rejects, a
bad file would pass unnoticed; if they refused something the schema accepts, a good file
would get an odd message. So every field of a rich asset is replaced by values of every
JSON type and by the edge values of its constraints, unknown keys are added at every level
and required ones removed, and for each of those documents both must agree.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
import msgspec
import pytest
import yaml

from sovaudit.errors import InputError
from sovaudit.inputs.inventory.build import asset_from_record
from sovaudit.inputs.inventory.reader import read_inventory
from sovaudit.inputs.inventory.records import (
    asset_beyond_types,
    beyond_types,
    convert,
    decode_asset,
    decode_outline,
)
from sovaudit.inputs.validation import load_schema

SAMPLES = Path(__file__).parents[2] / "sample_inventories"

RICH_ASSET: dict[str, Any] = {
    "id": "arn:aws:s3:::clientes",
    "provider": "aws",
    "service": "s3",
    "kind": "object_store",
    "name": "clientes",
    "account": "123456789012",
    "region": "mx-central-1",
    "zone": "mx-central-1a",
    "data_locations": ["mx-central-1", "us-east-1"],
    "location": {
        "countries": ["MX"],
        "subdivision": "MX-QUE",
        "city": "Querétaro",
        "source": "declared",
        "confidence": "high",
        "note": "rack 4",
    },
    "copies": [
        {
            "kind": "replica",
            "region": "us-east-1",
            "provider": "aws",
            "target": "arn:aws:s3:::copia",
            "location": {"country": "US"},
        }
    ],
    "classification": "personal",
    "classification_source": "tag:data-classification",
    "tags": {"data-classification": "personal", "cost": 12, "ratio": 1.5, "pii": True},
    "owner": "datos@example.mx",
    "description": "clientes",
    "attributes": {"versioning": True, "nested": {"a": [1, {"b": None}]}},
    "content_sample": {"classification": "personal", "declared_source": None, "extra": [1]},
}

# Values of every JSON type, and the edges of the constraints the schema sets.
PROBES: tuple[Any, ...] = (
    None,
    "",
    "x",
    "MX",
    "mx",
    "MEX",
    "MX\n",
    "MX-JAL",
    "MX-JALX",
    "a" * 200,
    "a" * 201,
    "personal",
    "declared",
    "high",
    0,
    -3,
    2**62,
    1.5,
    True,
    False,
    [],
    ["x"],
    [""],
    ["MX"],
    [1],
    {},
    {"a": "b"},
    {"kind": "replica"},
    {"country": "MX"},
    {"country": "MX", "countries": ["MX"]},
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and list index inside ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _objects(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        yield prefix
        for key, value in node.items():
            yield from _objects(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, (*prefix, index))


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def _variants() -> Iterator[tuple[str, dict[str, Any]]]:
    yield "rich", {"assets": [RICH_ASSET]}
    yield "minimal", {"assets": [{"id": "a"}]}
    yield "no assets", {"assets": []}
    yield "assets not a list", {"assets": {"id": "a"}}
    yield "no assets key", {"inventory": []}
    yield "scan result", {"schema_version": "1", "findings": [], "assets": [{"id": "a"}]}
    for path in _paths(RICH_ASSET):
        for probe in PROBES:
            asset = copy.deepcopy(RICH_ASSET)
            _at(asset, path[:-1])[path[-1]] = probe
            yield f"{path} = {probe!r}"[:120], {"assets": [asset]}
        asset = copy.deepcopy(RICH_ASSET)
        del _at(asset, path[:-1])[path[-1]]
        yield f"without {path}", {"assets": [asset]}
    for path in _objects(RICH_ASSET):
        asset = copy.deepcopy(RICH_ASSET)
        _at(asset, path)["unexpected"] = "x"
        yield f"unknown key in {path}", {"assets": [asset]}


VARIANTS = list(_variants())


@pytest.fixture(scope="module")
def schema_check() -> Any:
    return fastjsonschema.compile(load_schema("inventory.schema.json"))


def _schema_accepts(check: Any, document: Any) -> bool:
    try:
        check(document)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def _records_accept_json(document: Any) -> bool:
    """As the reader decodes JSON: the outline, then each asset on its own."""
    try:
        outline = decode_outline(json.dumps(document).encode())
        return not any(asset_beyond_types(decode_asset(raw)) for raw in outline.assets)
    except msgspec.DecodeError:
        return False


def _records_accept_objects(document: Any) -> bool:
    try:
        records = convert(document)
    except msgspec.ValidationError:
        return False
    return not beyond_types(records)


def test_the_variants_include_both_verdicts(schema_check: Any) -> None:
    verdicts = [_schema_accepts(schema_check, doc) for _, doc in VARIANTS]
    assert len(VARIANTS) > 1000
    assert verdicts.count(True) > 100
    assert verdicts.count(False) > 100


@pytest.mark.parametrize("decoder", [_records_accept_json, _records_accept_objects])
def test_records_and_schema_agree_on_every_variant(schema_check: Any, decoder: Any) -> None:
    disagreements = [
        f"{name}: schema {'accepts' if expected else 'rejects'}"
        for name, document in VARIANTS
        if decoder(document) != (expected := _schema_accepts(schema_check, document))
    ]
    assert disagreements == []


def test_attributes_nested_beyond_the_limit_are_refused_as_the_schema_reader_refuses(
    tmp_path: Path,
) -> None:
    deep: Any = "leaf"
    for _ in range(120):
        deep = {"x": deep}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"assets": [{"id": "a", "attributes": deep}]}), encoding="utf-8")
    with pytest.raises(InputError, match="nested more than 100 levels"):
        read_inventory(path)


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_a_json_copy_of_each_sample_reads_as_the_yaml_does(sample: Path, tmp_path: Path) -> None:
    as_json = tmp_path / "sample.json"
    as_json.write_text(json.dumps(yaml.safe_load(sample.read_text("utf-8")), default=str))
    assert read_inventory(as_json) == read_inventory(sample)


def test_yaml_keys_that_are_not_text_stay_accepted_as_text(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text("assets:\n  - id: a\n    tags: {2024: si, true: 1}\n", encoding="utf-8")
    (asset,) = read_inventory(path)
    assert dict(asset.tags) == {"2024": "si", "True": "1"}


def test_the_rich_asset_builds_every_field() -> None:
    asset = asset_from_record(convert({"assets": [RICH_ASSET]}).assets[0])
    assert asset.location.countries == ("MX",)
    assert asset.location.subdivision == "MX-QUE"
    assert asset.copies[0].location.countries == ("US",)
    assert asset.copies[0].target == "arn:aws:s3:::copia"
    assert asset.classification_source == "tag:data-classification"
    assert dict(asset.tags) == {
        "data-classification": "personal",
        "cost": "12",
        "ratio": "1.5",
        "pii": "true",
    }
    assert asset.attributes["nested"] == {"a": [1, {"b": None}]}
    assert asset.content is not None
    assert asset.content.classification.value == "personal"
