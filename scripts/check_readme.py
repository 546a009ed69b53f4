#!/usr/bin/env python3
"""Fail when a `--help` block in README.md no longer matches the real command.

Blocks are fenced code blocks preceded by `<!-- help: sovaudit [SUBCOMMAND] -->`.
Run with `--fix` to rewrite them from the current output.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from sovaudit.cli.main import cli

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(
    r"(<!-- help: sovaudit(?P<args>[^>]*?) -->\n```text\n)(?P<body>.*?)(```)", re.DOTALL
)


def help_text(args: str) -> str:
    result = CliRunner().invoke(
        cli, [*args.split(), "--help"], prog_name="sovaudit", terminal_width=100
    )
    return result.output


def main() -> int:
    text = README.read_text(encoding="utf-8")
    stale = []

    def refresh(match: re.Match[str]) -> str:
        current = help_text(match["args"])
        if current != match["body"]:
            stale.append(f"sovaudit{match['args']} --help")
        return match.group(1) + current + match.group(4)

    updated = BLOCK.sub(refresh, text)
    if not BLOCK.search(text):
        print("README.md has no help blocks to check")
        return 1
    if "--fix" in sys.argv:
        README.write_text(updated, encoding="utf-8")
        return 0
    if stale:
        print(
            "README.md is out of date for: "
            + ", ".join(stale)
            + " (run: python scripts/check_readme.py --fix)"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
