"""Reading a saved scan result (``scan --format json``) back into the model, as it was.

``scan`` accepts a previous result too, but as an inventory: its assets are collected again,
catalogue locations recomputed, rules and waivers applied anew, and its findings, errors,
waiver notices and times replaced by today's. Rendering a report from a saved result (a CI
job's second step, an auditor's copy) needs the opposite: the run exactly as it happened, so
that ``report`` of a result says what ``scan`` said when it wrote it. Nothing here locates,
classifies or evaluates; the file is checked against its published schema, and against the
few cross-references the schema cannot express, so a bad file is one line, never a crash.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sovaudit.changes.comparison import RunChanges
from sovaudit.changes.diff import SCAN_SCHEMA
from sovaudit.errors import InputError
from sovaudit.inputs.documents import LineFinder, parse_json, read_text, require_mapping
from sovaudit.inputs.inventory.build import build_asset
from sovaudit.inputs.validation import field_path, validate
from sovaudit.model import (
    Asset,
    Confidence,
    Finding,
    Location,
    LocationSource,
    ScanError,
    ScanResult,
    Severity,
    Waiver,
    WaiverNotice,
    evolve,
)
from sovaudit.report.json_document import finding_to_dict
from sovaudit.summary import summarise

log = logging.getLogger(__name__)

_USE_SCAN = "to scan an inventory, use 'sovaudit scan FILE'"
_NOT_JSON_SUFFIXES = (".yaml", ".yml", ".csv")


@dataclasses.dataclass(frozen=True)
class SavedResult:
    """A scan result as it was written, and its comparison with an earlier run, if any."""

    result: ScanResult
    changes: RunChanges | None = None


def read_result(path: Path) -> SavedResult:
    """The scan result in ``path``, or InputError naming the file, line and field."""
    file = str(path)
    text = read_text(path)
    if path.suffix.casefold() in _NOT_JSON_SUFFIXES or text.lstrip()[:1] not in ("{", "["):
        raise InputError(
            file, f"not a scan result (scan --format json writes those as JSON); {_USE_SCAN}"
        )
    document, find_line = parse_json(text, file)
    document = require_mapping(document, file, "a scan result (scan --format json)")
    missing = [repr(key) for key in ("schema_version", "findings") if key not in document]
    if missing:
        what = "an inventory, not a scan result" if "assets" in document else "not a scan result"
        raise InputError(file, f"{what} (no {' or '.join(missing)}); {_USE_SCAN}")
    validate(document, file, find_line, SCAN_SCHEMA)
    return _Builder(file, find_line).saved(document)


def _location(data: Mapping[str, Any]) -> Location:
    """The location exactly as the scan wrote it: a catalogue one is not looked up again."""
    return Location(
        countries=tuple(data["countries"]),
        source=LocationSource(data["source"]),
        confidence=Confidence(data["confidence"]),
        subdivision=data["subdivision"],
        city=data["city"],
        note=data.get("note") or None,
    )


def _asset(data: Mapping[str, Any]) -> Asset:
    """``build_asset`` reads every field; the locations it leaves to the locator are restored."""
    asset = build_asset(data)
    copies = tuple(
        evolve(copy, location=_location(written["location"]))
        for copy, written in zip(asset.copies, data["copies"], strict=True)
    )
    return evolve(asset, location=_location(data["location"]), copies=copies)


def _finding(data: Mapping[str, Any]) -> Finding:
    waiver = data.get("waiver")
    return Finding(
        id=data["id"],
        rule_id=data["rule_id"],
        severity=Severity(data["severity"]),
        asset_id=data["asset_id"],
        title=data["title"],
        message=data["message"],
        references=tuple(data["references"]),
        remediation=data["remediation"],
        status=data["status"],
        waiver=None
        if waiver is None
        else Waiver(reason=waiver["reason"], expires=waiver["expires"], owner=waiver["owner"]),
    )


def _error(data: Mapping[str, Any]) -> ScanError:
    return ScanError(provider=data["provider"], scope=data["scope"], message=data["message"])


class _Builder:
    """Model objects from a schema-valid document, with the checks the schema cannot make."""

    def __init__(self, file: str, find_line: LineFinder) -> None:
        self.file = file
        self.find_line = find_line

    def fail(self, path: Sequence[str | int], message: str) -> InputError:
        return InputError(
            self.file, message, line=self.find_line(path), field=field_path(path) or None
        )

    def text(self, data: Mapping[str, Any], key: str, path: Sequence[str | int]) -> str:
        """A field the reports print, which the schema requires but does not type."""
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.fail([*path, key], f"{value!r} is not of type 'string'")
        return value

    def saved(self, document: Mapping[str, Any]) -> SavedResult:
        assets = tuple(_asset(data) for data in document["assets"])
        self.check_asset_ids(assets)
        findings = tuple(_finding(data) for data in document["findings"])
        self.check_findings(findings, {asset.id for asset in assets})
        result = ScanResult(
            started_at=document["started_at"],
            finished_at=document["finished_at"],
            home_country=document["home_country"],
            assets=assets,
            findings=findings,
            errors=tuple(_error(data) for data in document["errors"]),
            waiver_notices=tuple(
                self.notice(data, index)
                for index, data in enumerate(document.get("waiver_notices", ()))
            ),
        )
        self.check_summary(result, document["summary"])
        changes = document.get("changes")
        return SavedResult(result, None if changes is None else self.changes(changes, findings))

    def check_asset_ids(self, assets: Sequence[Asset]) -> None:
        seen: dict[str, int] = {}
        for index, asset in enumerate(assets):
            if asset.id in seen:
                raise self.fail(
                    ["assets", index, "id"],
                    f"duplicate asset id {asset.id!r} (first at assets[{seen[asset.id]}])",
                )
            seen[asset.id] = index

    def check_findings(self, findings: Sequence[Finding], asset_ids: set[str]) -> None:
        """Every finding names an asset of the result: the SIEM formats inline it."""
        for index, finding in enumerate(findings):
            if finding.asset_id not in asset_ids:
                raise self.fail(
                    ["findings", index, "asset_id"],
                    f"no asset {finding.asset_id!r} in this result's 'assets'",
                )

    def check_summary(self, result: ScanResult, written: Mapping[str, Any]) -> None:
        """The reports recompute the summary from assets and findings; say so if it differs.

        It differs only for an edited file or one from a version that counted otherwise, and
        a reader comparing the report with the file deserves to know which figures won.
        """
        computed = summarise(result)
        differing = [key for key in computed if key in written and written[key] != computed[key]]
        if differing:
            log.warning(
                "%s: its summary (%s) differs from what its assets and findings give; "
                "the report shows the figures they give",
                self.file,
                ", ".join(differing),
            )

    def notice(self, data: Mapping[str, Any], index: int) -> WaiverNotice:
        path: list[str | int] = ["waiver_notices", index]
        return WaiverNotice(
            problem=data["problem"],
            rule=self.text(data, "rule", path),
            asset=self.text(data, "asset", path),
            reason=self.text(data, "reason", path),
            owner=self.text(data, "owner", path),
            expires=self.text(data, "expires", path),
            origin=self.text(data, "origin", path),
        )

    def changes(self, data: Mapping[str, Any], findings: Sequence[Finding]) -> RunChanges:
        """``changes`` as ``compare`` made it: new findings by id, resolved ones in full."""
        by_id = {finding.id: finding for finding in findings}
        new = []
        for index, finding_id in enumerate(data["new"]):
            finding = by_id.get(finding_id)
            if finding is None:
                raise self.fail(
                    ["changes", "new", index], f"{finding_id!r} is not a finding of this result"
                )
            new.append(finding_to_dict(finding))
        severities = [severity.value for severity in Severity]
        for index, resolved in enumerate(data["resolved"]):
            path: list[str | int] = ["changes", "resolved", index]
            self.text(resolved, "title", path)
            if resolved["severity"] not in severities:
                raise self.fail(
                    [*path, "severity"],
                    f"{resolved['severity']!r} is not one of: {', '.join(severities)}",
                )
        exposure = data["exposure_pct"]
        return RunChanges(
            since=data["since"],
            against=data["against"],
            old_exposure=float(exposure["old"]),
            new_exposure=float(exposure["new"]),
            new=tuple(new),
            resolved=tuple(data["resolved"]),
        )
