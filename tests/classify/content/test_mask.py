"""Masked examples show the shape of a value and never the value (docs/content-sampling.md)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from sovaudit.classify.content.detectors import Detectors
from sovaudit.classify.content.mask import MASKS, mask_curp, mask_email, redact_key
from tests.classify.content import generate as gen

# The longest run of the value's own characters, in place, that a mask may show.
MAX_REVEALED_RUN = {"curp": 4, "rfc": 4, "clabe": 3, "nss": 2, "ine": 4, "phone_mx": 2}


def _longest_kept_run(value: str, masked: str) -> int:
    longest = current = 0
    for original, shown in zip(value, masked, strict=True):
        current = current + 1 if original == shown else 0
        longest = max(longest, current)
    return longest


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("curp", gen.curp),
        ("rfc", gen.rfc),
        ("clabe", gen.clabe),
        ("nss", gen.nss),
        ("ine", gen.ine),
        ("phone_mx", gen.phone_national),
    ],
)
def test_masks_keep_the_shape_and_hide_the_value(
    kind: str, make: Callable[[random.Random], str]
) -> None:
    rng = random.Random(42)
    for _ in range(500):
        value = make(rng)
        masked = MASKS[kind](value)
        assert value not in masked
        if kind == "phone_mx":
            assert masked.startswith("+52 ")
            assert len(masked) == 4 + len(value)
            masked = masked[4:]
        assert len(masked) == len(value)
        assert _longest_kept_run(value, masked) <= MAX_REVEALED_RUN[kind]
        hidden = sum(1 for c in masked if c == "*")
        assert hidden >= len(value) // 2


def test_curp_keeps_initials_sex_and_state_only() -> None:
    assert mask_curp("GOMC800101HDFRRL09") == "GOMC******HDF*****"


def test_email_mask_has_a_fixed_length() -> None:
    assert mask_email("juan.perez123@correo.example.mx") == "j***@***.mx"
    assert mask_email("a@b.co") == "a***@***.co"


def test_examples_from_detection_are_masks(tmp_path: object) -> None:
    rng = random.Random(1)
    values = {"curp": gen.curp(rng), "nss": gen.nss(rng), "email": gen.email(rng)}
    text = f"CURP {values['curp']}, NSS {values['nss']}, correo {values['email']}"
    found = {f.kind: f.masked for f in Detectors().find(text)}
    assert set(found) == set(values)
    for kind, value in values.items():
        assert value.lower() not in found[kind].lower()


def test_object_keys_are_redacted_by_shape() -> None:
    rng = random.Random(2)
    curp, nss, email = gen.curp(rng), gen.nss(rng), gen.email(rng)
    key = f"expedientes/{curp}/{nss}-{email}.json"
    redacted = redact_key(key)
    for value in (curp, nss, email):
        assert value not in redacted
    assert redacted.startswith("expedientes/")
    assert redacted.endswith(".json")
    assert redact_key("exports/2024-01-15/clientes.csv") == "exports/2024-01-15/clientes.csv"
