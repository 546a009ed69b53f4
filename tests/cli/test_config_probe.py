"""``config check --probe`` for the net provider and what every probe run shares: expired
waivers, the offline wording, the JSON shape, the exit codes.

The net provider is probed against the DNS stand-in on 127.0.0.1 (tests/netstandins) and
MaxMind's test databases; the cloud providers' probes are tested beside their own stand-ins
(tests/aws, tests/gcp, tests/azure).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sovaudit.locate.net.geoip import GeoIPDatabase
from sovaudit.providers.interface import ProviderError
from sovaudit.providers.net import Endpoint, NetProvider
from tests.cli.config_process import config_check, probe_lines
from tests.conftest import DATA, SAMPLES
from tests.netstandins import conftest as standins
from tests.netstandins.dns_server import RunningServer

dns_server = standins.dns_server

CITY_DB = DATA / "maxmind" / "GeoIP2-City-Test.mmdb"
EXPIRED = "2024-01-31"
WAIVERS = f"""waivers:
  - rule: personal-data-outside-home
    asset: "arn:aws:s3:::old-bucket"
    reason: migrating to mx-central-1
    owner: ana@example.com
    expires: {EXPIRED}
  - rule: personal-data-outside-home
    asset: "arn:aws:s3:::new-bucket"
    reason: migrating to mx-central-1
    owner: ana@example.com
    expires: 2999-12-31
"""


def net_config(folder: Path, server: RunningServer, host: str, extra: str = "") -> Path:
    path = folder / "sovaudit.yaml"
    path.write_text(
        "sources:\n"
        f"  net: {{endpoints: ['{host}'], nameservers: ['{server.nameserver}'], "
        f"geoip_db: '{CITY_DB}'{extra}}}\n",
        encoding="utf-8",
    )
    return path


def inventory_config(folder: Path) -> Path:
    (folder / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    path = folder / "sovaudit.yaml"
    inventory = SAMPLES / "retail_monterrey.yaml"
    path.write_text(f"sources:\n  inventory: ['{inventory}']\nwaivers: waivers.yaml\n", "utf-8")
    return path


def geoip_description() -> str:
    with GeoIPDatabase.open(CITY_DB) as database:
        return database.description


@pytest.mark.integration
def test_the_net_probe_opens_the_database_and_asks_the_name_server(
    dns_server: RunningServer, tmp_path: Path
) -> None:
    result = config_check(net_config(tmp_path, dns_server, "crm.example.com"), "--probe")
    assert result.returncode == 0, result.stdout + result.stderr
    assert probe_lines(result) == [
        f"probe net: ok: GeoIP {geoip_description()}; {dns_server.nameserver} answered for "
        "crm.example.com"
    ]


@pytest.mark.integration
def test_a_name_server_that_does_not_answer_exits_3(
    dns_server: RunningServer, tmp_path: Path
) -> None:
    config = net_config(tmp_path, dns_server, "silent.example.com", ", dns_timeout: 0.5")
    result = config_check(config, "--probe")
    assert result.returncode == 3, result.stdout + result.stderr
    assert probe_lines(result) == ["probe net: FAILED: silent.example.com: timed out after 0.5 s"]


def test_a_broken_geoip_database_is_a_bad_file_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "GeoLite2-City.mmdb"
    broken.write_text("not a database", encoding="utf-8")
    config = tmp_path / "sovaudit.yaml"
    config.write_text(
        f"sources:\n  net: {{endpoints: ['52.94.76.1'], geoip_db: '{broken}'}}\n", "utf-8"
    )
    result = config_check(config, "--probe")
    assert result.returncode == 2, result.stdout + result.stderr
    [error] = [line for line in result.stderr.splitlines() if "error" in line.split(":")[1]]
    assert error.startswith(f"sovaudit: error: {broken}: not a readable MaxMind database")


def test_without_name_servers_no_query_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system resolver is the host's: the probe does not ask it about the estate."""
    from sovaudit.locate.net import dns

    def no_query(*args: object, **kwargs: object) -> None:
        raise AssertionError("the probe asked the system resolver")

    monkeypatch.setattr(dns.DnsResolver, "resolve", no_query)
    monkeypatch.setattr(dns.DnsResolver, "resolve_many", no_query)
    net = NetProvider([Endpoint("crm.example.com")], geoip_db=CITY_DB)
    assert net.probe() == f"GeoIP {geoip_description()}"


@pytest.mark.integration
def test_addresses_are_skipped_for_the_first_host_name(dns_server: RunningServer) -> None:
    net = NetProvider(
        [Endpoint("52.94.76.1"), Endpoint("[::1]"), Endpoint("gone.example.com")],
        nameservers=[dns_server.nameserver],
        geoip_db=CITY_DB,
    )
    with pytest.raises(ProviderError) as caught:
        net.probe()
    assert (caught.value.scope, str(caught.value)) == ("gone.example.com", "no such name")


def test_expired_waivers_are_listed_with_or_without_probe(tmp_path: Path) -> None:
    config = inventory_config(tmp_path)
    expected = (
        f"waiver expired on {EXPIRED}: rule personal-data-outside-home, asset "
        f"arn:aws:s3:::old-bucket, owner ana@example.com ({tmp_path / 'waivers.yaml'}:2)"
    )
    for args in ((), ("--probe",)):
        result = config_check(config, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert [ln for ln in result.stdout.splitlines() if ln.startswith("waiver ")] == [expected]
    probed = config_check(config, "--probe").stdout.splitlines()
    assert "probe: no live source configured (inventory files are read above)" in probed
    assert probed[-1] == f"{config}: OK, a 'scan' run would start with these settings"


def test_the_json_output_says_whether_sources_were_probed(tmp_path: Path) -> None:
    config = inventory_config(tmp_path)
    offline = json.loads(config_check(config, "--format", "json").stdout)
    probed = json.loads(config_check(config, "--probe", "--format", "json").stdout)
    assert (offline["probes"], offline["ok"]) == (None, True)
    assert (probed["probes"], probed["ok"]) == ([], True)
    assert offline["waivers_expired"] == [
        {
            "problem": "expired",
            "rule": "personal-data-outside-home",
            "asset": "arn:aws:s3:::old-bucket",
            "reason": "migrating to mx-central-1",
            "owner": "ana@example.com",
            "expires": EXPIRED,
            "origin": f"{tmp_path / 'waivers.yaml'}:2",
        }
    ]


@pytest.mark.integration
def test_json_probe_results_and_exit_3(dns_server: RunningServer, tmp_path: Path) -> None:
    config = net_config(tmp_path, dns_server, "servfail.example.com")
    result = config_check(config, "--probe", "--format", "json")
    assert result.returncode == 3, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False
    [probe] = document["probes"]
    assert (probe["source"], probe["ok"], probe["scope"]) == ("net", False, "servfail.example.com")
    assert probe["detail"].startswith("server failure")
