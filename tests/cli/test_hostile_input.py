"""Hostile files are one line and exit 2, quickly: never a hang, a crash (exit 4) or a flood."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLES
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
