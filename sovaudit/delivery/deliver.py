"""Send one scan's findings, then its summary, to every target; report, never raise.

A network failure is an outcome, not an exception: the CLI has already written the output
and reports each outcome (exit 5). Every finding is counted for every target, as sent or
failed, so nothing disappears without a number next to it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sovaudit.delivery.events import DeliveryOutcome, EncodedEvent, scan_time
from sovaudit.delivery.hec import send_hec
from sovaudit.delivery.syslog_send import send_syslog
from sovaudit.delivery.targets import HecTarget, SyslogTarget

log = logging.getLogger("sovaudit.delivery")

Target = SyslogTarget | HecTarget


def deliver(
    findings: Iterable[Mapping[str, Any]],
    summary_event: Mapping[str, Any] | None,
    targets: Sequence[Target],
    *,
    event_time: float | None = None,
) -> list[DeliveryOutcome]:
    """One outcome per target, in the order given.

    ``findings`` are the objects ``scan --format jsonl`` writes (the finding with its asset
    under ``asset``); ``summary_event`` goes last, as its own message or event. Every event
    carries ``event_time`` (epoch seconds): by default the scan's ``started_at`` from the
    summary event, else now. Each finding is encoded to JSON once, whatever the number of
    targets.
    """
    events = [EncodedEvent.of(finding) for finding in findings]
    summary = EncodedEvent.of(summary_event) if summary_event is not None else None
    if event_time is None:
        event_time = scan_time(summary_event)
    epoch = event_time if event_time is not None else time.time()
    outcomes = []
    for target in targets:
        started = time.monotonic()
        if isinstance(target, SyslogTarget):
            outcome = send_syslog(target, events, summary, epoch)
        elif isinstance(target, HecTarget):
            outcome = send_hec(target, events, summary, epoch)
        else:
            raise TypeError(f"not a delivery target: {type(target).__name__}")
        log.debug(
            "%s: %d sent, %d failed, %d shrunk in %.2fs%s",
            outcome.target,
            outcome.sent,
            outcome.failed,
            outcome.truncated,
            time.monotonic() - started,
            f": {outcome.error}" if outcome.error else "",
        )
        outcomes.append(outcome)
    return outcomes
