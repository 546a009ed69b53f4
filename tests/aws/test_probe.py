"""``config check --probe`` for AWS against moto's server on 127.0.0.1.

The probe is the scan's own first step (GetCallerIdentity through a guarded session), so a
passing probe names the account and a failing one is the line the scan would have written.
The credential chain is narrowed by ``aws_env`` (conftest): no profile, no config file, no
instance metadata, so a missing credential fails locally instead of asking the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sovaudit.providers.aws import AwsProvider
from sovaudit.providers.interface import ProviderError
from tests.aws.conftest import ACCOUNT, FaultProxy
from tests.cli.config_process import config_check, probe_lines, probes_json

pytestmark = pytest.mark.integration

NO_CREDENTIALS = (
    "cannot identify the caller: no AWS credentials (environment, --aws-profile or instance role)"
)


def aws_config(folder: Path, section: str = "{regions: [us-east-1]}") -> Path:
    path = folder / "sovaudit.yaml"
    path.write_text(f"sources:\n  aws: {section}\n", encoding="utf-8")
    return path


def no_credentials(folder: Path) -> dict[str, str | None]:
    """The environment of a host where nobody set AWS up: empty files, no keys, no IMDS."""
    empty = folder / "empty-aws-file"
    empty.write_text("", encoding="utf-8")
    return {
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
        "AWS_SESSION_TOKEN": None,
        "AWS_PROFILE": None,
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def test_the_probe_is_one_get_caller_identity_through_the_guard(
    recorded_operations: list[str],
) -> None:
    assert AwsProvider().probe() == f"account {ACCOUNT} (partition aws)"
    assert recorded_operations == ["sts:GetCallerIdentity"]


def test_an_org_role_is_named_as_not_probed() -> None:
    seen = AwsProvider(org_role="SovauditReader").probe()
    assert seen == (
        f"account {ACCOUNT} (partition aws); organization accounts (role SovauditReader) not probed"
    )


def test_the_probe_fails_with_the_scans_own_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ProviderError) as probed:
        AwsProvider().probe()
    with pytest.raises(ProviderError) as scanned:
        list(AwsProvider().collect())
    assert str(probed.value) == str(scanned.value) == NO_CREDENTIALS


def test_access_denied_names_the_action_to_grant(
    deny_region_proxy: Callable[..., FaultProxy],
) -> None:
    deny_region_proxy("us-east-1")
    with pytest.raises(ProviderError) as caught:
        AwsProvider().probe()
    assert str(caught.value) == (
        "cannot identify the caller: access denied: sts:GetCallerIdentity (AccessDenied); "
        "see docs/aws-iam-policy.json"
    )


def test_the_cli_with_credentials_names_the_account(tmp_path: Path) -> None:
    result = config_check(aws_config(tmp_path), "--probe")
    assert result.returncode == 0, result.stdout + result.stderr
    assert probe_lines(result) == [f"probe aws: ok: account {ACCOUNT} (partition aws)"]
    assert "every source answered its probe" in result.stdout.splitlines()[-1]


def test_the_cli_without_any_credentials_exits_3_saying_so(tmp_path: Path) -> None:
    config = aws_config(tmp_path)
    changes = no_credentials(tmp_path)
    result = config_check(config, "--probe", changes=changes)
    assert result.returncode == 3, result.stdout + result.stderr
    assert probe_lines(result) == [f"probe aws: FAILED: {NO_CREDENTIALS}"]
    assert result.stdout.splitlines()[-1] == (
        f"{config}: a 'scan' run would start but be incomplete (exit 3): "
        "1 source(s) could not be read"
    )
    document = json.loads(
        config_check(config, "--probe", "--format", "json", changes=changes).stdout
    )
    assert document["probes"] == [
        {"source": "aws", "ok": False, "detail": NO_CREDENTIALS, "scope": "*"}
    ]
    assert document["ok"] is False


def test_without_probe_the_same_host_is_ok_but_says_nothing_was_tried(tmp_path: Path) -> None:
    config = aws_config(tmp_path)
    result = config_check(config, changes=no_credentials(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert probe_lines(result) == []
    assert result.stdout.splitlines()[-1] == (
        f"{config}: OK, a 'scan' run would start with these settings; sources were not "
        "probed (run with --probe to try the credentials)"
    )


def test_the_cli_honours_the_profile_option(tmp_path: Path) -> None:
    result = config_check(aws_config(tmp_path, "{profile: nightly}"), "--probe", "--format", "json")
    assert result.returncode == 3, result.stdout + result.stderr
    assert probes_json(result) == [
        {"source": "aws", "ok": False, "detail": "AWS profile not found: nightly", "scope": "*"}
    ]
