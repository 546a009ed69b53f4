"""What every human-facing report shows, computed once from a ScanResult.

The terminal, Markdown and HTML reports are renderings of this one structure, so they can
never disagree about a figure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sovaudit import __version__
from sovaudit.changes.comparison import RunChanges, TrendPoint
from sovaudit.copies import copy_sources, has_home_copy
from sovaudit.i18n import Translator
from sovaudit.model import Asset, Finding, ScanResult
from sovaudit.summary import summarise

ROUNDTABLE_FIGURE = 90  # % of Mexican companies' data stored abroad (Mexico City roundtable)
UNKNOWN = "?"


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of a breakdown: a country, provider or state and its counts."""

    key: str
    assets: int
    personal: int
    personal_outside: int = 0


@dataclasses.dataclass(frozen=True)
class Report:
    result: ScanResult
    summary: Mapping[str, Any]
    t: Translator
    countries: tuple[Row, ...]
    providers: tuple[Row, ...]
    home_states: tuple[Row, ...]
    without_home_copy: tuple[Asset, ...]
    open_findings: tuple[Finding, ...]
    waived_findings: tuple[Finding, ...]
    assets: Mapping[str, Asset]
    version: str = __version__
    changes: RunChanges | None = None
    trend: tuple[TrendPoint, ...] = ()
    # (provider, first reason) of each provider that could read nothing at all.
    unread: tuple[tuple[str, str], ...] = ()

    @property
    def home(self) -> str:
        return self.result.home_country

    @property
    def show_roundtable(self) -> bool:
        """The roundtable's 90% is a Mexican figure: only worth comparing against for MX."""
        return self.home == "MX"

    @property
    def measured(self) -> bool:
        """Whether there is an exposure figure at all: 0% of nothing is not 0%."""
        return bool(self.summary["personal_assets"])

    def lead_lines(self) -> list[str]:
        """What every human report says first: the sources it could read nothing from.

        A run with no credentials once rendered "This scan 0%" beside the roundtable's
        ~90%, as if the estate were clean.
        """
        return [
            self.t("nothing_read", provider=provider, reason=reason)
            for provider, reason in self.unread
        ]

    def headline(self) -> str:
        if not self.summary["personal_assets"]:
            return self.t("not_measured" if self.result.errors else "no_personal")
        return self.t(
            "headline",
            outside=self.summary["personal_assets_outside_home"],
            personal=self.summary["personal_assets"],
            pct=self.summary["exposure_pct"],
            home=self.home,
        )

    def no_home_copy_line(self) -> str:
        """How many personal-data assets have no copy at home, and how many are unlocated."""
        return self.t(
            "no_home_copy",
            count=self.summary["personal_assets_without_home_copy"],
            home=self.home,
            unlocated=self.summary["personal_assets_location_unknown"],
        )

    def breakdown(
        self, key_column: str, rows: tuple[Row, ...], outside: bool = False
    ) -> tuple[list[str], list[tuple[object, ...]]]:
        """Headers and cells of a country/provider/state table, in the report's language."""
        headers = [self.t(key_column), self.t("col_assets"), self.t("col_personal")]
        if outside:
            headers.append(self.t("col_personal_outside"))
        cells = [
            (
                r.key if r.key != UNKNOWN else self.t("unknown_place"),
                r.assets,
                r.personal,
                *((r.personal_outside,) if outside else ()),
            )
            for r in rows
        ]
        return headers, cells

    def where(self, asset: Asset) -> str:
        """``MX-QUE Querétaro`` / ``US`` / ``BE/DE/...`` / ``unknown``."""
        location = asset.location
        if not location.countries:
            return self.t("unknown_place")
        if len(location.countries) > 1:
            return "/".join(location.countries)
        return " ".join(
            p for p in (location.subdivision or location.countries[0], location.city) if p
        )


def _rows(counts: Mapping[str, list[int]]) -> tuple[Row, ...]:
    rows = [Row(key, *values) for key, values in counts.items()]
    return tuple(sorted(rows, key=lambda r: (-r.personal, -r.assets, r.key)))


def build_report(
    result: ScanResult,
    lang: str = "en",
    *,
    changes: RunChanges | None = None,
    trend: tuple[TrendPoint, ...] = (),
    summary: Mapping[str, Any] | None = None,
) -> Report:
    """The report model of ``result``; ``summary`` is ``summarise(result)`` when the caller
    already has it (a scan computes it once for everything it writes), else computed here."""
    home = result.home_country
    by_country: dict[str, list[int]] = {}
    by_provider: dict[str, list[int]] = {}
    by_state: dict[str, list[int]] = {}
    for asset in result.assets:
        personal = int(asset.classification.is_personal)
        outside = int(personal and not asset.location.within(home))
        for country in asset.location.countries or (UNKNOWN,):
            row = by_country.setdefault(country, [0, 0, 0])
            row[0] += 1
            row[1] += personal
        row = by_provider.setdefault(asset.provider, [0, 0, 0])
        row[0] += 1
        row[1] += personal
        row[2] += outside
        if asset.location.within(home):
            row = by_state.setdefault(asset.location.subdivision or UNKNOWN, [0, 0, 0])
            row[0] += 1
            row[1] += personal
    sources = copy_sources(result.assets)
    no_copy = tuple(
        a
        for a in result.assets
        if a.classification.is_personal and not has_home_copy(a, home, sources)
    )
    return Report(
        result=result,
        summary=summarise(result) if summary is None else summary,
        t=Translator(lang),
        countries=_rows(by_country),
        providers=_rows(by_provider),
        home_states=_rows(by_state),
        without_home_copy=no_copy,
        open_findings=tuple(f for f in result.findings if f.status == "open"),
        waived_findings=tuple(f for f in result.findings if f.status != "open"),
        assets={a.id: a for a in result.assets},
        changes=changes,
        trend=trend,
        unread=_unread(result),
    )


def _unread(result: ScanResult) -> tuple[tuple[str, str], ...]:
    """Providers with errors and not one asset: nothing could be read from them."""
    read = {asset.provider for asset in result.assets}
    unread: dict[str, str] = {}
    for error in result.errors:
        if error.provider not in read:
            unread.setdefault(error.provider, error.message)
    return tuple(unread.items())
