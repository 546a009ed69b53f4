#!/usr/bin/env python3
"""Regenerate the golden outputs the tests compare against.

    python scripts/update_golden.py

For every sample estate and format, writes tests/golden/<estate>.<name> with what sovaudit
prints today, less what changes from run to run (timestamps, version). Review the diff before
committing it: a golden change is a behaviour change.

The scan formats come from the reporter registry (sovaudit/report/registry.py): a format added
there gets its goldens, tests/golden/<estate>.scan<its first suffix>, on the next run.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from click.testing import CliRunner

from sovaudit import __version__
from sovaudit.cli.main import cli
from sovaudit.report.registry import REPORTERS

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SAMPLES = ROOT / "sample_inventories"

# OCSF's goldens predate the registry and are named for what they hold (JSON Lines); every
# other format's is named by its first suffix.
GOLDEN_SUFFIX = {"ocsf": ".ocsf.jsonl"}


def _scan(fmt: str, lang: str = "en") -> list[str]:
    # --fail-on never: a golden pins what is written, not the exit code.
    return ["scan", "--format", fmt, "--lang", lang, "--fail-on", "never"]


# golden file suffix -> command line (the sample goes after the command name): the inventory,
# one English scan per registered format, and one human format in Spanish.
COMMANDS: dict[str, list[str]] = {
    "inventory.json": ["inventory", "--format", "json"],
    **{f"scan{GOLDEN_SUFFIX.get(r.name, r.suffixes[0])}": _scan(r.name) for r in REPORTERS},
    "scan.es.md": _scan("markdown", "es"),
}
# Top-level keys left out of JSON goldens: run-to-run noise, or pinned by another golden
# (scan's assets are the inventory's).
LEFT_OUT = {
    "inventory.json": ("tool",),
    "scan.json": ("tool", "started_at", "finished_at", "assets"),
}
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z| \d{2}:\d{2} UTC)")
_EPOCH_MS = re.compile(r'("time": ?|@)\d{13}')
_VERSION = re.compile(r'"version": ?"' + re.escape(__version__) + '"')


def normalise(text: str) -> str:
    """Timestamps and the tool's version, which change from run to run, made constant."""
    text = _TIMESTAMP.sub("<time>", text)
    text = _EPOCH_MS.sub(r"\g<1>0", text)
    text = _VERSION.sub(lambda m: m[0].replace(__version__, "<version>"), text)
    return text.replace(f"sovaudit {__version__}", "sovaudit <version>")


def render(name: str, sample: Path) -> str:
    command = COMMANDS[name]
    args = [command[0], str(sample.relative_to(ROOT)), *command[1:]]
    result = CliRunner().invoke(cli, args, catch_exceptions=False, env={"LANG": "C.UTF-8"})
    if name in LEFT_OUT:
        document = json.loads(result.stdout)
        for key in LEFT_OUT[name]:
            document.pop(key, None)
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    return normalise(result.stdout)


def samples() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in (".yaml", ".json", ".csv"))


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for sample in samples():
        for name in COMMANDS:
            target = GOLDEN / f"{sample.stem}.{name}"
            target.write_text(render(name, sample), encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
