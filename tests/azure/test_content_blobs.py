"""Content sampling of Azure Blob storage against Azurite, Microsoft's storage emulator.

Azurite (npm ``azurite``; ``.ci/run`` installs it under ``.ci/node_modules``) runs on
127.0.0.1 over HTTPS with a certificate from the suite's test CA, with OAuth on: the provider
reads with a bearer token, as it does against Azure (Azurite's basic OAuth checks the token's
audience, issuer and times but not its signature, so the test credential makes an unsigned
JWT). Blobs are planted with the account's shared key, from the test, outside the guard.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sovaudit.classify.content.sample import SamplingLimits
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.providers.azure import AzureProvider
from tests.azure.arm_server import HOST, ArmServer
from tests.classify.content.corpus import near_miss_bucket, planted_bucket
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

SUB = "55555555-5555-5555-5555-555555555555"
ACCOUNT, QUIET = "clientesmx", "casimx"
KEYS = {
    name: base64.b64encode(f"clave-de-prueba-{name}".encode()).decode() for name in (ACCOUNT, QUIET)
}
TENANT = "ab1f708d-50f6-404c-a006-d71b2ac7a606"
PLANTED = planted_bucket()
NEAR_MISS = near_miss_bucket()
SAMPLE_BYTES = 256 * 1024


def _azurite() -> str:
    found = os.environ.get("SOVAUDIT_AZURITE") or shutil.which("azurite-blob")
    local = ROOT / ".ci" / "node_modules" / ".bin" / "azurite-blob"
    if not found and local.exists():
        found = str(local)
    if not found:
        pytest.fail("Azurite is needed: npm install --prefix .ci azurite@3 (as .ci/run does)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def jwt() -> str:
    """A token Azurite's basic OAuth accepts: right audience, issuer and times, no signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "aud": "https://storage.azure.com",
        "iss": f"https://sts.windows.net/{TENANT}/",
        "iat": now - 60,
        "nbf": now - 60,
        "exp": now + 3600,
        "oid": "aaaaaaaa-0000-0000-0000-000000000001",
        "tid": TENANT,
    }
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJh"


