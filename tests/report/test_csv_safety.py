"""Every CSV sovaudit writes, read as a spreadsheet or a CR-aware parser reads it.

Through the real command, as bytes: a text-mode pipe would turn the CRs these tests are
about into newlines before they could be seen.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sovaudit.csv_cells import BOM, cell, defuse, restore, rows_text
from sovaudit.inputs.inventory.csv_format import read_csv
from tests.process import clean_env

UTF8_BOM = b"\xef\xbb\xbf"
FORMULA = '=HYPERLINK("http://x","y")'
# With rows ended by a bare LF this CR went unquoted, and the rest became an on-premises
# asset in MX when the file was read back.
FORGED = "x\rforged-in-mx,onprem,,,,,,,,MX"
DDE = "=cmd|' /C calc'!A0"
HOSTILE_ASSETS: list[dict[str, Any]] = [
    {
        "id": "-cmd",
        "provider": "saas",
        "name": "'=1+1",
        "description": 'says "hi", twice\nthen\r\nleaves',
        "location": {"country": "MX", "subdivision": "MX-QUE", "city": "Querétaro"},
        "classification": "personal",
        "copies": [{"kind": "backup", "location": {"countries": ["US"]}}],
        "tags": {"link": FORMULA, "note": FORGED, "quoted": "''@x", "plain": "a'b"},
    },
    {
        "id": "crm",
        "provider": "saas",
        "name": f"crm\r{DDE}",
        "location": {"country": "US"},
        "classification": "personal",
        "tags": {"owner-city": "Nuevo León"},
    },
]


def sovaudit(*args: str, cwd: Path) -> bytes:
    """stdout of ``python -m sovaudit ARGS``, as bytes; a failing command fails the test."""
    result = subprocess.run(
        [sys.executable, "-m", "sovaudit", *args],
        capture_output=True,
        cwd=cwd,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return result.stdout


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows a CR-aware reader (Excel, LibreOffice, Python's csv) sees in ``data``."""
    assert data.startswith(UTF8_BOM)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    path = tmp_path / "estate.json"
    path.write_text(json.dumps({"assets": HOSTILE_ASSETS}), encoding="utf-8")
    return path


@pytest.mark.e2e
def test_inventory_csv_defuses_a_formula_tag(estate: Path) -> None:
    rows = csv_rows(sovaudit("inventory", str(estate), "--format", "csv", cwd=estate.parent))
    header, *assets = rows
    assert len(assets) == len(HOSTILE_ASSETS)
    first = dict(zip(header, assets[0], strict=True))
    assert first["tag:link"] == "'" + FORMULA
    assert first["id"] == "'-cmd"
    assert first["name"] == "''=1+1"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row)


@pytest.mark.e2e
@pytest.mark.parametrize("command", ["inventory", "scan"])
def test_inventory_csv_reads_back_exactly(estate: Path, command: str) -> None:
    folder = estate.parent
    sovaudit("inventory", str(estate), "-o", "again.csv", cwd=folder)
    assert (folder / "again.csv").read_bytes().startswith(UTF8_BOM)
    extra = ["--fail-on", "never"] if command == "scan" else []
    before = json.loads(sovaudit(command, str(estate), "--format", "json", *extra, cwd=folder))
    after = json.loads(sovaudit(command, "again.csv", "--format", "json", *extra, cwd=folder))
    assert len(after["assets"]) == len(HOSTILE_ASSETS)
    assert after["assets"][0]["tags"]["note"] == FORGED
    assert after["assets"][0]["description"] == HOSTILE_ASSETS[0]["description"]
    assert after["assets"] == before["assets"]


@pytest.mark.e2e
def test_a_cr_in_a_tag_cannot_forge_an_asset(tmp_path: Path) -> None:
    """Unquoted, the CR ended the row: the tags after it were read as a new row's id,
    provider, seven blank columns and countries, an on-premises asset in MX."""
    tags = {"a0": "x\rforged-in-mx", "a1": "onprem", **{f"a{i}": "" for i in range(2, 9)}}
    tags["a9"] = "MX"
    estate = tmp_path / "estate.json"
    asset = {"id": "a", "provider": "saas", "location": {"country": "US"}, "tags": tags}
    estate.write_text(json.dumps({"assets": [asset]}), encoding="utf-8")
    sovaudit("inventory", str(estate), "-o", "x.csv", cwd=tmp_path)
    assets = json.loads(sovaudit("inventory", "x.csv", "--format", "json", cwd=tmp_path))["assets"]
    assert [a["id"] for a in assets] == ["a"]
    assert assets[0]["tags"]["a0"] == "x\rforged-in-mx"


