"""A real DNS server on 127.0.0.1 for tests: dnslib on an ephemeral port, UDP and TCP.

Tests of name resolution must not depend on the machine's resolver or the internet, and a
mocked dnspython would not catch wire-level mistakes; so this serves a fixed zone over real
sockets. It answers as a recursive resolver does (the whole CNAME chain in one answer), or,
with ``chase=False``, one CNAME at a time as an authoritative server does, so both client
paths are exercised. Some names misbehave on purpose: see SERVFAIL_NAMES and SILENT_NAMES.

The addresses are real: inside prefixes of the clouds' published range files in
tests/data/cloud-ip-ranges/ and in MaxMind's test databases, so integration tests can
resolve a name from ZONE and attribute its addresses end to end.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping

from dnslib import QTYPE, RCODE, RR, DNSError, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

Record = tuple[str, str]  # (type, value): ("A", "136.18.152.10"), ("CNAME", "x.test")

# Addresses inside real published prefixes (file, prefix, what it is).
AWS_MX_CENTRAL_1 = "136.18.152.10"  # aws 136.18.152.0/21 EC2, region mx-central-1
AWS_MX_CENTRAL_1_S3 = "16.12.71.20"  # aws 16.12.71.0/24 S3, region mx-central-1
AWS_MX_CENTRAL_1_V6 = "2600:1f69:7400::10"  # aws 2600:1f69:7400::/40 AMAZON, mx-central-1
AWS_QRO_LOCAL_ZONE = "15.220.184.10"  # aws 15.220.184.0/21 EC2, border group us-east-1-qro-1
GCP_NORTHAMERICA_SOUTH1 = "34.51.0.10"  # google 34.51.0.0/17, scope northamerica-south1
GCP_NORTHAMERICA_SOUTH1_V6 = "2600:1900:4290::10"  # google 2600:1900:4290::/44, same scope
AZURE_MEXICOCENTRAL = "13.105.108.180"  # azure 13.105.108.176/28, AzureCloud.mexicocentral
OCI_MX_MONTERREY_1 = "40.233.0.10"  # oracle 40.233.0.0/19, region mx-monterrey-1
MAXMIND_LONDON = "81.2.69.142"  # GB, London in MaxMind's GeoIP2/GeoLite2 test databases
MAXMIND_MILTON = "216.160.83.56"  # US, Milton (WA) in the same test databases

LONG_CHAIN_HOPS = 20  # more than the client's 16-hop cap

ZONE: dict[str, tuple[Record, ...]] = {
    # A three-hop chain to a load balancer in AWS Mexico (Central), v4 and v6.
    "crm.example.com": (("CNAME", "crm.vendor.test"),),
    "crm.vendor.test": (("CNAME", "edge.cdn.test"),),
    "edge.cdn.test": (("CNAME", "lb-123.mx-central-1.elb.test"),),
    "lb-123.mx-central-1.elb.test": (
        ("A", AWS_MX_CENTRAL_1),
        ("A", AWS_MX_CENTRAL_1_S3),
        ("AAAA", AWS_MX_CENTRAL_1_V6),
    ),
    "erp.example.com": (("CNAME", "erp.qro.vendor.test"),),
    "erp.qro.vendor.test": (("A", AWS_QRO_LOCAL_ZONE),),
    "gcp.example.com": (("A", GCP_NORTHAMERICA_SOUTH1), ("AAAA", GCP_NORTHAMERICA_SOUTH1_V6)),
    "azure.example.com": (("A", AZURE_MEXICOCENTRAL),),
    "oci.example.com": (("A", OCI_MX_MONTERREY_1),),
    "london.example.com": (("A", MAXMIND_LONDON),),
    "milton.example.com": (("A", MAXMIND_MILTON),),
    "v6only.example.com": (("AAAA", GCP_NORTHAMERICA_SOUTH1_V6),),
    "txtonly.example.com": (("TXT", "v=spf1 -all"),),  # the name exists, no address
    "dangling.example.com": (("CNAME", "gone.example.com"),),  # target is NXDOMAIN
    "loop-a.example.com": (("CNAME", "loop-b.example.com"),),
    "loop-b.example.com": (("CNAME", "loop-a.example.com"),),
    **{
        f"hop{i}.example.com": (("CNAME", f"hop{i + 1}.example.com"),)
        for i in range(LONG_CHAIN_HOPS)
    },
    f"hop{LONG_CHAIN_HOPS}.example.com": (("A", AZURE_MEXICOCENTRAL),),
}

SERVFAIL_NAMES = frozenset({"servfail.example.com"})
SILENT_NAMES = frozenset({"silent.example.com"})  # the request is dropped: clients time out

# What a correct client makes of each resolvable name: (cname_chain, addresses A then AAAA).
EXPECTED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "crm.example.com": (
        ("crm.example.com", "crm.vendor.test", "edge.cdn.test", "lb-123.mx-central-1.elb.test"),
        (AWS_MX_CENTRAL_1, AWS_MX_CENTRAL_1_S3, AWS_MX_CENTRAL_1_V6),
    ),
    "erp.example.com": (("erp.example.com", "erp.qro.vendor.test"), (AWS_QRO_LOCAL_ZONE,)),
    "gcp.example.com": ((), (GCP_NORTHAMERICA_SOUTH1, GCP_NORTHAMERICA_SOUTH1_V6)),
    "azure.example.com": ((), (AZURE_MEXICOCENTRAL,)),
    "oci.example.com": ((), (OCI_MX_MONTERREY_1,)),
    "london.example.com": ((), (MAXMIND_LONDON,)),
    "milton.example.com": ((), (MAXMIND_MILTON,)),
    "v6only.example.com": ((), (GCP_NORTHAMERICA_SOUTH1_V6,)),
}


class _Drop(DNSError):
    """Raised to dnslib's handler, which then sends nothing: a server that never answers."""


