"""``config check --probe``: every source a scan would read, tried with one cheap read each.

The offline check proves the settings parse and the files load; it cannot prove that the
credentials of 2 a.m. exist. The probe builds the providers exactly as a scan does (the same
options, ``build_sources``, the same SDK clients and read-only guards) and asks each for its
``probe``: a failure is the line the scan would have written, found while someone is watching.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sovaudit.pipeline import Stages, build_sources
from sovaudit.providers.interface import ProviderError


@dataclasses.dataclass(frozen=True)
class ProbeResult:
    """One source: what it saw, or why it could not be read (and where, when known)."""

    source: str
    ok: bool
    detail: str
    scope: str = "*"

    def line(self) -> str:
        """One line for the table output, credential-free like every provider message."""
        if self.ok:
            return f"probe {self.source}: ok: {self.detail}"
        where = "" if self.scope == "*" else f"{self.scope}: "
        return f"probe {self.source}: FAILED: {where}{self.detail}"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"source": self.source, "ok": self.ok, "detail": self.detail}
        if not self.ok:
            data["scope"] = self.scope
        return data


def probe_sources(params: Mapping[str, Any]) -> list[ProbeResult]:
    """Each live provider the resolved options enable, probed in the order a scan reads them.

    A provider that cannot even be built (its SDK missing, the net provider without endpoints)
    stops here with the scan's own usage error (exit 2), as the scan would stop.
    """
    from sovaudit.cli.sources import sources_from

    sources = sources_from(params)
    providers = build_sources([], sources.providers, Stages.default().locator, sources.options)
    results = []
    for provider in providers:
        try:
            seen = provider.probe()
        except ProviderError as exc:
            results.append(ProbeResult(provider.label, False, str(exc), exc.scope))
        else:
            results.append(ProbeResult(provider.label, True, seen))
    return results
