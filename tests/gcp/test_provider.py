"""The Google Cloud provider against gcp-storage-emulator over real HTTP (conftest.py).

Buckets are seeded with the resource fields Google returns; the provider lists them through
``STORAGE_EMULATOR_HOST`` exactly as it would list a real project, and each asset is then placed
by the real catalogue and classifier.
"""

from __future__ import annotations

import json
import logging
import sys
import types
from typing import Any

import pytest
from click.testing import CliRunner
from google.api_core import exceptions as api
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from sovaudit.classify.tags import Classifier
from sovaudit.copies import has_home_copy
from sovaudit.engine.rules import load_rules
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset, Classification, ScanError
from sovaudit.pipeline import build_sources
from sovaudit.providers import registry
from sovaudit.providers.gcp import GcpProvider
from sovaudit.providers.gcp import provider as gcp_provider
from sovaudit.providers.gcp.buckets import kms_key_location
from sovaudit.providers.gcp.provider import ReadOnlyViolation, describe_failure, read_only_session
from sovaudit.providers.interface import ProviderError
from sovaudit.scan import exit_code, run_scan
from tests.gcp.conftest import GcsStandIn

PROJECT = "retail-prod"
KEY_QRO = "projects/retail-kms/locations/northamerica-south1/keyRings/datos/cryptoKeys/clientes"
KEY_EU = "projects/retail-kms/locations/europe-west1/keyRings/eu/cryptoKeys/clientes"
PERSONAL = {"data-classification": "personal", "owner": "crm"}


def seed_estate(gcs: GcsStandIn, project: str = PROJECT) -> None:
    """One bucket of every location kind GCS has."""
    gcs.seed(
        "clientes-qro",
        project,
        location="NORTHAMERICA-SOUTH1",
        locationType="region",
        labels=PERSONAL,
        encryption={"defaultKmsKeyName": KEY_QRO},
    )
    gcs.seed(
        "analitica-iowa",
        project,
        location="US-CENTRAL1",
        locationType="region",
        storageClass="NEARLINE",
    )
    gcs.seed(
        "respaldos-nam4", project, location="NAM4", locationType="dual-region", rpo="ASYNC_TURBO"
    )
    gcs.seed(
        "clientes-dual",
        project,
        location="US",
        locationType="dual-region",
        customPlacementConfig={"dataLocations": ["NORTHAMERICA-SOUTH1", "US-SOUTH1"]},
        labels={"data-classification": "personal"},
        rpo="DEFAULT",
    )
    gcs.seed("medios-us", project, location="US", locationType="multi-region")
    gcs.seed(
        "clientes-eu",
        project,
        location="EU",
        locationType="multi-region",
        labels=PERSONAL,
        encryption={"defaultKmsKeyName": KEY_EU},
    )
    gcs.seed("logs-asia1", project, location="ASIA1", locationType="dual-region")


def collect(provider: GcpProvider) -> dict[str, Asset]:
    return {asset.name or asset.id: asset for asset in provider.collect()}


def located(locator: Locator, provider: GcpProvider) -> dict[str, Asset]:
    return {name: locator.locate_asset(asset) for name, asset in collect(provider).items()}


def copies(asset: Asset) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [(c.kind, c.region, c.location.countries) for c in asset.copies]


# --- what a bucket becomes ----------------------------------------------------------------------


def test_every_bucket_is_an_asset_with_raw_location_evidence(gcs: GcsStandIn) -> None:
    seed_estate(gcs)
    provider = GcpProvider(projects=[PROJECT])
    assets = collect(provider)

    assert provider.errors == []
    assert sorted(assets) == [
        "analitica-iowa",
        "clientes-dual",
        "clientes-eu",
        "clientes-qro",
        "logs-asia1",
        "medios-us",
        "respaldos-nam4",
    ]
    qro = assets["clientes-qro"]
    assert (qro.id, qro.provider, qro.service, qro.kind) == (
        "gs://clientes-qro",
        "gcp",
        "gcs",
        "object_store",
    )
    assert qro.account == PROJECT
    assert qro.region == "NORTHAMERICA-SOUTH1"
    assert not qro.location.known  # the locator decides, not the collector
    assert dict(qro.tags) == PERSONAL
    assert qro.attributes["location_type"] == "region"
    assert qro.attributes["kms_key_name"] == KEY_QRO
    assert qro.attributes["kms_key_location"] == "northamerica-south1"
    assert qro.attributes["turbo_replication"] is False
    dual = assets["clientes-dual"]
    assert dual.region == "US"
    assert dual.data_locations == ("northamerica-south1", "us-south1")
    assert dual.attributes["location_type"] == "dual-region"
    nam4 = assets["respaldos-nam4"]
    assert nam4.attributes["rpo"] == "ASYNC_TURBO"
    assert nam4.attributes["turbo_replication"] is True
    assert assets["analitica-iowa"].attributes["storage_class"] == "NEARLINE"
    assert assets["clientes-eu"].attributes["kms_key_location"] == "europe-west1"
    assert assets["medios-us"].data_locations == ()
    assert assets["medios-us"].attributes["kms_key_name"] is None


