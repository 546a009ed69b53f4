"""Content sampling of Cloud Storage buckets against gcp-storage-emulator, end to end.

Objects are written straight into the emulator's storage (as conftest.py seeds buckets), so
their resources are exactly what Google would list, including fields the emulator's upload API
drops (``customerEncryption``). A recording proxy (tests/classify/content/proxy.py) sits in front of
the conftest's proxy: it shows the method and Range of every request and answers the 403s the
emulator never gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gcp_storage_emulator.handlers.objects import _checksums, _make_object_resource

from sovaudit.classify.content.sample import SamplingLimits
from sovaudit.classify.tags import Classifier
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset, Classification
from sovaudit.providers import registry
from sovaudit.providers.gcp import GcpProvider
from sovaudit.scan import exit_code, run_scan
from tests.classify.content.corpus import near_miss_bucket, planted_bucket
from tests.classify.content.proxy import RecordingProxy, Seen
from tests.gcp.conftest import GcsStandIn, google_error

pytestmark = pytest.mark.integration

PROJECT = "retail-prod"
SAMPLE_BYTES = 256 * 1024
PLANTED = planted_bucket()
NEAR_MISS = near_miss_bucket()


def put(gcs: GcsStandIn, bucket: str, objects: Mapping[str, bytes], **extra: Any) -> None:
    """Write objects into the emulator's storage with the resource Google would list."""
    for name, data in objects.items():
        resource = _make_object_resource(
            gcs.url, bucket, name, "application/octet-stream", len(data)
        )
        resource = _checksums(data, resource)
        resource.update(extra)
        gcs.emulator.storage.create_file(bucket, name, data, resource)


def seed(gcs: GcsStandIn, name: str, objects: Mapping[str, bytes], **labels: str) -> None:
    gcs.seed(name, PROJECT, location="US-CENTRAL1", locationType="region", labels=labels)
    put(gcs, name, objects)


def _object_download(seen: Seen, bucket: str) -> bool:
    return seen.method == "GET" and seen.path.startswith(f"/download/storage/v1/b/{bucket}/o/")


def _object_listing(seen: Seen, bucket: str) -> bool:
    return seen.method == "GET" and seen.path.rstrip("/") == f"/storage/v1/b/{bucket}/o"


def _refusal(reason: str, message: str) -> tuple[int, str, bytes]:
    return 403, "application/json", google_error(403, reason, message)


