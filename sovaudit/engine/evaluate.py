"""Evaluate rules over located, classified assets and produce findings."""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Hashable, Iterable, Sequence

from jmespath.exceptions import JMESPathError

from sovaudit.copies import copy_sources
from sovaudit.engine.placeholders import Message
from sovaudit.engine.rules import Rule
from sovaudit.engine.view import PER_ASSET_FIELDS, AssetView, build_view, shared_key
from sovaudit.model import Asset, Finding, ScanError, worst_first_key


def finding_id(rule_id: str, asset_id: str) -> str:
    """Stable across runs and machines: the same rule and asset give the same id."""
    digest = hashlib.sha256(f"{rule_id}\x1f{asset_id}".encode()).hexdigest()[:16]
    return f"{rule_id}/{digest}"


_ASSET_ID = operator.attrgetter("asset_id")


def _judge(rule: Rule, view: AssetView) -> object:
    """True, False, or the exception the condition raised."""
    # A condition that hands the whole view to a function (`keys(@)`) gets a plain dict:
    # JMESPath's type checks do not know the lazy view's class.
    subject = view if rule.condition.fields is not None else view.materialize()
    try:
        return rule.condition.matches(subject)
    except (JMESPathError, TypeError, ValueError) as exc:
        return exc


def _memoisable(rule: Rule) -> bool:
    """Whether the rule's verdict can be kept per kind of asset rather than per asset.

    In a large estate most assets share their location (the locator hands out one object per
    place), their classification and the shape of their copies. A rule whose condition reads
    only fields derived from those (``view.PER_ASSET_FIELDS`` lists the ones that are not)
    gives the same answer for all of them, so it is evaluated once per kind of asset.
    """
    fields = rule.condition.fields
    return fields is not None and not fields & PER_ASSET_FIELDS


# The verdict of a rule that must be judged for each asset of a kind, not once for all.
_PER_ASSET = object()


class _KindOfAsset:
    """What the assets with one ``view.shared_key`` share: the rules that apply to them, the
    verdicts of those that read only shared fields, and each message's shared part."""

    __slots__ = ("templates", "verdicts")

    def __init__(self, candidates: Sequence[Rule], memoised: set[str], view: AssetView) -> None:
        self.verdicts = [
            (rule, _judge(rule, view) if rule.id in memoised else _PER_ASSET) for rule in candidates
        ]
        self.templates: dict[str, str] = {}


def evaluate(
    assets: Sequence[Asset], rules: Iterable[Rule], home: str, lang: str = "en"
) -> tuple[list[Finding], list[ScanError]]:
    """Every finding the enabled rules make on ``assets``, worst first.

    A rule that fails on an asset at run time (a type error inside its expression) is
    reported as an error entry, so the scan says it is incomplete instead of passing the
    asset as compliant. Assets of one kind (``view.shared_key``) share the verdicts of the
    rules that read only what they share, and most of each message: on a large estate the
    cost per asset is little more than building its findings.
    """
    active = [rule for rule in rules if rule.enabled]
    memoised = {rule.id for rule in active if _memoisable(rule)}
    messages = {rule.id: Message(rule.message.get(lang)) for rule in active}
    texts = {rule.id: (rule.title.get(lang), rule.remediation.get(lang)) for rule in active}
    kinds: dict[Hashable, _KindOfAsset] = {}
    sources = copy_sources(assets)
    # Findings by rule: a rule's severity is fixed, so worst first is the rules in order and
    # each rule's findings by asset id (sorting them all by a key tuple cost a tenth of this).
    by_rule: dict[str, list[Finding]] = {rule.id: [] for rule in active}
    errors: list[ScanError] = []
    for asset in assets:
        key = shared_key(asset, sources)
        kind = kinds.get(key)
        view: AssetView | None = None
        if kind is None:
            view = build_view(asset, home, sources)
            candidates = [rule for rule in active if rule.applies_to.admits(asset)]
            kind = kinds[key] = _KindOfAsset(candidates, memoised, view)
        for rule, verdict in kind.verdicts:
            outcome = verdict
            if verdict is _PER_ASSET:
                if view is None:
                    view = build_view(asset, home, sources)
                outcome = _judge(rule, view)
            if outcome is False:
                continue
            if isinstance(outcome, Exception):
                errors.append(
                    ScanError("rules", f"{rule.id} on {asset.id}", f"condition failed: {outcome}")
                )
                continue
            message = messages[rule.id]
            template = kind.templates.get(rule.id)
            if template is None:
                view = view if view is not None else build_view(asset, home, sources)
                template = kind.templates[rule.id] = message.template(view, lang)
            elif view is None and message.needs_view(asset):
                view = build_view(asset, home, sources)
            title, remediation = texts[rule.id]
            by_rule[rule.id].append(
                Finding(
                    finding_id(rule.id, asset.id),
                    rule.id,
                    rule.severity,
                    asset.id,
                    title,
                    message.fill(template, asset, view, lang),
                    rule.references,
                    remediation,
                )
            )
    findings: list[Finding] = []
    for rule in sorted(active, key=lambda r: worst_first_key(r.severity, r.id, "")):
        findings.extend(sorted(by_rule[rule.id], key=_ASSET_ID))
    return findings, errors
