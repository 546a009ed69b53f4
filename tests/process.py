"""Running ``sovaudit`` as its own process, as cron, systemd or a CI job runs it.

The behaviours these tests hold (exit codes, what stderr says, what happens to the file
``-o`` names, signals) belong to the command, so they are tested through a real process with
an environment the test controls, not through an in-process runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.conftest import ROOT

NOBODY = 65534  # the conventional unprivileged uid/gid, for "as a normal user" runs


def clean_env(changes: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The caller's environment without SOVAUDIT_* settings, in a C.UTF-8 locale."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SOVAUDIT_") and k not in ("LC_ALL", "LC_MESSAGES", "NO_COLOR")
    }
    env["LANG"] = "C.UTF-8"
    env["PYTHONPATH"] = str(ROOT)
    for name, value in (changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _import_everything() -> None:  # pragma: no cover - runs in the forked child
    """Every sovaudit module but the cloud providers, so nothing is imported after setuid."""
    import importlib
    import pkgutil

    import sovaudit

    # Standard-library modules the scan path imports lazily (package data, the history).
    for name in (
        "importlib.readers",
        "importlib.resources.readers",
        "sqlite3",
        "zipfile",
        "encodings.utf_8_sig",
        "encodings.idna",
    ):
        importlib.import_module(name)
    for module in pkgutil.walk_packages(sovaudit.__path__, "sovaudit."):
        if not module.name.startswith(
            ("sovaudit.providers.", "sovaudit.rules", "sovaudit.__main__")
        ):
            importlib.import_module(module.name)


def cli_as_nobody(*args: str, timeout: float = 60) -> tuple[int, str]:
    """The CLI run as an unprivileged user: (exit code, stderr).

    The test interpreter may live where an unprivileged user cannot execute it, so this
    forks the already-loaded interpreter, drops to ``nobody`` in the child and runs
    ``sovaudit.cli.main.main`` there: the command's code path as a normal user runs it.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage is not collected there
        code = 99
        try:
            os.close(read_end)
            os.dup2(write_end, 2)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            # pytest's capture replaced the stream objects: point them at the real fds again.
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            _import_everything()  # while the interpreter's own files are still readable
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            sys.argv = ["sovaudit", *args]
            from sovaudit.cli.main import main

            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        stderr = pipe.read().decode("utf-8", "replace")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), stderr


def sovaudit(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str | None] | None = None,
    timeout: float = 120,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m sovaudit ARGS...``; ``env`` changes the clean environment (None unsets)."""
    return subprocess.run(
        [sys.executable, "-m", "sovaudit", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=clean_env(env),
        timeout=timeout,
        check=False,
        preexec_fn=preexec,
    )


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def normal_user() -> int:
    """The uid the "as a normal user" tests run the CLI as: nobody under root, else oneself."""
    return NOBODY if os.geteuid() == 0 else os.geteuid()


def as_normal_user(*args: str) -> tuple[int, str]:
    """The CLI run as an unprivileged user: (exit code, stderr). Root drops to nobody in a
    forked child; anyone else already is a normal user and runs it as a process."""
    if os.geteuid() == 0:
        return cli_as_nobody(*args)
    result = sovaudit(*args)
    return result.returncode, result.stderr


def give_to_normal_user(path: Path) -> None:
    """Make ``path`` the normal user's own (a no-op unless running as root)."""
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)


def lock_from_normal_user(folder: Path) -> None:
    """A folder the normal user can enter and read but not create files in."""
    folder.chmod(0o755 if os.geteuid() == 0 else 0o555)  # root's own, or read-only to oneself
