"""``content_options`` on a tiny click command: flags, sizes, defaults, mistakes."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
import pytest
from click.testing import CliRunner

from sovaudit.classify.content.sample import SamplingLimits
from sovaudit.cli.common import reported_errors
from sovaudit.cli.content_options import (
    attach_content_sampling,
    content_limits,
    content_options,
    parse_size,
)
from sovaudit.errors import UsageError


@click.command()
@content_options
def probe(**kwargs: Any) -> None:
    with reported_errors():
        limits = content_limits(kwargs)
        assert kwargs == {}  # every sampling option was taken out
        click.echo(json.dumps(None if limits is None else limits.describe()))


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(probe, list(args))


def test_off_by_default() -> None:
    result = run()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) is None


def test_defaults() -> None:
    result = run("--sample-content")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "objects_per_bucket": 20,
        "bytes_per_object": 1 << 20,
        "total_bytes": 256 << 20,
    }


def test_sizes_with_units() -> None:
    args = ["--sample-content", "--sample-objects", "5", "--sample-bytes", "64KiB"]
    result = run(*args, "--sample-total", "1GB")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "objects_per_bucket": 5,
        "bytes_per_object": 65536,
        "total_bytes": 1_000_000_000,
    }


@pytest.mark.parametrize(
    ("text", "size"),
    [("4096", 4096), ("64KiB", 65536), ("64k", 65536), ("1MiB", 1 << 20), ("1.5MB", 1_500_000)],
)
def test_parse_size(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_bad_size_is_a_usage_error() -> None:
    result = run("--sample-content", "--sample-bytes", "lots")
    assert result.exit_code == 2
    assert "'lots' is not a size" in result.stderr


def test_limits_without_the_flag_are_refused() -> None:
    result = run("--sample-objects", "5")
    assert result.exit_code == 2
    assert "--sample-objects only applies with --sample-content" in result.stderr


def test_per_object_size_is_capped() -> None:
    result = run("--sample-content", "--sample-bytes", "1GiB")
    assert result.exit_code == 2
    assert "at most 64MiB" in result.stderr


def test_missing_extra_fails_before_any_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "stdnum.mx.curp", None)
    result = run("--sample-content")
    assert result.exit_code == 2
    assert "pip install 'sovaudit[content]'" in result.stderr
    assert "Traceback" not in result.output


def test_attach_to_the_providers_that_sample() -> None:
    limits = SamplingLimits()
    options: dict[str, dict[str, Any]] = {"aws": {"regions": []}, "gcp": {}, "net": {}}
    attach_content_sampling(options, limits)
    assert options["aws"]["content_sampling"] is limits  # one instance: one shared budget
    assert options["gcp"]["content_sampling"] is limits
    assert "content_sampling" not in options["net"]
    attach_content_sampling(options, None)  # off: nothing to do
    with pytest.raises(UsageError, match="--provider aws or --provider azure or --provider gcp"):
        attach_content_sampling({"net": {}}, limits)
