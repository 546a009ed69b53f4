"""One scan, start to finish: sources -> locate -> classify -> rules -> waivers -> result."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from sovaudit.classify.tags import Classifier
from sovaudit.engine.evaluate import evaluate
from sovaudit.engine.rules import Rule
from sovaudit.engine.waivers import WaiverRule, apply_waivers
from sovaudit.errors import ExitCode
from sovaudit.locate.regions import Locator
from sovaudit.model import ScanResult, Severity
from sovaudit.pipeline import collect, prepare
from sovaudit.providers.interface import Provider
from sovaudit.timestamps import rfc3339, utc_now


def run_scan(
    sources: Sequence[Provider],
    *,
    locator: Locator,
    classifier: Classifier,
    rules: Sequence[Rule],
    waivers: Sequence[WaiverRule] = (),
    home: str = "MX",
    lang: str = "en",
    clock: Callable[[], datetime.datetime] = utc_now,
    deadline: float | None = None,
) -> ScanResult:
    """Run every stage and return the result; raises only for bad input (InputError).

    ``deadline`` (a time.monotonic() value) ends the collection: see sovaudit.deadline.
    """
    started = clock()
    collected = collect(sources, deadline=deadline)
    assets = prepare(collected.assets, locator, classifier)
    findings, rule_errors = evaluate(assets, rules, home, lang)
    findings, notices = apply_waivers(findings, waivers, started.date())
    return ScanResult(
        started_at=rfc3339(started),
        finished_at=rfc3339(clock()),
        home_country=home,
        assets=tuple(assets),
        findings=tuple(findings),
        errors=(*collected.errors, *rule_errors),
        waiver_notices=tuple(notices),
    )


def exit_code(result: ScanResult, fail_on: Severity | None) -> int:
    """3 when incomplete, else 1 when an open finding reaches ``fail_on``, else 0."""
    if result.errors:
        return ExitCode.INCOMPLETE
    if fail_on is not None and any(
        f.status == "open" and f.severity.rank >= fail_on.rank for f in result.findings
    ):
        return ExitCode.FINDINGS
    return ExitCode.OK
