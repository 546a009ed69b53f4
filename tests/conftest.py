"""Shared fixtures: the real bundled catalogue, locators, paths to test data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sovaudit.classify.tags import Classifier, default_conventions
from sovaudit.locate.catalogue import Catalogue, load_catalogue
from sovaudit.locate.regions import Locator

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ROOT / "sample_inventories"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def locator(catalogue: Catalogue) -> Locator:
    return Locator(catalogue)


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier(default_conventions())


@pytest.fixture
def write(tmp_path: Path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports follow the locale; tests pin it so a Spanish desktop gets the same results."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


@pytest.fixture(autouse=True)
def no_sovaudit_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """SOVAUDIT_* variables are settings: a developer's own must not change test results."""
    import os

    for name in list(os.environ):
        if name.startswith("SOVAUDIT_"):
            monkeypatch.delenv(name)
