"""``config check --probe`` for Azure against the ARM stand-in over HTTPS on 127.0.0.1.

In process the credential is the stand-in's static token; through the CLI it is the real
DefaultAzureCredential narrowed by AZURE_TOKEN_CREDENTIALS (a fake ``az`` on PATH, or nothing
to try at all), so no chain reaches for the managed-identity endpoint.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from sovaudit.providers.azure import AzureProvider
from sovaudit.providers.interface import ProviderError
from tests.azure.arm_server import ArmServer, StaticCredential
from tests.azure.conftest import DENIED, HEALTHY
from tests.azure.test_provider import FAKE_AZ
from tests.cli.config_process import config_check, probe_lines

pytestmark = pytest.mark.integration


def provider(arm: ArmServer, *subscriptions: str) -> AzureProvider:
    return AzureProvider(subscriptions, endpoint=arm.url, credential=StaticCredential())


def azure_config(folder: Path, arm: ArmServer, *subscriptions: str) -> Path:
    path = folder / "sovaudit.yaml"
    listed = ", ".join(subscriptions)
    path.write_text(
        f"sources:\n  azure: {{endpoint: '{arm.url}', subscriptions: [{listed}]}}\n",
        encoding="utf-8",
    )
    return path


def fake_az(folder: Path) -> dict[str, str | None]:
    """The environment of a host logged in with the Azure CLI (a stand-in ``az``)."""
    az = folder / "bin" / "az"
    az.parent.mkdir()
    az.write_text(FAKE_AZ.format(python=sys.executable), encoding="utf-8")
    az.chmod(0o755)
    return {
        "PATH": f"{az.parent}:{os.environ.get('PATH', '')}",
        "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
    }


def test_without_subscriptions_the_probe_lists_them(estate: ArmServer) -> None:
    assert provider(estate).probe() == f"2 subscription(s) visible at {estate.url}"
    assert [path.split("?")[0] for _, path in estate.requests] == ["/subscriptions"]


def test_with_subscriptions_the_probe_reads_one_page_of_the_first(estate: ArmServer) -> None:
    seen = provider(estate, HEALTHY, DENIED).probe()
    assert seen == (
        f"subscription {HEALTHY} readable at {estate.url}; 1 other subscription(s) not probed"
    )
    [(method, path)] = estate.requests
    assert method == "GET"
    assert path.startswith(f"/subscriptions/{HEALTHY}/resources?")
    assert "top=1" in path


def test_a_denied_subscription_is_worded_as_the_scans_error_entry(estate: ArmServer) -> None:
    with pytest.raises(ProviderError) as probed:
        provider(estate, DENIED).probe()
    scan = provider(estate, DENIED)
    list(scan.collect())
    assert probed.value.scope == DENIED
    assert [(e.scope, e.message) for e in scan.errors] == [(DENIED, str(probed.value))]
    assert str(probed.value).startswith(
        "access denied while listing resources (403 AuthorizationFailed): "
    )
    assert estate.writes == []


def test_the_cli_probe_with_the_azure_cli_logged_in(estate: ArmServer, tmp_path: Path) -> None:
    result = config_check(
        azure_config(tmp_path, estate, HEALTHY), "--probe", changes=fake_az(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert probe_lines(result) == [
        f"probe azure: ok: subscription {HEALTHY} readable at {estate.url}"
    ]
    assert estate.tokens == ["token-from-fake-az"]


def test_the_cli_probe_of_a_denied_subscription_exits_3(estate: ArmServer, tmp_path: Path) -> None:
    result = config_check(
        azure_config(tmp_path, estate, DENIED), "--probe", changes=fake_az(tmp_path)
    )
    assert result.returncode == 3, result.stdout + result.stderr
    [line] = probe_lines(result)
    assert line.startswith(f"probe azure: FAILED: {DENIED}: access denied while listing resources")
    assert line.endswith("grant the identity the Reader role on the subscription")


def test_the_cli_probe_with_no_credential_to_try_exits_3(estate: ArmServer, tmp_path: Path) -> None:
    result = config_check(
        azure_config(tmp_path, estate, HEALTHY),
        "--probe",
        changes={"AZURE_TOKEN_CREDENTIALS": "EnvironmentCredential"},
    )
    assert result.returncode == 3, result.stdout + result.stderr
    [line] = probe_lines(result)
    assert line.startswith(f"probe azure: FAILED: no Azure token for {estate.url}: ")
    assert line.endswith(
        "(log in with 'az login', or set AZURE_TOKEN_CREDENTIALS / the AZURE_CLIENT_* variables)"
    )
    assert estate.requests == []
