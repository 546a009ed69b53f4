"""Evaluate rules over located, classified assets and produce findings."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Sequence

from jmespath.exceptions import JMESPathError

from sovaudit.copies import copy_sources
from sovaudit.engine.placeholders import MessageFields, message_fields
from sovaudit.engine.rules import Rule
from sovaudit.engine.view import PER_ASSET_FIELDS, AssetView, build_view, shared_key
from sovaudit.model import Asset, Classification, Finding, ScanError, worst_first_key


def finding_id(rule_id: str, asset_id: str) -> str:
    """Stable across runs and machines: the same rule and asset give the same id."""
    digest = hashlib.sha256(f"{rule_id}\x1f{asset_id}".encode()).hexdigest()[:16]
    return f"{rule_id}/{digest}"


_NOT_YET = object()


def _judge(rule: Rule, view: AssetView) -> object:
    """True, False, or the exception the condition raised."""
    # A condition that hands the whole view to a function (`keys(@)`) gets a plain dict:
    # JMESPath's type checks do not know the lazy view's class.
    subject = view if rule.condition.fields is not None else view.materialize()
    try:
        return rule.condition.matches(subject)
    except (JMESPathError, TypeError, ValueError) as exc:
        return exc


def _memos(rules: Sequence[Rule]) -> dict[str, dict[int, object] | None]:
    """Per rule, a memo of its outcome by kind of asset, or None when it cannot have one.

    In a large estate most assets share their location (the locator hands out one object per
    place), their classification and the shape of their copies. A rule whose condition reads
    only fields derived from those (``view.PER_ASSET_FIELDS`` lists the ones that are not)
    gives the same answer for all of them, so it is evaluated once per kind of asset.
    """
    return {
        rule.id: {}
        if rule.condition.fields is not None and not rule.condition.fields & PER_ASSET_FIELDS
        else None
        for rule in rules
    }


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
    memos = _memos(active)
    kinds_of_asset: dict[Hashable, int] = {}
    shared_placeholders: dict[int, dict[str, str]] = {}
    sources = copy_sources(assets)
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for asset in assets:
        candidates = [
            rule
            for rule in by_classification[asset.classification]
            if rule.unfiltered or rule.applies_to.admits(asset)
        ]
        if not candidates:
            continue
        view = build_view(asset, home, sources)
        kind_of_asset = kinds_of_asset.setdefault(shared_key(asset, sources), len(kinds_of_asset))
        fields: MessageFields | None = None
        for rule in candidates:
            memo = memos[rule.id]
            if memo is None:
                outcome = _judge(rule, view)
            else:
                outcome = memo.get(kind_of_asset, _NOT_YET)
                if outcome is _NOT_YET:
                    outcome = memo[kind_of_asset] = _judge(rule, view)
            if outcome is False:
                continue
            if isinstance(outcome, Exception):
                errors.append(
                    ScanError("rules", f"{rule.id} on {asset.id}", f"condition failed: {outcome}")
                )
                continue
            if fields is None:
                fields = message_fields(
                    view, lang, shared_placeholders.setdefault(kind_of_asset, {})
                )
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
    findings.sort(key=lambda f: worst_first_key(f.severity, f.rule_id, f.asset_id))
    return findings, errors