class JwtCredential:
    """A TokenCredential for both the ARM stand-in (any bearer) and Azurite (a JWT)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(jwt(), int(time.time()) + 3600)


@pytest.fixture(scope="module")
def azurite(arm_ca: tuple[Any, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Azurite on 127.0.0.1: yields the endpoint template for --azure-blob-endpoint."""
    ca, _ = arm_ca
    folder = tmp_path_factory.mktemp("azurite")
    cert = ca.issue_cert(HOST, "localhost")
    cert.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    cert.private_key_pem.write_to_path(str(folder / "key.pem"))
    port = _free_port()
    accounts = ";".join(f"{name}:{key}" for name, key in KEYS.items())
    command = [
        _azurite(),
        "--blobHost",
        HOST,
        "--blobPort",
        str(port),
        "--location",
        str(folder / "data"),
    ]
    command += [
        "--cert",
        str(folder / "cert.pem"),
        "--key",
        str(folder / "key.pem"),
        "--oauth",
        "basic",
    ]
    command += ["--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"]
    process = subprocess.Popen(
        command,
        env={**os.environ, "AZURITE_ACCOUNTS": accounts},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex((HOST, port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("Azurite did not start")
        yield f"https://{HOST}:{port}/{{account}}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _plant(azurite: str, account: str, container: str, objects: dict[str, bytes]) -> None:
    from azure.storage.blob import BlobServiceClient

    admin = BlobServiceClient(
        azurite.format(account=account),
        credential={"account_name": account, "account_key": KEYS[account]},
    )
    if not any(c.name == container for c in admin.list_containers()):
        admin.create_container(container)
    for name, data in objects.items():
        admin.get_blob_client(container, name).upload_blob(data, overwrite=True)


def _accounts(arm: ArmServer) -> None:
    arm.graph = True
    arm.subscriptions = [{"id": f"/subscriptions/{SUB}", "subscriptionId": SUB, "state": "Enabled"}]
    arm.resources = {SUB: []}
    base = f"/subscriptions/{SUB}/resourceGroups/datos/providers/Microsoft.Storage/storageAccounts"
    arm.graph_rows = {
        SUB: [
            {
                "id": f"{base}/{name}",
                "name": name,
                "type": "microsoft.storage/storageaccounts",
                "location": "southcentralus",
                "sku": {"name": "Standard_LRS"},
                "tags": {},
                "properties": {},
            }
            for name in (ACCOUNT, QUIET)
        ]
    }


@pytest.fixture
def planted(arm: ArmServer, azurite: str) -> str:
    _accounts(arm)
    _plant(azurite, ACCOUNT, "exportes", PLANTED.objects)
    _plant(azurite, QUIET, "casi", NEAR_MISS.objects)
    return azurite


def test_planted_identifiers_are_found_and_the_account_classified(arm: ArmServer, planted: str):
    azure = AzureProvider(
        endpoint=arm.url,
        credential=JwtCredential(),
        content_sampling=SamplingLimits(bytes_per_object=SAMPLE_BYTES),
        blob_endpoint=planted,
    )
    azure.locator = Locator(load_catalogue())
    assets = {a.name: a for a in azure.collect()}
    assert azure.errors == []
    sample = assets[ACCOUNT].content
    assert sample is not None
    assert dict(sample.identifiers) == PLANTED.identifiers
    assert sample.objects_read == PLANTED.read
    assert sample.objects_with_hits == PLANTED.with_hits
    assert sample.classification.value == "sensitive"
    quiet = assets[QUIET].content
    assert quiet is not None
    assert dict(quiet.identifiers) == {}
    rendered = json.dumps([dict(a.content.to_dict()) for a in assets.values() if a.content])
    assert not [v for v in PLANTED.values if v in rendered or v.lower() in rendered]


def test_a_refused_read_is_the_accounts_error_entry_naming_the_role(arm: ArmServer, planted: str):
    class Anonymous(JwtCredential):  # a token Azurite refuses: another audience
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            from azure.core.credentials import AccessToken

            token = jwt().split(".")
            claims = json.loads(base64.urlsafe_b64decode(token[1] + "=="))
            claims["aud"] = "https://vault.azure.net"
            token[1] = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return AccessToken(".".join(token), int(time.time()) + 3600)

    azure = AzureProvider(
        endpoint=arm.url,
        credential=Anonymous(),
        content_sampling=SamplingLimits(),
        blob_endpoint=planted,
    )
    assets = list(azure.collect())
    assert len(assets) == 2
    scopes = sorted(e.scope for e in azure.errors)
    assert scopes == sorted(f"{SUB}/{name}" for name in (ACCOUNT, QUIET))
    assert all("Storage Blob Data Reader" in e.message for e in azure.errors)


def test_only_reads_reach_azurite(arm: ArmServer, planted: str):
    from sovaudit.providers.azure.blobs import blob_service
    from sovaudit.providers.interface import ProviderError

    service = blob_service(planted.format(account=ACCOUNT), JwtCredential())
    before = [c.name for c in service.list_containers()]
    for write in (
        lambda: service.create_container("nuevo"),
        lambda: service.get_blob_client("exportes", "x").upload_blob(b"x"),
        lambda: service.get_blob_client("exportes", next(iter(PLANTED.objects))).delete_blob(),
    ):
        with pytest.raises(ProviderError, match="only reads Azure"):
            write()
    assert [c.name for c in service.list_containers()] == before
    names = [b.name for b in service.get_container_client("exportes").list_blobs()]
    assert sorted(names) == sorted(PLANTED.objects)


def test_the_cli_samples_blobs_without_leaking(
    arm: ArmServer, planted: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    from sovaudit.cli.main import cli

    az = tmp_path / "bin" / "az"
    az.parent.mkdir()
    az.write_text(
        f"#!{sys.executable}\nimport json\n"
        f"print(json.dumps({{'accessToken': {jwt()!r}, 'expiresOn': '2099-01-01 00:00:00.000000', "
        "'expires_on': 4070908800, 'tokenType': 'Bearer'}))\n"
    )
    az.chmod(0o755)
    monkeypatch.setenv("PATH", f"{az.parent}:{os.environ.get('PATH', '')}")
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential")
    scan_json = tmp_path / "scan.json"
    args = [
        "scan",
        "--provider",
        "azure",
        "--azure-endpoint",
        arm.url,
        "--azure-blob-endpoint",
        planted,
    ]
    args += [
        "--sample-content",
        "--sample-bytes",
        "256KiB",
        "--fail-on",
        "never",
        "-vv",
        "-o",
        str(scan_json),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    document = json.loads(scan_json.read_text(encoding="utf-8"))
    assets = {a["name"]: a for a in document["assets"]}
    assert assets[ACCOUNT]["classification"] == "sensitive"
    assert assets[ACCOUNT]["classification_source"] == "content-sample"
    assert assets[QUIET]["content_sample"]["identifiers"] == {}
    outputs = [result.stdout, result.stderr, scan_json.read_text(encoding="utf-8")]
    for fmt in ("jsonl", "ocsf", "csv", "sarif", "markdown", "html", "table"):
        rendered = CliRunner().invoke(cli, ["scan", str(scan_json), "--format", fmt])
        assert rendered.exit_code in (0, 1), rendered.stderr
        outputs += [rendered.stdout, rendered.stderr]
    for text in outputs:
        for value in (*PLANTED.values, *NEAR_MISS.values):
            assert value not in text, f"a planted value leaked (starts {value[:3]}...)"
            assert value.lower() not in text
