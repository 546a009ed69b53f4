"""Waivers: applied, expired, unused, and bad waiver files."""

from __future__ import annotations

import datetime

import pytest

from sovaudit.engine.waivers import apply_waivers, load_waivers
from sovaudit.errors import InputError
from sovaudit.model import Finding, Severity

TODAY = datetime.date(2026, 11, 22)
FINDINGS = [
    Finding(
        id="a",
        rule_id="personal-data-outside-home",
        severity=Severity.HIGH,
        asset_id="arn:aws:s3:::backup-2024",
        title="t",
        message="m",
    ),
    Finding(
        id="b",
        rule_id="personal-data-without-home-copy",
        severity=Severity.MEDIUM,
        asset_id="arn:aws:s3:::backup-2024",
        title="t",
        message="m",
    ),
    Finding(
        id="c",
        rule_id="personal-data-outside-home",
        severity=Severity.HIGH,
        asset_id="crm",
        title="t",
        message="m",
    ),
]

WAIVERS = """\
waivers:
  - rule: personal-data-*
    asset: "arn:aws:s3:::backup-*"
    reason: Legal hold until the 2024 audit closes; moving it would break chain of custody.
    owner: legal@example.mx
    expires: 2026-11-22
  - rule: personal-data-outside-home
    asset: crm
    reason: Migration to the Mexican tenant was due in October.
    owner: ti@example.mx
    expires: 2026-10-31
  - rule: storage-spans-several-countries
    asset: gs://old-bucket
    reason: Bucket deleted in September.
    owner: datos@example.mx
    expires: 2027-01-31
"""


def test_waivers_apply_through_their_expiry_day_and_notices_say_what_needs_care(write) -> None:
    waivers = load_waivers(write("waivers.yaml", WAIVERS))
    findings, notices = apply_waivers(FINDINGS, waivers, TODAY)
    assert [f.status for f in findings] == ["waived", "waived", "open"]
    assert findings[0].waiver.owner == "legal@example.mx"
    assert findings[0].waiver.expires == "2026-11-22"
    assert [(n.problem, n.asset) for n in notices] == [
        ("expired", "crm"),
        ("unused", "gs://old-bucket"),
    ]
    assert notices[0].origin.endswith("waivers.yaml:7")
    # The day after, the first waiver has expired too and its findings are open again.
    findings, notices = apply_waivers(FINDINGS, waivers, TODAY + datetime.timedelta(days=1))
    assert [f.status for f in findings] == ["open", "open", "open"]
    assert [n.problem for n in notices].count("expired") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "waivers:\n  - rule: x\n    asset: y\n    reason: why not\n    expires: 2027-01-01\n",
            ":2: waivers[0]: missing required field 'owner'",
        ),
        (
            "waivers:\n  - {rule: x, asset: y, reason: why not, owner: me, expires: 2027-02-30}\n",
            ":2: waivers[0].expires: '2027-02-30' is not a real date",
        ),
        (
            "waivers:\n  - {rule: x, asset: y, reason: why not, owner: me, expires: next year}\n",
            ":2: waivers[0].expires: 'next year' does not match the expected form",
        ),
        (
            "waivers:\n  - {rule: x, asset: y, reason: why not, owner: me, expires: 2027-01-01,\n"
            "     approved_by: boss}\n",
            ":3: waivers[0].approved_by: unknown field",
        ),
        ("- rule: x\n", ":1: expected a mapping with a 'waivers' list, found a list"),
    ],
)
def test_bad_waiver_files_name_file_line_and_field(write, text: str, expected: str) -> None:
    path = write("waivers.yaml", text)
    with pytest.raises(InputError) as info:
        load_waivers(path)
    assert f"{path}{expected}" in str(info.value), str(info.value)
