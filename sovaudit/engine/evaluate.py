"""Evaluate rules over located, classified assets and produce findings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from jmespath.exceptions import JMESPathError

from sovaudit.engine.rules import Rule
from sovaudit.engine.view import MessageFields, build_view, copy_sources, message_fields
from sovaudit.model import Asset, Classification, Finding, ScanError


def finding_id(rule_id: str, asset_id: str) -> str:
    """Stable across runs and machines: the same rule and asset give the same id."""
    digest = hashlib.sha256(f"{rule_id}\x1f{asset_id}".encode()).hexdigest()[:16]
    return f"{rule_id}/{digest}"


def evaluate(
    assets: Sequence[Asset], rules: Iterable[Rule], home: str, lang: str = "en"
) -> tuple[list[Finding], list[ScanError]]:
    """Every finding the enabled rules make on ``assets``, worst first.

    A rule that fails on an asset at run time (a type error inside its expression) is
    reported as an error entry, so the scan says it is incomplete instead of passing the
    asset as compliant.
    """
    active = [rule for rule in rules if rule.enabled]
    # Most rules filter on classification only: sort them once, not per asset.
    by_classification = {
        classification: [
            rule for rule in active if rule.applies_to.admits_classification(classification)
        ]
        for classification in Classification
    }
    sources = copy_sources(assets)
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for asset in assets:
        candidates = [
            rule
            for rule in by_classification[asset.classification]
            if rule.applies_to.unfiltered or rule.applies_to.admits(asset)
        ]
        if not candidates:
            continue
        view = build_view(asset, home, sources)
        fields: MessageFields | None = None
        for rule in candidates:
            try:
                matched = rule.condition.matches(view)
            except (JMESPathError, TypeError, ValueError) as exc:
                errors.append(
                    ScanError("rules", f"{rule.id} on {asset.id}", f"condition failed: {exc}")
                )
                continue
            if not matched:
                continue
            if fields is None:
                fields = message_fields(view, lang)
            findings.append(
                Finding(
                    id=finding_id(rule.id, asset.id),
                    rule_id=rule.id,
                    severity=rule.severity,
                    asset_id=asset.id,
                    title=rule.title.get(lang),
                    message=rule.message.get(lang).format_map(fields),
                    references=rule.references,
                    remediation=rule.remediation.get(lang),
                )
            )
    findings.sort(key=lambda f: (-f.severity.rank, f.rule_id, f.asset_id))
    return findings, errors
