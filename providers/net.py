"""Network endpoints as assets: SaaS APIs, on-premises databases, partners' servers.

Each endpoint is resolved (following CNAMEs) and every address placed with the clouds'
published ranges or a GeoIP database. The endpoint's location is where all its addresses are;
if any address cannot be placed (a CDN edge, no GeoIP answer), the endpoint's location is
unknown, because its data could be behind that address. A name that does not resolve is an
error entry (the scan is incomplete) and an unlocated asset.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sovaudit.errors import InputError, UsageError
from sovaudit.inputs.documents import read_text
from sovaudit.inputs.validation import validate
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.net.endpoints import Located, attribution_to_dict, build_attributor, locate_all
from sovaudit.locate.regions import Locator
from sovaudit.model import (
    EMPTY_TAGS,
    Asset,
    Classification,
    Confidence,
    Location,
    LocationSource,
    ScanError,
    unknown_location,
)
from sovaudit.providers.interface import Provider, ProviderError, SourceOption

ENDPOINTS_SCHEMA = "endpoints.schema.json"
_CONFIDENCE = (Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    host: str
    name: str | None = None
    kind: str = "endpoint"
    classification: str | None = None
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    owner: str | None = None
    description: str | None = None


def load_endpoints(path: Path) -> list[Endpoint]:
    """Endpoints from YAML/JSON (schema: endpoints.schema.json) or a text file, one per line."""
    file = str(path)
    if path.suffix.casefold() in (".txt", ".list", ""):
        hosts = [line.split("#", 1)[0].strip() for line in read_text(path).splitlines()]
        return [Endpoint(host=h) for h in hosts if h]
    from sovaudit.inputs.documents import load_mapping

    document, find_line = load_mapping(path, "an 'endpoints' list")
    validate(document, file, find_line, ENDPOINTS_SCHEMA)
    endpoints = []
    for item in document["endpoints"]:
        if isinstance(item, str):
            endpoints.append(Endpoint(host=item))
            continue
        endpoints.append(
            Endpoint(
                host=item["host"],
                name=item.get("name"),
                kind=item.get("kind", "endpoint"),
                classification=item.get("classification"),
                tags={
                    str(k): str(v).lower() if isinstance(v, bool) else str(v)
                    for k, v in (item.get("tags") or {}).items()
                },
                owner=item.get("owner"),
                description=item.get("description"),
            )
        )
    return endpoints


def _is_address(host: str) -> bool:
    """An IP literal (``[::1]`` too) is placed without DNS, so it cannot test a name server."""
    try:
        ipaddress.ip_address(host.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def _combined_location(item: Located) -> Location:
    """Where an endpoint is: all its addresses, or unknown if any address is unplaced."""
    resolution = item.resolution
    if resolution.error:
        return unknown_location(f"DNS: {resolution.error}")
    if not item.addresses:
        return unknown_location("DNS returned no addresses")
    unplaced = [a for a in item.addresses if not a.location.known]
    if unplaced:
        return unknown_location(f"{unplaced[0].ip}: {unplaced[0].location.note}")
    locations = [a.location for a in item.addresses]
    countries = tuple(dict.fromkeys(c for loc in locations for c in loc.countries))
    places = {(loc.subdivision, loc.city) for loc in locations}
    subdivision, city = places.pop() if len(places) == 1 else (None, None)
    sources = {loc.source for loc in locations}
    return Location(
        countries=countries,
        subdivision=subdivision,
        city=city,
        source=sources.pop() if len(sources) == 1 else LocationSource.GEOIP,
        confidence=min((loc.confidence for loc in locations), key=_CONFIDENCE.index),
        note=f"{len(locations)} addresses" if len(locations) > 1 else None,
    )


class NetProvider(Provider):
    """Host names and addresses resolved and placed: the endpoints an estate talks to."""

    name = "net"
    # Flags and parameters without the provider's prefix: `sovaudit locate` shares the last
    # three (see sovaudit.cli.net_options), and these names predate the declarations.
    options = (
        SourceOption(
            "endpoints",
            "A host name or address to place (the net provider); repeatable.",
            multiple=True,
            metavar="HOST",
            flag="--endpoint",
            param="endpoint_hosts",
        ),
        SourceOption(
            "endpoints_file",
            "Host names and addresses to resolve and place (the net provider): YAML/JSON with "
            "an 'endpoints' list, or a text file with one host per line.",
            kind="path",
            metavar="FILE",
            flag="--endpoints",
            param="endpoints_file",
        ),
        SourceOption(
            "nameservers",
            "DNS server to ask; repeatable. Default: the system resolver.",
            multiple=True,
            metavar="IP[:PORT]",
            flag="--nameserver",
            param="nameservers",
            enables=False,
        ),
        SourceOption(
            "geoip_db",
            "A MaxMind-format .mmdb (City or Country). Default: the usual geoipupdate "
            "locations, then a bundled fallback if installed.",
            kind="path",
            metavar="PATH",
            flag="--geoip-db",
            param="geoip_db",
            enables=False,
        ),
        SourceOption(
            "dns_timeout",
            "How long to wait for each DNS answer.",
            kind="number",
            metavar="SECONDS",
            flag="--dns-timeout",
            param="dns_timeout",
            default=3.0,
            minimum=0.1,
            enables=False,
        ),
    )

    def __init__(
        self,
        endpoints: Sequence[Endpoint],
        nameservers: Sequence[str] = (),
        geoip_db: Path | None = None,
        dns_timeout: float = 3.0,
    ) -> None:
        self.endpoints = list(endpoints)
        self.nameservers = list(nameservers)
        self.geoip_db = geoip_db
        self.dns_timeout = dns_timeout
        self._errors: list[ScanError] = []

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> NetProvider:
        path = options.get("endpoints_file")
        hosts = [Endpoint(host=str(host)) for host in options.get("endpoints") or ()]
        if path is None and not hosts:
            raise UsageError(
                "the net provider needs endpoints: --endpoint HOST, --endpoints FILE, "
                "or 'sources.net.endpoints' in the config file"
            )
        listed = load_endpoints(Path(path)) if path is not None else []
        return cls(
            [*listed, *hosts],
            nameservers=options.get("nameservers", ()),
            geoip_db=options.get("geoip_db"),
            dns_timeout=float(options.get("dns_timeout", 3.0)),
        )

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> list[str]:
        """The endpoints file read as a scan reads it; the GeoIP database named exists."""
        checked = []
        path = options.get("endpoints_file")
        if path is not None:
            checked.append(f"endpoints {path} ({len(load_endpoints(Path(path)))})")
        geoip_db = options.get("geoip_db")
        if geoip_db is not None and not Path(geoip_db).is_file():
            raise InputError(str(geoip_db), "no such file (GeoIP database)")
        return checked

    @property
    def errors(self) -> list[ScanError]:
        return self._errors

    def _locator(self) -> Locator:
        """The scan's own locator when it handed one over; the catalogue is parsed once."""
        return self.locator if self.locator is not None else Locator(load_catalogue())

    def probe(self) -> str:
        """The GeoIP database and the resolver a scan would use, built the scan's way (a
        corrupt database or a broken resolv.conf fails here as it would there), and, when the
        settings name name servers, one lookup of the first host name through them. The
        system resolver is not asked: it is the host's, not something the settings configure."""
        from sovaudit.locate.net.dns import DnsResolver

        geoip = build_attributor(self._locator(), self.geoip_db).geoip
        resolver = DnsResolver(nameservers=self.nameservers, timeout=self.dns_timeout)
        seen = [f"GeoIP {geoip.description}" if geoip is not None else "no GeoIP database"]
        if self.nameservers:
            host = next((e.host for e in self.endpoints if not _is_address(e.host)), None)
            servers = ", ".join(self.nameservers)
            if host is None:
                seen.append(f"no host name to ask {servers}")
            else:
                resolution = resolver.resolve(host)
                if resolution.error:
                    raise ProviderError("net", resolution.error, scope=host)
                seen.append(f"{servers} answered for {host}")
        return "; ".join(seen)

    def collect(self) -> Iterator[Asset]:
        from sovaudit.locate.net.dns import DnsResolver

        attributor = build_attributor(self._locator(), self.geoip_db)
        resolver = DnsResolver(nameservers=self.nameservers, timeout=self.dns_timeout)
        hosts = [e.host for e in self.endpoints]
        located = locate_all(hosts, resolver.resolve_many(hosts), attributor)
        for endpoint, item in zip(self.endpoints, located, strict=False):
            if item.resolution.error:
                self._errors.append(ScanError("net", endpoint.host, item.resolution.error))
            for address in item.addresses:
                if address.error:
                    self._errors.append(ScanError("net", endpoint.host, address.error))
            yield Asset(
                id=endpoint.host,
                provider="net",
                service="dns",
                kind=endpoint.kind,
                name=endpoint.name,
                location=_combined_location(item),
                classification=Classification(endpoint.classification)
                if endpoint.classification
                else Classification.UNKNOWN,
                classification_source="declared" if endpoint.classification else "default",
                tags=MappingProxyType(dict(endpoint.tags)) if endpoint.tags else EMPTY_TAGS,
                owner=endpoint.owner,
                description=endpoint.description,
                attributes=MappingProxyType(
                    {
                        "addresses": [attribution_to_dict(a) for a in item.addresses],
                        "cname_chain": list(item.resolution.cname_chain),
                    }
                ),
            )
