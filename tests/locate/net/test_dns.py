"""DnsResolver against a real DNS server on 127.0.0.1 (tests/netstandins/dns_server.py).

Every resolver here is pointed at the local stand-in: no test may ask the system resolver,
so results never depend on the machine or the network it is on.
"""

from __future__ import annotations

import socket
import sys
import time

import pytest

from sovaudit.errors import UsageError
from sovaudit.locate.net.dns import MAX_CNAME_HOPS, DnsResolver, parse_nameserver
from tests.netstandins import conftest as standins
from tests.netstandins.dns_server import (
    AWS_MX_CENTRAL_1,
    AZURE_MEXICOCENTRAL,
    EXPECTED,
    GCP_NORTHAMERICA_SOUTH1_V6,
    LONG_CHAIN_HOPS,
    RunningServer,
    ZoneResolver,
    serve,
)

pytestmark = pytest.mark.integration

# The stand-in's fixtures live in its own conftest; naming them here makes them visible.
dns_server = standins.dns_server
dns_server_stepwise = standins.dns_server_stepwise

CRM_CHAIN = EXPECTED["crm.example.com"][0]


def resolver_for(server: RunningServer, timeout: float = 2.0) -> DnsResolver:
    return DnsResolver(nameservers=[server.nameserver], timeout=timeout)


@pytest.fixture(params=["full", "stepwise"])
def server(
    request: pytest.FixtureRequest,
    dns_server: RunningServer,
    dns_server_stepwise: RunningServer,
) -> RunningServer:
    """Both server behaviours: the whole chain in one answer, or one CNAME per answer."""
    return dns_server if request.param == "full" else dns_server_stepwise


# --- parse_nameserver -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.0.0.2", ("10.0.0.2", 53)),
        ("10.0.0.2:5353", ("10.0.0.2", 5353)),
        ("[::1]:5353", ("::1", 5353)),
        ("[::1]", ("::1", 53)),
        ("::1", ("::1", 53)),
        ("2001:db8::53", ("2001:db8::53", 53)),
        (" 127.0.0.1:65535 ", ("127.0.0.1", 65535)),
    ],
)
def test_parse_nameserver(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "dns.example.com",
        "dns.example.com:53",
        "10.0.0.2:",
        "10.0.0.2:0",
        "10.0.0.2:65536",
        "10.0.0.2:dns",
        "10.0.0.256",
        "[10.0.0.2]:53",
        "[::1]:",
        "::1:5353x",
        "10.0.0.2:53:53",
    ],
)
def test_parse_nameserver_rejects(text: str) -> None:
    with pytest.raises(UsageError, match="expected IP\\[:PORT\\]"):
        parse_nameserver(text)


def test_bad_nameserver_is_a_usage_error_at_construction() -> None:
    with pytest.raises(UsageError, match="not an IP address"):
        DnsResolver(nameservers=["ns1.example.com"])


def test_missing_dnspython_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in [name for name in sys.modules if name == "dns" or name.startswith("dns.")]:
        monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, "dns", None)
    with pytest.raises(UsageError, match=r"pip install 'sovaudit\[net\]'"):
        DnsResolver(nameservers=["127.0.0.1"])


# --- CNAME chains -----------------------------------------------------------------------


def test_three_hop_chain_recorded_in_order(server: RunningServer) -> None:
    result = resolver_for(server).resolve("crm.example.com")
    assert result.error is None
    assert result.cname_chain == CRM_CHAIN
    assert len(result.cname_chain) == 4  # three hops
    assert result.addresses == EXPECTED["crm.example.com"][1]


def test_full_chain_comes_in_one_answer_per_type(dns_server: RunningServer) -> None:
    before = len(dns_server.queries)
    resolver_for(dns_server).resolve("crm.example.com")
    assert dns_server.queries[before:] == [("crm.example.com", "A"), ("crm.example.com", "AAAA")]


def test_chain_ending_in_nodata_is_not_asked_again(dns_server: RunningServer) -> None:
    """erp has no AAAA: the SOA with the chain says so, no second query for the target."""
    before = len(dns_server.queries)
    result = resolver_for(dns_server).resolve("erp.example.com")
    assert result.error is None
    assert dns_server.queries[before:] == [("erp.example.com", "A"), ("erp.example.com", "AAAA")]


