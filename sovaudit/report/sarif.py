"""A SARIF 2.1.0 log, for tools that collect findings from many scanners in one format.

SARIF was made for source code, and code-scanning views (GitHub's among them) want every
result to point at a file and line. A sovaudit finding is about a cloud resource, not a line
of code: there is no honest ``physicalLocation`` to give, and a made-up URI scheme such as
``sovaudit:arn...`` is rejected by GitHub anyway. So each result names its asset only as a
``logicalLocation`` of kind ``resource``, which the SARIF schema allows and generic SARIF
viewers show.

An asset read from a file in the repository (a Terraform plan in a pull request) has an
honest place: the file and the line of its resource address. Its results carry that as a
``physicalLocation`` too, so code scanning shows them (run sovaudit from the repository's
root with the plan's relative path, as docs/terraform.md and its workflow example do).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from sovaudit import __version__
from sovaudit.model import Asset, Finding, ScanResult, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/sovaudit/sovaudit"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub's security-severity bands: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def _pascal(rule_id: str) -> str:
    """SARIF wants a rule ``name`` that reads as an identifier: ``PersonalDataCopiedAbroad``."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("_", "-").split("-"))


def _rule(findings: list[Finding]) -> dict[str, Any]:
    """A rule as seen through its findings; the worst severity seen sets its default level."""
    first = findings[0]
    severity = max((f.severity for f in findings), key=lambda s: s.rank)
    descriptor: dict[str, Any] = {
        "id": first.rule_id,
        "name": _pascal(first.rule_id),
        "shortDescription": {"text": first.title},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "tags": ["data-sovereignty", severity.value],
            "severity": severity.value,
            "security-severity": SECURITY_SEVERITY[severity],
        },
    }
    if first.remediation:
        descriptor["help"] = {"text": first.remediation}
    if first.references:
        descriptor["fullDescription"] = {"text": "; ".join(first.references)}
    return descriptor


def physical_location(attributes: Mapping[str, Any]) -> dict[str, Any] | None:
    """The file (and line) an asset was read from, as SARIF writes it; None when unknown."""
    file = attributes.get("source_file")
    if not isinstance(file, str) or not file or file == "-":
        return None
    path = PurePath(file)
    uri = Path(file).as_uri() if path.is_absolute() else quote(path.as_posix())
    location: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    line = attributes.get("source_line")
    if isinstance(line, int) and not isinstance(line, bool) and line > 0:
        location["region"] = {"startLine": line}
    return location


def _result(finding: Finding, rule_index: int, asset: Asset | None = None) -> dict[str, Any]:
    where: dict[str, Any] = {
        "logicalLocations": [
            {
                "name": finding.asset_id,
                "fullyQualifiedName": finding.asset_id,
                "kind": "resource",
            }
        ]
    }
    physical = physical_location(asset.attributes) if asset is not None else None
    if physical is not None:
        where = {"physicalLocation": physical, **where}
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [where],
        "partialFingerprints": {"sovauditFindingId": finding.id},
        "properties": {"severity": finding.severity.value, "status": finding.status},
    }
    waiver = finding.waiver
    if finding.status != "open":
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        if waiver is not None:
            suppression["justification"] = waiver.reason
            extra = {"owner": waiver.owner, "expires": waiver.expires}
            suppression["properties"] = {k: v for k, v in extra.items() if v is not None}
        result["suppressions"] = [suppression]
    return result


def sarif_log(result: ScanResult) -> dict[str, Any]:
    """The SARIF log as a dictionary: one run, one result per finding, rules in first-seen order."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    index = {rule_id: position for position, rule_id in enumerate(by_rule)}
    # Only assets that came from a file have a physical place; the others need no lookup.
    assets = {a.id: a for a in result.assets if "source_file" in a.attributes}
    invocation: dict[str, Any] = {
        "executionSuccessful": not result.errors,
        "startTimeUtc": result.started_at,
        "endTimeUtc": result.finished_at,
    }
    if result.errors:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": f"{error.provider} {error.scope}: {error.message}"},
            }
            for error in result.errors
        ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sovaudit",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(findings) for findings in by_rule.values()],
                    }
                },
                "invocations": [invocation],
                "results": [
                    _result(f, index[f.rule_id], assets.get(f.asset_id)) for f in result.findings
                ],
                "properties": {"homeCountry": result.home_country},
            }
        ],
    }


def render_sarif(result: ScanResult) -> Iterator[str]:
    """The SARIF log as indented JSON: one document, small enough to build whole."""
    yield json.dumps(sarif_log(result), ensure_ascii=False, indent=2) + "\n"