def test_each_location_kind_is_placed_by_the_catalogue(gcs: GcsStandIn, locator: Locator) -> None:
    seed_estate(gcs)
    assets = located(locator, GcpProvider(projects=[PROJECT]))

    qro = assets["clientes-qro"]
    assert qro.location.countries == ("MX",)
    assert qro.location.subdivision == "MX-QUE"
    assert qro.copies == ()

    assert assets["analitica-iowa"].location.countries == ("US",)
    assert assets["analitica-iowa"].copies == ()

    nam4 = assets["respaldos-nam4"]
    assert nam4.location.countries == ("US",)
    assert copies(nam4) == [
        ("dual-region", "us-central1", ("US",)),
        ("dual-region", "us-east1", ("US",)),
    ]

    # A configurable dual-region over Querétaro and Dallas: in both countries, one copy home.
    dual = assets["clientes-dual"]
    assert set(dual.location.countries) == {"MX", "US"}
    assert copies(dual) == [
        ("dual-region", "northamerica-south1", ("MX",)),
        ("dual-region", "us-south1", ("US",)),
    ]
    assert has_home_copy(dual, "MX", {})
    assert not dual.location.within("MX")

    # Multi-regions: several countries (EU) or one (US); never home, no copies we can name.
    us = assets["medios-us"]
    assert us.location.countries == ("US",)
    assert us.copies == ()
    eu = assets["clientes-eu"]
    assert len(eu.location.countries) > 1
    assert "MX" not in eu.location.countries
    assert not has_home_copy(eu, "MX", {})

    asia1 = assets["logs-asia1"]
    assert asia1.location.countries == ("JP",)
    assert [c.region for c in asia1.copies] == ["asia-northeast1", "asia-northeast2"]


def test_labels_become_the_classification(gcs: GcsStandIn, classifier: Classifier) -> None:
    seed_estate(gcs)
    assets = {n: classifier.classify(a) for n, a in collect(GcpProvider([PROJECT])).items()}

    assert assets["clientes-qro"].classification is Classification.PERSONAL
    assert assets["clientes-qro"].classification_source == "tag:data-classification"
    assert assets["clientes-eu"].classification is Classification.PERSONAL
    assert assets["medios-us"].classification is Classification.UNKNOWN


def test_each_project_is_its_own_scope(gcs: GcsStandIn) -> None:
    gcs.seed("ventas-qro", "retail-prod", location="NORTHAMERICA-SOUTH1", locationType="region")
    gcs.seed("pruebas-us", "retail-dev", location="US", locationType="multi-region")
    gcs.seed("datos-eu", "retail-data", location="EU", locationType="multi-region")
    provider = GcpProvider(projects=["retail-prod", "retail-dev", "retail-data"], max_workers=2)

    assets = collect(provider)

    assert provider.errors == []
    assert {name: a.account for name, a in assets.items()} == {
        "ventas-qro": "retail-prod",
        "pruebas-us": "retail-dev",
        "datos-eu": "retail-data",
    }
    listed = [path for method, path in gcs.proxy.requests if method == "GET"]
    assert len(listed) == 3  # one list call per project, nothing per bucket


# --- projects that cannot be read -------------------------------------------------------------


def test_a_denied_project_is_one_error_and_the_rest_goes_on(
    gcs: GcsStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_estate(gcs)
    gcs.refuse("retail-secret")
    provider = GcpProvider(projects=["retail-secret", PROJECT])

    with caplog.at_level(logging.INFO, logger="sovaudit.progress"):
        assets = collect(provider)

    assert "clientes-qro" in assets
    assert len(assets) == 7
    assert provider.errors == [
        ScanError("gcp", "retail-secret", "permission denied: storage.buckets.list (403 forbidden)")
    ]
    events = [r.progress for r in caplog.records if r.name == "sovaudit.progress"]
    assert events == [
        {"event": "planned", "source": "gcp", "total": 2},
        {"event": "scope", "source": "gcp", "scope": "retail-secret", "assets": 0, "failed": True},
        {"event": "scope", "source": "gcp", "scope": PROJECT, "assets": 7, "failed": False},
    ]


def test_a_project_with_the_api_disabled_says_so(gcs: GcsStandIn) -> None:
    gcs.refuse("retail-old", "disabled")
    provider = GcpProvider(projects=["retail-old"])

    assert collect(provider) == {}
    [error] = provider.errors
    assert error.scope == "retail-old"
    assert "Cloud Storage API is not enabled" in error.message


def test_an_unreachable_endpoint_is_an_error_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "http://127.0.0.1:9")
    provider = GcpProvider(projects=[PROJECT], retry_deadline=0.5)

    assert collect(provider) == {}
    [error] = provider.errors
    assert error.scope == PROJECT
    assert "did not answer after retries" in error.message


