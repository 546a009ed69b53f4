"""A separate process that records runs into a history file, as an overlapping cron job would.

    python -m tests.history.recorder HISTORY TAG RUNS FINDINGS GO_FILE

Says it is ready (GO_FILE.ready-TAG, once its imports are done: they can take longer than
the recording) and waits for GO_FILE to exist so that two recorders start together, then
records RUNS runs of FINDINGS findings each (some shared with the other recorder, some its
own), one store per run as separate scans would.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from sovaudit.history import HistoryStore
from tests.history.documents import document, finding


def _wait(condition: Callable[[], bool], failure: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"recorder: {failure}")
        time.sleep(0.005)


def _marks(go: str, kind: str) -> int:
    """How many recorders have left a ``GO_FILE.KIND-TAG`` mark."""
    return len(list(Path(go).parent.glob(f"{Path(go).name}.{kind}-*")))


def main() -> None:
    path, tag, runs, findings, go = sys.argv[1:6]
    Path(f"{go}.ready-{tag}").touch()
    _wait(lambda: Path(go).exists(), "never told to start")
    for number in range(int(runs)):
        if number == int(runs) // 2:
            # Halfway, wait for the other recorder to get halfway too: on a loaded machine
            # one could otherwise record every run before the other is scheduled at all.
            Path(f"{go}.half-{tag}").touch()
            _wait(lambda: _marks(go, "half") >= 2, "the other recorder never got halfway")
        items = [finding(f"shared-{i}") for i in range(int(findings) // 2)]
        items += [finding(f"{tag}-{number % 3}-{i}", "low") for i in range(int(findings) // 2)]
        with HistoryStore(Path(path)) as store:
            store.record(document(items, day=1 + number % 28), exit_code=1)
    print(f"{tag} recorded {runs}")


if __name__ == "__main__":
    main()
