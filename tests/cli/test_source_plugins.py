"""Providers declare their options once; the CLI, the config file and its schema follow.

A third-party provider (tests/data/plugin: a module and the ``.dist-info`` folder pip writes
for an installed package, on PYTHONPATH) is chosen and configured exactly like a built-in.
"""

from __future__ import annotations

import json
from pathlib import Path

from sovaudit.cli.sources import declared_options
from sovaudit.inputs.config import config_schema
from sovaudit.inputs.validation import load_schema
from sovaudit.providers.interface import option_schema
from sovaudit.providers.registry import declared, samplers
from tests.conftest import DATA, ROOT
from tests.process import sovaudit, stderr_lines

PLUGIN = {"PYTHONPATH": f"{DATA / 'plugin'}:{ROOT}"}


def test_the_config_schema_of_a_run_has_a_section_per_declared_provider() -> None:
    """The published file names no provider (a new one needs no schema edit); a run's schema
    has each provider's section, generated from its declared options, and nothing else."""
    published = load_schema("config.schema.json")["properties"]["sources"]
    assert set(published["properties"]) == {"inventory"}
    generated = config_schema()["properties"]["sources"]
    assert generated["additionalProperties"] is False
    assert set(generated["properties"]) == {"inventory", *declared()}
    aws = generated["properties"]["aws"]["properties"]
    assert aws["regions"] == {"$ref": "#/$defs/strings"}
    assert aws["profile"] == {"type": "string", "minLength": 1}
    azure = generated["properties"]["azure"]["properties"]
    assert azure["endpoint"]["pattern"] == "^https://"


def test_an_unknown_source_section_is_an_error_naming_its_line(tmp_path: Path) -> None:
    config = tmp_path / "sovaudit.yaml"
    config.write_text("sources:\n  inventory: []\n  awz: {profile: audit}\n")
    result = sovaudit("scan", "--config", str(config))
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert line.startswith(f"sovaudit: error: {config}:3: sources.awz: unknown field")


def test_every_declared_option_is_documented() -> None:
    documented = (ROOT / "docs" / "configuration.md").read_text()
    for name, option in declared_options():
        assert f"sources.{name}" in documented, name
        assert option.key in documented, (name, option.key)
        assert option.flag_for(name) in documented, (name, option.flag_for(name))


def test_option_schemas_follow_their_kinds() -> None:
    kinds = {(o.kind, o.multiple): option_schema(o) for _, o in declared_options()}
    assert kinds[("text", True)] == {"$ref": "#/$defs/strings"}
    assert kinds[("number", False)]["type"] == "number"


def test_built_in_samplers_are_declared() -> None:
    assert set(samplers()) >= {"aws", "azure", "gcp"}
    assert {"aws", "gcp", "azure", "net"} <= set(declared())


def test_a_plugin_provider_has_flags_and_runs_with_them() -> None:
    help_text = sovaudit("scan", "--help", env=PLUGIN).stdout
    assert "--demo-site SITE" in help_text
    assert "--demo-country CC" in help_text
    result = sovaudit(
        "scan", "--demo-site", "a", "--demo-site", "b", "--demo-country", "MX",
        "--format", "json", "--fail-on", "never", env=PLUGIN,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assets = {a["id"]: a["location"]["countries"] for a in json.loads(result.stdout)["assets"]}
    assert assets == {"demo:a": ["MX"], "demo:b": ["MX"]}


def test_a_plugin_provider_is_configured_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "sovaudit.yaml"
    config.write_text("sources:\n  demo: {sites: [x, y], country: BR}\n")
    result = sovaudit(
        "scan", "--config", str(config), "--format", "json", "--fail-on", "never", env=PLUGIN
    )
    assert result.returncode == 0, result.stderr
    countries = {a["id"]: a["location"]["countries"] for a in json.loads(result.stdout)["assets"]}
    assert countries == {"demo:x": ["BR"], "demo:y": ["BR"]}
    env_result = sovaudit(
        "scan", "--format", "json", "--fail-on", "never",
        env={**PLUGIN, "SOVAUDIT_DEMO_SITE": "z", "SOVAUDIT_SCAN_DEMO_COUNTRY": "CL"},
    )  # fmt: skip
    assert env_result.returncode == 0, env_result.stderr
    assert [a["id"] for a in json.loads(env_result.stdout)["assets"]] == ["demo:z"]


def test_a_plugin_providers_keys_are_checked_like_a_built_ins(tmp_path: Path) -> None:
    config = tmp_path / "sovaudit.yaml"
    config.write_text("sources:\n  demo: {sites: [x], bogus: 1}\n")
    result = sovaudit("scan", "--config", str(config), env=PLUGIN)
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {config}:2: sources.demo.bogus: unknown field (expected one of: "
        "catalogue_file, country, sites)"
    ]
    config.write_text("sources:\n  demo: {sites: [x], catalogue_file: missing.csv}\n")
    checked = sovaudit("config", "check", "--config", str(config), env=PLUGIN)
    assert checked.returncode == 2
    assert stderr_lines(checked) == [
        f"sovaudit: error: {tmp_path / 'missing.csv'}: no such file (demo catalogue)"
    ]


def test_config_check_lists_a_plugin_providers_settings(tmp_path: Path) -> None:
    config = tmp_path / "sovaudit.yaml"
    config.write_text("sources:\n  demo: {sites: [x, y]}\n")
    result = sovaudit("config", "check", "--config", str(config), env=PLUGIN)
    assert result.returncode == 0, result.stderr
    assert "--demo-site" in result.stdout
    assert "checked: demo: 2 site(s)" in result.stdout
