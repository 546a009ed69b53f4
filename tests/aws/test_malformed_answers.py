"""One malformed answer costs its scope, never the scan: an errors entry, exit 3, the rest read.

An HTTP 200 whose body no parser accepts (from STS, or from one region's EC2), or well-formed
JSON with the wrong field types (from one region's DynamoDB), used to end the scan with exit 4
and throw away every other region. A proxy in front of moto answers the chosen scopes so.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from tests.aws.conftest import ACCOUNT, GARBAGE, SILENT, WRONG_TYPES, FaultProxy, make_bucket
from tests.conftest import ROOT
from tests.process import clean_env, sovaudit, stderr_lines

REGIONS = ("--aws-region", "mx-central-1", "--aws-region", "sa-east-1")


def _table(name: str, region: str) -> None:
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _scan() -> tuple[int, dict[str, Any], list[str]]:
    result = sovaudit(
        "scan", "--provider", "aws", *REGIONS, "--format", "json", "--fail-on", "never"
    )
    return result.returncode, json.loads(result.stdout), stderr_lines(result)


def test_garbage_from_one_regions_ec2_costs_that_scope_only(
    fault_proxy: Callable[..., FaultProxy],
) -> None:
    make_bucket("clientes-qro", "mx-central-1", {"data-classification": "personal"})
    _table("pedidos", "sa-east-1")
    proxy = fault_proxy({("sa-east-1", "ec2"): GARBAGE})
    code, document, stderr = _scan()
    assert code == 3
    errors = {e["scope"]: e["message"] for e in document["errors"]}
    assert set(errors) == {f"{ACCOUNT}/sa-east-1/ec2"}
    assert "could not be parsed" in errors[f"{ACCOUNT}/sa-east-1/ec2"]
    names = {asset["name"] for asset in document["assets"]}
    assert {"clientes-qro", "pedidos"} <= names  # S3 and sa-east-1's DynamoDB still read
    assert any("could not read aws" in line and "sa-east-1/ec2" in line for line in stderr)
    assert ("sa-east-1", "ec2") in proxy.faulted


def test_wrong_field_types_from_one_regions_dynamodb_cost_that_scope_only(
    fault_proxy: Callable[..., FaultProxy],
) -> None:
    _table("clientes", "mx-central-1")
    _table("pedidos", "sa-east-1")
    fault_proxy({("sa-east-1", "dynamodb"): WRONG_TYPES})
    code, document, _ = _scan()
    assert code == 3
    errors = {e["scope"]: e["message"] for e in document["errors"]}
    assert set(errors) == {f"{ACCOUNT}/sa-east-1/dynamodb"}
    assert errors[f"{ACCOUNT}/sa-east-1/dynamodb"].startswith("unexpected answer (")
    assert "please report it" in errors[f"{ACCOUNT}/sa-east-1/dynamodb"]
    names = {asset["name"] for asset in document["assets"]}
    assert "clientes" in names
    assert "pedidos" not in names


def test_garbage_from_sts_is_an_incomplete_scan_not_a_crash(
    fault_proxy: Callable[..., FaultProxy],
) -> None:
    fault_proxy({"us-east-1": GARBAGE, "mx-central-1": GARBAGE})
    code, document, stderr = _scan()
    assert code == 3
    [error] = document["errors"]
    assert error["message"].startswith("cannot identify the caller: the sts answer could not be")
    assert len(stderr) == 1
    assert "internal error" not in " ".join(stderr)


def test_a_region_that_never_answers_is_cut_off_by_the_timeout(
    fault_proxy: Callable[..., FaultProxy],
) -> None:
    make_bucket("clientes-qro", "mx-central-1", {"data-classification": "personal"})
    _table("clientes", "mx-central-1")
    fault_proxy({("sa-east-1", "dynamodb"): SILENT})
    started = time.monotonic()
    result = sovaudit(
        "scan", "--provider", "aws", *REGIONS, "--format", "json", "--fail-on", "never",
        "--timeout", "10", timeout=90,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    assert elapsed < 28  # the silent endpoint holds each call for 30 s, with retries for minutes
    document = json.loads(result.stdout)
    errors = {e["scope"]: e["message"] for e in document["errors"]}
    assert set(errors) == {f"{ACCOUNT}/sa-east-1/dynamodb"}
    assert "--timeout ran out" in errors[f"{ACCOUNT}/sa-east-1/dynamodb"]
    assert {"clientes-qro", "clientes"} <= {a["name"] for a in document["assets"]}


def test_sts_that_never_answers_is_cut_off_and_the_inventory_still_reported(
    fault_proxy: Callable[..., FaultProxy], tmp_path: Path
) -> None:
    fault_proxy({"us-east-1": SILENT, "mx-central-1": SILENT})
    estate = tmp_path / "estate.yaml"
    estate.write_text("assets:\n  - {id: rack, provider: onprem, location: {country: MX}}\n")
    started = time.monotonic()
    result = sovaudit(
        "scan", str(estate), "--provider", "aws", *REGIONS, "--format", "json",
        "--fail-on", "never", "--timeout", "3", timeout=60,
    )  # fmt: skip
    assert time.monotonic() - started < 25  # 3 s, the grace of 5 s, start-up
    assert result.returncode == 3, result.stderr
    document = json.loads(result.stdout)
    assert [e["provider"] for e in document["errors"]] == ["aws"]
    assert "--timeout ran out" in document["errors"][0]["message"]
    assert [a["id"] for a in document["assets"]] == ["rack"]


def test_sigterm_ends_a_scan_stuck_on_an_endpoint_that_never_answers(
    fault_proxy: Callable[..., FaultProxy], tmp_path: Path
) -> None:
    """Worker threads blocked in a call must not hold the process after SIGTERM."""
    fault_proxy({("sa-east-1", "dynamodb"): SILENT})
    out = tmp_path / "scan.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "sovaudit", "scan", "--provider", "aws", *REGIONS,
         "--timeout", "0", "-o", str(out)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT,
        env=clean_env(),
    )  # fmt: skip
    time.sleep(6)  # every other scope is read by then; sa-east-1's DynamoDB is held open
    assert process.poll() is None
    stopped = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert time.monotonic() - stopped < 5, "the process waited for the blocked call"
    assert process.returncode == 143, stderr
    assert not out.exists()
