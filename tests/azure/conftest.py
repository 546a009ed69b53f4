"""Fixtures for the Azure tests: an ARM stand-in over HTTPS on 127.0.0.1 and a clean environment.

- ``arm_ca`` (session): a trustme CA and the path of its PEM, the only trust the tests add.
- ``arm_server`` (session): the running ``ArmServer``.
- ``arm`` (autouse): the server, emptied, with the environment made safe: TLS trust pointed at
  the trustme CA through REQUESTS_CA_BUNDLE, proxies bypassed for loopback, every AZURE_*
  credential variable removed, and sockets refused any destination but 127.0.0.1, so no
  credential can probe the managed-identity endpoint (169.254.169.254) or anything else.
- ``estate``: the standard two-subscription estate most tests read.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The dev install brings these; without them the tests must fail, never skip.
import azure.identity
import azure.mgmt.storage  # noqa: F401
import pytest
import trustme

from tests.azure.arm_server import HOST, ArmServer

HEALTHY = "11111111-1111-1111-1111-111111111111"
DENIED = "22222222-2222-2222-2222-222222222222"
RESOURCES_API = "2025-04-01"


class NonLoopbackConnection(AssertionError):
    """A test tried to open a connection to somewhere other than 127.0.0.1."""


@pytest.fixture(scope="session")
def arm_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("arm-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, path


@pytest.fixture(scope="session")
def arm_server(arm_ca: tuple[Any, Path]) -> Iterator[ArmServer]:
    ca, _ = arm_ca
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST, "localhost").configure_cert(context)
    server = ArmServer(context)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (HOST, "::1"):
            raise NonLoopbackConnection(f"test tried to connect to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(autouse=True)
def arm(
    arm_server: ArmServer, arm_ca: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch
) -> ArmServer:
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MSI_", "IDENTITY_", "IMDS_")):
            monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(arm_ca[1]))
    monkeypatch.setenv("NO_PROXY", f"{HOST},localhost")
    monkeypatch.setenv("no_proxy", f"{HOST},localhost")
    _loopback_only(monkeypatch)
    arm_server.reset()
    return arm_server


def _resource(
    sub: str, group: str, rtype: str, name: str, location: str | None, **extra: Any
) -> dict[str, Any]:
    """A GenericResourceExpanded as ``GET /subscriptions/{id}/resources`` returns it."""
    body: dict[str, Any] = {
        "id": f"/subscriptions/{sub}/resourceGroups/{group}/providers/{rtype}/{name}",
        "name": name.rsplit("/", 1)[-1],
        "type": rtype,
        **extra,
    }
    if location is not None:
        body["location"] = location
    return body


def _account(
    sub: str,
    group: str,
    name: str,
    location: str,
    sku: str,
    secondary: str | None,
    tags: dict[str, str],
) -> dict[str, Any]:
    """A StorageAccount as ``GET .../providers/Microsoft.Storage/storageAccounts`` returns it.

    ARM writes the resource group in lower case in this listing (``resourcegroups``) while the
    generic listing keeps ``resourceGroups``: the provider must treat ids case-insensitively.
    """
    tier = "Premium" if sku.startswith("Premium") else "Standard"
    properties: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "primaryLocation": location,
        "statusOfPrimary": "available",
        "creationTime": "2024-06-01T12:00:00.0000000Z",
        "primaryEndpoints": {"blob": f"https://{name}.blob.core.windows.net/"},
        "supportsHttpsTrafficOnly": True,
        "minimumTlsVersion": "TLS1_2",
    }
    if secondary:
        properties["secondaryLocation"] = secondary
        properties["statusOfSecondary"] = "available"
    return {
        "id": (
            f"/subscriptions/{sub}/resourcegroups/{group}"
            f"/providers/Microsoft.Storage/storageAccounts/{name}"
        ),
        "name": name,
        "type": "Microsoft.Storage/storageAccounts",
        "location": location,
        "kind": "StorageV2",
        "sku": {"name": sku, "tier": tier},
        "tags": tags,
        "properties": properties,
    }


ACCOUNTS = (
    # name, location, sku, secondary, tags
    (
        "clientesbr",
        "brazilsouth",
        "Standard_GRS",
        "southcentralus",
        {"data-classification": "personal"},
    ),
    ("clientesqro", "mexicocentral", "Standard_ZRS", None, {"data-classification": "personal"}),
    ("logseus2", "eastus2", "Standard_RAGRS", "centralus", {"data-classification": "none"}),
)


@pytest.fixture
def estate(arm: ArmServer) -> ArmServer:
    """Two subscriptions: one readable (resources on three pages), one that answers 403."""
    arm.subscriptions = [
        {
            "id": f"/subscriptions/{HEALTHY}",
            "subscriptionId": HEALTHY,
            "tenantId": "t",
            "displayName": "Producción",
            "state": "Enabled",
        },
        {
            "id": f"/subscriptions/{DENIED}",
            "subscriptionId": DENIED,
            "tenantId": "t",
            "displayName": "Ajena",
            "state": "Enabled",
        },
    ]
    resources = [
        _resource(
            HEALTHY,
            "rg-qro",
            "Microsoft.Compute/virtualMachines",
            "vm-erp",
            "mexicocentral",
            tags={"app": "erp"},
        ),
        _resource(HEALTHY, "rg-sp", "Microsoft.Compute/disks", "disk-sp", "Brazil South"),
        _resource(
            HEALTHY,
            "rg-eus2",
            "Microsoft.Sql/servers/databases",
            "sql-eus2/crm",
            "eastus2",
            tags={"data-classification": "personal"},
            sku={"name": "GP_Gen5", "tier": "GeneralPurpose"},
        ),
        _resource(HEALTHY, "rg-dns", "Microsoft.Network/dnszones", "example.mx", "global"),
        _resource(HEALTHY, "rg-dns", "Microsoft.Resources/templateSpecs", "no-location", None),
    ]
    for name, location, sku, _secondary, tags in ACCOUNTS:
        resources.append(
            _resource(
                HEALTHY,
                "rg-data",
                "Microsoft.Storage/storageAccounts",
                name,
                location,
                tags=tags,
                kind="StorageV2",
                sku={"name": sku, "tier": "Standard"},
            )
        )
    arm.resources[HEALTHY] = resources
    arm.storage_accounts[HEALTHY] = [
        _account(HEALTHY, "rg-data", name, location, sku, secondary, tags)
        for name, location, sku, secondary, tags in ACCOUNTS
    ]
    arm.forbidden.add(DENIED)
    return arm
