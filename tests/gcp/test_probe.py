"""``config check --probe`` for Google Cloud against gcp-storage-emulator (conftest.py).

The probe lists at most one bucket of the first project through the provider's own client
and GET-only session, so it is one request, and a refusal is worded as the scan's error entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sovaudit.providers.gcp import GcpProvider
from sovaudit.providers.interface import ProviderError
from tests.cli.config_process import config_check, probe_lines
from tests.gcp.conftest import GcsStandIn

pytestmark = pytest.mark.integration

PROJECT = "retail-prod"
DENIED = "permission denied: storage.buckets.list (403 forbidden)"


def gcp_config(folder: Path, section: str) -> Path:
    path = folder / "sovaudit.yaml"
    path.write_text(f"sources:\n  gcp: {section}\n", encoding="utf-8")
    return path


def test_the_probe_lists_one_bucket_of_the_first_project(gcs: GcsStandIn) -> None:
    gcs.seed("clientes-qro", PROJECT, location="NORTHAMERICA-SOUTH1")
    gcs.seed("clientes-eu", PROJECT, location="EUROPE-WEST1")
    seen = GcpProvider(projects=[PROJECT, "retail-dev"]).probe()
    assert seen == f"project {PROJECT}: buckets listed (some); 1 other project(s) not probed"
    assert gcs.proxy.requests == [("GET", "/storage/v1/b")]


def test_a_project_without_buckets_is_still_readable(gcs: GcsStandIn) -> None:
    assert GcpProvider(projects=["empty"]).probe() == "project empty: buckets listed (none)"


def test_a_denied_project_is_the_scans_error_entry(gcs: GcsStandIn) -> None:
    gcs.refuse("retail-secret")
    with pytest.raises(ProviderError) as probed:
        GcpProvider(projects=["retail-secret"]).probe()
    scan = GcpProvider(projects=["retail-secret"])
    list(scan.collect())
    assert (probed.value.scope, str(probed.value)) == ("retail-secret", DENIED)
    assert [(e.scope, e.message) for e in scan.errors] == [("retail-secret", DENIED)]


def test_no_application_default_credentials_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real ADC chain, with nothing to find: no key file, an empty gcloud folder, and the
    metadata server pointed at a closed loopback port (conftest); sockets are loopback-only."""
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    with pytest.raises(ProviderError) as caught:
        GcpProvider(projects=[PROJECT]).probe()
    assert str(caught.value) == (
        "no Google Cloud credentials: run 'gcloud auth application-default login' or set "
        "GOOGLE_APPLICATION_CREDENTIALS"
    )


def test_the_cli_probe_against_the_emulator(gcs: GcsStandIn, tmp_path: Path) -> None:
    gcs.seed("clientes-qro", PROJECT, location="NORTHAMERICA-SOUTH1")
    result = config_check(gcp_config(tmp_path, f"{{projects: [{PROJECT}]}}"), "--probe")
    assert result.returncode == 0, result.stdout + result.stderr
    assert probe_lines(result) == [f"probe gcp: ok: project {PROJECT}: buckets listed (some)"]
    assert gcs.proxy.methods == {"GET"}


def test_the_cli_probe_of_a_denied_project_exits_3(gcs: GcsStandIn, tmp_path: Path) -> None:
    gcs.refuse("retail-secret")
    result = config_check(gcp_config(tmp_path, "{projects: [retail-secret]}"), "--probe")
    assert result.returncode == 3, result.stdout + result.stderr
    assert probe_lines(result) == [f"probe gcp: FAILED: retail-secret: {DENIED}"]


def test_the_cli_probe_without_a_project_asks_for_one(gcs: GcsStandIn, tmp_path: Path) -> None:
    result = config_check(gcp_config(tmp_path, "{}"), "--probe")
    assert result.returncode == 3, result.stdout + result.stderr
    [line] = probe_lines(result)
    assert line.startswith("probe gcp: FAILED: no Google Cloud project to read: pass --gcp-project")
    assert gcs.proxy.requests == []
