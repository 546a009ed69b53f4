"""The CI integrations for Terraform plans work as documented: the GitHub Actions workflow's
sovaudit steps are run for real (bash, the installed command) on a plan, and the pre-commit
hook is installed and run by pre-commit itself (``pre-commit try-repo``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft4Validator

from tests.conftest import ROOT
from tests.docs.test_deployment_examples import check_command_line, shell_commands, sovaudit_argv
from tests.inputs.terraform.plans import plan, provider, region, resource, write
from tests.report.test_machine_formats import SARIF_SCHEMA

WORKFLOW = ROOT / "docs" / "deploy" / "github-actions" / "terraform-plan.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
PLAN = ROOT / "sample_inventories" / "terraform" / "tienda_pr_plan.json"
BIN = Path(sys.executable).parent


def _good_plan(path: Path) -> Path:
    """Personal data planned in Mexico only: nothing to fail on."""
    bucket = resource("aws_s3_bucket.clientes", {"bucket": "c", "tags": {"pii": "true"}})
    return write(path, plan(bucket, providers={"aws": provider("aws", region("mx-central-1"))}))


def _without_redirection(argv: list[str]) -> list[str]:
    """``report x --format markdown >> "$GITHUB_STEP_SUMMARY"``: the shell's part cut off."""
    cut = next((i for i, word in enumerate(argv) if word.startswith(">")), len(argv))
    return argv[:cut]


def _sovaudit_steps(workflow: dict) -> list[dict]:
    steps = workflow["jobs"]["plan-audit"]["steps"]
    return [s for s in steps if "run" in s and list(shell_commands(s["run"]))]


def test_the_workflow_is_a_pull_request_check_that_can_upload_sarif_and_nothing_else():
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read", "security-events": "write"}
    steps = workflow["jobs"]["plan-audit"]["steps"]
    terraform = next(
        s for s in steps if str(s.get("uses", "")).startswith("hashicorp/setup-terraform")
    )
    assert terraform["with"]["terraform_wrapper"] is False
    upload = next(
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    )
    assert upload["if"] == "always()"
    runs = [s["run"] for s in steps if "run" in s]
    assert any("terraform show -json tfplan > tfplan.json" in run for run in runs)
    for step in _sovaudit_steps(workflow):
        for argv in shell_commands(step["run"]):
            check_command_line(_without_redirection(sovaudit_argv(argv)))


def _run_steps(workspace: Path) -> list[int]:
    """Each sovaudit step of the workflow, in bash, as the runner would run it."""
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    summary = workspace / "summary.md"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    codes = []
    for step in _sovaudit_steps(workflow):
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        codes.append(done.returncode)
    return codes


@pytest.mark.e2e
def test_the_workflow_fails_a_plan_that_puts_personal_data_abroad_and_uploads_findings(
    tmp_path: Path,
):
    shutil.copy(PLAN, tmp_path / "tfplan.json")
    assert _run_steps(tmp_path) == [1, 0]  # the audit fails the check; the reports are written
    log = json.loads((tmp_path / "sovaudit.sarif").read_text("utf-8"))
    Draft4Validator(SARIF_SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    assert results
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"tfplan.json"}  # relative to the checkout: code scanning finds the file
    summary = (tmp_path / "summary.md").read_text("utf-8")
    assert r"aws\_db\_instance.pedidos" in summary  # Markdown-escaped


@pytest.mark.e2e
def test_the_workflow_passes_a_plan_that_keeps_personal_data_at_home(tmp_path: Path):
    _good_plan(tmp_path / "tfplan.json")
    assert _run_steps(tmp_path) == [0, 0]
    log = json.loads((tmp_path / "sovaudit.sarif").read_text("utf-8"))
    assert log["runs"][0]["results"] == []


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.e2e
def test_the_pre_commit_hook_fails_a_bad_plan_and_passes_a_good_one(tmp_path: Path):
    hooks = yaml.safe_load(HOOKS.read_text("utf-8"))
    assert [hook["id"] for hook in hooks] == ["sovaudit-plan"]
    repo = tmp_path / "infra"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copy(PLAN, repo / "tfplan.json")
    _good_plan(repo / "README.json")  # not a plan by name: the hook's `files` leaves it out
    _git(repo, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "try-repo",
                str(ROOT),
                "sovaudit-plan",
                "--all-files",
            ],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "aws_db_instance.pedidos" in failed.stdout
    _good_plan(repo / "tfplan.json")
    _git(repo, "add", ".")
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
