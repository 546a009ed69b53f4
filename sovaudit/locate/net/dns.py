"""Resolve host names to addresses, keeping the CNAME chain as evidence.

Where a name's data lives is decided by where its addresses are, and a CNAME chain often says
more than the addresses do (``crm.example.com`` -> ``crm.vendor.net`` ->
``lb-123.elb.amazonaws.com`` names the vendor and the cloud). So every name followed is kept,
in order, and every failure is reported in words on the name's `Resolution` instead of being
raised: an audit of a hundred endpoints must not stop at the first dead one.

dnspython is an optional dependency (``sovaudit[net]``); it is imported only when a resolver
is built, so commands that never touch the network never pay for it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from sovaudit.errors import UsageError
from sovaudit.locate.net.model import Resolution

if TYPE_CHECKING:
    import dns.message
    import dns.resolver

DEFAULT_PORT = 53

# The longest CNAME chain followed. dnspython stops at 16 within one response; real chains
# (vendor -> CDN -> load balancer) are 2-4 hops, so anything longer is a mistake or a trap.
MAX_CNAME_HOPS = 16

_NAMESERVER_HINT = "expected IP[:PORT], e.g. 10.0.0.2, 10.0.0.2:5353, ::1 or [::1]:5353"
_BRACKETED = re.compile(r"^\[(?P<ip>[^\]]+)\](?::(?P<port>[0-9]+))?$")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")

_NO_SUCH_NAME = "no such name"
_NO_RECORDS = "no A or AAAA records"
_SERVER_FAILURE = "server failure"
_CNAME_LOOP = "CNAME loop"
_CHAIN_TOO_LONG = "CNAME chain too long"
_INVALID_NAME = "not a valid host name"


def parse_nameserver(text: str) -> tuple[str, int]:
    """``--nameserver`` value -> (ip, port): "10.0.0.2", "10.0.0.2:5353", "::1", "[::1]:5353".

    Only IP addresses are accepted: a name server given by name would need a resolver to
    find it, which is the thing being configured.
    """
    value = text.strip()
    host: str = value
    port_text: str | None = None
    bracketed = _BRACKETED.match(value)
    if bracketed:
        host, port_text = bracketed.group("ip"), bracketed.group("port")
    elif value.count(":") == 1:  # IPv4:PORT; a bare IPv6 address has two colons or more
        host, port_text = value.split(":")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(f"--nameserver {text!r}: not an IP address; {_NAMESERVER_HINT}") from None
    if bracketed and address.version != 6:
        raise UsageError(f"--nameserver {text!r}: brackets are for IPv6; {_NAMESERVER_HINT}")
    port = DEFAULT_PORT
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise UsageError(f"--nameserver {text!r}: port must be 1-65535; {_NAMESERVER_HINT}")
        port = int(port_text)
    return str(address), port


def _ip_literal(query: str) -> str | None:
    """The address if `query` is an IP literal ("[::1]" too), so it skips DNS entirely."""
    text = query.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _host_name(query: str) -> str | None:
    """`query` as a lower-case ASCII host name without the final dot, or None if it is not one.

    Checked before asking DNS so that a typo in a config file reads "not a valid host name"
    rather than a confusing NXDOMAIN. Internationalised names are converted with IDNA.
    Underscores are allowed: they are common in real (if non-conforming) internal names.
    """
    text = query.strip()
    if not text or any(char.isspace() for char in text):
        return None
    if text.endswith("."):
        text = text[:-1]
    try:
        ascii_name = text.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if not ascii_name or len(ascii_name) > 253:
        return None
    labels = ascii_name.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return None
    return ascii_name


@dataclasses.dataclass
class _Lookup:
    """One record type's outcome: names followed, addresses, and what went wrong."""

    chain: list[str]  # the query first, then each CNAME target, in order
    addresses: list[str]
    error: str | None = None
    final: bool = False  # the answer holds for every type (NXDOMAIN, timeout): skip the rest


@dataclasses.dataclass
class _Walk:
    """What one response says about a name: the data, or how far the CNAMEs got."""

    addresses: list[str]
    end: str  # the last name reached
    moved: bool  # at least one CNAME was followed in this response
    error: str | None = None


