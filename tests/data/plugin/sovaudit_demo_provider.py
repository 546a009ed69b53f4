"""A third-party provider, as another package would ship it: one class, its declared options.

Installed for the tests by putting this folder on PYTHONPATH: its ``.dist-info`` folder is
what pip writes for an installed package, so importlib.metadata finds the entry point there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sovaudit.errors import InputError
from sovaudit.model import Asset
from sovaudit.providers.interface import Provider, SourceOption


class DemoProvider(Provider):
    """Sites of a hosting company that only knows country codes."""

    name = "demo"
    options = (
        SourceOption("sites", "A site to report; repeatable.", multiple=True, metavar="SITE"),
        SourceOption("country", "Where every site is.", metavar="CC", default="US"),
        SourceOption("catalogue_file", "A file the provider reads.", kind="path", metavar="FILE"),
    )

    def __init__(self, sites: list[str], country: str, catalogue_file: Path | None) -> None:
        self.sites = sites
        self.country = country
        self.catalogue_file = catalogue_file

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> list[str]:
        path = options.get("catalogue_file")
        if path is not None and not Path(path).is_file():
            raise InputError(str(path), "no such file (demo catalogue)")
        return [f"demo: {len(options.get('sites') or [])} site(s)"]

    def collect(self) -> Iterator[Asset]:
        from sovaudit.inputs.inventory.build import build_location

        for site in self.sites:
            yield Asset(
                id=f"demo:{site}",
                provider="demo",
                location=build_location({"country": self.country}),
            )
