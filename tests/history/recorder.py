"""A separate process that records runs into a history file, as an overlapping cron job would.

    python -m tests.history.recorder HISTORY TAG RUNS FINDINGS GO_FILE

Waits for GO_FILE to exist so that two recorders start together, then records RUNS runs of
FINDINGS findings each (some shared with the other recorder, some its own), one store per
run as separate scans would.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from sovaudit.history import HistoryStore
from tests.history.documents import document, finding


def main() -> None:
    path, tag, runs, findings, go = sys.argv[1:6]
    deadline = time.monotonic() + 20
    while not Path(go).exists():
        if time.monotonic() > deadline:
            sys.exit("recorder: never told to start")
        time.sleep(0.005)
    for number in range(int(runs)):
        items = [finding(f"shared-{i}") for i in range(int(findings) // 2)]
        items += [finding(f"{tag}-{number % 3}-{i}", "low") for i in range(int(findings) // 2)]
        with HistoryStore(Path(path)) as store:
            store.record(document(items, day=1 + number % 28), exit_code=1)
    print(f"{tag} recorded {runs}")


if __name__ == "__main__":
    main()
