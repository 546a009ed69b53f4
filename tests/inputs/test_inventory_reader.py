"""Inventory files: every format in, and every kind of mistake out as file:line: field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sovaudit.errors import InputError
from sovaudit.inputs.inventory.reader import read_inventory
from sovaudit.locate.regions import Locator
from sovaudit.model import Classification, LocationSource
from sovaudit.report.json_document import asset_to_dict

YAML = """\
# an on-premises estate
assets:
  - id: rack-gdl-01
    provider: onprem
    kind: vm
    location: {country: mx, subdivision: mx-jal, city: Guadalajara}
    tags: {datos-personales: "si", cost-center: 42, backed-up: true, created: 2024-01-31}
  - id: arn:aws:s3:::clientes
    provider: aws
    service: s3
    region: null
    classification: personal
    copies:
      - {kind: replica, region: mx-central-1, target: "arn:aws:s3:::clientes-mx"}
      - {kind: backup, location: {countries: [US, CA]}}
"""


def _read(path: Path, locator: Locator | None = None, *, strict: bool = True):
    """Strict, as --strict reads: these tests are about the errors it turns doubts into."""
    return read_inventory(
        path,
        locator.explain_unknown if locator else None,
        strict=strict,
        known_providers=locator.catalogue.providers if locator else None,
    )


def test_yaml_inventory(write, locator: Locator) -> None:
    rack, bucket = _read(write("estate.yaml", YAML), locator)
    assert rack.location.countries == ("MX",)
    assert rack.location.subdivision == "MX-JAL"
    assert rack.location.source is LocationSource.DECLARED
    assert dict(rack.tags) == {
        "datos-personales": "si",
        "cost-center": "42",
        "backed-up": "true",
        "created": "2024-01-31",
    }
    assert bucket.region is None
    assert bucket.service == "s3"
    assert bucket.classification is Classification.PERSONAL
    assert bucket.classification_source == "declared"
    assert bucket.copies[0].target == "arn:aws:s3:::clientes-mx"
    assert bucket.copies[1].location.countries == ("US", "CA")


def test_json_and_csv_inventories_say_the_same_as_yaml(write, locator: Locator) -> None:
    yaml_assets = _read(write("a.yaml", YAML), locator)
    json_assets = _read(
        write("a.json", json.dumps({"assets": [asset_to_dict(a) for a in yaml_assets]})), locator
    )
    assert [asset_to_dict(a) for a in json_assets] == [asset_to_dict(a) for a in yaml_assets]
    csv_text = (
        "id,provider,service,kind,region,country,subdivision,city,classification,copies,"
        "tag:datos-personales,tag:cost-center,tag:backed-up,tag:created\n"
        "rack-gdl-01,onprem,,vm,,MX,MX-JAL,Guadalajara,,,si,42,true,2024-01-31\n"
        "arn:aws:s3:::clientes,aws,s3,,,,,,personal,"
        "replica:mx-central-1; backup:country=US,,,,\n"
    )
    csv_assets = _read(write("a.csv", csv_text), locator)
    assert csv_assets[0] == yaml_assets[0]
    assert [c.kind for c in csv_assets[1].copies] == ["replica", "backup"]
    assert csv_assets[1].copies[1].location.countries == ("US",)


def test_format_is_sniffed_when_the_suffix_says_nothing(write) -> None:
    assert _read(write("inventory.txt", '{"assets": [{"id": "x"}]}'))[0].id == "x"
    assert _read(write("inventory", "assets:\n  - id: y\n"))[0].id == "y"


def test_a_previous_scan_is_an_inventory_and_catalogue_locations_are_recomputed(
    write, locator: Locator
) -> None:
    scan = {
        "schema_version": "1",
        "summary": {},
        "findings": [],
        "errors": [],
        "assets": [
            {
                "id": "b",
                "provider": "aws",
                "region": "mx-central-1",
                "location": {"countries": ["US"], "source": "catalogue", "confidence": "high"},
            },
            {
                "id": "new",
                "provider": "aws",
                "region": "xx-future-9",
                "location": {"countries": [], "source": "unknown", "confidence": "low"},
            },
        ],
    }
    assets = _read(write("scan.json", json.dumps(scan)), locator)
    # Catalogue-derived locations are not trusted from the file: the current catalogue decides.
    assert assets[0].location.source is LocationSource.UNKNOWN
    located = locator.locate_asset(assets[0])
    assert located.location.countries == ("MX",)
    # An unknown region in a scan result stays unknown instead of failing the read.
    assert locator.locate_asset(assets[1]).location.countries == ()


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.yaml", "assets:\n  - id: a\n    tags: {x: [1, 2}\n", "bad.yaml:3: YAML syntax"),
        ("bad.json", '{"assets": [\n  {"id": "a",}\n]}', "bad.json:2: JSON syntax"),
        (
            "type.yaml",
            "assets:\n  - id: a\n  - id: b\n    copies: replica\n",
            "type.yaml:4: assets[1].copies: 'replica' is not of type 'array'",
        ),
        (
            "type.json",
            '{"assets": [\n  {"id": "a"},\n  {"id": "b",\n   "tags": ["x"]}\n]}',
            "type.json:4: assets[1].tags: ['x'] is not of type 'object' or 'null'",
        ),
        (
            "typo.yaml",
            "assets:\n  - id: a\n    regoin: mx-central-1\n",
            "typo.yaml:3: assets[0].regoin: unknown field",
        ),
        (
            "region.yaml",
            "assets:\n  - id: a\n    provider: aws\n\n    region: mx-centrl-1\n",
            "region.yaml:5: assets[0].region: aws region 'mx-centrl-1' is not in the region "
            "catalogue; "
            "did you mean 'mx-central-1'?",
        ),
        (
            "copy.yaml",
            "assets:\n  - id: a\n    provider: gcp\n    region: us-east1\n"
            "    copies:\n      - {kind: replica, region: europe-wst1}\n",
            "copy.yaml:6: assets[0].copies[0].region: gcp region 'europe-wst1' is not in",
        ),
        (
            "dup.yaml",
            "assets:\n  - id: a\n  - id: b\n  - id: a\n",
            "dup.yaml:4: assets[2].id: duplicate asset id 'a'",
        ),
        (
            "dupkey.yaml",
            "assets:\n  - id: a\n    id: b\n",
            "dupkey.yaml:3: YAML syntax: found duplicate key 'id'",
        ),
        (
            "both.yaml",
            "assets:\n  - id: a\n    location: {country: MX, countries: [MX]}\n",
            "both.yaml:3: assets[0].location: give either 'country' or 'countries'",
        ),
        ("noid.yaml", "assets:\n  - name: a\n", "noid.yaml:2: assets[0]: missing required field"),
        (
            "class.yaml",
            "assets:\n  - id: a\n    classification: secret\n",
            "class.yaml:3: assets[0].classification: 'secret' is not one of: sensitive",
        ),
        (
            "country.yaml",
            "assets:\n  - id: a\n    location: {country: MEX}\n",
            "country.yaml:3: assets[0].location.country: 'MEX' does not match the expected "
            "form (ISO 3166-1",
        ),
        ("empty.yaml", "", "empty.yaml:1: expected a mapping with an 'assets' list, found nothing"),
        (
            "list.yaml",
            "- id: a\n",
            "list.yaml:1: expected a mapping with an 'assets' list, found a list",
        ),
        ("noassets.yaml", "asets: []\n", "noassets.yaml:1: missing required field 'assets'"),
        ("col.csv", "id,regoin\na,x\n", "col.csv:1: regoin: unknown column 'regoin'"),
        ("noid.csv", "name\na\n", "noid.csv:1: the header has no 'id' column"),
        (
            "copies.csv",
            "id,copies\na,replica:us-east-1\nb,replica\n",
            "copies.csv:3: copies: copy 'replica' is not KIND:WHERE[ -> TARGET]",
        ),
        ("cells.csv", "id,name\na,b,c\n", "cells.csv:2: 3 cells but the header has 2"),
        (
            "csvtype.csv",
            "id,classification\na,personal\nb,maybe\n",
            "csvtype.csv:3: assets[1].classification: 'maybe' is not one of",
        ),
        (
            "csvregion.csv",
            "id,provider,region\n\na,azure,Mexico Centrall\n",
            "csvregion.csv:3: assets[0].region: azure region 'Mexico Centrall' is not in",
        ),
    ],
)
def test_bad_inventories_name_file_line_and_field(
    write, locator: Locator, name: str, text: str, expected: str
) -> None:
    path = write(name, text)
    with pytest.raises(InputError) as info:
        _read(path, locator)
    message = str(info.value)
    assert message.startswith(str(path.parent) + "/"), message
    assert expected in message, message


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        _read(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="is a directory"):
        _read(tmp_path)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("assets:\n  - id: Querétaro\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        _read(latin1)


def test_a_utf8_bom_from_a_spreadsheet_is_accepted(write) -> None:
    path = write("excel.csv", "\ufeffid,country\nservidor-1,MX\n")
    assert _read(path)[0].location.countries == ("MX",)


def test_csv_copies_grammar_round_trips(write, locator: Locator) -> None:
    text = (
        "id,provider,region,countries,copies\n"
        "nas,onprem,,MX,backup:aws/us-east-1 -> s3-nas; backup:country=US|CA; backup:?\n"
        "db,aws,mx-central-1,,read-replica:us-east-1 -> db-ro\n"
    )
    nas, db = _read(write("e.csv", text), locator)
    assert [(c.provider, c.region, c.target) for c in nas.copies] == [
        ("aws", "us-east-1", "s3-nas"),
        (None, None, None),
        (None, None, None),
    ]
    assert nas.copies[1].location.countries == ("US", "CA")
    assert nas.copies[2].location.countries == ()
    assert db.copies[0].target == "db-ro"
    from sovaudit.inputs.inventory.csv_format import write_csv

    again = _read(write("again.csv", "".join(write_csv([nas, db]))), locator)
    assert [a.copies for a in again] == [nas.copies, db.copies]
