"""From the first bytes of an object to text the detectors can read, or a reason to skip it.

What is read is always a prefix (a ranged GET), so everything here copes with a cut: a gzip
stream that stops mid-block gives what it decompressed so far, a UTF-8 sequence cut in the
middle is dropped, the last line is simply shorter.

Formats: any text (CSV, TSV, JSON, JSONL, logs, XML, SQL dumps, YAML...) in UTF-8, UTF-16
(with BOM), Windows-1252 or Latin-1, plain or gzip-compressed. Binary objects are recognised
by their first bytes (magic numbers, NUL bytes, control characters) and skipped with a reason;
so are, by name, formats that would need a parser this tool does not have (PDF, Office,
Parquet, images): they are counted, since a bucket full of scanned IDs is worth knowing about.
"""

from __future__ import annotations

import codecs
import dataclasses
import zlib

# Skip reasons decided from bytes or names (sample.py adds the ones only a provider knows).
BINARY = "binary"
IMAGE = "image"
DOCUMENT = "document"
EMPTY = "empty"

SNIFF_BYTES = 8192
# More than this share of control characters (other than tab, CR, LF, FF, ESC) is not text.
CONTROL_SHARE = 0.05
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", DOCUMENT),
    (b"PK\x03\x04", DOCUMENT),  # zip: xlsx, docx, odt... and plain zip archives
    (b"\xd0\xcf\x11\xe0", DOCUMENT),  # legacy Office (OLE2)
    (b"\x89PNG", IMAGE),
    (b"\xff\xd8\xff", IMAGE),
    (b"GIF8", IMAGE),
    (b"II*\x00", IMAGE),
    (b"MM\x00*", IMAGE),
    (b"RIFF", BINARY),  # webp, wav, avi
    (b"PAR1", BINARY),  # parquet
    (b"ORC", BINARY),
    (b"Obj\x01", BINARY),  # avro
    (b"BZh", BINARY),  # compressions this reader does not undo
    (b"\xfd7zXZ\x00", BINARY),
    (b"\x28\xb5\x2f\xfd", BINARY),  # zstd
    (b"7z\xbc\xaf", BINARY),
    (b"SQLite format 3", BINARY),
)
_GZIP = b"\x1f\x8b"

_TEXT_SUFFIXES = (
    "csv tsv psv tab txt text json jsonl ndjson geojson log logs out err xml sql yaml yml md "
    "html htm dat ldif vcf eml ics ini conf cfg properties env rtf"
)
TEXT_SUFFIXES = frozenset(_TEXT_SUFFIXES.split())
_NAME_SKIPS = {
    IMAGE: "jpg jpeg png gif bmp tif tiff webp heic heif svgz ico raw dng",
    DOCUMENT: "pdf doc docx xls xlsx xlsm ppt pptx odt ods odp pages numbers key",
    BINARY: (
        "zip tar tgz 7z rar bz2 xz zst lz4 parquet orc avro arrow feather pickle pkl npy npz "
        "h5 hdf5 mp3 mp4 m4a mov avi mkv wav flac ogg webm exe dll so dylib bin jar war class "
        "pyc whl egg iso dmg img vmdk qcow2 woff woff2 ttf otf eot db sqlite sqlite3 mdb "
        "tfrecord pb onnx pt ckpt safetensors"
    ),
}
NAME_SKIPS: dict[str, str] = {
    suffix: reason for reason, suffixes in _NAME_SKIPS.items() for suffix in suffixes.split()
}


def suffixes(key: str) -> list[str]:
    """``data/2024/clientes.CSV.gz`` -> ``["gz", "csv"]`` (last first, lowercased)."""
    name = key.rsplit("/", 1)[-1].lower()
    parts = name.split(".")[1:]
    return list(reversed(parts))[:2]


def skip_by_name(key: str) -> str | None:
    """The skip reason a key's suffix gives (``.jpg`` -> image), or None to read it."""
    found = suffixes(key)
    if not found:
        return None
    last = found[0]
    if last in ("gz", "gzip") and len(found) > 1:
        last = found[1]  # clientes.csv.gz is a CSV; backup.tar.gz is a tarball
    return NAME_SKIPS.get(last)


def text_like_name(key: str) -> bool:
    """Whether the name promises text (read these first: they are where data usually is)."""
    found = suffixes(key)
    if found and found[0] in ("gz", "gzip"):
        found = found[1:]
    return bool(found) and found[0] in TEXT_SUFFIXES


@dataclasses.dataclass(frozen=True)
class Extracted:
    """The text of an object's prefix, or why there is none (``skipped``)."""

    text: str = dataclasses.field(default="", repr=False)  # object data: never in a repr
    skipped: str | None = None
    encoding: str | None = None
    compressed: bool = False


def _gunzip(data: bytes, max_bytes: int) -> bytes | None:
    """As much of a (possibly cut) gzip stream as decompresses, up to ``max_bytes``.

    The cap also defuses a gzip bomb: a few kilobytes that would inflate to gigabytes.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(data, max_bytes)
    except zlib.error:
        return None


def _sniff(head: bytes) -> str | None:
    """A skip reason when the first bytes are not text."""
    for magic, reason in _MAGIC:
        if head.startswith(magic):
            return reason
    if not head:
        return None
    if b"\x00" in head:
        return BINARY
    controls = sum(1 for byte in head if byte in _CONTROL)
    return BINARY if controls > CONTROL_SHARE * len(head) else None


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding that produced it; a sequence cut at the very end is dropped."""
    if data.startswith(codecs.BOM_UTF8):
        return codecs.getincrementaldecoder("utf-8")("ignore").decode(data[3:]), "utf-8"
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=False), "utf-8"
    except UnicodeDecodeError:
        pass
    # Legacy Mexican exports (Excel "CSV", older ERPs) are Windows-1252; Latin-1 decodes the
    # few bytes cp1252 leaves undefined, so it is the last resort that never fails.
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def extract_text(data: bytes, *, max_bytes: int) -> Extracted:
    """The text in ``data`` (an object's first bytes), at most ``max_bytes`` of it decoded."""
    compressed = False
    if data.startswith(_GZIP):
        inflated = _gunzip(data, max_bytes)
        if inflated is None:
            return Extracted(skipped=BINARY, compressed=True)
        data, compressed = inflated, True
    data = data[:max_bytes]
    if not data:
        return Extracted(skipped=EMPTY, compressed=compressed)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder = codecs.getincrementaldecoder("utf-16")("ignore")
        return Extracted(text=decoder.decode(data), encoding="utf-16", compressed=compressed)
    reason = _sniff(data[:SNIFF_BYTES])
    if reason is not None:
        return Extracted(skipped=reason, compressed=compressed)
    text, encoding = _decode(data)
    return Extracted(text=text, encoding=encoding, compressed=compressed)
