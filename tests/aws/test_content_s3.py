"""Content sampling of S3 buckets against moto's server, end to end.

The bucket holds CSV, JSONL, JSON, Latin-1 text, gzip, image, binary, empty and large objects
with planted identifiers (tests/classify/content/corpus.py). Requests go through a recording
proxy in front of moto (tests/classify/content/proxy.py), which shows the Range header of every
GetObject and can refuse chosen requests the way S3 does (moto itself never denies).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from sovaudit.classify.content.sample import SamplingLimits
from sovaudit.classify.tags import Classifier
from sovaudit.locate.regions import Locator
from sovaudit.model import Asset, Classification
from sovaudit.providers import registry
from sovaudit.providers.aws import AwsProvider, guard, s3
from sovaudit.providers.aws.provider import ServiceCollector
from sovaudit.providers.aws.session import new_session
from sovaudit.scan import exit_code, run_scan
from tests.aws.conftest import make_bucket
from tests.classify.content.corpus import Planted, near_miss_bucket, planted_bucket
from tests.classify.content.proxy import RecordingProxy, Seen

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
S3_ONLY = [ServiceCollector("s3", s3.collect, per_account=True)]
SAMPLE_BYTES = 256 * 1024
PLANTED = planted_bucket()
NEAR_MISS = near_miss_bucket()


def fill(client: Any, name: str, objects: Mapping[str, bytes]) -> None:
    for key, data in objects.items():
        client.put_object(Bucket=name, Key=key, Body=data)


def _s3_error(code: str, message: str) -> tuple[int, str, bytes]:
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return 403, "application/xml", body.encode()


def _is_object_get(seen: Seen, bucket: str) -> bool:
    """A GetObject (path /bucket/key), not a bucket-level GET (?tagging, ?list-type=2...)."""
    return seen.method == "GET" and seen.path.startswith(f"/{bucket}/") and not seen.query


@pytest.fixture
def proxy(aws_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    """A recording proxy in front of moto, with AWS_ENDPOINT_URL pointing at it."""
    recording = RecordingProxy(aws_env)
    monkeypatch.setenv("AWS_ENDPOINT_URL", recording.url)
    yield recording
    recording.close()


def sampling(**limits: int) -> SamplingLimits:
    return SamplingLimits(**{"bytes_per_object": SAMPLE_BYTES, **limits})


def collect(
    limits: SamplingLimits, regions: tuple[str, ...] = ("us-east-1",)
) -> tuple[dict[str, Asset], AwsProvider]:
    provider = AwsProvider(regions=list(regions), collectors=S3_ONLY, content_sampling=limits)
    assets = {str(a.name): a for a in provider.collect()}
    return assets, provider


def _assert_no_value(text: str, planted: Planted = PLANTED) -> None:
    leaked = [value for value in planted.values if value in text or value.lower() in text]
    assert not leaked, f"{len(leaked)} planted values leaked (first starts {leaked[0][:3]}...)"


# --- the sample -----------------------------------------------------------------------------


def test_a_planted_bucket_is_sampled_counted_and_masked(
    proxy: RecordingProxy, recorded_operations: list[str], classifier: Classifier
) -> None:
    fill(
        make_bucket("exportes", tags={"data-classification": "public"}), "exportes", PLANTED.objects
    )
    make_bucket("vacio")

    assets, provider = collect(sampling())

    assert provider.errors == []
    sample = assets["exportes"].content
    assert sample is not None
    assert sample.identifiers == PLANTED.identifiers
    assert sample.categories == PLANTED.categories
    assert sample.skipped == PLANTED.skipped
    assert (sample.objects_listed, sample.objects_read) == (len(PLANTED.objects), PLANTED.read)
    assert sample.objects_with_hits == PLANTED.with_hits
    assert sample.classification is Classification.SENSITIVE
    assert sample.limited_by == ("bytes",)
    assert all(len(shown) <= 3 for shown in sample.examples.values())
    _assert_no_value(json.dumps(sample.to_dict()) + repr(assets["exportes"]))

    # Only the sample travelled: each GetObject asked for a range, the big log for 256 KiB.
    assert proxy.ranges("/exportes/logs/app.log") == [f"bytes=0-{SAMPLE_BYTES - 1}"]
    small = len(PLANTED.objects["exports/clientes.csv"])
    assert proxy.ranges("/exportes/exports/clientes.csv") == [f"bytes=0-{small - 1}"]
    assert proxy.ranges("/exportes/imagenes/ine-frente.jpg") == []  # skipped by its name
    assert sample.bytes_read < SAMPLE_BYTES + 8 * 1024

    # The tag said public; the data says otherwise, and both are kept.
    classified = classifier.classify(assets["exportes"])
    assert classified.classification is Classification.SENSITIVE
    assert classified.classification_source == "content-sample"
    assert classified.content is not None
    assert classified.content.declared_classification is Classification.NONE
    assert classified.content.declared_source == "tag:data-classification"

    # An empty bucket: sampled, nothing to find, and nothing decided from that.
    empty = assets["vacio"]
    assert empty.content is not None
    assert empty.content.objects_listed == 0
    assert classifier.classify(empty).classification is Classification.UNKNOWN

    assert set(recorded_operations) >= {"s3:ListBucket", "s3:GetObject"}
    assert set(recorded_operations) <= _base_policy() | _content_policy()


def test_sampling_is_off_unless_asked(proxy: RecordingProxy) -> None:
    fill(make_bucket("exportes"), "exportes", {"a.csv": b"curp\n"})
    provider = AwsProvider(regions=["us-east-1"], collectors=S3_ONLY)
    [asset] = provider.collect()
    assert asset.content is None
    assert not [s for s in proxy.seen if _is_object_get(s, "exportes")]


def test_the_scan_budget_holds_across_buckets(proxy: RecordingProxy) -> None:
    for name in ("uno", "dos", "tres"):
        fill(make_bucket(name), name, {f"{i}.log": b"x" * 4096 for i in range(5)})
    limits = SamplingLimits(bytes_per_object=4096, total_bytes=4096 * 7)
    assets, provider = collect(limits)
    read = sum(a.content.bytes_read for a in assets.values() if a.content)
    assert read == 4096 * 7
    assert sum("budget" in a.content.limited_by for a in assets.values() if a.content) >= 1
    object_gets = [s for s in proxy.seen if s.method == "GET" and s.range]
    assert len(object_gets) == 7
    assert provider.errors == []


# --- what cannot be read ----------------------------------------------------------------------


def test_objects_that_cannot_be_read_make_the_scope_incomplete_never_none(
    aws_env: str,
    monkeypatch: pytest.MonkeyPatch,
    locator: Locator,
    classifier: Classifier,
) -> None:
    fill(make_bucket("secreto"), "secreto", {"clientes.csv": b"curp\n"})
    fill(make_bucket("sin-listado"), "sin-listado", {"clientes.csv": b"curp\n"})
    fill(make_bucket("abierto"), "abierto", PLANTED.objects)

    def refuse(seen: Seen) -> tuple[int, str, bytes] | None:
        if _is_object_get(seen, "secreto"):
            return _s3_error("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized")
        if seen.path.rstrip("/") == "/sin-listado" and "list-type=2" in seen.query:
            return _s3_error("AccessDenied", "User: arn:aws:iam::1:user/x is not authorized")
        return None

    recording = RecordingProxy(aws_env, refuse)
    monkeypatch.setenv("AWS_ENDPOINT_URL", recording.url)
    try:
        provider = AwsProvider(
            regions=["us-east-1"], collectors=S3_ONLY, content_sampling=sampling()
        )
        result = run_scan([provider], locator=locator, classifier=classifier, rules=[])
    finally:
        recording.close()

    errors = {e.scope: e.message for e in result.errors}
    assert errors == {
        f"{ACCOUNT}/us-east-1/s3/secreto": "content sampling: access denied: s3:GetObject "
        "(AccessDenied); see docs/aws-iam-policy.json",
        f"{ACCOUNT}/us-east-1/s3/sin-listado": "content sampling: access denied: s3:ListBucket "
        "(AccessDenied); see docs/aws-iam-policy.json",
    }
    assert exit_code(result, None) == 3
    assets = {a.name: a for a in result.assets}
    assert set(assets) == {"secreto", "sin-listado", "abierto"}  # still reported
    for name in ("secreto", "sin-listado"):
        assert assets[name].classification is Classification.UNKNOWN
        assert assets[name].content is not None
        assert assets[name].content.classification is Classification.UNKNOWN
    gets = [s for s in recording.seen if _is_object_get(s, "secreto")]
    assert len(gets) == 1  # a refusal stops the bucket: no point in paying for more
    assert assets["abierto"].classification is Classification.SENSITIVE


def test_kms_refusals_skip_the_object_not_the_bucket(
    aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(make_bucket("mixto"), "mixto", {**PLANTED.objects, "kms/clientes.csv": b"curp\n"})

    def refuse(seen: Seen) -> tuple[int, str, bytes] | None:
        if _is_object_get(seen, "mixto") and seen.path.endswith("/kms/clientes.csv"):
            return _s3_error(
                "AccessDenied",
                "User: arn:aws:iam::1:user/x is not authorized to perform: kms:Decrypt on the "
                "resource associated with this ciphertext",
            )
        return None

    recording = RecordingProxy(aws_env, refuse)
    monkeypatch.setenv("AWS_ENDPOINT_URL", recording.url)
    try:
        assets, provider = collect(sampling())
    finally:
        recording.close()
    assert provider.errors == []
    sample = assets["mixto"].content
    assert sample is not None
    assert sample.skipped == {**PLANTED.skipped, "encrypted": 1}
    assert sample.identifiers == PLANTED.identifiers


def test_a_denied_region_still_reports_its_bucket(
    deny_region_proxy: Callable[..., Any], classifier: Classifier
) -> None:
    """The conftest's proxy denies every call signed for sa-east-1: tags and objects alike."""
    fill(make_bucket("sao-paulo", "sa-east-1"), "sao-paulo", PLANTED.objects)
    deny_region_proxy("sa-east-1")
    assets, provider = collect(sampling(), regions=("us-east-1", "sa-east-1"))

    assert "sao-paulo" in assets
    sample = assets["sao-paulo"].content
    assert sample is not None
    assert sample.classification is Classification.UNKNOWN
    assert classifier.classify(assets["sao-paulo"]).classification is Classification.UNKNOWN
    scopes = {e.scope for e in provider.errors}
    assert f"{ACCOUNT}/sa-east-1/s3/sao-paulo" in scopes
    assert any("s3:ListBucket" in e.message for e in provider.errors)


