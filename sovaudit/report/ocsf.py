"""OCSF Compliance Finding events (class_uid 2003), one JSON object per line, for SIEMs.

Each finding becomes one self-contained event: a SIEM indexes events one at a time, so the
asset's location and copies travel with the finding instead of being joined later. What OCSF
has no field for sits in the resource's ``data`` (about the asset) and in ``unmapped.sovaudit``
(flat, filterable keys such as ``countries`` and ``home_country``), so a detection rule can say
"personal data outside MX" without parsing messages.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from sovaudit import __version__
from sovaudit.bundled import data_yaml
from sovaudit.json_text import json_lines
from sovaudit.model import Asset, Finding, ScanResult, Severity
from sovaudit.report.json_document import SharedLocations, asset_to_dict, finding_to_dict
from sovaudit.timestamps import parse_rfc3339

# The OCSF schema version py-ocsf-models 0.10 targets; the tests hold the two together.
OCSF_VERSION = "1.5.0"

CLASS_UID, CLASS_NAME = 2003, "Compliance Finding"
CATEGORY_UID, CATEGORY_NAME = 2, "Findings"
ACTIVITY_ID, ACTIVITY_NAME = 1, "Create"
TYPE_UID = CLASS_UID * 100 + ACTIVITY_ID

SEVERITY_IDS: dict[Severity, tuple[int, str]] = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
STATUS_NEW, STATUS_SUPPRESSED = (1, "New"), (3, "Suppressed")
COMPLIANCE_FAIL = (3, "Fail")
DEFAULT_STANDARD = "sovaudit data-sovereignty rules"


@functools.cache
def cloud_spellings() -> dict[str, dict[str, Any]]:
    """Each provider's OCSF ``cloud`` spelling, as data (sovaudit/data/ocsf_clouds.yaml), so
    this module names no provider and a new one is a line of data."""
    data: dict[str, dict[str, Any]] = data_yaml("ocsf_clouds.yaml")
    return data


def epoch_millis(rfc3339: str) -> int:
    """OCSF ``time`` is milliseconds since the epoch; scan times are RFC 3339 UTC strings."""
    moment = parse_rfc3339(rfc3339)
    if moment is None:
        raise ValueError(f"{rfc3339!r} is not an RFC 3339 time")
    return int(moment.timestamp() * 1000)


def _cloud_partition(asset: Asset) -> str | None:
    """The partition (``aws``, ``aws-cn``, ``aws-us-gov``): the second field of an ARN id."""
    spelling = cloud_spellings().get(asset.provider) or {}
    if spelling.get("partition_from_arn") and asset.id.startswith("arn:"):
        return asset.id.split(":", 2)[1] or None
    return None


def _cloud(asset: Asset) -> dict[str, Any] | None:
    spelling = cloud_spellings().get(asset.provider)
    if spelling is None:
        return None
    cloud: dict[str, Any] = {"provider": spelling["name"], "region": asset.region}
    if asset.zone:
        cloud["zone"] = asset.zone
    if asset.account:
        if spelling.get("account_field") == "project_uid":
            cloud["project_uid"] = asset.account
        else:
            type_id, type_name = spelling.get("account_type") or (99, "Other")
            cloud["account"] = {
                "uid": asset.account,
                "name": asset.account,
                "type_id": type_id,
                "type": type_name,
            }
    return {key: value for key, value in cloud.items() if value is not None}


def _resource(asset: Asset, rendered: dict[str, Any]) -> dict[str, Any]:
    location = rendered["location"]
    resource: dict[str, Any] = {
        "uid": asset.id,
        "name": asset.name or asset.id,
        "type": asset.kind or asset.service or asset.provider,
        "region": asset.region,
        "cloud_partition": _cloud_partition(asset),
        "labels": [f"{key}={value}" for key, value in asset.tags.items()] or None,
        "data": {
            "provider": asset.provider,
            "service": asset.service,
            "kind": asset.kind,
            "account": asset.account,
            "countries": location["countries"],
            "subdivision": location["subdivision"],
            "city": location["city"],
            "location_source": location["source"],
            "confidence": location["confidence"],
            "location_note": location.get("note"),
            "zone": asset.zone,
            "copies": rendered["copies"],
            "copy_countries": list(asset.copy_countries),
            "classification": rendered["classification"],
            "classification_source": rendered["classification_source"],
            "owner": asset.owner,
        },
    }
    return {key: value for key, value in resource.items() if value is not None}


def _comment(finding: Finding) -> str | None:
    waiver = finding.waiver
    if waiver is None:
        return None
    who = f" by {waiver.owner}" if waiver.owner else ""
    until = f" until {waiver.expires}" if waiver.expires else ""
    return f"Waived{who}{until}: {waiver.reason}"


def finding_event(
    finding: Finding, asset: Asset, rendered_asset: dict[str, Any], home: str, time: int
) -> dict[str, Any]:
    """One Compliance Finding event; ``rendered_asset`` is ``asset_to_dict(asset)``."""
    severity_id, severity = SEVERITY_IDS[finding.severity]
    status_id, status = STATUS_NEW if finding.status == "open" else STATUS_SUPPRESSED
    contract = finding_to_dict(finding)
    event: dict[str, Any] = {
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY_NAME,
        "activity_id": ACTIVITY_ID,
        "activity_name": ACTIVITY_NAME,
        "type_uid": TYPE_UID,
        "type_name": f"{CLASS_NAME}: {ACTIVITY_NAME}",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "message": finding.message,
        "metadata": {
            "version": OCSF_VERSION,
            # This event's own id: one per finding per scan, so a SIEM that de-duplicates on
            # it keeps every night's verdict; finding_info.uid is the stable finding id.
            "uid": f"{finding.id}@{time}",
            "product": {"name": "sovaudit", "vendor_name": "sovaudit", "version": __version__},
        },
        "finding_info": {
            "uid": finding.id,
            "title": finding.title,
            "desc": finding.message,
            "types": [finding.rule_id],
        },
        "compliance": {
            "control": finding.rule_id,
            "standards": list(finding.references) or [DEFAULT_STANDARD],
            "status_id": COMPLIANCE_FAIL[0],
            "status": COMPLIANCE_FAIL[1],
        },
        "resources": [_resource(asset, rendered_asset)],
        "unmapped": {
            "sovaudit": {
                "home_country": home,
                "countries": rendered_asset["location"]["countries"],
                "copy_countries": list(asset.copy_countries),
                "outside_home": not asset.location.within(home),
                "classification": rendered_asset["classification"],
                "rule_id": finding.rule_id,
                "severity": contract["severity"],
                "status": finding.status,
                "waiver": contract.get("waiver"),
            }
        },
    }
    if finding.remediation:
        event["remediation"] = {"desc": finding.remediation}
    comment = _comment(finding)
    if comment:
        event["comment"] = comment
    cloud = _cloud(asset)
    if cloud:
        event["cloud"] = cloud
        event["metadata"]["profiles"] = ["cloud"]
    return event


def render_ocsf(result: ScanResult) -> Iterator[bytes]:
    """One OCSF Compliance Finding event per finding, as JSON Lines (UTF-8, not ASCII-escaped).

    Every event carries the scan's finish time: the moment the verdict was reached.
    """
    time = epoch_millis(result.finished_at)
    assets = {asset.id: asset for asset in result.assets}
    locations = SharedLocations()
    events = (
        finding_event(
            finding,
            assets[finding.asset_id],
            asset_to_dict(assets[finding.asset_id], locations),
            result.home_country,
            time,
        )
        for finding in result.findings
    )
    return json_lines(events)
