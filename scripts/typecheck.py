#!/usr/bin/env python3
"""Run mypy over the package as it installs: ``providers/`` is ``sovaudit.providers``.

setup.cfg maps the top-level ``providers/`` and ``rules/`` folders into the ``sovaudit``
package (``package_dir``), which mypy cannot express: it only understands folders. So this
installs the project, as pip installs it for a user, into a scratch folder, checks that, and
writes every path in mypy's report back as the source file it came from, so an error points
at ``providers/aws/s3.py``, not at the copy.

    python scripts/typecheck.py [extra mypy arguments]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Installed path prefix -> source folder, most specific first.
SOURCES = (
    ("sovaudit/providers/", "providers/"),
    ("sovaudit/rules/", "rules/"),
    ("sovaudit/", "sovaudit/"),
)


def source_path(line: str) -> str:
    """A mypy report line with the installed path replaced by the source path."""
    for installed, source in SOURCES:
        if line.startswith(installed):
            return source + line[len(installed) :]
    return line


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sovaudit-typecheck-") as scratch:
        subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
             scratch, str(ROOT)],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        result = subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "setup.cfg"),
             "--cache-dir", str(ROOT / ".mypy_cache"), *sys.argv[1:], "sovaudit"],
            cwd=scratch,
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
    for line in result.stdout.splitlines():
        print(source_path(line))
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
