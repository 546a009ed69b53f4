"""One detector per Mexican personal identifier, each as strict as the identifier allows.

One false positive turns a whole bucket "personal", so every detector pairs a shape with a
check that noise rarely passes, and asks for a label (context.py) when the check is weak:

=========  ==================================================  ==============================
type       accepted when                                       label needed
=========  ==================================================  ==============================
curp       stdnum.mx.curp: shape, birth date, sex, state,      no
           mod-10 check digit
rfc        persona física (13 chars), stdnum.mx.rfc: shape,    yes (rfc, contribuyente,
           date, offensive-word list; homoclave alphabet       tax id...)
clabe      18 digits, control digit (3-7-1), known SPEI bank   yes (clabe, banco, spei...)
nss        11 digits, Luhn                                     yes (nss, imss, seguro social)
ine        clave de elector shape, a voter's birth date,       no
           state 01-32
phone_mx   phonenumbers: a valid Mexican number                unless written with +52
email      address shape, not a role mailbox (info@, no-reply)  no
=========  ==================================================  ==============================

The RFC's mod-11 check is off by default in python-stdnum because about 1.5% of real RFCs
fail it, and it is not used here either: an RFC is recognised by its label instead (an
``rfc`` column, ``"rfc":`` key, ``Rfc="`` in a CFDI, ``RFC:`` in text), which is where RFCs
are kept, so the 1.5% are found like the others. Without a label nothing separates an RFC
from the lot and document codes that are also four letters, a date and three characters:
in bench/bench_content.py, even requiring the mod-11 digit, the name rule (second letter a
vowel or X) and an adult's birth date let 0.6% of such codes through, and one is enough to
mislabel a bucket. Company RFCs (12 characters) identify legal entities, not people, and are
not reported.

Scanning is three regex passes whose patterns start with a character class (so the regex
engine jumps between candidates): letters (CURP, INE, RFC share their first four), numbers
(digit runs by length, and phone numbers written with separators), and e-mail addresses
found from their ``@``. The boundary "no letter or digit glued on" is checked in Python.

A detector never returns a value: only its masked form (mask.py) and a keyed hash used to
count distinct values, computed with a per-process random key and never written anywhere.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import importlib
import os
import re
import string
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from sovaudit.classify.content import checks
from sovaudit.classify.content.context import TextContext
from sovaudit.classify.content.errors import MissingContentExtra
from sovaudit.classify.content.keywords import Vocabulary, vocabulary
from sovaudit.classify.content.mask import MASKS

_SALT = os.urandom(16)


def fingerprint(kind: str, value: str) -> bytes:
    """A keyed hash to count distinct values; the key dies with the process."""
    return hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8, key=_SALT).digest()


@dataclasses.dataclass(frozen=True)
class Found:
    """One identifier found: its type and masked form. The value itself is not kept."""

    kind: str
    masked: str
    fingerprint: bytes = dataclasses.field(repr=False)


def _import(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingContentExtra(name.split(".")[0]) from None


@dataclasses.dataclass(frozen=True)
class _Libraries:
    curp: Any
    rfc: Any
    phonenumbers: Any


def _libraries() -> _Libraries:
    """python-stdnum and phonenumbers, imported only when content sampling runs."""
    return _Libraries(
        curp=_import("stdnum.mx.curp"),
        rfc=_import("stdnum.mx.rfc"),
        phonenumbers=_import("phonenumbers"),
    )


def require_dependencies() -> None:
    """Raise MissingContentExtra now, before a scan starts, if the extra is not installed."""
    _libraries()


# re.ASCII: \d is 0-9 only (not every Unicode digit).
_A = re.ASCII
LETTER_SHAPES = re.compile(
    r"[A-Z\u00d1&]{4}(?:"
    r"(?P<curp>\d{6}[HM][A-Z]{5}[0-9A-Z]\d)"
    r"|(?P<ine>[A-Z]{2}\d{8}[HM]\d{3})"
    r"|(?P<rfc>\d{6}[1-9A-V][1-9A-Z][0-9A])"
    r")",
    _A,
)
NUMBER_SHAPES = re.compile(
    r"\+\s?52[\s.\-]?(?:1[\s.\-]?)?(?P<cc>\(?\d{2,3}\)?[\s.\-]?\d{3,4}[\s.\-]?\d{4})"
    r"|(?P<formatted>\(\d{2,3}\)[\s.\-]?\d{3,4}[\s.\-]?\d{4}|\d{2,3}[\s.\-]\d{3,4}[\s.\-]?\d{4})"
    r"|(?P<run>\d{10,})",
    _A,
)
# Where numbers are: a cheap pass over digits and the separators people write numbers with;
# NUMBER_SHAPES then runs only inside these spans (a megabyte of prose has none).
NUMBER_SPANS = re.compile(r"[+(\d][\d .\-()]{8,}\d", _A)
_AT = re.compile("@")
EMAIL_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}\Z", _A)
EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,24})", _A
)
_ALNUM = frozenset(string.ascii_letters + string.digits)
_GLUED_LETTERS = _ALNUM | {"\u00d1", "&"}
_GLUED_NUMBER = _ALNUM | {"+"}
_EMAIL_CHARS = _ALNUM | set("._%+-")
_NON_DIGIT = re.compile(r"\D", _A)
PHONE_PREFIX = 6


def _glued(text: str, start: int, end: int, before: frozenset[str]) -> bool:
    """Whether a candidate is part of a longer token (a hash, a longer number)."""
    return (start > 0 and text[start - 1] in before) or (end < len(text) and text[end] in _ALNUM)


class Detectors:
    """Every detector, sharing one vocabulary and the identifier libraries."""

    def __init__(self, vocab: Vocabulary | None = None, today: datetime.date | None = None) -> None:
        self.vocab = vocab or vocabulary()
        self.today = today or datetime.date.today()
        self._libs = _libraries()
        self._phone_prefixes: dict[str, bool] = {}

    def find(self, text: str | TextContext) -> Iterator[Found]:
        """Every identifier in ``text``: letters-based, then numbers, then e-mail."""
        context = text if isinstance(text, TextContext) else TextContext(text)
        yield from self._letters(context)
        yield from self._numbers(context)
        yield from self._emails(context)

    def _labelled(self, kind: str, context: TextContext, start: int) -> bool:
        return context.labelled(self.vocab.context[kind], start)

    @staticmethod
    def _found(kind: str, value: str) -> Found:
        return Found(kind, MASKS[kind](value), fingerprint(kind, value))

    # --- CURP, INE, RFC --------------------------------------------------------------------

    def _letters(self, context: TextContext) -> Iterator[Found]:
        text, curp, rfc = context.text, self._libs.curp, self._libs.rfc
        for match in LETTER_SHAPES.finditer(text):
            start, end = match.span()
            if _glued(text, start, end, _GLUED_LETTERS):
                continue
            value, kind = match.group(), match.lastgroup
            if kind == "curp":
                if curp.is_valid(value):
                    yield self._found("curp", value)
            elif kind == "ine":
                if checks.ine_ok(value, self.today):
                    yield self._found("ine", value)
            elif rfc.is_valid(value) and self._labelled("rfc", context, start):
                yield self._found("rfc", value)

    # --- CLABE, NSS, phones ----------------------------------------------------------------

    def _numbers(self, context: TextContext) -> Iterator[Found]:
        text = context.text
        for span in NUMBER_SPANS.finditer(text):
            low, high = span.span()
            if span.group().isdigit():  # the usual case: one plain run of digits
                found = self._number(context, low, high, span.group(), None)
                if found is not None:
                    yield found
                continue
            for match in NUMBER_SHAPES.finditer(text, low, high):
                start, end = match.span()
                found = self._number(
                    context, start, end, match.group("run"), match.group("cc") or match.group()
                )
                if found is not None:
                    yield found

    def _number(
        self, context: TextContext, start: int, end: int, run: str | None, phone: str | None
    ) -> Found | None:
        """One number: a run of digits (by its length), or a phone written with separators."""
        if _glued(context.text, start, end, _GLUED_NUMBER):
            return None
        if run is None:
            assert phone is not None
            plus = context.text.startswith("+", start)
            return self._phone(context, phone, start, country_code=plus)
        if len(run) == 18:
            return self._clabe(context, run, start)
        if len(run) == 11:
            return self._nss(context, run, start)
        if len(run) == 10:
            return self._phone(context, run, start, country_code=False)
        return None

    def _clabe(self, context: TextContext, value: str, start: int) -> Found | None:
        if (
            value[:3] in self.vocab.clabe_banks
            and checks.clabe_digit_ok(value)
            and self._labelled("clabe", context, start)
        ):
            return self._found("clabe", value)
        return None

    def _nss(self, context: TextContext, value: str, start: int) -> Found | None:
        if checks.luhn_ok(value) and self._labelled("nss", context, start):
            return self._found("nss", value)
        return None

    def _phone(
        self, context: TextContext, written: str, start: int, *, country_code: bool
    ) -> Found | None:
        national = _NON_DIGIT.sub("", written)
        if len(national) != 10:
            return None
        if not country_code and not self._labelled("phone_mx", context, start):
            return None
        if self._personal_line(national):
            return self._found("phone_mx", national)
        return None

    def _personal_line(self, national: str) -> bool:
        """A valid Mexican fixed or mobile number (not toll-free, premium, shared cost).

        phonenumbers decides; its Mexican metadata decides by the first three digits (area
        code and type), each followed by seven free digits, so the verdict is kept per
        six-digit prefix: parsing costs more than everything else a phone number needs.
        """
        prefix = national[:PHONE_PREFIX]
        verdict = self._phone_prefixes.get(prefix)
        if verdict is None:
            phonenumbers = self._libs.phonenumbers
            try:
                number = phonenumbers.parse(national, "MX")
            except phonenumbers.NumberParseException:
                return False
            kinds = phonenumbers.PhoneNumberType
            verdict = (
                phonenumbers.is_valid_number(number)
                and phonenumbers.region_code_for_number(number) == "MX"
                and phonenumbers.number_type(number)
                in (kinds.FIXED_LINE, kinds.MOBILE, kinds.FIXED_LINE_OR_MOBILE)
            )
            self._phone_prefixes[prefix] = verdict
        return verdict

    # --- e-mail ----------------------------------------------------------------------------

    def _emails(self, context: TextContext) -> Iterator[Found]:
        text = context.text
        roles, false_tlds = self.vocab.email_roles, self.vocab.email_false_tlds
        for at in _AT.finditer(text):
            position = at.start()
            local = EMAIL_LOCAL.search(text, max(0, position - 64), position)
            domain = EMAIL_DOMAIN.match(text, position + 1)
            if local is None or domain is None:
                continue
            start, end = local.start(), domain.end()
            if (start > 0 and text[start - 1] in _EMAIL_CHARS) or (
                end < len(text) and (text[end] in _ALNUM or text[end] in "-_")
            ):
                continue
            mailbox = local.group().lower().split("+", 1)[0]
            if mailbox in roles or domain.group("tld").lower() in false_tlds:
                continue
            yield self._found("email", text[start:end].lower())
