"""Where an IP address is: the clouds' published ranges first, a GeoIP database second.

The providers' own range files say which region an address belongs to, and the catalogue
says where that region is; GeoIP databases place cloud addresses badly (often at the
provider's headquarters), so they are only asked about addresses no cloud publishes. A CDN
or anycast address is answered honestly: it is an edge, and the data behind it is elsewhere.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol

from sovaudit.locate.net.errors import GeoIPError
from sovaudit.locate.net.model import Attribution, GeoMatch, RangeMatch
from sovaudit.locate.regions import Locator
from sovaudit.model import Confidence, Location, LocationSource, unknown_location


class RangeTable(Protocol):
    def lookup(self, ip: str) -> RangeMatch | None: ...


class GeoDatabase(Protocol):
    @property
    def description(self) -> str: ...

    def lookup(self, ip: str) -> GeoMatch | None: ...


class Attributor:
    """Answers "where is this address" from the sources it was given, best first."""

    def __init__(
        self,
        ranges: RangeTable,
        locator: Locator,
        geoip: GeoDatabase | None = None,
        cdn: RangeTable | None = None,
    ) -> None:
        self.ranges = ranges
        self.locator = locator
        self.geoip = geoip
        self.cdn = cdn  # CDNs that publish their edges (Cloudflare, Fastly): after the clouds

    def attribute(self, ip: str) -> Attribution:
        address = ipaddress.ip_address(ip)  # ValueError for a non-address, by design
        if address.is_private or address.is_loopback or address.is_link_local:
            return Attribution(
                ip=ip,
                location=unknown_location(
                    "private address: where it is depends on your own network; declare the "
                    "location in an inventory"
                ),
            )
        match = self.ranges.lookup(ip)
        if match is None and self.cdn is not None:
            match = self.cdn.lookup(ip)
        if match is not None:
            return self._from_ranges(ip, match)
        if self.geoip is not None:
            try:
                geo = self.geoip.lookup(ip)
            except GeoIPError as exc:
                # One corrupt record costs this address, not the whole audit.
                return Attribution(
                    ip=ip,
                    location=unknown_location(f"GeoIP lookup failed: {exc.detail}"),
                    database=self.geoip.description,
                    error=str(exc),
                )
            if geo is not None and geo.countries:
                return Attribution(
                    ip=ip,
                    location=Location(
                        countries=geo.countries,
                        subdivision=geo.subdivision,
                        city=geo.city,
                        source=LocationSource.GEOIP,
                        confidence=Confidence.MEDIUM,
                    ),
                    database=geo.database,
                )
            return Attribution(
                ip=ip,
                location=unknown_location(
                    f"not in any cloud's published ranges nor in {self.geoip.description}"
                ),
                database=self.geoip.description,
            )
        return Attribution(
            ip=ip,
            location=unknown_location(
                "not in any cloud's published ranges, and no GeoIP database is configured "
                "(--geoip-db)"
            ),
        )

    def _from_ranges(self, ip: str, match: RangeMatch) -> Attribution:
        what = f"{match.provider} {match.service or ''}".strip()
        if match.cdn:
            location = unknown_location(
                f"{what} edge (CDN/anycast, {match.network}): the data behind it is elsewhere"
            )
        elif match.region is None:
            location = unknown_location(f"{what} global range {match.network}: no region")
        else:
            location = self.locator.locate(match.provider, match.region)
            if location.known:
                location = Location(
                    countries=location.countries,
                    subdivision=location.subdivision,
                    city=location.city,
                    source=LocationSource.CLOUD_IP_RANGES,
                    confidence=Confidence.HIGH,
                    note=location.note,
                )
        return Attribution(
            ip=ip,
            location=location,
            provider=match.provider,
            region=match.region,
            service=match.service,
            cdn=match.cdn,
            database=match.source,
        )
