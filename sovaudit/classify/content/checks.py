"""Check digits and structural checks that need no library (DOMAIN.md, identifiers table).

CURP and RFC are checked with python-stdnum in detectors.py; these are the others, kept
dependency-free and separate so they can be tested exhaustively and against the ``clabe``
package.
"""

from __future__ import annotations

import datetime

CLABE_LENGTH = 18
# Banxico's CLABE control digit: weights 3, 7, 1 repeated over the first 17 digits, each
# product taken mod 10, the sum mod 10 subtracted from 10 (mod 10).
_CLABE_WEIGHTS = ((3, 7, 1) * 6)[: CLABE_LENGTH - 1]


def clabe_check_digit(first17: str) -> str:
    """The 18th digit of a CLABE whose first 17 digits are ``first17``."""
    if len(first17) != CLABE_LENGTH - 1 or not first17.isdigit():
        raise ValueError("a CLABE check digit needs exactly 17 digits")
    total = sum(int(d) * w % 10 for d, w in zip(first17, _CLABE_WEIGHTS, strict=True))
    return str((10 - total % 10) % 10)


def clabe_digit_ok(number: str) -> bool:
    """18 ASCII digits whose control digit holds (the bank code is checked separately)."""
    return (
        len(number) == CLABE_LENGTH
        and number.isascii()
        and number.isdigit()
        and clabe_check_digit(number[:-1]) == number[-1]
    )


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # 2d, minus 9 when above 9


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) check, as the IMSS uses for the 11th digit of an NSS."""
    if not number or not number.isascii() or not number.isdigit():
        return False
    digits = [ord(char) - 48 for char in number]
    total = sum(digits[-1::-2]) + sum(_LUHN_DOUBLED[d] for d in digits[-2::-2])
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn check."""
    for digit in "0123456789":
        if luhn_ok(payload + digit):
            return digit
    raise ValueError("not a digit string")  # unreachable for digit strings


def yymmdd_ok(text: str) -> bool:
    """Six digits that are a real calendar date (YYMMDD) in the 1900s or 2000s.

    Checked as 20YY: leap years are the same in both centuries (yy % 4 == 0) except 1900,
    whose 29 February is then accepted, which costs nothing.
    """
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        return False
    try:
        datetime.date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        return False
    return True


def plausible_birth(yymmdd: str, min_age: int, max_age: int, today: datetime.date) -> bool:
    """Whether a YYMMDD date is the birth date of someone aged ``min_age``..``max_age`` today.

    Two-digit years are read in the century that makes the person at least ``min_age``. Used
    where an identifier carries a birth date and nothing else vouches for it: an unlabelled
    RFC-shaped code dated last year is a lot number, not a taxpayer.
    """
    if not yymmdd_ok(yymmdd):
        return False
    year = 2000 + int(yymmdd[:2])
    if year > today.year - min_age:
        year -= 100
    return today.year - max_age <= year <= today.year - min_age


# INE's clave de elector: 6 letters from the names, birth date YYMMDD, the birth state as
# 01-32 (INE's alphabetical numbering of the 32 federal entities), sex H/M, 3 digits. The state
# range is the documented one; codes for people born abroad are not public (DOMAIN.md: no
# public check), so such keys are not recognised.
INE_STATES = frozenset(f"{n:02d}" for n in range(1, 33))


INE_MIN_AGE, INE_MAX_AGE = 18, 110  # the credential is issued to voters


def ine_ok(key: str, today: datetime.date | None = None) -> bool:
    """An 18-character clave de elector whose birth date (a voter's) and state are possible."""
    return (
        len(key) == 18
        and key[:6].isalpha()
        and key[:6].isupper()
        and plausible_birth(key[6:12], INE_MIN_AGE, INE_MAX_AGE, today or datetime.date.today())
        and key[12:14] in INE_STATES
        and key[14] in "HM"
        and key[15:].isdigit()
    )