@pytest.fixture
def recording(gcs: GcsStandIn, monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    proxy = RecordingProxy(gcs.url)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
    yield proxy
    proxy.close()


def limits() -> SamplingLimits:
    return SamplingLimits(bytes_per_object=SAMPLE_BYTES)


def collect(**options: Any) -> tuple[dict[str, Asset], GcpProvider]:
    provider = GcpProvider(projects=[PROJECT], content_sampling=limits(), **options)
    return {str(a.name): a for a in provider.collect()}, provider


def test_a_planted_bucket_is_sampled_counted_and_masked(
    gcs: GcsStandIn, recording: RecordingProxy, classifier: Classifier
) -> None:
    seed(gcs, "exportes", PLANTED.objects, **{"data-classification": "public"})
    seed(gcs, "catalogo", {"productos.csv": b"sku,precio\nA-1,10.50\nB-2,99.00\n"})

    assets, provider = collect()

    assert provider.errors == []
    sample = assets["exportes"].content
    assert sample is not None
    assert sample.identifiers == PLANTED.identifiers
    assert sample.categories == PLANTED.categories
    assert sample.skipped == PLANTED.skipped
    assert (sample.objects_listed, sample.objects_read) == (len(PLANTED.objects), PLANTED.read)
    assert sample.classification is Classification.SENSITIVE
    rendered = json.dumps(sample.to_dict()) + repr(assets["exportes"])
    assert not [v for v in PLANTED.values if v in rendered or v.lower() in rendered]

    # Ranged downloads only, and nothing but GET ever left the process.
    log_ranges = recording.ranges("/exportes/o/logs/app.log")
    assert log_ranges == [f"bytes=0-{SAMPLE_BYTES - 1}"]
    csv_size = len(PLANTED.objects["exports/clientes.csv"])
    assert recording.ranges("/exportes/o/exports/clientes.csv") == [f"bytes=0-{csv_size - 1}"]
    assert recording.ranges("/exportes/o/imagenes/ine-frente.jpg") == []
    assert recording.methods == {"GET"}

    classified = classifier.classify(assets["exportes"])
    assert classified.classification is Classification.SENSITIVE
    assert classified.classification_source == "content-sample"
    assert classified.content is not None
    assert classified.content.declared_source == "tag:data-classification"

    catalogue = assets["catalogo"].content
    assert catalogue is not None
    assert (catalogue.classification, catalogue.objects_read) == (Classification.NONE, 1)
    assert classifier.classify(assets["catalogo"]).classification is Classification.UNKNOWN


def test_customer_key_and_kms_objects_are_skipped_not_failures(
    gcs: GcsStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(gcs, "mixto", PLANTED.objects)
    put(
        gcs,
        "mixto",
        {"csek/clientes.csv": b"curp\n"},
        customerEncryption={"encryptionAlgorithm": "AES256", "keySha256": "x"},
    )
    put(gcs, "mixto", {"cmek/clientes.csv": b"curp\n"})

    def refuse(seen: Seen) -> tuple[int, str, bytes] | None:
        if _object_download(seen, "mixto") and "cmek/" in seen.path:
            return _refusal(
                "forbidden",
                "Permission 'cloudkms.cryptoKeyVersions.useToDecrypt' denied on Cloud KMS key",
            )
        return None

    proxy = RecordingProxy(gcs.url, refuse)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
    try:
        assets, provider = collect()
    finally:
        proxy.close()
    assert provider.errors == []
    sample = assets["mixto"].content
    assert sample is not None
    assert sample.skipped == {**PLANTED.skipped, "encrypted": 2}
    assert sample.identifiers == PLANTED.identifiers
    assert proxy.ranges("/mixto/o/csek/clientes.csv") == []  # known from the listing: not read


def test_objects_that_cannot_be_read_make_the_scope_incomplete_never_none(
    gcs: GcsStandIn, monkeypatch: pytest.MonkeyPatch, locator: Locator, classifier: Classifier
) -> None:
    seed(gcs, "secreto", {"clientes.csv": b"curp\n", "b.csv": b"x\n"})
    seed(gcs, "sin-listado", {"clientes.csv": b"curp\n"})
    seed(gcs, "abierto", PLANTED.objects)
    message = "audit@example.iam.gserviceaccount.com does not have storage.objects.get access"

    def refuse(seen: Seen) -> tuple[int, str, bytes] | None:
        if _object_download(seen, "secreto") or _object_listing(seen, "sin-listado"):
            return _refusal("forbidden", message)
        return None

    proxy = RecordingProxy(gcs.url, refuse)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
    try:
        provider = GcpProvider(projects=[PROJECT], content_sampling=limits())
        result = run_scan([provider], locator=locator, classifier=classifier, rules=[])
    finally:
        proxy.close()

    errors = {e.scope: e.message for e in result.errors}
    assert errors == {
        f"{PROJECT}/secreto": "content sampling: permission denied: storage.objects.get "
        "(403 forbidden)",
        f"{PROJECT}/sin-listado": "content sampling: permission denied: storage.objects.list "
        "(403 forbidden)",
    }
    assert "audit@example" not in json.dumps(errors)  # Google's text names the caller
    assert exit_code(result, None) == 3
    assets = {a.name: a for a in result.assets}
    assert set(assets) == {"secreto", "sin-listado", "abierto"}
    for name in ("secreto", "sin-listado"):
        assert assets[name].classification is Classification.UNKNOWN
        assert assets[name].content is not None
        assert assets[name].content.classification is Classification.UNKNOWN
    assert len([s for s in proxy.seen if _object_download(s, "secreto")]) == 1
    assert assets["abierto"].classification is Classification.SENSITIVE


def test_sampling_is_off_unless_asked(gcs: GcsStandIn, recording: RecordingProxy) -> None:
    seed(gcs, "exportes", {"a.csv": b"curp\n"})
    [asset] = GcpProvider(projects=[PROJECT]).collect()
    assert asset.content is None
    assert not [s for s in recording.seen if "/o" in s.path]


def test_the_cli_classifies_planted_and_near_miss_buckets_without_leaking(
    gcs: GcsStandIn, recording: RecordingProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``scan --sample-content`` end to end: one scan, then every format rendered from it."""
    from sovaudit.cli.main import cli

    monkeypatch.setitem(registry.BUILTIN, "gcp", "sovaudit.providers.gcp:GcpProvider")
    seed(gcs, "exportes", PLANTED.objects)
    seed(gcs, "casi", NEAR_MISS.objects)
    scan_json = tmp_path / "scan.json"
    args = ["scan", "--provider", "gcp", "--gcp-project", PROJECT, "--sample-content"]
    args += ["--sample-bytes", "256KiB", "--fail-on", "never", "-vv", "-o", str(scan_json)]

    result = CliRunner().invoke(cli, args)

    assert result.exit_code == 0, result.stderr
    assert "sampled gs://casi: 4 of 4 objects read, 0 skipped, content none" in result.stderr
    document = json.loads(scan_json.read_text(encoding="utf-8"))
    assets = {a["name"]: a for a in document["assets"]}
    assert assets["exportes"]["classification"] == "sensitive"
    assert assets["exportes"]["classification_source"] == "content-sample"
    assert assets["casi"]["classification"] == "unknown"
    assert assets["casi"]["content_sample"]["objects_read"] == 4
    assert assets["casi"]["content_sample"]["identifiers"] == {}
    rules = {(f["asset_id"], f["rule_id"]) for f in document["findings"]}
    assert ("gs://exportes", "sensitive-data-outside-home") in rules
    assert not [r for a, r in rules if a == "gs://casi" and r.startswith(("personal", "sens"))]

    outputs = [result.stdout, result.stderr, scan_json.read_text(encoding="utf-8")]
    for fmt in ("jsonl", "ocsf", "csv", "sarif", "markdown", "html", "table"):
        rendered = CliRunner().invoke(cli, ["scan", str(scan_json), "--format", fmt])
        assert rendered.exit_code in (0, 1), rendered.stderr
        if fmt != "table":  # the table cuts messages to the terminal's width
            assert "Content sampling found" in rendered.stdout
        outputs += [rendered.stdout, rendered.stderr]
    for text in outputs:
        for value in (*PLANTED.values, *NEAR_MISS.values):
            assert value not in text, f"a planted value leaked (starts {value[:3]}...)"
            assert value.lower() not in text


def test_inventory_keeps_the_evidence_for_a_later_scan(
    gcs: GcsStandIn, recording: RecordingProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``inventory --sample-content -o estate.json``, then ``scan estate.json`` offline."""
    from sovaudit.cli.main import cli

    monkeypatch.setitem(registry.BUILTIN, "gcp", "sovaudit.providers.gcp:GcpProvider")
    seed(gcs, "exportes", PLANTED.objects, **{"data-classification": "public"})
    estate = tmp_path / "estate.json"
    args = ["inventory", "--provider", "gcp", "--gcp-project", PROJECT, "--sample-content"]
    collected = CliRunner().invoke(cli, [*args, "-o", str(estate)])
    assert collected.exit_code == 0, collected.stderr
    reads = len([s for s in recording.seen if _object_download(s, "exportes")])
    assert reads >= PLANTED.read  # and the extension-less binary, read to find out

    scanned = CliRunner().invoke(cli, ["scan", str(estate), "--format", "json"])

    assert scanned.exit_code == 1, scanned.stderr  # a critical finding, from content alone
    [asset] = json.loads(scanned.stdout)["assets"]
    assert (asset["classification"], asset["classification_source"]) == (
        "sensitive",
        "content-sample",
    )
    assert asset["content_sample"]["declared_source"] == "tag:data-classification"
    assert len([s for s in recording.seen if _object_download(s, "exportes")]) == reads
    for text in (estate.read_text(encoding="utf-8"), scanned.stdout):
        assert not [v for v in PLANTED.values if v in text or v.lower() in text]