def test_stepwise_server_makes_the_client_ask_each_target(
    dns_server_stepwise: RunningServer,
) -> None:
    before = len(dns_server_stepwise.queries)
    result = resolver_for(dns_server_stepwise).resolve("crm.example.com")
    assert result.cname_chain == CRM_CHAIN
    asked = [name for name, qtype in dns_server_stepwise.queries[before:] if qtype == "A"]
    assert asked == list(CRM_CHAIN)


def test_query_case_and_final_dot_do_not_matter(dns_server: RunningServer) -> None:
    result = resolver_for(dns_server).resolve("CRM.Example.COM.")
    assert result.query == "CRM.Example.COM."
    assert result.cname_chain == CRM_CHAIN


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_expected_name(server: RunningServer, name: str) -> None:
    chain, addresses = EXPECTED[name]
    result = resolver_for(server).resolve(name)
    assert (result.cname_chain, result.addresses, result.error) == (chain, addresses, None)


def test_a_then_aaaa_deduplicated() -> None:
    zone = {
        "dual.test": (("A", "192.0.2.1"), ("AAAA", "2001:db8::1"), ("A", "192.0.2.2")),
        "alias.test": (("CNAME", "dual.test"),),
    }
    with serve(ZoneResolver(zone)) as running:
        resolver = resolver_for(running)
        result = resolver.resolve("dual.test")
        again = resolver.resolve("alias.test")
    assert result.addresses == ("192.0.2.1", "192.0.2.2", "2001:db8::1")
    assert result.cname_chain == ()
    assert again.addresses == result.addresses
    assert again.cname_chain == ("alias.test", "dual.test")


def test_only_aaaa_is_fine(server: RunningServer) -> None:
    result = resolver_for(server).resolve("v6only.example.com")
    assert result == type(result)("v6only.example.com", (GCP_NORTHAMERICA_SOUTH1_V6,))


def test_chain_at_the_cap_is_followed() -> None:
    zone = {f"h{i}.test": (("CNAME", f"h{i + 1}.test"),) for i in range(MAX_CNAME_HOPS)}
    zone[f"h{MAX_CNAME_HOPS}.test"] = (("A", AWS_MX_CENTRAL_1),)
    with serve(ZoneResolver(zone)) as running:
        result = resolver_for(running).resolve("h0.test")
    assert result.error is None
    assert result.addresses == (AWS_MX_CENTRAL_1,)
    assert len(result.cname_chain) == MAX_CNAME_HOPS + 1


def test_chain_over_the_cap(server: RunningServer) -> None:
    assert LONG_CHAIN_HOPS > MAX_CNAME_HOPS
    result = resolver_for(server).resolve("hop0.example.com")
    assert result.addresses == ()
    assert result.error is not None
    assert result.error.startswith("CNAME chain too long")
    assert result.cname_chain[:3] == ("hop0.example.com", "hop1.example.com", "hop2.example.com")
    # Starting further along, the same chain fits under the cap.
    shorter = resolver_for(server).resolve(f"hop{LONG_CHAIN_HOPS - MAX_CNAME_HOPS}.example.com")
    assert shorter.addresses == (AZURE_MEXICOCENTRAL,)


def test_cname_loop(server: RunningServer) -> None:
    result = resolver_for(server).resolve("loop-a.example.com")
    assert result.error == "CNAME loop"
    assert result.addresses == ()
    assert result.cname_chain == ("loop-a.example.com", "loop-b.example.com")


# --- failures, in words -----------------------------------------------------------------


def test_nxdomain(server: RunningServer) -> None:
    result = resolver_for(server).resolve("nonexistent.example.com")
    assert (result.addresses, result.cname_chain, result.error) == ((), (), "no such name")


def test_nxdomain_at_the_end_of_a_chain_keeps_the_chain(server: RunningServer) -> None:
    result = resolver_for(server).resolve("dangling.example.com")
    assert result.cname_chain == ("dangling.example.com", "gone.example.com")
    assert result.error is not None
    assert result.error.startswith("no such name")
    assert "gone.example.com" in result.error


def test_name_without_addresses(server: RunningServer) -> None:
    result = resolver_for(server).resolve("txtonly.example.com")
    assert (result.addresses, result.error) == ((), "no A or AAAA records")


