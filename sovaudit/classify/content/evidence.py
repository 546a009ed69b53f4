"""What the evidence of content sampling indicates: which classification its counts support.

The evidence itself (``ContentSample``, ``ObjectHits``) is model data, in sovaudit.model: an
asset carries it, every output renders it, and it never holds an identifier's value.
classify.py decides what the asset's classification becomes.
"""

from __future__ import annotations

from collections.abc import Mapping

from sovaudit.model import Classification

IDENTIFIER_TYPES = ("curp", "rfc", "clabe", "nss", "ine", "phone_mx", "email")
# Identifiers that name one person in a national register: one is evidence enough. Phone
# numbers and e-mail addresses are contact data: a bucket of build artefacts has the
# maintainer's address in it, so contact data counts from CONTACT_MIN_DISTINCT different
# values (a list of people, not a signature line).
NATIONAL_IDS = frozenset({"curp", "rfc", "clabe", "nss", "ine"})
CONTACT_MIN_DISTINCT = 3


def indicated_classification(
    distinct: Mapping[str, int],
    *,
    sensitive_object: bool,
    objects_read: int,
    objects_listed: int,
    failed: bool,
) -> Classification:
    """What the evidence indicates. Never ``none`` when reading failed or nothing was read.

    ``sensitive_object``: some object holds identifiers *and* terms of a sensitive category
    (a patient list with CURPs and diagnoses); a sensitive term alone (a health policy PDF)
    says nothing about a person.
    """
    national = any(distinct.get(kind, 0) for kind in NATIONAL_IDS)
    contact = sum(n for kind, n in distinct.items() if kind not in NATIONAL_IDS)
    if national or contact >= CONTACT_MIN_DISTINCT:
        return Classification.SENSITIVE if sensitive_object else Classification.PERSONAL
    if failed:
        return Classification.UNKNOWN
    if objects_read or not objects_listed:
        return Classification.NONE
    return Classification.UNKNOWN  # objects exist but none could be inspected
