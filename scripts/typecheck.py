#!/usr/bin/env python3
"""Run mypy over the package as it installs: ``providers/`` is ``sovaudit.providers``.

setup.cfg maps the top-level ``providers/`` and ``rules/`` folders into the ``sovaudit``
package (``package_dir``); mypy only understands folders. So this builds a tree of symlinks
in ``build/typecheck`` that has the installed shape, and checks that.

    python scripts/typecheck.py [extra mypy arguments]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"providers": ROOT / "providers", "rules": ROOT / "rules"}


def build_tree() -> Path:
    tree = ROOT / "build" / "typecheck"
    shutil.rmtree(tree, ignore_errors=True)
    package = tree / "sovaudit"
    package.mkdir(parents=True)
    for entry in (ROOT / "sovaudit").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name, folder in MAPPED.items():
        (package / name).symlink_to(folder)
    return tree


def main() -> int:
    tree = build_tree()
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(ROOT / "setup.cfg"),
        *sys.argv[1:],
        str(tree / "sovaudit"),
    ]
    return subprocess.call(command, cwd=tree)  # noqa: S603 - fixed argv


if __name__ == "__main__":
    sys.exit(main())
