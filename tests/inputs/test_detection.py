"""Recognising a file costs a look at its start: the export readers say no to an inventory
from its first bytes, without decoding the rest (a 200 MB estate is read once, not four times)."""

from __future__ import annotations

import json
from pathlib import Path

from sovaudit.inputs.peek import Peek
from sovaudit.inputs.readers import READERS, reader_named


def test_export_readers_refuse_an_inventory_from_its_first_bytes(tmp_path: Path):
    path = tmp_path / "estate.json"
    assets = [{"id": f"a{n}", "provider": "aws", "region": "mx-central-1"} for n in range(20_000)]
    path.write_text(json.dumps({"assets": assets}), encoding="utf-8")
    peek = Peek(path)
    for name in ("azure", "gcp-assets", "aws-config"):
        assert not reader_named(name).detects(peek), name
    assert "_top" not in peek.__dict__  # the whole file was never decoded


def test_every_reader_is_importable_and_named_as_registered():
    for name in READERS:
        assert reader_named(name).name == name
