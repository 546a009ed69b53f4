#!/usr/bin/env python3
"""Regenerate the golden outputs the tests compare against.

    python scripts/update_golden.py

For every sample estate, writes tests/golden/<estate>.<command>.json with what the command
prints today. Review the diff before committing it: a golden change is a behaviour change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

from sovaudit.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SAMPLES = ROOT / "sample_inventories"
COMMANDS: dict[str, list[str]] = {
    "inventory": ["inventory", "--format", "json"],
    "scan": ["scan", "--format", "json", "--fail-on", "never"],
}
# What changes from run to run, and what another golden file already pins (scan's assets
# are the inventory's).
LEFT_OUT = {
    "inventory": ("tool",),
    "scan": ("tool", "started_at", "finished_at", "assets"),
}


def render(command: str, sample: Path) -> dict[str, object]:
    args = [*COMMANDS[command][:1], str(sample.relative_to(ROOT)), *COMMANDS[command][1:]]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    document: dict[str, object] = json.loads(result.stdout)
    for key in LEFT_OUT[command]:
        document.pop(key, None)
    return document


def samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json", ".csv"))


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for sample in samples():
        for command in COMMANDS:
            target = GOLDEN / f"{sample.stem}.{command}.json"
            text = json.dumps(render(command, sample), indent=1, ensure_ascii=False) + "\n"
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
