"""`sovaudit locate` and the net provider end to end: a real DNS server on 127.0.0.1, the
real cloud range snapshot, real MaxMind test databases and a Mexican one written for the test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from tests.conftest import DATA
from tests.locate.net import test_geoip
from tests.netstandins import conftest as standins
from tests.netstandins.dns_server import (
    AWS_QRO_LOCAL_ZONE,
    AZURE_MEXICOCENTRAL,
    OCI_MX_MONTERREY_1,
    RunningServer,
)

dns_server = standins.dns_server
write_db = test_geoip.write_db
CITY_DB = DATA / "maxmind" / "GeoIP2-City-Test.mmdb"
CLOUDFRONT = "205.251.249.10"  # inside AWS's published CLOUDFRONT prefix 205.251.249.0/24


def locate(server: RunningServer, *args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(
        cli,
        [
            "locate",
            *args,
            "--nameserver",
            server.nameserver,
            "--format",
            "json",
            "--dns-timeout",
            "1",
        ],
    )
    return result.exit_code, json.loads(result.stdout) if result.stdout else [], result.output


def test_names_through_cname_chains_land_in_mexican_regions(dns_server: RunningServer) -> None:
    code, answers, _ = locate(
        dns_server,
        "crm.example.com",
        "erp.example.com",
        "gcp.example.com",
        "azure.example.com",
        "oci.example.com",
        "--geoip-db",
        str(CITY_DB),
    )
    assert code == 0
    by_query = {a["query"]: a for a in answers}
    crm = by_query["crm.example.com"]
    assert crm["cname_chain"] == [
        "crm.example.com",
        "crm.vendor.test",
        "edge.cdn.test",
        "lb-123.mx-central-1.elb.test",
    ]
    assert {
        (a["provider"], a["region"], tuple(a["countries"]), a["subdivision"])
        for a in crm["addresses"]
    } == {("aws", "mx-central-1", ("MX",), "MX-QUE")}
    (erp,) = by_query["erp.example.com"]["addresses"]
    # The Querétaro Local Zone: AWS publishes it under region us-east-1, border group qro.
    assert (erp["ip"], erp["region"], erp["countries"]) == (
        AWS_QRO_LOCAL_ZONE,
        "us-east-1-qro-1",
        ["MX"],
    )
    assert erp["source"] == "cloud-ip-ranges"
    assert erp["database"].startswith("AWS ip-ranges.json ")
    assert {a["region"] for a in by_query["gcp.example.com"]["addresses"]} == {
        "northamerica-south1"
    }
    assert len(by_query["gcp.example.com"]["addresses"]) == 2  # A and AAAA
    (azure,) = by_query["azure.example.com"]["addresses"]
    assert (azure["ip"], azure["provider"], azure["countries"]) == (
        AZURE_MEXICOCENTRAL,
        "azure",
        ["MX"],
    )
    (oci,) = by_query["oci.example.com"]["addresses"]
    assert (oci["ip"], oci["region"], oci["subdivision"]) == (
        OCI_MX_MONTERREY_1,
        "mx-monterrey-1",
        "MX-NLE",
    )
    for answer in answers:
        assert set(answer) >= {"query", "addresses", "error"}
        for address in answer["addresses"]:
            assert set(address) >= {
                "ip",
                "countries",
                "subdivision",
                "city",
                "provider",
                "region",
                "source",
                "database",
            }


def test_addresses_outside_the_clouds_go_to_geoip(dns_server: RunningServer, write_db) -> None:
    mexican = write_db(test_geoip.MEXICO)
    code, answers, _ = locate(
        dns_server, "london.example.com", "200.57.7.1", "--geoip-db", str(mexican)
    )
    assert code == 0
    london, guadalajara = answers
    assert london["addresses"][0]["countries"] == []  # not in this database: unknown
    place = guadalajara["addresses"][0]
    assert (place["countries"], place["subdivision"], place["city"], place["source"]) == (
        ["MX"],
        "MX-JAL",
        "Guadalajara",
        "geoip",
    )
    assert place["database"] == "GeoLite2-City 2024-05-01"
    code, answers, _ = locate(dns_server, "london.example.com", "--geoip-db", str(CITY_DB))
    assert answers[0]["addresses"][0]["city"] == "London"


def test_cdn_edges_are_reported_as_such(dns_server: RunningServer) -> None:
    _, answers, _ = locate(dns_server, CLOUDFRONT)
    (edge,) = answers[0]["addresses"]
    assert edge["cdn"] is True
    assert edge["countries"] == []
    assert "the data behind it is elsewhere" in edge["note"]


@pytest.mark.parametrize(
    ("ip", "provider"),
    [("104.16.1.1", "cloudflare"), ("2606:4700::1", "cloudflare"), ("151.101.1.1", "fastly")],
)
def test_cdns_that_publish_their_edges_are_named(
    dns_server: RunningServer, ip: str, provider: str
) -> None:
    _, answers, _ = locate(dns_server, ip, "--geoip-db", str(CITY_DB))
    (edge,) = answers[0]["addresses"]
    assert (edge["provider"], edge["cdn"], edge["countries"]) == (provider, True, [])
    assert edge["database"].split()[0].lower() == provider


def test_unresolvable_names_are_reported_and_exit_3(dns_server: RunningServer) -> None:
    code, answers, _ = locate(dns_server, "nosuch.example.com", "azure.example.com")
    assert code == 3
    assert answers[0]["error"] == "no such name"
    assert answers[1]["error"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--geoip-db", str(DATA / "maxmind" / "GeoLite2-ASN-Test.mmdb")],
            "is a GeoLite2-ASN database; sovaudit needs a City or Country database",
        ),
        (["--geoip-db", "missing.mmdb"], "missing.mmdb"),
    ],
)
def test_bad_geoip_databases_exit_2(
    dns_server: RunningServer, args: list[str], message: str
) -> None:
    code, _, output = locate(dns_server, "azure.example.com", *args)
    assert code == 2
    assert message in output
    assert "Traceback" not in output


def test_a_bad_nameserver_exits_2() -> None:
    result = CliRunner().invoke(cli, ["locate", "x.example.com", "--nameserver", "ns1"])
    assert result.exit_code == 2
    assert "not an IP address" in result.output


def test_table_output_shows_the_chain(dns_server: RunningServer) -> None:
    result = CliRunner().invoke(
        cli,
        ["locate", "erp.example.com", "--nameserver", dns_server.nameserver, "--format", "table"],
    )
    assert result.exit_code == 0
    assert "via erp.qro.vendor.test" in result.stdout
    assert "us-east-1-qro-1" in result.stdout


ENDPOINTS = """\
endpoints:
  - host: crm.example.com
    name: CRM de ventas
    classification: personal
  - {host: london.example.com, name: Encuestas, tags: {pii: "true"}}
  - {host: nosuch.example.com, classification: sensitive}
  - oci.example.com
