"""``sovaudit config check`` run as a separate process, as cron or a CI job runs it.

The probe tests go through a real process so that the credential chains the SDKs build from
the environment are the ones a scheduled run would get, not a test's in-process objects.
The caller's stand-in fixtures have already narrowed ``os.environ`` to loopback-only
endpoints and credentials; the child inherits exactly that, plus ``changes``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.process import sovaudit


def config_check(
    config: Path, *args: str, changes: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """``sovaudit config check --config CONFIG ARGS...``; ``None`` in ``changes`` unsets."""
    return sovaudit("config", "check", "--config", str(config), *args, env=changes)


def probe_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The table output's ``probe ...`` lines."""
    return [line for line in result.stdout.splitlines() if line.startswith("probe ")]


def probes_json(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """``probes`` of the ``--format json`` output."""
    probes: list[dict[str, Any]] = json.loads(result.stdout)["probes"]
    return probes