# --- the read-only guard ----------------------------------------------------------------------


def test_the_guard_lets_reads_through_and_still_refuses_writes() -> None:
    fill(make_bucket("exportes"), "exportes", {"a.csv": b"hola"})
    client = new_session().client("s3", region_name="us-east-1")
    assert client.get_object(Bucket="exportes", Key="a.csv", Range="bytes=0-1")["Body"].read() == (
        b"ho"
    )
    assert client.list_objects_v2(Bucket="exportes")["KeyCount"] == 1
    for call, params in (
        (client.put_object, {"Bucket": "exportes", "Key": "b.csv", "Body": b"x"}),
        (client.delete_object, {"Bucket": "exportes", "Key": "a.csv"}),
        (client.delete_objects, {"Bucket": "exportes", "Delete": {"Objects": [{"Key": "a.csv"}]}}),
        (client.copy_object, {"Bucket": "exportes", "Key": "c", "CopySource": "exportes/a.csv"}),
        (client.restore_object, {"Bucket": "exportes", "Key": "a.csv"}),
    ):
        with pytest.raises(guard.ReadOnlyViolation):
            call(**params)
    assert guard.iam_action("s3", "GetObject") == "s3:GetObject"
    assert guard.iam_action("s3", "ListObjectsV2") == "s3:ListBucket"
    assert [
        o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="exportes")["Contents"]
    ] == ["a.csv"]


