"""Masked examples: enough to see *what kind* of value was found, never enough to rebuild it.

The scheme (docs/content-sampling.md), one rule per type, same length as the value so a
reader recognises the shape:

==========  ====================  =====================================================
type        example output        what is kept
==========  ====================  =====================================================
curp        ``GOMC******HDF*****``  the four name initials, sex and birth state
rfc         ``GODE*********``       the four name initials
clabe       ``012***************``  the bank code
nss         ``12*********``         the IMSS sub-delegation
ine         ``GOMC**************``  four of the six name letters
phone_mx    ``+52 55********``      country code and the first two national digits
email       ``j***@***.mx``         first letter of the mailbox and the top-level domain
==========  ====================  =====================================================

What is hidden is what identifies a person: birth date, serial and check digits, account
number, the rest of the line. The check digit in particular is never shown: with the
initials, sex and state known, it would narrow a CURP's birth date tenfold.
"""

from __future__ import annotations

import re
from collections.abc import Callable

STAR = "*"


def _keep(value: str, *spans: tuple[int, int]) -> str:
    """``value`` with every character outside ``spans`` replaced by a star."""
    chars = [STAR] * len(value)
    for start, end in spans:
        chars[start:end] = value[start:end]
    return "".join(chars)


def mask_curp(value: str) -> str:
    return _keep(value, (0, 4), (10, 13))


def mask_rfc(value: str) -> str:
    return _keep(value, (0, 4))


def mask_clabe(value: str) -> str:
    return _keep(value, (0, 3))


def mask_nss(value: str) -> str:
    return _keep(value, (0, 2))


def mask_ine(value: str) -> str:
    return _keep(value, (0, 4))


def mask_phone_mx(national: str) -> str:
    """From the 10-digit national number: ``+52 55********``."""
    return "+52 " + _keep(national, (0, 2))


def mask_email(value: str) -> str:
    """A fixed-length mask: the mailbox's and the domain's length say nothing."""
    local, _, domain = value.rpartition("@")
    tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
    return f"{local[:1]}***@***.{tld.lower()}"


MASKS: dict[str, Callable[[str], str]] = {
    "curp": mask_curp,
    "rfc": mask_rfc,
    "clabe": mask_clabe,
    "nss": mask_nss,
    "ine": mask_ine,
    "phone_mx": mask_phone_mx,
    "email": mask_email,
}

# --- object keys ---------------------------------------------------------------------------
# A key is reported for each object with hits, and keys are written by the same systems that
# write the data: ``expedientes/GOMC800101HDFRRL09.pdf``. Keys are redacted by *shape*, with no
# validation, because over-redacting a key costs nothing.

_KEY_SHAPES = re.compile(
    r"(?P<curp>[A-Z]{4}\d{6}[A-Z]{6}[0-9A-Z]\d)"
    r"|(?P<ine>[A-Z]{6}\d{8}[A-Z]\d{3})"
    r"|(?P<rfc>[A-Z&\u00d1]{3,4}\d{6}[A-Z0-9]{3})"
    r"|(?P<email>[\w.%+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<digits>\d{10,})",
    re.IGNORECASE,
)


def _redact_shape(match: re.Match[str]) -> str:
    kind, text = match.lastgroup, match.group()
    if kind == "email":
        return mask_email(text)
    if kind == "digits":
        return _keep(text, (0, 2))
    return _keep(text.upper(), (0, 4))


def redact_key(key: str) -> str:
    """An object key with anything shaped like an identifier masked."""
    return _KEY_SHAPES.sub(_redact_shape, key)
