"""--gcp-scope against a local Cloud Asset API stand-in, driven through google-cloud-asset's REST
transport (its endpoint pointed at 127.0.0.1): paging, quota retries, denied and disabled
scopes, the read-only session, and the same assets as the offline export."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sovaudit.cli.main import cli
from sovaudit.inputs.readers import FileContext, reader_for
from sovaudit.providers.gcp import GcpProvider
from tests.gcp.test_cloud_asset import EXPORT, P

pytestmark = pytest.mark.integration


def _search_result(asset: dict[str, Any]) -> dict[str, Any]:
    data = asset["resource"]["data"]
    where = data.get("location") or data.get("region") or data.get("locationId") or "global"
    if "zone" in data:
        where = data["zone"].rsplit("/", 1)[-1]
    return {
        "name": asset["name"],
        "assetType": asset["asset_type"],
        "project": "projects/123456789",
        "displayName": asset["name"].rsplit("/", 1)[-1],
        "location": where,
        "labels": data.get("labels", {}),
    }


def _api_asset(asset: dict[str, Any]) -> dict[str, Any]:
    return {"name": asset["name"], "assetType": asset["asset_type"], "resource": asset["resource"]}


class CloudAssetStandIn:
    """searchAllResources and assets.list, two items a page; denied and disabled scopes."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.denied: set[str] = set()
        self.disabled: set[str] = set()
        self.throttle_once = False
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(("GET", self.path))
                self._answer(*server.answer(self.path))

            def do_POST(self) -> None:
                server.requests.append(("POST", self.path))
                self._answer(405, {"error": {"code": 405, "message": "not served"}})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def answer(self, raw: str) -> tuple[int, dict[str, Any]]:
        parsed = urllib.parse.urlsplit(raw)
        query = urllib.parse.parse_qs(parsed.query)
        path = urllib.parse.unquote(parsed.path).removeprefix("/v1/")
        scope = path.split(":")[0].removesuffix("/assets")
        if scope in self.disabled:
            return 403, _error(
                403,
                "PERMISSION_DENIED",
                "Cloud Asset API has not been used in project 1 before or it is disabled.",
                "SERVICE_DISABLED",
            )
        if scope in self.denied:
            return 403, _error(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
                "IAM_PERMISSION_DENIED",
            )
        if self.throttle_once:
            self.throttle_once = False
            return 429, _error(429, "RESOURCE_EXHAUSTED", "Quota exceeded", "RATE_LIMIT_EXCEEDED")
        start = int(query.get("pageToken", ["0"])[0])
        if path.endswith(":searchAllResources"):
            items, key = [_search_result(a) for a in EXPORT], "results"
        else:
            wanted = set(query.get("assetTypes", []))
            items, key = [_api_asset(a) for a in EXPORT if a["asset_type"] in wanted], "assets"
        page: dict[str, Any] = {key: items[start : start + 2]}
        if start + 2 < len(items):
            page["nextPageToken"] = str(start + 2)
        return 200, page

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _error(code: int, status: str, message: str, reason: str) -> dict[str, Any]:
    detail = {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
    }
    return {"error": {"code": code, "status": status, "message": message, "details": [detail]}}


@pytest.fixture
def cloud_asset() -> Iterator[CloudAssetStandIn]:
    stand_in = CloudAssetStandIn()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def _provider(stand_in: CloudAssetStandIn, *scopes: str) -> GcpProvider:
    return GcpProvider.from_options({"scopes": list(scopes), "asset_endpoint": stand_in.url})


def test_a_project_scope_read_live_gives_the_exports_assets(
    cloud_asset: CloudAssetStandIn, tmp_path: Path
):
    provider = _provider(cloud_asset, f"projects/{P}")
    live = {a.id: a for a in provider.collect()}
    assert provider.errors == []
    export = tmp_path / "export.json"
    export.write_text("".join(json.dumps(a) + "\n" for a in EXPORT), encoding="utf-8")
    offline = {a.id: a for a in reader_for(export).read(export, FileContext())}
    assert set(live) == set(offline)
    for asset_id, asset in offline.items():
        mine = live[asset_id]
        assert (mine.region, mine.zone, mine.copies, dict(mine.tags)) == (
            asset.region,
            asset.zone,
            asset.copies,
            dict(asset.tags),
        ), asset_id
    searches = [p for m, p in cloud_asset.requests if ":searchAllResources" in p]
    lists = [p for m, p in cloud_asset.requests if "/assets?" in p]
    assert len(searches) == 5  # 9 results, 2 a page
    assert len(lists) == 5
    assert all("contentType=1" in p for p in lists)  # RESOURCE
    assert {m for m, _ in cloud_asset.requests} == {"GET"}


def test_a_denied_and_a_disabled_scope_are_error_entries_and_the_rest_is_read(
    cloud_asset: CloudAssetStandIn,
):
    cloud_asset.denied = {"folders/111"}
    cloud_asset.disabled = {"organizations/222"}
    provider = _provider(cloud_asset, "folders/111", "organizations/222", P)
    assets = list(provider.collect())
    assert len(assets) == len(EXPORT)
    errors = {e.scope: e.message for e in provider.errors}
    assert set(errors) == {"folders/111", "organizations/222"}
    assert "roles/cloudasset.viewer" in errors["folders/111"]
    assert "Cloud Asset API is not enabled" in errors["organizations/222"]


def test_a_quota_answer_is_retried(cloud_asset: CloudAssetStandIn):
    cloud_asset.throttle_once = True
    provider = _provider(cloud_asset, f"projects/{P}")
    assert len(list(provider.collect())) == len(EXPORT)
    assert provider.errors == []


def test_the_asset_client_refuses_writes_before_they_are_sent(cloud_asset: CloudAssetStandIn):
    from google.auth.credentials import AnonymousCredentials

    from sovaudit.providers.gcp.failures import ReadOnlyViolation
    from sovaudit.providers.gcp.inventory import client

    credentials = AnonymousCredentials()
    asset_client = client(credentials, cloud_asset.url)
    with pytest.raises(ReadOnlyViolation):
        asset_client.create_feed(
            request={"parent": f"projects/{P}", "feed_id": "f", "feed": {"name": "f"}}
        )
    assert cloud_asset.requests == []


def test_the_cli_scans_a_scope_with_findings_and_exit_3_for_a_denied_one(
    cloud_asset: CloudAssetStandIn,
):
    cloud_asset.denied = {"folders/111"}
    args = [
        "scan",
        "--provider",
        "gcp",
        "--gcp-scope",
        f"projects/{P}",
        "--gcp-scope",
        "folders/111",
    ]
    result = CliRunner().invoke(
        cli, [*args, "--gcp-asset-endpoint", cloud_asset.url, "--format", "json"]
    )
    assert result.exit_code == 3, result.output
    document = json.loads(result.stdout)
    assert [e["scope"] for e in document["errors"]] == ["folders/111"]
    found = {(f["rule_id"], f["asset_id"].rsplit("/", 1)[-1]) for f in document["findings"]}
    assert ("personal-data-copied-abroad", "clientes") in found
    assert ("personal-data-outside-home", "pedidos") in found
    assert "could not read gcp folders/111" in result.stderr


def test_a_malformed_scope_is_a_usage_error():
    with pytest.raises(ValueError, match="organizations/N"):
        GcpProvider(scopes=["billingAccounts/1"])