def test_servfail(server: RunningServer) -> None:
    result = resolver_for(server).resolve("servfail.example.com")
    assert (result.addresses, result.error) == ((), "server failure")


def test_timeout_is_reported_not_raised(dns_server: RunningServer) -> None:
    started = time.monotonic()
    result = DnsResolver([dns_server.nameserver], timeout=0.3).resolve("silent.example.com")
    elapsed = time.monotonic() - started
    assert (result.addresses, result.error) == ((), "timed out after 0.3 s")
    assert elapsed < 2.0  # one lifetime, not one per record type


def test_unreachable_server_is_a_server_failure() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there any more: the kernel refuses, or the query times out.
    result = DnsResolver([f"127.0.0.1:{port}"], timeout=0.3).resolve("crm.example.com")
    assert result.addresses == ()
    assert result.error is not None
    assert result.error.startswith(("server failure", "timed out"))


@pytest.mark.parametrize(
    "query", ["", "bad name", "-leading.example.com", "a..b", "x" * 64 + ".test", "a/b.test"]
)
def test_invalid_names_are_not_sent(dns_server: RunningServer, query: str) -> None:
    before = len(dns_server.queries)
    result = resolver_for(dns_server).resolve(query)
    assert (result.addresses, result.error) == ((), "not a valid host name")
    assert len(dns_server.queries) == before


@pytest.mark.parametrize(
    ("query", "address"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:DB8::0:1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("::ffff:81.2.69.142", "::ffff:5102:458e"),
    ],
)
def test_ip_literals_bypass_dns(dns_server: RunningServer, query: str, address: str) -> None:
    before = len(dns_server.queries)
    result = resolver_for(dns_server).resolve(query)
    assert result == type(result)(query, (address,))
    assert len(dns_server.queries) == before


# --- many names -------------------------------------------------------------------------


def test_resolve_many_keeps_input_order_and_asks_each_name_once(
    dns_server: RunningServer,
) -> None:
    queries = ["oci.example.com", "crm.example.com", "192.0.2.1", "oci.example.com", "nope.test"]
    before = len(dns_server.queries)
    results = resolver_for(dns_server).resolve_many(queries, workers=4)
    assert [result.query for result in results] == queries
    assert results[0] is results[3]
    assert results[1].cname_chain == CRM_CHAIN
    assert results[2].addresses == ("192.0.2.1",)
    assert results[4].error == "no such name"
    asked = [name for name, qtype in dns_server.queries[before:] if qtype == "A"]
    assert sorted(asked) == ["crm.example.com", "nope.test", "oci.example.com"]


def test_resolve_many_runs_lookups_concurrently() -> None:
    """20 names at 0.2 s a query (two queries each) take ~8 s one by one; allow far less."""
    delay, count = 0.2, 20
    zone = {f"n{i}.test": (("A", f"192.0.2.{i + 1}"),) for i in range(count)}
    with serve(ZoneResolver(zone, delay=delay)) as running:
        resolver = resolver_for(running, timeout=5.0)
        started = time.monotonic()
        results = resolver.resolve_many(list(zone), workers=count)
        elapsed = time.monotonic() - started
    assert [result.addresses for result in results] == [(f"192.0.2.{i + 1}",) for i in range(count)]
    sequential = count * 2 * delay
    assert elapsed < sequential / 4, f"{elapsed:.2f} s: not concurrent (sequential {sequential} s)"


def test_resolve_many_edge_cases(dns_server: RunningServer) -> None:
    resolver = resolver_for(dns_server)
    assert resolver.resolve_many([]) == []
    assert resolver.resolve_many(["azure.example.com"], workers=1)[0].addresses == (
        AZURE_MEXICOCENTRAL,
    )
    with pytest.raises(UsageError):
        resolver.resolve_many(["azure.example.com"], workers=0)


def test_stand_in_also_answers_over_tcp(dns_server: RunningServer) -> None:
    """dnspython retries truncated answers over TCP; the stand-in serves both on one port."""
    from dnslib import DNSRecord

    reply = DNSRecord.parse(
        DNSRecord.question("azure.example.com").send(
            dns_server.host, dns_server.port, tcp=True, timeout=2
        )
    )
    assert [str(record.rdata) for record in reply.rr] == [AZURE_MEXICOCENTRAL]
