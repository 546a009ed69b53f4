"""Turn a provider's region, zone or location code into a physical Location.

The traps (DOMAIN.md) are handled here, once, for every source: zone names whose region is
misleading (``us-east-1-qro-1a`` is in Querétaro, not Virginia), service-specific codes (S3's
null and ``EU``), case and display-name spellings, dual-regions given as member lists. A code
nobody knows becomes an unknown location with the reason, never a guess and never "home".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Sequence
from typing import Any

from sovaudit.locate.catalogue import Catalogue, Region
from sovaudit.model import (
    Asset,
    Confidence,
    Copy,
    Location,
    LocationSource,
    evolve,
    unknown_location,
)

# Zone spellings, tried in order, that reduce to a catalogued region or zone group:
# AWS "mx-central-1a" / "us-east-1-qro-1a", GCP "northamerica-south1-b",
# OCI availability domains "Uocm:MX-QUERETARO-1-AD-1" or "Uocm:PHX-AD-1".
_ZONE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(.*\d)[a-z]$", re.IGNORECASE), r"\1"),
    (re.compile(r"^(.*\d)-[a-z]$", re.IGNORECASE), r"\1"),
    (re.compile(r"^(?:[a-z0-9]+:)?(.+?)-ad-\d+$", re.IGNORECASE), r"\1"),
)

_CONFIDENCE_ORDER = (Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH)
DUAL_REGION_COPY = "dual-region"


class Locator:
    """Locates codes against one catalogue; pass it to whatever needs locating."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        # Estates repeat a few dozen codes across thousands of assets: answer each once.
        self._cache: dict[tuple[object, ...], Location] = {}
        self._members: dict[tuple[object, ...], tuple[Copy, ...]] = {}
        # Region codes no catalogue knows, and the assets that carry them: one warning per
        # code after the scan, not one per asset (sovaudit.pipeline reports them).
        self._unknown_keys: dict[tuple[object, ...], tuple[str, str]] = {}
        self._pending: list[tuple[str, str]] = []
        # located_fields() by everything it reads, compared by value: a large estate has a
        # few hundred of those, so most assets are located with one dictionary lookup.
        self._located: dict[Hashable, tuple[dict[str, object] | None, tuple[Any, ...]]] = {}
        self.unknown_codes: dict[tuple[str, str], dict[str, None]] = {}

    def find_region(self, provider: str, code: str) -> Region | None:
        """The catalogue entry for a region, zone group or zone name."""
        region = self.catalogue.lookup(provider, code)
        if region is not None:
            return region
        for pattern, replacement in _ZONE_PATTERNS:
            if pattern.match(code):
                region = self.catalogue.lookup(provider, pattern.sub(replacement, code))
                if region is not None:
                    return region
        return None

    def paired_region(self, provider: str, code: str | None) -> str | None:
        """The region's pair (where a geo-redundant copy is kept), or None when it has none."""
        region = self.find_region(provider, code) if code else None
        return region.paired_region if region is not None else None

    def explain_unknown(self, provider: str, service: str | None, code: str) -> str | None:
        """Why ``code`` cannot be located, with the likeliest intended code; None if it can."""
        if not self.catalogue.has_provider(provider):
            return None
        if self.catalogue.service_alias(provider, service, code) or self.find_region(
            provider, code
        ):
            return None
        close = self.closest_code(provider, code)
        hint = f"; did you mean {close!r}?" if close else ""
        return (
            f"{provider} region {code!r} is not in the region catalogue{hint} "
            "(if it is a new region, declare its 'location')"
        )

    def closest_code(self, provider: str, code: str) -> str | None:
        """The catalogued code ``code`` most likely meant (a typo, a region launched since)."""
        codes = [region.code for region in self.catalogue.regions(provider)]
        close = difflib.get_close_matches(code.casefold(), codes, n=1, cutoff=0.6)
        return close[0] if close else None

    def _unknown_code(self, key: tuple[object, ...], provider: str, code: str) -> Location:
        self._unknown_keys[key] = (provider, code)
        close = self.closest_code(provider, code)
        hint = f"; closest known code: {close!r}" if close else ""
        return unknown_location(f"{provider} region {code!r} is not in the catalogue{hint}")

    def locate(
        self,
        provider: str,
        region: str | None,
        *,
        service: str | None = None,
        zone: str | None = None,
        data_locations: Sequence[str] = (),
    ) -> Location:
        """Where data held in ``region`` (or ``zone``, or across ``data_locations``) is."""
        key = (provider, region, service, zone, tuple(data_locations))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._locate(
                key, provider, region, service, zone, data_locations
            )
        if key in self._unknown_keys:
            self._pending.append(self._unknown_keys[key])
        return cached

    def _locate(
        self,
        key: tuple[object, ...],
        provider: str,
        region: str | None,
        service: str | None,
        zone: str | None,
        data_locations: Sequence[str],
    ) -> Location:
        if data_locations:
            return self._locate_members(provider, data_locations)
        if not self.catalogue.has_provider(provider):
            return unknown_location(
                f"no region catalogue for provider {provider!r}: declare the location"
            )
        # A zone is more precise than its region: a Local Zone's region is another country's.
        if zone:
            found = self.find_region(provider, zone)
            if found is not None:
                return found.location()
        aliased = self.catalogue.service_alias(provider, service, region)
        if aliased is not None:
            region = aliased
        if not region:
            return unknown_location(f"{provider} asset has no region")
        found = self.find_region(provider, region)
        if found is None:
            return self._unknown_code(key, provider, region)
        return found.location()

    def _locate_members(self, provider: str, members: Sequence[str]) -> Location:
        """A location spread over several regions (a GCS configurable dual-region)."""
        located = [(code, self.locate(provider, code)) for code in members]
        missing = [code for code, location in located if not location.known]
        if missing:
            return unknown_location(
                f"{provider} data locations {', '.join(missing)} are not in the catalogue"
            )
        locations = [location for _, location in located]
        countries = tuple(dict.fromkeys(c for loc in locations for c in loc.countries))
        subdivisions = {loc.subdivision for loc in locations}
        cities = {loc.city for loc in locations}
        return Location(
            countries=countries,
            subdivision=subdivisions.pop() if len(subdivisions) == 1 else None,
            city=cities.pop() if len(cities) == 1 else None,
            source=LocationSource.CATALOGUE,
            confidence=min((loc.confidence for loc in locations), key=_CONFIDENCE_ORDER.index),
            note=f"data placed in {', '.join(members)}",
        )

    def locate_asset(self, asset: Asset) -> Asset:
        """The asset with its own and its copies' locations filled in from the catalogue."""
        located = self.located_fields(asset)
        return asset if located is None else evolve(asset, **located)

    def located_fields(self, asset: Asset) -> dict[str, object] | None:
        """The ``location`` and ``copies`` the asset should have, or None if it has them.

        A location the source already established (declared in an inventory, found in the
        clouds' IP ranges) is kept: the source knew more than a region code can say.
        """
        key = (
            asset.provider,
            asset.region,
            asset.service,
            asset.zone,
            asset.data_locations,
            asset.location,
            asset.copies,
        )
        hit = self._located.get(key)
        if hit is None:
            self._pending.clear()
            hit = self._located[key] = (self._located_fields(asset), tuple(self._pending))
        located, pending = hit
        for code in pending:
            self.unknown_codes.setdefault(code, {})[asset.id] = None
        return dict(located) if located is not None else None

    def _located_fields(self, asset: Asset) -> dict[str, object] | None:
        location = asset.location
        if self._said_unknown(asset):
            pass  # its source said why no place is known; S3's null-is-us-east-1 must not apply
        elif location.source is LocationSource.UNKNOWN:
            location = self.locate(
                asset.provider,
                asset.region,
                service=asset.service,
                zone=asset.zone,
                data_locations=asset.data_locations,
            )
            if location.source is LocationSource.UNKNOWN and asset.location.note:
                location = evolve(location, note=asset.location.note)
        elif asset.region and location.source is LocationSource.DECLARED:
            location = self._note_disagreement(asset, location)
        copies = asset.copies
        if copies:
            copies = tuple(self._locate_copy(asset, copy) for copy in copies)
        if asset.data_locations or asset.region:
            copies += self._member_copies(asset)
        if location is asset.location and copies == asset.copies:
            return None
        return {"location": location, "copies": copies}

    @staticmethod
    def _said_unknown(asset: Asset) -> bool:
        """An asset with nothing to locate by and a reason for it (a Terraform resource whose
        region is set only when Terraform runs) keeps that reason: looking up its missing
        region would read it as an API's null, which for S3 means us-east-1."""
        location = asset.location
        return (
            location.source is LocationSource.UNKNOWN
            and location.note is not None
            and not (asset.region or asset.zone or asset.data_locations)
        )

    def _member_copies(self, asset: Asset) -> tuple[Copy, ...]:
        """A dual-region keeps a full copy in each member region: make those copies explicit.

        So a configurable dual-region over Querétaro and Texas has a copy in Mexico (and one
        abroad), while a multi-region, whose copies the provider places, has none we can name.
        """
        if any(copy.kind == DUAL_REGION_COPY for copy in asset.copies):
            return ()  # already explicit (a previous result read back)
        key = (asset.provider, asset.region, asset.data_locations)
        cached = self._members.get(key)
        if cached is None:
            members: Sequence[str] = asset.data_locations
            if not members and asset.region:
                region = self.find_region(asset.provider, asset.region)
                if region is not None and region.kind == "dual-region":
                    members = region.members
            cached = self._members[key] = (
                tuple(
                    Copy(
                        kind=DUAL_REGION_COPY,
                        region=member,
                        location=self.locate(asset.provider, member),
                    )
                    for member in members
                )
                if len(members) > 1
                else ()
            )
        return cached

    def _locate_copy(self, asset: Asset, copy: Copy) -> Copy:
        if copy.location.source is not LocationSource.UNKNOWN or not copy.region:
            return copy
        provider = copy.provider or asset.provider
        return evolve(copy, location=self.locate(provider, copy.region, service=asset.service))

    def _note_disagreement(self, asset: Asset, declared: Location) -> Location:
        mark = len(self._pending)
        catalogued = self.locate(
            asset.provider, asset.region, service=asset.service, zone=asset.zone
        )
        del self._pending[mark:]  # a declared location stands: its region code is no matter
        if not catalogued.known or set(catalogued.countries) == set(declared.countries):
            return declared
        note = (
            f"declared {'/'.join(declared.countries) or 'nothing'}, but the catalogue places "
            f"{asset.region} in {'/'.join(catalogued.countries)}"
        )
        return evolve(declared, note=note)
