"""From an object's first bytes to text: encodings, gzip (whole or cut), binary skipped."""

from __future__ import annotations

import gzip
import io
import os
import zipfile

import pytest

from sovaudit.classify.content.text import (
    BINARY,
    DOCUMENT,
    EMPTY,
    IMAGE,
    extract_text,
    skip_by_name,
    text_like_name,
)

CSV = "nombre,diagnóstico,teléfono\nJosé Núñez,Señal débil,5512345678\n" * 50


def test_utf8_text() -> None:
    extracted = extract_text(CSV.encode("utf-8"), max_bytes=1 << 20)
    assert extracted.skipped is None
    assert extracted.encoding == "utf-8"
    assert extracted.text == CSV


def test_a_utf8_sequence_cut_at_the_end_is_dropped_not_misread() -> None:
    data = CSV.encode("utf-8")
    cut = data[: data.index("ó".encode()) + 1]  # half of the two-byte ó
    extracted = extract_text(cut, max_bytes=1 << 20)
    assert extracted.encoding == "utf-8"
    assert extracted.text == "nombre,diagn"


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_legacy_encodings(codec: str) -> None:
    extracted = extract_text(CSV.encode(codec), max_bytes=1 << 20)
    assert extracted.skipped is None
    assert extracted.encoding in ("cp1252", "latin-1")
    assert "diagnóstico" in extracted.text
    assert "José Núñez" in extracted.text


def test_utf16_with_bom() -> None:
    extracted = extract_text(CSV.encode("utf-16"), max_bytes=1 << 20)
    assert extracted.encoding == "utf-16"
    assert extracted.text == CSV


def test_gzip_whole_and_cut() -> None:
    packed = gzip.compress((CSV * 20).encode("utf-8"))
    whole = extract_text(packed, max_bytes=1 << 20)
    assert whole.compressed
    assert whole.text == CSV * 20
    # A ranged read stops mid-stream: what decompressed so far is still text.
    cut = extract_text(packed[: len(packed) // 2], max_bytes=1 << 20)
    assert cut.compressed
    assert cut.skipped is None
    assert cut.text.startswith("nombre,diagnóstico")
    assert 0 < len(cut.text) < len(CSV * 20)


def test_gzip_output_is_capped() -> None:
    bomb = gzip.compress(b"a" * (20 << 20))  # 20 MiB of text in ~20 KiB
    extracted = extract_text(bomb, max_bytes=1 << 20)
    assert len(extracted.text) == 1 << 20


def test_gzip_of_binary_is_binary() -> None:
    extracted = extract_text(gzip.compress(os.urandom(4096)), max_bytes=1 << 20)
    assert (extracted.skipped, extracted.compressed) == (BINARY, True)
    assert extracted.text == ""


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hola")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n...", DOCUMENT),
        (_zip(), DOCUMENT),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(64), IMAGE),
        (b"\xff\xd8\xff\xe0" + os.urandom(64), IMAGE),
        (b"PAR1" + os.urandom(64), BINARY),
        (b"some text\x00with a NUL", BINARY),
        (bytes(range(1, 32)) * 10, BINARY),
        (b"", EMPTY),
        (b"\x1f\x8b\x08garbage", BINARY),
    ],
)
def test_what_is_not_text_is_skipped_with_a_reason(data: bytes, reason: str) -> None:
    extracted = extract_text(data, max_bytes=1 << 20)
    assert extracted.skipped == reason
    assert extracted.text == ""


def test_text_never_appears_in_repr() -> None:
    extracted = extract_text(b"CURP secret-looking", max_bytes=100)
    assert "secret" not in repr(extracted)


@pytest.mark.parametrize(
    ("key", "reason", "text_like"),
    [
        ("exports/clientes.csv", None, True),
        ("exports/clientes.CSV.gz", None, True),
        ("logs/app.jsonl", None, True),
        ("raw/no-extension", None, False),
        ("scans/ine-frente.jpg", IMAGE, False),
        ("contratos/firma.pdf", DOCUMENT, False),
        ("reportes/nomina.xlsx", DOCUMENT, False),
        ("lake/part-0001.parquet", BINARY, False),
        ("backup/db.tar.gz", BINARY, False),
    ],
)
def test_names(key: str, reason: str | None, text_like: bool) -> None:
    assert skip_by_name(key) == reason
    assert text_like_name(key) is text_like
