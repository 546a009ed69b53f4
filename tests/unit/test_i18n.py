"""Every human-facing string exists in English and Spanish, with the same placeholders."""

from __future__ import annotations

import ast
import re
import string

import pytest

from sovaudit.i18n import LANGUAGES, Translator, default_language, messages
from tests.conftest import ROOT


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(messages()))
def test_every_message_has_both_languages_and_the_same_placeholders(key: str) -> None:
    texts = messages()[key]
    assert set(texts) == set(LANGUAGES), key
    assert all(texts[lang].strip() for lang in LANGUAGES), key
    assert _placeholders(texts["en"]) == _placeholders(texts["es"]), key


def test_every_key_the_code_uses_exists() -> None:
    used: set[str] = set()
    for path in (ROOT / "sovaudit").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+)\"", source))
        used |= {f"problem_{p}" for p in ("expired", "unused")}
        used |= {f"severity_{s}" for s in ("critical", "high", "medium", "low", "info")}
    missing = sorted(used - set(messages()))
    assert missing == []
    assert len(used) > 20


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "es_MX.UTF-8"}, "es"),
        ({"LC_ALL": "es_ES", "LANG": "en_US"}, "es"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "es_MX"}, "en"),
        ({}, "en"),
        ({"LANG": "C"}, "en"),
    ],
)
def test_language_comes_from_the_locale(environ: dict[str, str], lang: str) -> None:
    assert default_language(environ) == lang


def test_translator_falls_back_to_english_for_unknown_languages() -> None:
    assert Translator("fr")("nothing") == "None."
    assert Translator("es").severity("critical") == "Crítica"


def _non_docstring_strings(source: str) -> list[str]:
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize(
    "name", ["report/table.py", "report/markdown.py", "engine/placeholders.py"]
)
def test_no_report_module_hard_codes_a_sentence(name: str) -> None:
    """Reports and findings take their words from messages.yaml (a crude but useful guard)."""
    source = (ROOT / "sovaudit" / name).read_text(encoding="utf-8")
    sentences = [
        s for s in _non_docstring_strings(source) if re.search(r"[A-Za-z]+ [a-z]+ [a-z]+", s)
    ]
    assert sentences == []
