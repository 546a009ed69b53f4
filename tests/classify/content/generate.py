"""Synthetic Mexican identifiers with correct (or deliberately wrong) check digits.

Shared by the tests and bench/bench_content.py. Everything is generated from a seeded
``random.Random``: no real person's data is ever used, and check digits are computed here,
independently of the code under test (python-stdnum and sovaudit.classify.content.checks), so the
tests compare two implementations rather than one with itself.
"""

from __future__ import annotations

import datetime
import random
import string

CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"
VOWELS = "AEIOU"
# CURP's two-letter state codes (RENAPO), NE = born abroad.
_STATES = (
    "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL VZ "
    "YN ZS NE"
)
CURP_STATES = _STATES.split()
# Four-letter words CURP and RFC replace (RENAPO and SAT lists); a generator must not make them.
_AVOID_WORDS = """
    BACA BAKA BUEI BUEY CACA CACO CAGA CAGO CAKA CAKO COGE COGI COJA COJE COJI COJO COLA CULO
    FALO FETO GETA GUEI GUEY JETA JOTO KACA KACO KAGA KAGO KAKA KAKO KOGE KOGI KOJA KOJE KOJI
    KOJO KOLA KULO LILO LOCA LOCO LOKA LOKO MAME MAMO MEAR MEAS MEON MIAR MION MOCO MOKO MULA
    MULO NACA NACO PEDA PEDO PENE PIPI PITO POPO PUTA PUTO QULO RATA ROBA ROBE ROBO RUIN SENO
    TETA VACA VAGA VAGO VAKA VUEI VUEY WUEI WUEY
"""
_AVOID = set(_AVOID_WORDS.split())
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
CLABE_BANKS = ("002", "012", "014", "021", "030", "036", "044", "072", "127", "137", "646", "722")
PHONE_AREAS = ("55", "33", "81", "222", "442", "664", "999", "477")
FIRST_NAMES = ("juan", "maria", "jose", "guadalupe", "luis", "ana", "carlos", "sofia", "miguel")
SURNAMES = ("garcia", "hernandez", "lopez", "martinez", "gonzalez", "perez", "rodriguez", "sanchez")
# Birth years of adults (RFC holders, voters), whatever year the tests run in until 2035.
ADULTS_FROM, ADULTS_TO = 1940, 2005
DOMAINS = ("example.com", "example.mx", "correo.example.org", "empresa.example.net")


def _initials(rng: random.Random) -> str:
    """Four letters as the name rule builds them: consonant, vowel, two letters."""
    while True:
        word = (
            rng.choice(CONSONANTS)
            + rng.choice(VOWELS)
            + rng.choice(string.ascii_uppercase)
            + rng.choice(string.ascii_uppercase)
        )
        if word not in _AVOID:
            return word


def _date(rng: random.Random, start: int = 1940, end: int = 2012) -> datetime.date:
    first = datetime.date(start, 1, 1).toordinal()
    last = datetime.date(end, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(first, last))


# --- CURP -----------------------------------------------------------------------------------


