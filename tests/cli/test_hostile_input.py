"""Hostile files are one line and exit 2, quickly: never a hang, a crash (exit 4) or a flood."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DATA, SAMPLES
from tests.process import sovaudit, stderr_lines

SAMPLE = str(SAMPLES / "retail_monterrey.yaml")


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    """Nine levels of nine aliases: 560 bytes that expand to hundreds of millions of values."""
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("option", "tail"),
    [
        (None, "assets:\n  - id: one\n    tags: {k: *a8}\n"),
        ("--waivers", "waivers:\n  - {rule: '*', asset: *a8, reason: r, owner: o, expires: x}\n"),
        ("--config", "sources: {inventory: *a8}\n"),
    ],
)
def test_an_alias_bomb_is_refused_in_one_line(
    tmp_path: Path, option: str | None, tail: str
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb() + tail)
    args = [str(bomb)] if option is None else [SAMPLE, option, str(bomb)]
    result = sovaudit("scan", *args, "--format", "json", timeout=30)
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert "aliases expand this document" in line
    assert len(line) < 300


def test_aliases_that_share_a_part_are_fine(tmp_path: Path) -> None:
    estate = tmp_path / "estate.yaml"
    estate.write_text(
        "defaults: &rack {provider: onprem, location: {country: MX, subdivision: MX-NLE}}\n"
        "assets:\n"
        "  - {<<: *rack, id: rack-1}\n"
        "  - {<<: *rack, id: rack-2, classification: personal}\n"
    )
    result = sovaudit("inventory", str(estate), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert '"MX-NLE"' in result.stdout


@pytest.mark.parametrize("command", ["scan", "diff"])
def test_json_nested_100k_levels_is_one_line(tmp_path: Path, command: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(
        '{"assets": [{"id": "a", "attributes": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}}]}"
    )
    args = [str(deep)] if command == "scan" else [str(deep), str(deep)]
    result = sovaudit(command, *args, timeout=30)
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {deep}: nested more than 100 levels deep: refused"
    ]


RULE = """\
rules:
  - id: deep-rule
    title: {{en: t, es: t}}
    severity: low
    condition: "{condition}"
    rationale: {{en: r, es: r}}
    remediation: {{en: r, es: r}}
    message: {{en: m, es: m}}
    references: [x]
    examples:
      match: [{{id: a, provider: aws, region: us-east-1}}]
      no_match: [{{id: b, provider: aws, region: mx-central-1}}]