def test_failure_messages_name_the_permission_not_the_caller() -> None:
    forbidden = api.Forbidden(
        "GET http://x/b: audit@example.iam.gserviceaccount.com does not have access",
        errors=[{"reason": "forbidden", "message": "audit@example... does not have access"}],
    )
    assert describe_failure(forbidden) == "permission denied: storage.buckets.list (403 forbidden)"
    assert "404" in describe_failure(api.NotFound("no such project"))
    bad = describe_failure(api.BadRequest("Unknown project id: 0"))
    assert bad.startswith("storage.buckets.list failed: 400")


# --- read-only --------------------------------------------------------------------------------


def test_the_provider_only_sends_get_requests(gcs: GcsStandIn) -> None:
    seed_estate(gcs)
    gcs.refuse("retail-secret")

    list(GcpProvider(projects=[PROJECT, "retail-secret"]).collect())

    assert gcs.proxy.requests, "the provider went past the stand-in"
    assert gcs.proxy.methods == {"GET"}


def test_the_guard_refuses_mutations_before_sending(gcs: GcsStandIn) -> None:
    credentials = AnonymousCredentials()
    client = storage.Client(
        project=PROJECT, credentials=credentials, _http=read_only_session(credentials)
    )
    gcs.seed("clientes-qro", PROJECT, location="NORTHAMERICA-SOUTH1", labels=PERSONAL)
    bucket = client.bucket("clientes-qro")

    with pytest.raises(ReadOnlyViolation, match="refused POST"):
        client.create_bucket("nuevo", location="US")
    bucket.labels = {"data-classification": "none"}
    with pytest.raises(ReadOnlyViolation, match="refused PATCH"):
        bucket.patch()
    with pytest.raises(ReadOnlyViolation, match="refused DELETE"):
        bucket.delete()

    assert gcs.proxy.requests == []  # nothing left the process
    stored = gcs.emulator.storage.get_bucket("clientes-qro")
    assert stored["labels"] == PERSONAL
    assert gcs.emulator.storage.get_bucket("nuevo") is None


# --- starting ---------------------------------------------------------------------------------


def test_missing_sdk_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "google.cloud.storage", None)
    with pytest.raises(ProviderError) as raised:
        list(GcpProvider(projects=[PROJECT]).collect())
    assert str(raised.value) == (
        "the Google Cloud provider needs google-cloud-storage: pip install 'sovaudit[gcp]'"
    )
    assert raised.value.provider == "gcp"


def test_no_project_under_an_emulator_asks_for_one() -> None:
    with pytest.raises(ProviderError, match="--gcp-project"):
        list(GcpProvider().collect())


def test_no_project_without_resource_manager_asks_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    monkeypatch.setitem(sys.modules, "google.cloud.resourcemanager_v3", None)
    with pytest.raises(ProviderError, match="pass --gcp-project") as raised:
        list(GcpProvider().collect())
    assert "google-cloud-resource-manager" in str(raised.value)


def test_projects_are_discovered_through_resource_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """The discovery call, against a stand-in module (its gRPC API has no local emulator)."""
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    seen: list[Any] = []

    class State:
        ACTIVE = "ACTIVE"
        DELETE_REQUESTED = "DELETE_REQUESTED"

    class Project:
        def __init__(self, project_id: str, state: str) -> None:
            self.project_id = project_id
            self.state = state

    Project.State = State  # type: ignore[attr-defined]

    class ProjectsClient:
        def __init__(self, credentials: Any) -> None:
            seen.append(credentials)

        def search_projects(self) -> list[Project]:
            return [
                Project("retail-prod", State.ACTIVE),
                Project("old", State.DELETE_REQUESTED),
                Project("retail-dev", State.ACTIVE),
            ]

    fake = types.ModuleType("google.cloud.resourcemanager_v3")
    fake.ProjectsClient = ProjectsClient  # type: ignore[attr-defined]
    fake.Project = Project  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google.cloud.resourcemanager_v3", fake)
    provider = GcpProvider()
    credentials = AnonymousCredentials()

    manager = provider._project_source()
    assert provider._projects(manager, credentials) == ["retail-dev", "retail-prod"]
    assert seen == [credentials]


