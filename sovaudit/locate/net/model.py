"""The values the network-location modules exchange. Frozen, like the rest of the model."""

from __future__ import annotations

import dataclasses

from sovaudit.model import Location


@dataclasses.dataclass(frozen=True)
class RangeMatch:
    """An address found in a cloud provider's published IP ranges."""

    provider: str  # sovaudit provider id: aws, gcp, azure, oci
    region: str | None  # code the catalogue knows (AWS: the network border group)
    service: str | None  # AWS service, Azure service tag, Google service, Oracle tag
    network: str  # the published prefix, e.g. "15.177.0.0/18"
    cdn: bool  # CDN or anycast edge: the data behind it lives somewhere else
    source: str  # which file and its date, e.g. "AWS ip-ranges.json 2025-07-24"


@dataclasses.dataclass(frozen=True)
class GeoMatch:
    """An address found in a GeoIP database."""

    countries: tuple[str, ...]  # ISO 3166-1 alpha-2; empty when the database has no country
    subdivision: str | None  # ISO 3166-2, e.g. "MX-JAL"
    city: str | None
    database: str  # database type and build date, e.g. "GeoLite2-City 2018-07-03"


@dataclasses.dataclass(frozen=True)
class Resolution:
    """What DNS said about one name (or an IP given as such)."""

    query: str
    addresses: tuple[str, ...]
    cname_chain: tuple[str, ...] = ()  # every name followed, in order, ending at the last
    error: str | None = None  # NXDOMAIN, no answer, SERVFAIL, timeout... in words


@dataclasses.dataclass(frozen=True)
class Attribution:
    """Where one address is, and how sovaudit knows."""

    ip: str
    location: Location
    provider: str | None = None
    region: str | None = None
    service: str | None = None
    cdn: bool = False
    database: str | None = None  # the data used: range file or GeoIP database, with its date
    # Why the address could not be looked up (a GeoIP record that is corrupt): the scope is
    # then incomplete, as for a name that could not be resolved.
    error: str | None = None
