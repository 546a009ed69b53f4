"""The sampler's limits, order, skips, errors and verdicts, against an in-memory source."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from sovaudit.classify.content.errors import ObjectReadError
from sovaudit.classify.content.sample import FETCH_FACTOR, Sampler, SamplingLimits, spread
from sovaudit.model import Classification
from tests.classify.content import generate as gen
from tests.classify.content.fake_source import MemorySource


def people_csv(rng: random.Random, rows: int = 5, extra: str = "") -> bytes:
    lines = [f"id,curp,email{',' + extra if extra else ''}"]
    for i in range(rows):
        lines.append(f"{i},{gen.curp(rng)},{gen.email(rng)}{',x' if extra else ''}")
    return ("\n".join(lines) + "\n").encode()


def sample(source: MemorySource, **limits: int) -> tuple[Sampler, object]:
    sampler = Sampler(SamplingLimits(**limits))
    return sampler, sampler.sample(source)


# --- limits ---------------------------------------------------------------------------------


def test_objects_per_bucket_and_an_even_spread() -> None:
    rng = random.Random(1)
    source = MemorySource({f"exports/{i:03d}.csv": people_csv(rng, 2) for i in range(100)})
    _, result = sample(source, objects_per_bucket=5)

    assert result.objects_read == 5
    assert source.read_keys == [f"exports/{i:03d}.csv" for i in (0, 20, 40, 60, 80)]
    assert result.objects_listed == 100
    assert "objects" in result.limited_by
    assert result.classification is Classification.PERSONAL


def test_bytes_per_object_is_what_each_read_asks_for() -> None:
    rng = random.Random(2)
    big = people_csv(rng, 200)
    small = b"id,nota\n1,hola\n"
    source = MemorySource({"a.csv": big, "b.csv": big, "c.csv": small})
    _, result = sample(source, bytes_per_object=1000)

    assert source.reads == [("a.csv", 1000), ("b.csv", 1000), ("c.csv", len(small))]
    assert result.bytes_read == 2000 + len(small)
    assert "bytes" in result.limited_by


def test_total_budget_is_shared_across_buckets_and_samplers() -> None:
    rng = random.Random(3)
    limits = SamplingLimits(bytes_per_object=1000, total_bytes=2500)
    first = MemorySource({f"{i}.csv": people_csv(rng, 100) for i in range(2)})
    second = MemorySource({f"{i}.csv": people_csv(rng, 100) for i in range(3)})
    one = Sampler(limits).sample(first)
    two = Sampler(limits).sample(second)  # another worker of the same scan

    assert [n for _, n in first.reads] == [1000, 1000]
    assert [n for _, n in second.reads] == [500]
    assert one.bytes_read + two.bytes_read == 2500
    assert limits.budget.remaining == 0
    assert "budget" not in one.limited_by
    assert "budget" in two.limited_by


def test_unused_reservations_go_back_to_the_budget() -> None:
    limits = SamplingLimits(bytes_per_object=1000, total_bytes=5000)
    source = MemorySource({"a.csv": b"x" * 10, "b.csv": b"y" * 10})
    source.skips = {"b.csv": "encrypted"}
    Sampler(limits).sample(source)
    assert limits.budget.remaining == 5000 - 10


def test_only_the_first_keys_are_listed() -> None:
    source = MemorySource({f"{i:02d}.txt": b"hola\n" for i in range(15)})
    _, result = sample(source, list_limit=10)
    assert source.listings == [11]
    assert result.objects_listed == 10
    assert "listing" in result.limited_by


def test_reads_without_text_are_bounded() -> None:
    import os

    source = MemorySource({f"blob-{i:02d}": b"\x00" + os.urandom(200) for i in range(50)})
    _, result = sample(source, objects_per_bucket=5)
    assert len(source.reads) == FETCH_FACTOR * 5
    assert result.objects_read == 0
    assert result.skipped == {"binary": FETCH_FACTOR * 5}
    assert result.classification is Classification.UNKNOWN


# --- order and skips ----------------------------------------------------------------------------


def test_text_names_first_and_skips_counted_by_reason() -> None:
    rng = random.Random(4)
    source = MemorySource(
        {
            "a-no-extension": people_csv(rng),
            "b.csv": people_csv(rng),
            "c.jpg": b"\xff\xd8\xff" + b"0" * 10,
            "d.pdf": b"%PDF-1.4",
            "e/": b"",
            "f.txt": b"",
            "g.csv": people_csv(rng),
            "h.json.gz": gzip.compress(b'{"nota": "sin datos"}\n'),
            "i.bin": b"\x00\x01",
            "j.csv": people_csv(rng),
            "k.log": b"\x00binary despite the name",
        },
        archived=frozenset({"g.csv"}),
    )
    source.skips = {"j.csv": "encrypted"}
    _, result = sample(source, objects_per_bucket=20)

    assert source.read_keys == ["b.csv", "h.json.gz", "j.csv", "k.log", "a-no-extension"]
    assert result.skipped == {
        "archived": 1,
        "binary": 2,
        "document": 1,
        "empty": 1,
        "encrypted": 1,
        "folder": 1,
        "image": 1,
    }
    assert result.objects_skipped == 8
    assert result.objects_read == 3


def test_spread() -> None:
    assert spread(list(range(10)), 3) == [0, 3, 6, 1, 2, 4, 5, 7, 8, 9]
    assert spread([1, 2], 5) == [1, 2]


# --- errors -----------------------------------------------------------------------------------


def test_a_denied_read_stops_the_bucket_and_never_says_none() -> None:
    source = MemorySource({f"{i}.csv": b"id\n1\n" for i in range(10)})
    source.failures = {
        key: ObjectReadError("access denied: s3:GetObject (AccessDenied)", denied=True)
        for key in source.objects
    }
    _, result = sample(source)
    assert len(source.reads) == 1
    assert result.errors == ("access denied: s3:GetObject (AccessDenied)",)
    assert result.classification is Classification.UNKNOWN


def test_other_read_errors_are_tolerated_up_to_three() -> None:
    source = MemorySource({f"{i}.csv": b"id\n1\n" for i in range(10)})
    source.failures = {key: ObjectReadError("timeout") for key in source.objects}
    _, result = sample(source)
    assert len(source.reads) == 3
    assert result.errors == ("timeout",) * 3
    assert result.classification is Classification.UNKNOWN


def test_evidence_found_before_an_error_still_counts() -> None:
    rng = random.Random(5)
    source = MemorySource({"a.csv": people_csv(rng), "b.csv": b"id\n"})
    source.failures = {"b.csv": ObjectReadError("denied", denied=True)}
    _, result = sample(source)
    assert result.classification is Classification.PERSONAL
    assert result.errors == ("denied",)


def test_a_refused_listing() -> None:
    source = MemorySource({"a.csv": b"x"}, listing_error=ObjectReadError("denied", denied=True))
    _, result = sample(source)
    assert source.reads == []
    assert result.errors == ("denied",)
    assert result.classification is Classification.UNKNOWN


# --- verdicts -----------------------------------------------------------------------------------


def _text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_contact_data_needs_several_people() -> None:
    two = MemorySource({"a.txt": _text("ana.lopez@example.com", "luis.garcia@example.com") * 3})
    three = MemorySource(
        {"a.txt": _text("ana.lopez@example.com", "luis.garcia@example.com", "eva@example.mx")}
    )
    assert sample(two)[1].classification is Classification.NONE
    assert sample(two)[1].identifiers == {"email": 6}
    assert sample(two)[1].distinct_identifiers == {"email": 2}
    assert sample(three)[1].classification is Classification.PERSONAL


def test_one_national_id_is_personal() -> None:
    rng = random.Random(6)
    source = MemorySource({"a.txt": _text(f"CURP {gen.curp(rng)}")})
    assert sample(source)[1].classification is Classification.PERSONAL


def test_identifiers_with_sensitive_terms_in_one_object_are_sensitive() -> None:
    rng = random.Random(7)
    together = MemorySource({"pacientes.csv": people_csv(rng, 3, extra="diagnostico")})
    apart = MemorySource(
        {"pacientes.csv": people_csv(rng, 3), "politica.txt": _text("Tipo de sangre y alergias")}
    )
    result = sample(together)[1]
    assert result.classification is Classification.SENSITIVE
    assert result.categories == {"health": 1}
    assert sample(apart)[1].classification is Classification.PERSONAL


def test_empty_bucket_is_none_and_unreadable_bucket_unknown() -> None:
    assert sample(MemorySource({}))[1].classification is Classification.NONE
    images = MemorySource({"a.jpg": b"\xff\xd8\xff", "b.png": b"\x89PNG"})
    result = sample(images)[1]
    assert result.classification is Classification.UNKNOWN
    assert images.reads == []


def test_evidence_is_capped_redacted_and_never_holds_a_value() -> None:
    rng = random.Random(8)
    curps = [gen.curp(rng) for _ in range(40)]
    objects = {
        f"clientes/{curps[i]}.csv": _text("curp", *curps[i * 4 : i * 4 + 4]) for i in range(10)
    }
    source = MemorySource(objects)
    _, result = sample(source, examples_per_type=3, objects_reported=4)

    assert result.identifiers == {"curp": 40}
    assert result.distinct_identifiers == {"curp": 40}
    assert result.objects_with_hits == 10
    assert len(result.objects) == 4
    assert len(result.examples["curp"]) == 3
    rendered = json.dumps(result.to_dict()) + repr(result)
    for value in curps:
        assert value not in rendered
    assert all(o.key.startswith("clientes/") and o.key.endswith(".csv") for o in result.objects)


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="objects_per_bucket"):
        SamplingLimits(objects_per_bucket=0)
    with pytest.raises(ValueError, match="negative"):
        SamplingLimits(total_bytes=-1)
    limits = SamplingLimits()
    assert limits.describe() == {
        "objects_per_bucket": 20,
        "bytes_per_object": 1 << 20,
        "total_bytes": 256 << 20,
    }
    assert limits.budget.remaining == 256 << 20


def test_decompressed_text_is_capped_by_the_inflation_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A gzip prefix inflates to at most 8x --sample-bytes and never beyond MAX_INFLATED."""
    from sovaudit.classify.content import sample as sample_module

    rng = random.Random(9)
    people = [gen.curp(rng) for _ in range(10)]
    rows = [f"{people[i % 10]},x\n" for i in range(4000)]  # ~84 KB of text, 4000 CURPs
    packed = gzip.compress(("curp,nota\n" + "".join(rows)).encode())
    assert len(packed) < 5_000
    source = MemorySource({"clientes.csv.gz": packed})

    _, whole = sample(source)
    assert whole.identifiers == {"curp": 4000}

    monkeypatch.setattr(sample_module, "MAX_INFLATED", 21_000)  # about a thousand rows
    _, capped = sample(source)
    assert 900 < capped.identifiers["curp"] < 1100


def test_error_messages_that_quote_a_key_are_redacted_like_keys() -> None:
    """A connection error's text can carry the URL, and the URL the key (`.../GOMC8001...`)."""
    rng = random.Random(10)
    curp = gen.curp(rng)
    source = MemorySource({f"expedientes/{curp}.csv": b"curp\n"})
    source.failures = {
        f"expedientes/{curp}.csv": ObjectReadError(
            f"storage.objects.get failed: Max retries exceeded with url: /b/x/o/{curp}.csv"
        )
    }
    _, result = sample(source)
    assert len(result.errors) == 1
    assert curp not in result.errors[0]
    assert curp[:4] in result.errors[0]  # redacted by shape, still recognisable as a key