"""


@pytest.mark.parametrize(
    "condition",
    [" && ".join(["!in_home"] * 500), "(" * 500 + "!in_home" + ")" * 500],
    ids=["chain-of-500", "500-parentheses"],
)
def test_a_deeply_nested_rule_condition_is_one_line(tmp_path: Path, condition: str) -> None:
    rules = tmp_path / "deep.yaml"
    rules.write_text(RULE.format(condition=condition))
    for args in (("rules", "validate", str(rules)), ("scan", SAMPLE, "--rules", str(rules))):
        result = sovaudit(*args, timeout=30)
        assert result.returncode == 2, result.stderr
        [line] = stderr_lines(result)
        assert line.startswith(
            f"sovaudit: error: {rules}:5: rules[0].condition: the condition nests"
        )


def test_a_plain_http_azure_endpoint_on_the_command_line_is_bad_input() -> None:
    result = sovaudit("scan", "--provider", "azure", "--azure-endpoint", "http://example.com")
    assert result.returncode == 2
    assert stderr_lines(result) == [
        "sovaudit: error: azure: the Azure endpoint must be an https:// URL, not 'http://example.com'"
    ]


def test_a_misspelt_command_section_in_the_config_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "sovaudit.yaml"
    config.write_text(f"sources: {{inventory: [{SAMPLE}]}}\ncommands:\n  scna: {{format: html}}\n")
    result = sovaudit("scan", "--config", str(config), "--format", "json")
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {config}:3: commands.scna: 'scna' is not a command (commands: "
        "config, data, diff, history, inventory, locate, regions, report, rules, scan)"
    ]


def test_a_bad_environment_value_names_the_variable_in_one_line() -> None:
    result = sovaudit("scan", SAMPLE, env={"SOVAUDIT_FAIL_ON": "bogus"})
    assert result.returncode == 2
    assert stderr_lines(result) == [
        "sovaudit: error: SOVAUDIT_FAIL_ON: 'bogus' is not one of 'critical', 'high', "
        "'medium', 'low', 'info', 'never'."
    ]


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    latin1 = tmp_path / "estate.yaml"
    latin1.write_bytes(b"assets:\n  - id: rack\n  - id: caf\xe9\n")
    result = sovaudit("scan", str(latin1))
    assert result.returncode == 2
    assert stderr_lines(result) == [
        f"sovaudit: error: {latin1}:3: not UTF-8 text (byte 32; save the file as UTF-8)"
    ]


@pytest.mark.parametrize(
    ("header", "field"), [("id,name,ID", "id"), ("id,tag:env,tags.env", "env")]
)
def test_a_csv_with_a_repeated_column_is_one_line(tmp_path: Path, header: str, field: str) -> None:
    estate = tmp_path / "estate.csv"
    estate.write_text(f"{header}\na,b,c\n")
    result = sovaudit("scan", str(estate))
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert line.startswith(f"sovaudit: error: {estate}:1: {field}: columns ")


def test_a_geoip_database_with_a_corrupt_data_section_costs_its_addresses_only(
    tmp_path: Path,
) -> None:
    data = bytearray((DATA / "maxmind" / "GeoIP2-City-Test.mmdb").read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = b"\xff" * 4000  # the data section, not the tree or metadata
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(bytes(data))
    out = tmp_path / "scan.json"
    result = sovaudit(
        "scan", SAMPLE, "--endpoint", "81.2.69.160", "--geoip-db", str(corrupt),
        "--fail-on", "never", "-o", str(out),
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    document = json.loads(out.read_text())
    assert [(e["provider"], e["scope"]) for e in document["errors"]] == [("net", "81.2.69.160")]
    assert "corrupt database" in document["errors"][0]["message"]
    endpoint = next(a for a in document["assets"] if a["provider"] == "net")
    assert endpoint["location"]["countries"] == []
    assert document["summary"]["assets_total"] > 1  # the inventory is still reported


def test_a_huge_value_is_quoted_short_in_the_error_line(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    items = ", ".join(["aaaaaaaaaa"] * 400_000)  # a 4.8 MB list where a date belongs
    waivers.write_text(
        "waivers:\n  - {rule: x, asset: a, reason: a reason, owner: o@x.mx, expires: ["
        + items
        + "]}\n"
    )
    result = sovaudit("scan", SAMPLE, "--waivers", str(waivers))
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert len(line) < 300
    assert "waivers[0].expires" in line


def test_a_condition_that_doubles_its_data_thirty_times_is_refused_quickly(
    tmp_path: Path,
) -> None:
    doubling = "[`1`]" + " | [@, @][]" * 30  # 2**30 values if nothing stopped it
    rules = tmp_path / "double.yaml"
    rules.write_text(RULE.format(condition=f"length({doubling}) > `0` && !in_home"))
    result = sovaudit("rules", "validate", str(rules), timeout=30)
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert "condition failed: the condition builds more than 100,000 values" in line


def test_a_symlink_loop_in_a_rules_folder_is_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.yaml").symlink_to("b.yaml")
    (rules / "b.yaml").symlink_to("a.yaml")
    for target in (rules, rules / "a.yaml"):
        result = sovaudit("scan", SAMPLE, "--rules", str(target))
        assert result.returncode == 2, result.stderr
        [line] = stderr_lines(result)
        assert line.startswith(f"sovaudit: error: {rules / 'a.yaml'}: cannot be read: ")


def test_a_bad_syslog_facility_in_the_config_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "sovaudit.yaml"
    config.write_text(
        f"sources: {{inventory: [{SAMPLE}]}}\n"
        "delivery:\n  syslog: {url: [udp://127.0.0.1:9], facility: nope}\n"
    )
    result = sovaudit("scan", "--config", str(config), "--format", "json")
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert line.startswith(f"sovaudit: error: {config}:3: delivery.syslog.facility: 'nope'")


def test_a_file_size_limit_names_the_report_not_the_temporary(tmp_path: Path) -> None:
    """RLIMIT_FSIZE in the child: the kernel refuses the write with EFBIG (Python ignores the
    signal), as a full disk would refuse it with ENOSPC."""
    import resource

    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))

    out = tmp_path / "scan.json"
    result = sovaudit("scan", SAMPLE, "--format", "json", "-o", str(out), preexec=limit)
    assert result.returncode == 2
    assert stderr_lines(result) == [f"sovaudit: error: {out}: cannot be written: File too large"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # a JSON list: the export readers look at its first item
        '{"name": "//x.googleapis.com/a", "asset_type": "x.googleapis.com/A", "resource": '
        + "[" * 100_000
        + "]" * 100_000
        + "}\n{}\n",  # NDJSON whose first line is too deep
    ],
)
def test_deep_json_of_other_shapes_is_one_line_too(tmp_path: Path, text: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(text)
    result = sovaudit("scan", str(deep), timeout=30)
    assert result.returncode == 2
    [line] = stderr_lines(result)
    assert line.startswith(f"sovaudit: error: {deep}")
    assert "Traceback" not in result.stderr
