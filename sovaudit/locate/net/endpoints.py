"""Resolve and place endpoints: the work `locate` and the `net` provider share."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sovaudit.locate.net.attribute import Attributor
from sovaudit.locate.net.model import Attribution, Resolution
from sovaudit.locate.regions import Locator
from sovaudit.report.json_document import location_to_dict

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Located:
    resolution: Resolution
    addresses: tuple[Attribution, ...]


def build_attributor(
    locator: Locator,
    geoip_db: Path | None = None,
    configured_geoip: Path | None = None,
    today: datetime.date | None = None,
) -> Attributor:
    """The cloud ranges (bundled or updated) and the GeoIP database the user pointed to."""
    from sovaudit.locate.net.cdn import cdn_ranges
    from sovaudit.locate.net.geoip import GeoIPDatabase, find_database
    from sovaudit.locate.net.ranges import CloudRanges

    ranges = CloudRanges.load()
    if ranges.is_stale(today):
        log.warning(
            "the cloud IP range data is from %s, more than 90 days ago: run "
            "`sovaudit data update` for current ranges",
            ranges.oldest_date,
        )
    path = find_database(geoip_db, configured_geoip)
    geoip = GeoIPDatabase.open(path) if path is not None else None
    if geoip is None:
        log.info("no GeoIP database found: addresses outside the clouds' ranges stay unknown")
    return Attributor(ranges, locator, geoip, cdn=cdn_ranges())


def locate_all(
    queries: Sequence[str], resolutions: Sequence[Resolution], attributor: Attributor
) -> list[Located]:
    """Each query's resolution with every address placed, in the order given."""
    located = []
    for resolution in resolutions:
        located.append(
            Located(resolution, tuple(attributor.attribute(ip) for ip in resolution.addresses))
        )
    return located


def attribution_to_dict(attribution: Attribution) -> dict[str, Any]:
    """One address in `locate --format json` (CONTRACT.md, plus service/cdn/confidence/note)."""
    location = location_to_dict(attribution.location)
    data: dict[str, Any] = {
        "ip": attribution.ip,
        "countries": location["countries"],
        "subdivision": location["subdivision"],
        "city": location["city"],
        "provider": attribution.provider,
        "region": attribution.region,
        "source": location["source"]
        if attribution.location.known
        else ("cloud-ip-ranges" if attribution.provider else location["source"]),
        "database": attribution.database,
        "confidence": location["confidence"],
    }
    if attribution.service:
        data["service"] = attribution.service
    if attribution.cdn:
        data["cdn"] = True
    if attribution.location.note:
        data["note"] = attribution.location.note
    if attribution.error:
        data["error"] = attribution.error
    return data


def located_to_dict(item: Located) -> dict[str, Any]:
    return {
        "query": item.resolution.query,
        "addresses": [attribution_to_dict(a) for a in item.addresses],
        "cname_chain": list(item.resolution.cname_chain),
        "error": item.resolution.error,
    }
