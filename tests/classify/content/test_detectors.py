"""The detectors: generated valid identifiers are found, near-misses and look-alikes are not.

Values come from tests/classify/content/generate.py, whose check digits are computed
independently of python-stdnum and of sovaudit.classify.content.checks. Detectors return
masked forms and keyed hashes only; the tests compare hashes (``fingerprint``) to know *which*
value was found.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable

import clabe as clabe_package
import pytest

from sovaudit.classify.content import checks
from sovaudit.classify.content.detectors import Detectors, fingerprint, require_dependencies
from sovaudit.classify.content.errors import MissingContentExtra
from tests.classify.content import generate as gen

RNG_SEED = 20250321
N = 200


@pytest.fixture(scope="module")
def detectors() -> Detectors:
    return Detectors()


def found(detectors: Detectors, text: str, kind: str | None = None) -> list[bytes]:
    """The fingerprints of what was found (of one kind, when given)."""
    return [f.fingerprint for f in detectors.find(text) if kind is None or f.kind == kind]


def _values(make: Callable[[random.Random], str], count: int = N) -> list[str]:
    rng = random.Random(RNG_SEED)
    return [make(rng) for _ in range(count)]


# --- valid identifiers are found, each as itself -----------------------------------------------


@pytest.mark.parametrize(
    ("kind", "make", "template"),
    [
        ("curp", gen.curp, "CURP del cliente: {v}."),
        ("curp", gen.curp, "{v}"),  # no label needed: the check digit and date carry it
        ("rfc", gen.rfc, "RFC: {v}"),
        ("rfc", gen.rfc, '<cfdi:Receptor Rfc="{v}" Nombre="Cliente" UsoCFDI="G03"/>'),
        ("rfc", gen.rfc, "id,rfc,total\n1,{v},100.00\n"),
        ("rfc", gen.rfc, "Factura emitida a {v}, pagada"),
        ("ine", gen.ine, "credencial {v}"),
        ("ine", gen.ine, "{v}"),
        ("clabe", gen.clabe, "CLABE interbancaria: {v}"),
        ("clabe", gen.clabe, '{{"clabe": "{v}"}}'),
        ("nss", gen.nss, "NSS {v}"),
        ("nss", gen.nss, '{{"numero_seguro_social": "{v}"}}'),
        ("nss", gen.nss, "Número de afiliación IMSS: {v}"),
        ("email", gen.email, "escribir a {v} mañana"),
    ],
)
def test_valid_identifiers_are_found(
    detectors: Detectors, kind: str, make: Callable[[random.Random], str], template: str
) -> None:
    values = _values(make)
    for value in values:
        expected = value.lower() if kind == "email" else value
        assert found(detectors, template.format(v=value), kind) == [fingerprint(kind, expected)]


def test_rfcs_failing_their_mod11_digit_are_found_where_rfcs_are_kept(
    detectors: Detectors,
) -> None:
    """About 1.5% of real RFCs fail the mod-11 check: found in an RFC field, not elsewhere."""
    for value in _values(gen.rfc_wrong_check):
        assert found(detectors, f"RFC: {value}", "rfc") == [fingerprint("rfc", value)]
        assert found(detectors, f'{{"rfc_receptor": "{value}"}}', "rfc") == [
            fingerprint("rfc", value)
        ]
        assert found(detectors, f"lote {value}", "rfc") == []


@pytest.mark.parametrize("formats", range(5))
def test_mexican_phone_numbers_in_every_usual_format(detectors: Detectors, formats: int) -> None:
    for national in _values(gen.phone_national, 50):
        written = gen.phone_formats(national)[formats]
        labelled = f"Teléfono celular: {written}"
        assert found(detectors, labelled, "phone_mx") == [fingerprint("phone_mx", national)]


def test_phone_without_label_needs_the_country_code(detectors: Detectors) -> None:
    for national in _values(gen.phone_national, 50):
        assert found(detectors, f"pedido {national} enviado", "phone_mx") == []
        assert found(detectors, f"llámame al +52 {national}", "phone_mx") == [
            fingerprint("phone_mx", national)
        ]


def test_csv_column_headers_are_labels(detectors: Detectors) -> None:
    rng = random.Random(7)
    rows = [(gen.nss(rng), gen.digits(rng, 11), gen.clabe(rng)) for _ in range(30)]
    text = "folio;nss_empleado;pedido;cuenta_clabe\n" + "".join(
        f"{i};{nss};{order};{account}\n" for i, (nss, order, account) in enumerate(rows)
    )
    nss_found = found(detectors, text, "nss")
    assert sorted(nss_found) == sorted(fingerprint("nss", r[0]) for r in rows)
    assert sorted(found(detectors, text, "clabe")) == sorted(
        fingerprint("clabe", r[2]) for r in rows
    )


def test_quoted_csv_headers_and_commas_inside_quotes(detectors: Detectors) -> None:
    rng = random.Random(8)
    value = gen.nss(rng)
    text = f'"nombre","direccion","nss"\n"Ana","Calle 5, Col. Centro","{value}"\n'
    assert found(detectors, text, "nss") == [fingerprint("nss", value)]


# --- near-misses and look-alikes are not -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "make", "template"),
    [
        ("curp", gen.curp_wrong_check, "CURP: {v}"),
        ("curp", gen.curp_bad_date, "CURP: {v}"),
        ("curp", lambda r: gen.curp(r)[:-1], "CURP: {v}"),  # 17 characters
        ("curp", lambda r: gen.curp(r) + "7", "CURP: {v}"),  # 19
        ("rfc", gen.company_rfc, "RFC: {v}"),  # a company, not a person
        ("rfc", gen.rfc, "lote {v}"),  # RFC-shaped codes are everywhere: a label is needed
        ("rfc", lambda r: gen.rfc(r)[:-1], "RFC: {v}"),
        ("clabe", gen.clabe_wrong_check, "CLABE: {v}"),
        ("clabe", gen.clabe_unknown_bank, "CLABE: {v}"),
        ("clabe", lambda r: gen.clabe(r)[:-1], "CLABE: {v}"),
        ("clabe", lambda r: gen.clabe(r) + "3", "CLABE: {v}"),
        ("clabe", gen.clabe, "id_usuario: {v}"),  # valid digits, no banking label
        ("nss", gen.nss_wrong_check, "NSS: {v}"),
        ("nss", gen.nss, "folio {v}"),  # Luhn-valid, not labelled
        ("nss", lambda r: gen.nss(r)[:-1], "NSS: {v}"),
        ("ine", gen.ine_bad_state, "INE {v}"),
        ("ine", lambda r: gen.ine(r)[:-1], "INE {v}"),
    ],
)
def test_near_misses_are_not_found(
    detectors: Detectors, kind: str, make: Callable[[random.Random], str], template: str
) -> None:
    for value in _values(make):
        assert found(detectors, template.format(v=value), kind) == [], value[:2]


def test_look_alike_noise_finds_nothing(detectors: Detectors) -> None:
    rng = random.Random(99)
    lines = []
    for _ in range(300):
        lines.append(
            f'{{"order": {gen.digits(rng, 11)}, "ts": {gen.unix_time(rng)}, '
            f'"id": "{gen.snowflake(rng)}", "lot": "{gen.sku(rng)}", '
            f'"ms": {gen.digits(rng, 13)}, "amount": {rng.randint(1, 99999)}.{rng.randint(0, 99)}}}'
        )
    assert found(detectors, "\n".join(lines)) == []


def test_role_mailboxes_and_file_names_are_not_personal(detectors: Detectors) -> None:
    text = (
        "no-reply@example.com, Soporte@example.mx, facturacion+mx@example.com, "
        "icon@2x.png, logo@3x.webp, git@github.example.com"
    )
    assert found(detectors, text, "email") == []


def test_identifiers_glued_into_longer_tokens_are_not_found(detectors: Detectors) -> None:
    rng = random.Random(3)
    value = gen.curp(rng)
    assert found(detectors, f"X{value}", "curp") == []
    assert found(detectors, f"{value}9", "curp") == []
    account = gen.clabe(rng)
    assert found(detectors, f"CLABE: 7{account}", "clabe") == []


# --- the check functions ---------------------------------------------------------------------


def test_clabe_check_digit_agrees_with_the_clabe_package() -> None:
    """Differential: our 3-7-1 digit against cuenca-mx's, over random bodies."""
    rng = random.Random(11)
    for _ in range(5000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        assert checks.clabe_check_digit(body) == clabe_package.compute_control_digit(body)


def test_clabe_validity_agrees_with_the_clabe_package_on_known_banks(detectors: Detectors) -> None:
    rng = random.Random(12)
    banks = sorted(detectors.vocab.clabe_banks)
    agree = 0
    for _ in range(5000):
        number = rng.choice(banks) + "".join(rng.choice("0123456789") for _ in range(15))
        ours = checks.clabe_digit_ok(number) and number[:3] in detectors.vocab.clabe_banks
        assert ours == clabe_package.validate_clabe(number)
        agree += ours
    assert agree > 300  # about one in ten passes: the comparison saw both outcomes


def test_check_digit_input_is_checked() -> None:
    with pytest.raises(ValueError, match="17 digits"):
        checks.clabe_check_digit("12")
    assert not checks.clabe_digit_ok("٠" * 18)  # Arabic-Indic digits are not ASCII
    assert checks.luhn_ok("79927398713")
    assert not checks.luhn_ok("79927398710")
    assert not checks.luhn_ok("")
    assert checks.luhn_check_digit("7992739871") == "3"
    assert checks.yymmdd_ok("000229")  # 2000 was a leap year
    assert not checks.yymmdd_ok("010229")
    assert not checks.yymmdd_ok("991301")


def test_missing_library_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "phonenumbers", None)
    with pytest.raises(MissingContentExtra) as raised:
        require_dependencies()
    assert "pip install 'sovaudit[content]'" in str(raised.value)
    assert "phonenumbers" in str(raised.value)
    assert raised.value.exit_code == 2


def test_found_values_never_appear_in_reprs(detectors: Detectors) -> None:
    rng = random.Random(5)
    value = gen.curp(rng)
    [hit] = detectors.find(f"CURP {value}")
    assert value not in repr(hit)
    assert value not in hit.masked


def test_the_near_miss_bucket_holds_nothing(detectors: Detectors) -> None:
    """The corpus the S3 and GCS end-to-end tests use for "near-miss files are not personal"."""
    from tests.classify.content.corpus import near_miss_bucket

    bucket = near_miss_bucket()
    assert len(bucket.values) == 30 * 6
    for key, data in bucket.objects.items():
        assert list(detectors.find(data.decode())) == [], key