class DnsResolver:
    """Resolve names with dnspython: the system resolver, or exactly the name servers given.

    `nameservers` are ``--nameserver`` values (``IP[:PORT]``); empty means /etc/resolv.conf.
    `timeout` is how long to wait for one server to answer; `lifetime` the budget for one
    query across all servers and retries, by default enough for each server to be tried once.
    """

    def __init__(
        self, nameservers: Sequence[str] = (), timeout: float = 3.0, lifetime: float | None = None
    ) -> None:
        try:
            import dns.resolver  # noqa: F401 - imported here, not above: the core never pays
        except ImportError:
            raise UsageError(
                "resolving names needs dnspython: pip install 'sovaudit[net]'"
            ) from None
        if timeout <= 0:
            raise UsageError(f"DNS timeout must be positive, not {timeout}")
        self._servers = [parse_nameserver(text) for text in nameservers]
        self.timeout = timeout
        self.lifetime = lifetime if lifetime is not None else timeout
        # Built now so that a broken /etc/resolv.conf is reported before any work starts.
        first = self._build()
        if lifetime is None:  # let every server have its one try
            self.lifetime = timeout * max(1, len(first.nameservers))
            first.lifetime = self.lifetime
        self._local = threading.local()
        self._local.resolver = first

    def _build(self) -> dns.resolver.Resolver:
        """A fresh dnspython Resolver with this object's settings (one per thread)."""
        import dns.nameserver
        import dns.resolver

        if self._servers:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [
                dns.nameserver.Do53Nameserver(ip, port) for ip, port in self._servers
            ]
        else:
            try:
                resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration as exc:
                raise UsageError(
                    f"no system DNS configuration ({exc}); give --nameserver IP[:PORT]"
                ) from None
        resolver.timeout = self.timeout
        resolver.lifetime = self.lifetime
        resolver.cache = None  # each audit asks afresh; answers are evidence, not hints
        return resolver

    def _resolver(self) -> dns.resolver.Resolver:
        resolver: dns.resolver.Resolver | None = getattr(self._local, "resolver", None)
        if resolver is None:
            resolver = self._build()
            self._local.resolver = resolver
        return resolver

    def resolve(self, query: str) -> Resolution:
        """Addresses (A then AAAA) and CNAME chain for `query`; failures go in `error`.

        An IP literal is returned as is. `cname_chain` is empty when no CNAME was followed,
        else the query followed by every target in order, ending at the name that holds the
        addresses (or at which the chain broke).
        """
        literal = _ip_literal(query)
        if literal is not None:
            return Resolution(query=query, addresses=(literal,))
        name = _host_name(query)
        if name is None:
            return Resolution(query=query, addresses=(), error=_INVALID_NAME)
        try:
            return self._resolve_name(query, name)
        except Exception as exc:  # one odd answer must not end the audit
            return Resolution(query=query, addresses=(), error=f"DNS error: {exc}")

    def _resolve_name(self, query: str, name: str) -> Resolution:
        import dns.rdatatype

        lookups: list[tuple[str, _Lookup]] = []
        for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            lookup = self._lookup(name, rdtype)
            lookups.append((dns.rdatatype.to_text(rdtype), lookup))
            if lookup.final:  # NXDOMAIN or a dead server: the other type would say the same
                break
        addresses = tuple(dict.fromkeys(a for _, lookup in lookups for a in lookup.addresses))
        chain: list[str] = []
        for _, lookup in lookups:
            if len(lookup.chain) > len(chain):
                chain = lookup.chain
        cname_chain = tuple(chain) if len(chain) > 1 else ()
        errors = [(kind, lookup.error) for kind, lookup in lookups if lookup.error]
        error: str | None = None
        if not addresses:
            error = errors[0][1] if errors else _NO_RECORDS
        elif errors:  # partial: say which type failed, keep what the other found
            error = "; ".join(f"{kind}: {message}" for kind, message in errors)
        return Resolution(query=query, addresses=addresses, cname_chain=cname_chain, error=error)

    def _lookup(self, name: str, rdtype: Any) -> _Lookup:
        """Ask for one type, following CNAMEs across as many queries as the server needs.

        A recursive server usually answers with the whole chain; an authoritative or lazy
        one returns only the first CNAME, so the target is asked for in turn.
        """
        import dns.exception
        import dns.message
        import dns.name
        import dns.resolver

        resolver = self._resolver()
        chain = [name]
        seen = {name}
        current = name
        while True:
            qname = dns.name.from_text(current)
            try:
                answer = resolver.resolve(qname, rdtype, raise_on_no_answer=False, search=False)
            except dns.resolver.NXDOMAIN as exc:
                response = exc.responses().get(qname)
                if response is not None:
                    walk = _walk(response, current, rdtype, chain, seen)
                    current = walk.end
                where = "" if current == name else f" ({current}, at the end of the CNAME chain)"
                return _Lookup(chain, [], _NO_SUCH_NAME + where, final=True)
            except dns.resolver.NoNameservers as exc:
                response = _chain_too_long_response(exc)
                if response is None:
                    return _Lookup(chain, [], _server_failure(exc))
            except dns.exception.Timeout:
                return _Lookup(chain, [], f"timed out after {self.lifetime:g} s", final=True)
            except dns.resolver.YXDOMAIN:
                return _Lookup(chain, [], "name too long after DNAME substitution")
            else:
                response = answer.response
            walk = _walk(response, current, rdtype, chain, seen)
            if walk.error or walk.addresses or not walk.moved or _negative(response, walk.end):
                return _Lookup(chain, walk.addresses, walk.error)
            current = walk.end  # only CNAMEs came back, unfinished: ask the target ourselves

    def resolve_many(self, queries: Sequence[str], workers: int = 32) -> list[Resolution]:
        """Resolve `queries` with at most `workers` at once; results in input order.

        DNS latency, not CPU, is the cost of resolving an estate's endpoints, so lookups run
        in threads (each with its own dnspython Resolver). A name given twice is asked once.
        """
        if workers < 1:
            raise UsageError(f"DNS workers must be at least 1, not {workers}")
        unique = list(dict.fromkeys(queries))
        if len(unique) <= 1 or workers == 1:
            done = {query: self.resolve(query) for query in unique}
        else:
            with ThreadPoolExecutor(
                max_workers=min(workers, len(unique)), thread_name_prefix="sovaudit-dns"
            ) as pool:
                done = dict(zip(unique, pool.map(self.resolve, unique), strict=True))
        return [done[query] for query in queries]


