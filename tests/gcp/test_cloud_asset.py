"""Cloud Asset Inventory exports read offline: the published samples, and an organisation's
export written for the issue's "done when" in the two shapes gcloud writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from sovaudit.inputs.readers import FileContext, reader_for
from sovaudit.locate.catalogue import load_catalogue
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset

PUBLISHED = Path(__file__).parent / "data" / "published"
LOCATOR = Locator(load_catalogue())
P = "tienda-prod"


def _asset(
    name: str, asset_type: str, data: dict[str, Any], labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """One asset as `gcloud asset export --content-type=resource` writes it (snake_case)."""
    return {
        "name": name,
        "asset_type": asset_type,
        "resource": {"version": "v1", "data": {**data, "labels": labels or {}}},
    }


PERSONAL = {"datos-personales": "si"}
EXPORT = [
    _asset(
        f"//bigquery.googleapis.com/projects/{P}/datasets/analitica",
        "bigquery.googleapis.com/Dataset",
        {"location": "US"},
        PERSONAL,
    ),
    _asset(
        f"//spanner.googleapis.com/projects/{P}/instances/pedidos",
        "spanner.googleapis.com/Instance",
        {"config": f"projects/{P}/instanceConfigs/nam-eur-asia1", "displayName": "pedidos"},
        PERSONAL,
    ),
    _asset(
        f"//firestore.googleapis.com/projects/{P}/databases/(default)",
        "firestore.googleapis.com/Database",
        {"locationId": "nam5"},
        PERSONAL,
    ),
    _asset(
        f"//pubsub.googleapis.com/projects/{P}/topics/altas",
        "pubsub.googleapis.com/Topic",
        {"name": f"projects/{P}/topics/altas"},
        PERSONAL,
    ),
    _asset(
        f"//cloudsql.googleapis.com/projects/{P}/instances/clientes",
        "sqladmin.googleapis.com/Instance",
        {
            "name": "clientes",
            "region": "northamerica-south1",
            "gceZone": "northamerica-south1-a",
            "replicaNames": ["clientes-replica"],
            "settings": {
                "backupConfiguration": {"enabled": True, "location": "northamerica-south1"}
            },
        },
        PERSONAL,
    ),
    _asset(
        f"//cloudsql.googleapis.com/projects/{P}/instances/clientes-replica",
        "sqladmin.googleapis.com/Instance",
        {
            "name": "clientes-replica",
            "region": "us-central1",
            "masterInstanceName": f"{P}:clientes",
        },
        PERSONAL,
    ),
    _asset(
        f"//cloudsql.googleapis.com/projects/{P}/instances/facturas",
        "sqladmin.googleapis.com/Instance",
        {
            "name": "facturas",
            "region": "northamerica-south1",
            "settings": {"backupConfiguration": {"enabled": True, "location": "us"}},
        },
        PERSONAL,
    ),
    _asset(
        f"//compute.googleapis.com/projects/{P}/global/snapshots/respaldo",
        "compute.googleapis.com/Snapshot",
        {"storageLocations": ["us"], "sourceDisk": "zones/northamerica-south1-b/disks/d"},
        PERSONAL,
    ),
    _asset(
        f"//compute.googleapis.com/projects/{P}/zones/northamerica-south1-b/instances/caja",
        "compute.googleapis.com/Instance",
        {"zone": f"https://www.googleapis.com/compute/v1/projects/{P}/zones/northamerica-south1-b"},
        PERSONAL,
    ),
]


def _located(path: Path) -> dict[str, Asset]:
    reader = reader_for(path)
    assert reader.name == "gcp-assets"
    return {
        a.id.rsplit("/", 1)[-1]: LOCATOR.locate_asset(a)
        for a in reader.read(path, FileContext(LOCATOR))
    }


def _countries(copy: Any) -> tuple[str, ...]:
    return LOCATOR.locate("gcp", copy.region).countries if copy.region else ()


@pytest.mark.parametrize("shape", ["ndjson", "json-list"])
def test_an_organisation_export(tmp_path: Path, shape: str):
    path = tmp_path / "export.json"
    if shape == "ndjson":  # gcloud asset export: one asset per line
        path.write_text("".join(json.dumps(a) + "\n" for a in EXPORT), encoding="utf-8")
    else:  # gcloud asset list --content-type=resource --format=json
        path.write_text(json.dumps(EXPORT, indent=2), encoding="utf-8")
    assets = _located(path)
    assert assets["analitica"].location.countries == ("US",)
    assert set(assets["pedidos"].location.countries) == {"US", "BE", "TW"}
    assert assets["(default)"].location.countries == ("US",)
    topic = assets["altas"]
    assert topic.location.countries == ()
    assert "publisher" in (topic.location.note or "")
    primary = assets["clientes"]
    assert primary.location.countries == ("MX",)
    assert [(c.kind, c.region, _countries(c)) for c in primary.copies] == [
        ("backup", "northamerica-south1", ("MX",)),
        ("read-replica", "us-central1", ("US",)),
    ]
    assert assets["clientes-replica"].location.countries == ("US",)
    [backup] = assets["facturas"].copies
    assert (backup.kind, _countries(backup)) == ("backup", ("US",))
    assert assets["respaldo"].location.countries == ("US",)
    vm = assets["caja"]
    assert (vm.region, vm.zone, vm.location.countries) == (
        "northamerica-south1",
        "northamerica-south1-b",
        ("MX",),
    )
    assert vm.account == P
    assert dict(vm.tags) == PERSONAL


def test_the_export_scanned_gives_the_findings(tmp_path: Path):
    path = tmp_path / "export.json"
    path.write_text("".join(json.dumps(a) + "\n" for a in EXPORT), encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    found = {(f["rule_id"], f["asset_id"].rsplit("/", 1)[-1]) for f in document["findings"]}
    assert ("personal-data-outside-home", "analitica") in found
    assert ("personal-data-outside-home", "pedidos") in found
    assert ("personal-data-copied-abroad", "clientes") in found
    assert ("personal-data-copied-abroad", "facturas") in found
    assert not any(asset == "caja" and rule.startswith("personal") for rule, asset in found)


def test_search_all_resources_output_locates_from_the_location(tmp_path: Path):
    results = [
        {
            "name": f"//sqladmin.googleapis.com/projects/{P}/instances/clientes",
            "assetType": "sqladmin.googleapis.com/Instance",
            "project": "projects/123456",
            "displayName": "clientes",
            "location": "northamerica-south1",
            "labels": PERSONAL,
        },
        {
            "name": f"//pubsub.googleapis.com/projects/{P}/topics/altas",
            "assetType": "pubsub.googleapis.com/Topic",
            "project": "projects/123456",
            "location": "global",
        },
    ]
    path = tmp_path / "search.json"
    path.write_text(json.dumps(results), encoding="utf-8")
    assets = _located(path)
    assert assets["clientes"].location.countries == ("MX",)
    assert assets["clientes"].account == P  # the id, from the name (the record has the number)
    assert assets["altas"].location.countries == ()
    assert "global" in (assets["altas"].location.note or "")


@pytest.mark.parametrize("path", sorted(PUBLISHED.glob("gcp-cai-*.json")), ids=lambda p: p.name)
def test_every_published_file_is_recognised(path: Path):
    assert reader_for(path).name == "gcp-assets"


def test_published_spanner_sql_buckets_and_snapshots():
    spanner = _located(PUBLISHED / "gcp-cai-export-policy-library-spanner-instances.json")
    assert set(spanner["multi-regional-spanner-inst"].location.countries) == {"US", "BE", "TW"}
    assert spanner["test-multi-region-spanner"].location.countries == ("US",)
    assert spanner["test-euro-spanner"].region == "europe-north1"
    sql = _located(PUBLISHED / "gcp-cai-export-policy-library-sql-instances.json")
    assert {a.location.countries for a in sql.values()} == {("SG",), ("AU",)}
    buckets = _located(PUBLISHED / "gcp-cai-export-policy-library-storage-buckets.json")
    assert {a.region for a in buckets.values()} == {"US", "US-CENTRAL1"}
    snapshots = _located(PUBLISHED / "gcp-cai-export-policy-library-compute-snapshots.json")
    assert {a.region for a in snapshots.values()} == {"us-east1"}  # the singular storageLocation
    history = _located(PUBLISHED / "gcp-cai-batchgetassetshistory-custodian-flight.json")
    assert [a.zone for a in history.values()] == ["us-central1-a"]  # a zone URL in the data
    search = _located(PUBLISHED / "gcp-cai-searchallresources-api-gcpdiag.json")
    assert len(search) == 4
    assert {a.location.countries for a in search.values()} == {("US",)}


def test_a_broken_ndjson_line_names_its_line(tmp_path: Path):
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(EXPORT[0]) + "\n" + json.dumps(EXPORT[1]) + "\n{broken\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["scan", str(path)])
    assert result.exit_code == 2
    assert f"{path}:3" in result.stderr


def test_every_other_interpreter(tmp_path: Path):
    instance = f"//bigtableadmin.googleapis.com/projects/{P}/instances/eventos"
    assets_in = [
        _asset(
            instance, "bigtableadmin.googleapis.com/Instance", {"displayName": "eventos"}, PERSONAL
        ),
        _asset(
            f"{instance}/clusters/qro",
            "bigtableadmin.googleapis.com/Cluster",
            {"location": f"projects/{P}/locations/northamerica-south1-a"},
        ),
        _asset(
            f"{instance}/clusters/iowa",
            "bigtableadmin.googleapis.com/Cluster",
            {"location": f"projects/{P}/locations/us-central1-b"},
        ),
        _asset(
            f"//secretmanager.googleapis.com/projects/{P}/secrets/llave",
            "secretmanager.googleapis.com/Secret",
            {
                "replication": {
                    "userManaged": {
                        "replicas": [{"location": "northamerica-south1"}, {"location": "us-east1"}]
                    }
                }
            },
        ),
        _asset(
            f"//secretmanager.googleapis.com/projects/{P}/secrets/auto",
            "secretmanager.googleapis.com/Secret",
            {"replication": {"automatic": {}}},
        ),
        _asset(
            "//storage.googleapis.com/tienda-dual",
            "storage.googleapis.com/Bucket",
            {
                "location": "US",
                "locationType": "dual-region",
                "customPlacementConfig": {"dataLocations": ["US-CENTRAL1", "US-EAST1"]},
            },
        ),
        _asset(
            f"//compute.googleapis.com/projects/{P}/regions/northamerica-south1/disks/rd",
            "compute.googleapis.com/RegionDisk",
            {
                "region": f"https://www.googleapis.com/compute/v1/projects/{P}/regions/northamerica-south1"
            },
        ),
        _asset(
            f"//compute.googleapis.com/projects/{P}/global/images/base",
            "compute.googleapis.com/Image",
            {"storageLocations": ["eu"]},
        ),
        _asset(
            f"//compute.googleapis.com/projects/{P}/global/networks/vpc",
            "compute.googleapis.com/Network",
            {"name": "vpc"},
        ),
    ]
    path = tmp_path / "export.json"
    path.write_text("".join(json.dumps(a) + "\n" for a in assets_in), encoding="utf-8")
    assets = _located(path)
    table = assets["eventos"]
    assert table.location.countries == ("MX",)  # its first cluster's zone
    assert [(c.kind, c.region) for c in table.copies] == [("replica", "us-central1")]
    assert "qro" not in assets  # clusters are where the instance's data is, not assets
    secret = assets["llave"]
    assert secret.location.countries == ("MX",)
    assert [(c.kind, c.region) for c in secret.copies] == [("replica", "us-east1")]
    assert assets["auto"].location.countries == ()
    assert "automatic replication" in (assets["auto"].location.note or "")
    dual = assets["tienda-dual"]
    assert dual.data_locations == ("us-central1", "us-east1")
    assert {c.region for c in dual.copies} == {"us-central1", "us-east1"}
    assert assets["rd"].location.countries == ("MX",)
    assert "DE" in assets["base"].location.countries  # the eu multi-region
    network = assets["vpc"]
    assert network.kind == "resource"  # no interpreter: the generic reading
    assert network.location.countries == ()  # a global resource: unknown, never home
