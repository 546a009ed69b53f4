"""Waivers: accepted risks, with an owner and an end date.

A waived finding stays in the output (status ``waived``) so nothing disappears from the
record. An expired waiver stops applying and is reported; so is a waiver that matches no
finding (the asset was fixed or renamed, or the waiver has a typo), so waiver files do not
rot silently.
"""

from __future__ import annotations

import dataclasses
import datetime
import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import Path

from sovaudit.errors import InputError
from sovaudit.inputs.documents import load_mapping
from sovaudit.inputs.validation import field_path, validate
from sovaudit.model import Finding, Waiver, WaiverNotice, evolve

WAIVERS_SCHEMA = "waivers.schema.json"


@dataclasses.dataclass(frozen=True)
class WaiverRule:
    rule: str
    asset: str
    reason: str
    owner: str
    expires: datetime.date
    origin: str  # file:line

    def covers(self, finding: Finding) -> bool:
        return fnmatch.fnmatchcase(finding.rule_id, self.rule) and fnmatch.fnmatchcase(
            finding.asset_id, self.asset
        )

    def notice(self, problem: str) -> WaiverNotice:
        return WaiverNotice(
            problem=problem,
            rule=self.rule,
            asset=self.asset,
            reason=self.reason,
            owner=self.owner,
            expires=self.expires.isoformat(),
            origin=self.origin,
        )


def load_waivers(path: Path) -> list[WaiverRule]:
    """The waivers in a YAML or JSON file, or InputError naming file, line and field."""
    file = str(path)
    document, find_line = load_mapping(path, "a 'waivers' list")
    validate(document, file, find_line, WAIVERS_SCHEMA)
    waivers = []
    for index, data in enumerate(document["waivers"]):
        try:
            expires = datetime.date.fromisoformat(data["expires"])
        except ValueError:
            where: list[str | int] = ["waivers", index, "expires"]
            raise InputError(
                file,
                f"{data['expires']!r} is not a real date",
                line=find_line(where),
                field=field_path(where),
            ) from None
        waivers.append(
            WaiverRule(
                rule=data["rule"],
                asset=data["asset"],
                reason=data["reason"],
                owner=data["owner"],
                expires=expires,
                origin=f"{file}:{find_line(['waivers', index])}",
            )
        )
    return waivers


def apply_waivers(
    findings: Sequence[Finding], waivers: Iterable[WaiverRule], today: datetime.date
) -> tuple[list[Finding], list[WaiverNotice]]:
    """Findings with waived ones marked, and the waivers that need attention."""
    waivers = list(waivers)
    active = [w for w in waivers if w.expires >= today]
    notices = [w.notice("expired") for w in waivers if w.expires < today]
    if not active:  # the usual night: nothing to match a large estate's findings against
        return list(findings), notices
    used: set[int] = set()
    result = []
    for finding in findings:
        match = next((i for i, w in enumerate(active) if w.covers(finding)), None)
        if match is None:
            result.append(finding)
            continue
        used.add(match)
        waiver = active[match]
        result.append(
            evolve(
                finding,
                status="waived",
                waiver=Waiver(
                    reason=waiver.reason, expires=waiver.expires.isoformat(), owner=waiver.owner
                ),
            )
        )
    notices += [w.notice("unused") for i, w in enumerate(active) if i not in used]
    return result, notices