"""


def test_the_net_provider_feeds_scan(dns_server: RunningServer, write, tmp_path: Path) -> None:
    endpoints = write("endpoints.yaml", ENDPOINTS)
    result = CliRunner().invoke(
        cli,
        [
            "scan",
            "--endpoints",
            str(endpoints),
            "--nameserver",
            dns_server.nameserver,
            "--geoip-db",
            str(CITY_DB),
            "--dns-timeout",
            "1",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 3  # one name could not be resolved: incomplete
    document = json.loads(result.stdout)
    assets = {a["id"]: a for a in document["assets"]}
    assert assets["crm.example.com"]["location"]["countries"] == ["MX"]
    assert assets["crm.example.com"]["location"]["source"] == "cloud-ip-ranges"
    assert assets["crm.example.com"]["attributes"]["cname_chain"][-1] == (
        "lb-123.mx-central-1.elb.test"
    )
    assert assets["london.example.com"]["location"]["countries"] == ["GB"]
    assert assets["london.example.com"]["classification"] == "personal"
    assert assets["nosuch.example.com"]["location"]["countries"] == []
    assert assets["oci.example.com"]["location"]["subdivision"] == "MX-NLE"
    assert document["errors"] == [
        {"provider": "net", "scope": "nosuch.example.com", "message": "no such name"}
    ]
    rules = {(f["rule_id"], f["asset_id"]) for f in document["findings"]}
    assert ("personal-data-outside-home", "london.example.com") in rules
    assert ("sensitive-data-location-unknown", "nosuch.example.com") in rules
    assert not any(asset == "crm.example.com" for _, asset in rules)


def test_the_net_provider_needs_an_endpoints_file() -> None:
    result = CliRunner().invoke(cli, ["scan", "--provider", "net"])
    assert result.exit_code == 2
    assert "--endpoints FILE" in result.output


def test_a_plain_text_endpoints_file(dns_server: RunningServer, write) -> None:
    endpoints = write("hosts.txt", "# partners\nazure.example.com\n\noci.example.com  # sftp\n")
    result = CliRunner().invoke(
        cli,
        [
            "inventory",
            "--endpoints",
            str(endpoints),
            "--nameserver",
            dns_server.nameserver,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0
    assert [a["id"] for a in json.loads(result.stdout)["assets"]] == [
        "azure.example.com",
        "oci.example.com",
    ]


def test_a_bad_endpoints_file_exits_2(write) -> None:
    endpoints = write("endpoints.yaml", "endpoints:\n  - {hots: crm.example.com}\n")
    result = CliRunner().invoke(cli, ["scan", "--endpoints", str(endpoints)])
    assert result.exit_code == 2
    assert f"{endpoints}:2:" in result.output
