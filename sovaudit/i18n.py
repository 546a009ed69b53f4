"""Human-facing text in English and Spanish.

Compliance officers in Mexico often read Spanish first, so every string a report shows lives
in ``sovaudit/data/messages.yaml`` in both languages (rule texts live with their rules).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

from sovaudit.bundled import data_yaml

LANGUAGES = ("en", "es")


@functools.cache
def messages() -> Mapping[str, Mapping[str, str]]:
    data: Mapping[str, Mapping[str, str]] = data_yaml("messages.yaml")
    return data


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """Spanish when the user's locale is Spanish (es_MX.UTF-8...), else English."""
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value:
            return "es" if value.lower().startswith("es") else "en"
    return "en"


class Translator:
    """``t("headline", outside=3, ...)`` in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else "en"

    def __call__(self, key: str, **fields: object) -> str:
        return messages()[key][self.lang].format(**fields)

    def severity(self, severity: str) -> str:
        return self(f"severity_{severity}")