def test_no_credentials_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth
    from google.auth import exceptions as auth

    def no_adc(**kwargs: Any) -> Any:
        raise auth.DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    monkeypatch.setattr(google.auth, "default", no_adc)
    with pytest.raises(ProviderError, match="no Google Cloud credentials"):
        list(GcpProvider(projects=[PROJECT]).collect())


def test_adc_is_asked_for_read_only_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth

    asked: list[Any] = []

    def adc(**kwargs: Any) -> Any:
        asked.append(kwargs.get("scopes"))
        return AnonymousCredentials(), None

    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    monkeypatch.setattr(google.auth, "default", adc)
    GcpProvider(projects=[PROJECT])._credentials()
    assert asked == [list(gcp_provider.READ_ONLY_SCOPES)]
    assert all("read" in scope for scope in gcp_provider.READ_ONLY_SCOPES)


def test_from_options() -> None:
    provider = GcpProvider.from_options({"projects": ["a", "b", "a"], "max_workers": 3})
    assert isinstance(provider, GcpProvider)
    assert provider.projects == ("a", "b")
    assert provider.max_workers == 3
    assert GcpProvider.from_options({"projects": "a, b"}).projects == ("a", "b")
    assert GcpProvider.from_options({}).projects == ()
    with pytest.raises(ValueError, match="max_workers"):
        GcpProvider(max_workers=0)


@pytest.mark.parametrize(
    ("key", "location"),
    [
        (KEY_QRO, "northamerica-south1"),
        ("projects/p/locations/global/keyRings/r/cryptoKeys/k", "global"),
        ("projects/p/locations/US/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1", "us"),
        ("not-a-key-name", None),
        (None, None),
    ],
)
def test_kms_key_location(key: str | None, location: str | None) -> None:
    assert kms_key_location(key) == location


# --- end to end -------------------------------------------------------------------------------


def test_run_scan_reports_findings_and_the_denied_project(
    gcs: GcsStandIn, locator: Locator, classifier: Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.BUILTIN, "gcp", "sovaudit.providers.gcp:GcpProvider")
    seed_estate(gcs)
    gcs.refuse("retail-secret")
    sources = build_sources([], ["gcp"], locator, {"gcp": {"projects": [PROJECT, "retail-secret"]}})

    result = run_scan(sources, locator=locator, classifier=classifier, rules=load_rules())

    assets = {a.name: a for a in result.assets}
    assert len(assets) == 7
    assert assets["clientes-qro"].location.countries == ("MX",)
    assert assets["clientes-eu"].classification is Classification.PERSONAL
    rules_by_asset: dict[str, set[str]] = {}
    for finding in result.findings:
        rules_by_asset.setdefault(finding.asset_id, set()).add(finding.rule_id)
    assert {"personal-data-outside-home", "storage-spans-several-countries"} <= rules_by_asset[
        "gs://clientes-eu"
    ]
    assert "personal-data-outside-home" not in rules_by_asset.get("gs://clientes-qro", set())
    assert "personal-data-without-home-copy" not in rules_by_asset.get("gs://clientes-dual", set())
    assert [(e.provider, e.scope) for e in result.errors] == [("gcp", "retail-secret")]
    assert exit_code(result, None) == 3


def test_scan_through_the_cli(gcs: GcsStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--gcp-project`` reaches the provider as options["projects"]; exit 3 when one fails."""
    from sovaudit.cli.main import cli

    monkeypatch.setitem(registry.BUILTIN, "gcp", "sovaudit.providers.gcp:GcpProvider")
    seed_estate(gcs)
    gcs.refuse("retail-secret")
    args = ["scan", "--provider", "gcp", "--gcp-project", PROJECT]
    args += ["--gcp-project", "retail-secret", "--format", "json", "--fail-on", "never"]

    result = CliRunner().invoke(cli, args)

    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    assets = {a["name"]: a for a in document["assets"]}
    assert assets["clientes-qro"]["location"]["countries"] == ["MX"]
    assert assets["clientes-qro"]["location"]["subdivision"] == "MX-QUE"
    dual = assets["clientes-dual"]
    assert sorted(dual["location"]["countries"]) == ["MX", "US"]
    assert [c["location"]["countries"] for c in dual["copies"]] == [["MX"], ["US"]]
    assert document["errors"] == [
        {
            "provider": "gcp",
            "scope": "retail-secret",
            "message": "permission denied: storage.buckets.list (403 forbidden)",
        }
    ]