def curp_check_digit(first17: str) -> str:
    total = sum(_CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


def curp(rng: random.Random) -> str:
    born = _date(rng)
    body = (
        _initials(rng)
        + born.strftime("%y%m%d")
        + rng.choice("HM")
        + rng.choice(CURP_STATES)
        + "".join(rng.choice(CONSONANTS) for _ in range(3))
        + (rng.choice(string.digits) if born.year < 2000 else rng.choice(string.ascii_uppercase))
    )
    return body + curp_check_digit(body)


def curp_wrong_check(rng: random.Random) -> str:
    good = curp(rng)
    return good[:-1] + str((int(good[-1]) + rng.randint(1, 9)) % 10)


def curp_bad_date(rng: random.Random) -> str:
    good = curp(rng)
    body = good[:6] + "13" + good[8:17]  # month 13
    return body + curp_check_digit(body)


# --- RFC (persona física, 13 characters) ------------------------------------------------------


def rfc_check_digit(first12: str) -> str:
    padded = ("   " + first12)[-12:]
    total = sum(_RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    return _RFC_ALPHABET[(11 - total) % 11]


def rfc(rng: random.Random) -> str:
    while True:
        body = (
            _initials(rng)
            + _date(rng, ADULTS_FROM, ADULTS_TO).strftime("%y%m%d")
            + rng.choice("123456789ABCDEFGHIJKLMNPQRSTUV")
            + rng.choice("123456789ABCDEFGHIJKLMNPQRSTUVWXYZ")
        )
        check = rfc_check_digit(body)
        if check in "0123456789A":  # the homoclave's third character is a digit or A
            return body + check


def rfc_wrong_check(rng: random.Random) -> str:
    """An RFC whose mod-11 digit fails, as ~1.5% of real ones do."""
    good = rfc(rng)
    wrong = [d for d in "0123456789A" if d != good[-1]]
    return good[:-1] + rng.choice(wrong)


def company_rfc(rng: random.Random) -> str:
    body = "".join(rng.choice(CONSONANTS) for _ in range(3)) + _date(rng).strftime("%y%m%d") + "A1"
    return body + rng.choice("0123456789")


# --- CLABE ------------------------------------------------------------------------------------


def clabe_check_digit(first17: str) -> str:
    weights = ([3, 7, 1] * 6)[:17]
    total = sum((int(d) * w) % 10 for d, w in zip(first17, weights, strict=True))
    return str((10 - total % 10) % 10)


def clabe(rng: random.Random, bank: str | None = None) -> str:
    body = (bank or rng.choice(CLABE_BANKS)) + "".join(rng.choice(string.digits) for _ in range(14))
    return body + clabe_check_digit(body)


def clabe_wrong_check(rng: random.Random) -> str:
    good = clabe(rng)
    return good[:-1] + str((int(good[-1]) + rng.randint(1, 9)) % 10)


def clabe_unknown_bank(rng: random.Random) -> str:
    return clabe(rng, bank="999")


# --- NSS --------------------------------------------------------------------------------------


def luhn_digit(payload: str) -> str:
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the check digit will be appended to the right
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def nss(rng: random.Random) -> str:
    payload = (
        f"{rng.randint(1, 99):02d}"  # IMSS sub-delegation
        + f"{rng.randint(0, 99):02d}"  # year of registration
        + f"{rng.randint(0, 99):02d}"  # year of birth
        + f"{rng.randint(0, 9999):04d}"
    )
    return payload + luhn_digit(payload)


def nss_wrong_check(rng: random.Random) -> str:
    good = nss(rng)
    return good[:-1] + str((int(good[-1]) + rng.randint(1, 9)) % 10)


# --- INE clave de elector ---------------------------------------------------------------------


def ine(rng: random.Random) -> str:
    return (
        "".join(rng.choice(string.ascii_uppercase) for _ in range(6))
        + _date(rng, ADULTS_FROM, ADULTS_TO).strftime("%y%m%d")
        + f"{rng.randint(1, 32):02d}"
        + rng.choice("HM")
        + f"{rng.randint(0, 999):03d}"
    )


def ine_bad_state(rng: random.Random) -> str:
    good = ine(rng)
    return good[:12] + "47" + good[14:]


# --- phone and e-mail -------------------------------------------------------------------------


def phone_national(rng: random.Random) -> str:
    area = rng.choice(PHONE_AREAS)
    return (
        area
        + "".join(rng.choice(string.digits) for _ in range(10 - len(area) - 1))
        + str(rng.randint(0, 9))
    )


def phone_formats(national: str) -> list[str]:
    """Ways people write the same Mexican number."""
    return [
        f"+52 {national[:2]} {national[2:6]} {national[6:]}",
        f"+52{national}",
        f"({national[:2]}) {national[2:6]}-{national[6:]}",
        national,
        f"{national[:2]}-{national[2:6]}-{national[6:]}",
    ]


def email(rng: random.Random) -> str:
    return (
        f"{rng.choice(FIRST_NAMES)}.{rng.choice(SURNAMES)}{rng.randint(1, 999)}"
        f"@{rng.choice(DOMAINS)}"
    )


# --- look-alike noise -------------------------------------------------------------------------


def digits(rng: random.Random, count: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(count - 1))


def snowflake(rng: random.Random) -> str:
    """An 18-digit id (Twitter/Discord style): a CLABE's length, one in ten passes its check."""
    return digits(rng, 18)


def unix_time(rng: random.Random) -> str:
    return str(rng.randint(1_400_000_000, 1_800_000_000))


def sku(rng: random.Random) -> str:
    """Lot codes shaped like an RFC: four letters, a date, three characters."""
    return (
        "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        + _date(rng, 2015, 2025).strftime("%y%m%d")
        + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(3))
    )