@pytest.mark.e2e
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "file"])
def test_scan_csv_is_bom_first_one_row_per_finding(estate: Path, to_file: bool) -> None:
    folder = estate.parent
    args = ["scan", str(estate), "--fail-on", "never"]
    if to_file:
        sovaudit(*args, "-o", "scan.csv", cwd=folder)
        data = (folder / "scan.csv").read_bytes()
    else:
        data = sovaudit(*args, "--format", "csv", cwd=folder)
    findings = json.loads(sovaudit(*args, "--format", "json", cwd=folder))["findings"]
    assert findings
    header, *rows = csv_rows(data)
    assert len(rows) == len(findings)
    assert all(len(row) == len(header) for row in rows)
    names = {dict(zip(header, row, strict=True))["asset_name"] for row in rows}
    assert f"crm\r{DDE}" in names
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row)
    assert "Querétaro".encode() in data


@pytest.mark.e2e
def test_inventory_csv_keeps_accents_for_spreadsheets(estate: Path) -> None:
    data = sovaudit("inventory", str(estate), "--format", "csv", cwd=estate.parent)
    assert data.startswith(UTF8_BOM)
    text = data.decode("utf-8-sig")
    assert "Querétaro" in text
    assert "Nuevo León" in text


@pytest.mark.e2e
def test_control_characters_do_not_reach_the_csv(tmp_path: Path) -> None:
    osc52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
    estate = tmp_path / "estate.json"
    estate.write_text(
        json.dumps({"assets": [{"id": "a", "name": f"n{osc52}\x9b2J\x00", "tags": {"t": osc52}}]}),
        encoding="utf-8",
    )
    data = sovaudit("inventory", str(estate), "--format", "csv", cwd=tmp_path)
    text = data.decode("utf-8-sig")
    assert not any(ch in text for ch in "\x1b\x07\x9b\x00")
    assert "\ufffd]52;c;ZWNobyBwd25lZA==\ufffd" in text


@pytest.mark.parametrize("suffix", [".csv", ".yaml", ".json"])
@pytest.mark.e2e
def test_a_byte_order_mark_is_harmless_in_every_inventory_format(
    tmp_path: Path, suffix: str
) -> None:
    texts = {
        ".csv": "id,country\nservidor-1,MX\n",
        ".yaml": "assets:\n  - id: servidor-1\n    location: {country: MX}\n",
        ".json": '{"assets": [{"id": "servidor-1", "location": {"country": "MX"}}]}',
    }
    (tmp_path / f"excel{suffix}").write_bytes(UTF8_BOM + texts[suffix].encode())
    document = json.loads(sovaudit("inventory", f"excel{suffix}", "--format", "json", cwd=tmp_path))
    assert [a["id"] for a in document["assets"]] == ["servidor-1"]
    assert document["assets"][0]["location"]["countries"] == ["MX"]


# The cells themselves.

TRICKY = ["=1", "'=1", "''=1", "'", "''", "'a", "a'", "-", "'-1", "\t", "\r=", "x=1", "@", ""]


@pytest.mark.parametrize("value", TRICKY)
def test_defusing_is_reversible(value: str) -> None:
    defused = defuse(value)
    assert restore(defused) == value
    assert not defused.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("text", "value"),
    [("'=1", "=1"), ("''@x", "'@x"), ("'a", "'a"), ("'", "'"), ("a'", "a'"), ("' =1", "' =1")],
)
def test_restore_takes_one_quote_off_only_before_a_formula_start(text: str, value: str) -> None:
    """A ' typed before text that is no formula is kept: defuse never adds one there."""
    assert restore(text) == value


def test_every_line_break_in_a_field_is_quoted() -> None:
    assert rows_text([["a\rb", "c\nd", "e,f", 'g"h', "i"]]) == ('"a\rb","c\nd","e,f","g""h",i\r\n')


def test_control_characters_become_the_replacement_character() -> None:
    assert cell("a\x1b[2Jb\x7f\x85\x9bc\td\re\nf") == "a\ufffd[2Jb\ufffd\ufffd\ufffdc\td\re\nf"
    assert cell(None) == ""


def test_read_csv_skips_a_byte_order_mark_and_undoes_the_defusing() -> None:
    text = BOM + "id,tag:t\r\n'-a,'''=x\r\n"
    objects, lines = read_csv(text, "t.csv")
    assert objects == [{"id": "-a", "tags": {"t": "''=x"}}]
    assert lines == [2]