def _walk(
    response: dns.message.Message, start: str, rdtype: Any, chain: list[str], seen: set[str]
) -> _Walk:
    """Follow CNAMEs in `response` from `start`, appending each target to `chain`.

    Done by hand rather than trusting dnspython's chaining so that a loop is told apart from
    a merely long chain, and so the chain survives answers dnspython refuses.
    """
    import dns.rdataclass
    import dns.rdatatype

    current = start
    moved = False
    while True:
        data = _find(response, current, rdtype)
        if data is not None:
            return _Walk([rdata.to_text() for rdata in data], current, moved)
        cname = _find(response, current, dns.rdatatype.CNAME)
        if cname is None:
            return _Walk([], current, moved)
        target = next(iter(cname)).target.to_text(omit_final_dot=True).lower()
        if target in seen:
            return _Walk([], current, moved, _CNAME_LOOP)
        chain.append(target)
        seen.add(target)
        if len(chain) - 1 > MAX_CNAME_HOPS:
            return _Walk([], target, True, f"{_CHAIN_TOO_LONG} (over {MAX_CNAME_HOPS} hops)")
        current = target
        moved = True


def _find(response: dns.message.Message, name: str, rdtype: Any) -> Any:
    """The answer-section RRset of `rdtype` owned by `name`, or None."""
    import dns.name
    import dns.rdataclass

    try:
        return response.find_rrset(
            response.answer, dns.name.from_text(name), dns.rdataclass.IN, rdtype
        )
    except KeyError:
        return None


def _negative(response: dns.message.Message, name: str) -> bool:
    """True if `response` says `name` has no data: an SOA of its zone in the authority section.

    A recursive server that followed the chain to a name without the type asked ends with
    the CNAMEs and that SOA (RFC 2308); a server that only gave the first CNAME has no SOA
    for the target. Telling them apart spares a query per name and type on real resolvers.
    """
    import dns.name
    import dns.rdatatype

    owner = dns.name.from_text(name)
    return any(
        rrset.rdtype == dns.rdatatype.SOA and owner.is_subdomain(rrset.name)
        for rrset in response.authority
    )


def _errors(exc: dns.resolver.NoNameservers) -> list[tuple[Any, ...]]:
    errors: Any = exc.kwargs.get("errors") or []
    return [tuple(item) for item in errors]


def _chain_too_long_response(exc: dns.resolver.NoNameservers) -> dns.message.Message | None:
    """The response dnspython gave up on because of its own chain limit, to walk ourselves."""
    import dns.message

    for item in _errors(exc):
        if len(item) >= 5 and isinstance(item[3], dns.message.ChainTooLong):
            response: dns.message.Message | None = item[4]
            if response is not None:
                return response
    return None


def _server_failure(exc: dns.resolver.NoNameservers) -> str:
    """ "server failure", with the reason when no server answered at all (refused, ...)."""
    import dns.rcode

    reasons: list[str] = []
    for item in _errors(exc):
        if len(item) < 5:
            continue
        server, _tcp, port, error, _response = item[:5]
        if isinstance(error, OSError):
            reason = error.strerror or type(error).__name__
            reasons.append(f"{server}:{port} unreachable ({reason})")
        elif isinstance(error, str) and error != dns.rcode.to_text(dns.rcode.SERVFAIL):
            reasons.append(f"{server}:{port} answered {error}")
    return f"{_SERVER_FAILURE}: {'; '.join(dict.fromkeys(reasons))}" if reasons else _SERVER_FAILURE