# --- the whole CLI, every format ----------------------------------------------------------------

FORMATS = ("json", "jsonl", "ocsf", "csv", "sarif", "markdown", "html", "table")


class S3OnlyAwsProvider(AwsProvider):
    """The AWS provider reading only S3 (what is sampled): the other collectors would only
    make the run slower against moto. Everything else is the real CLI path."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "collectors": S3_ONLY})


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_planted_value_reaches_any_output_or_log(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    from sovaudit.cli.main import cli

    fill(
        make_bucket("exportes", tags={"data-classification": "public"}), "exportes", PLANTED.objects
    )
    fill(make_bucket("casi"), "casi", NEAR_MISS.objects)
    monkeypatch.setitem(registry.BUILTIN, "aws", f"{__name__}:S3OnlyAwsProvider")
    args = ["scan", "--provider", "aws", "--aws-region", "us-east-1", "--format", fmt]
    sampling_args = ["--sample-content", "--sample-bytes", "256KiB"]
    result = CliRunner().invoke(cli, [*args, *sampling_args, "--fail-on", "never", "-vv"])

    assert result.exit_code == 0, result.stderr
    assert "sampled s3://exportes: 6 of 10 objects read, 4 skipped, content sensitive" in (
        result.stderr
    )
    assert "sampled s3://casi: 4 of 4 objects read, 0 skipped, content none" in result.stderr
    for planted in (PLANTED, NEAR_MISS):
        _assert_no_value(result.stdout, planted)
        _assert_no_value(result.stderr, planted)
    if fmt in ("json", "jsonl"):
        assert '"content_sample"' in result.stdout
        assert '"declared_classification": "none"' in result.stdout or (
            '"declared_classification":"none"' in result.stdout
        )
    # Every format carries the findings' messages, which say both what the data holds and
    # what the tag said (the table cuts long messages to the terminal's width).
    assert "Content sampling found" in result.stdout
    if fmt != "table":
        assert "the tag data-classification says" in result.stdout.replace("&#x27;", "'")
    if fmt == "json":
        document = json.loads(result.stdout)
        by_name = {a["name"]: a for a in document["assets"]}
        assert by_name["exportes"]["classification"] == "sensitive"
        assert by_name["casi"]["classification"] == "unknown"  # near-misses decide nothing
        assert by_name["casi"]["content_sample"]["identifiers"] == {}
        rules_by_bucket: dict[str, set[str]] = {"exportes": set(), "casi": set()}
        for finding in document["findings"]:
            name = next(a["name"] for a in document["assets"] if a["id"] == finding["asset_id"])
            rules_by_bucket[name].add(finding["rule_id"])
        assert "sensitive-data-outside-home" in rules_by_bucket["exportes"]
        assert not [r for r in rules_by_bucket["casi"] if r.startswith(("personal", "sensitive"))]


# --- the IAM policy -----------------------------------------------------------------------------


def _base_policy() -> set[str]:
    document = json.loads((ROOT / "docs" / "aws-iam-policy.json").read_text(encoding="utf-8"))
    return {a for s in document["Statement"] for a in s["Action"]}


def _content_policy() -> set[str]:
    """The statement docs/content-sampling.md asks to add for --sample-content."""
    text = (ROOT / "docs" / "content-sampling.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(\{.*?\})\n```", text, re.S)
    assert block, "docs/content-sampling.md has no JSON policy block"
    statement = json.loads(block.group(1))
    assert statement["Effect"] == "Allow"
    return set(statement["Action"])