class ZoneResolver(BaseResolver):
    """Serve `zone`; chase CNAMEs into the answer unless `chase` is off.

    dnslib's own zone resolver answers only for the name asked, which is how an
    authoritative server behaves; clients mostly talk to recursive ones, which put the whole
    chain in one answer. Thread-safe: the zone is read-only and the log append is atomic.
    """

    def __init__(
        self,
        zone: Mapping[str, tuple[Record, ...]] = ZONE,
        *,
        chase: bool = True,
        delay: float = 0.0,
        servfail: frozenset[str] = SERVFAIL_NAMES,
        silent: frozenset[str] = SILENT_NAMES,
    ) -> None:
        self.zone = {name.lower().rstrip("."): records for name, records in zone.items()}
        self.chase = chase
        self.delay = delay  # seconds before each answer: models network latency
        self.servfail = servfail
        self.silent = silent
        self.queries: list[tuple[str, str]] = []  # (name, type) asked, in arrival order

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        qname = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        self.queries.append((qname, qtype))
        if self.delay:
            time.sleep(self.delay)
        if qname in self.silent:
            raise _Drop(f"dropping {qname}")
        reply = request.reply()
        if qname in self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        name, seen = qname, {qname}
        while True:
            records = self.zone.get(name)
            if records is None:
                reply.header.rcode = RCODE.NXDOMAIN  # as real servers do, even after CNAMEs
                reply.add_auth(_soa(name))
                return reply
            cname = next((value for rtype, value in records if rtype == "CNAME"), None)
            if cname is None or qtype == "CNAME":
                for rtype, value in records:
                    if rtype == qtype or qtype == "ANY":
                        reply.add_answer(*RR.fromZone(f"{name}. 60 {rtype} {_zone_value(value)}"))
                if len(reply.rr) == len(seen) - 1:  # nothing but CNAMEs: NODATA for `name`
                    reply.add_auth(_soa(name))
                return reply
            target = cname.lower().rstrip(".")
            reply.add_answer(*RR.fromZone(f"{name}. 60 CNAME {target}."))
            if not self.chase or target in seen:  # a loop is answered as far as it goes
                return reply
            seen.add(target)
            name = target


def _soa(name: str) -> RR:
    """The SOA real servers put in the authority section of a negative answer (RFC 2308).

    Its presence is what tells a client that the end of a CNAME chain really has no data,
    rather than that the server stopped following the chain.
    """
    apex = ".".join(name.split(".")[-2:])
    return RR.fromZone(f"{apex}. 60 SOA ns.{apex}. hostmaster.{apex}. 1 3600 600 86400 60")[0]


def _zone_value(value: str) -> str:
    return f'"{value}"' if " " in value else value


class _QuietLogger(DNSLogger):
    """dnslib prints every request by default; tests want a quiet console."""

    def __init__(self) -> None:
        super().__init__(log="-request,-reply,-truncated,-error", prefix=False)


class RunningServer:
    """A started server: where it listens and what it has been asked."""

    def __init__(self, resolver: ZoneResolver, servers: list[DNSServer], port: int) -> None:
        self.resolver = resolver
        self.host = "127.0.0.1"
        self.port = port
        self._servers = servers

    @property
    def nameserver(self) -> str:
        """The ``--nameserver`` value that points at this server."""
        return f"{self.host}:{self.port}"

    @property
    def queries(self) -> list[tuple[str, str]]:
        return self.resolver.queries

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
            server.server.server_close()


def start(resolver: ZoneResolver | None = None, *, tcp: bool = True) -> RunningServer:
    """Start UDP (and TCP on the same port) on an ephemeral 127.0.0.1 port."""
    resolver = resolver or ZoneResolver()
    last_error: OSError | None = None
    for _attempt in range(20):  # the TCP port may be taken: pick another UDP port and retry
        udp = DNSServer(resolver, address="127.0.0.1", port=0, logger=_QuietLogger())
        port = udp.server.server_address[1]
        servers = [udp]
        if tcp:
            try:
                servers.append(
                    DNSServer(
                        resolver, address="127.0.0.1", port=port, tcp=True, logger=_QuietLogger()
                    )
                )
            except OSError as exc:
                last_error = exc
                udp.server.server_close()
                continue
        for server in servers:
            server.start_thread()
        return RunningServer(resolver, servers, port)
    raise RuntimeError(f"could not bind a UDP+TCP port pair on 127.0.0.1: {last_error}")


@contextlib.contextmanager
def serve(resolver: ZoneResolver | None = None, *, tcp: bool = True) -> Iterator[RunningServer]:
    """`start`, and always stop, around a block."""
    running = start(resolver, tcp=tcp)
    try:
        yield running
    finally:
        running.stop()


__all__ = [
    "EXPECTED",
    "SERVFAIL_NAMES",
    "SILENT_NAMES",
    "ZONE",
    "RunningServer",
    "ZoneResolver",
    "serve",
    "start",
]
