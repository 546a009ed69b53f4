"""The collection's deadline (``--timeout``): scopes not read by then are errors, not a hang.

An AWS endpoint that accepts a connection and never answers used to hold one call for about
550 s (60 s read timeout, eight attempts), and an Azure endpoint that never answered ran for
20 minutes with nothing printed. Per-call timeouts bound each call; this module bounds the
whole collection: providers read their scopes through ``run_scopes``, which stops waiting at
the deadline and reports the unfinished scopes, and ``sovaudit.pipeline`` stops waiting for a
provider that is still blocked past it.

Threads cannot be killed. A thread still blocked in a socket read at the deadline is
abandoned; ``abandoned()`` tells the CLI to end the process without waiting for it once the
report is written (Python would otherwise join it at exit).
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)

_ABANDONED = threading.Event()


def abandoned() -> bool:
    """Whether some thread was left blocked past the deadline in this process."""
    return _ABANDONED.is_set()


def mark_abandoned() -> None:
    _ABANDONED.set()


def remaining(deadline: float | None) -> float | None:
    """Seconds left before ``deadline`` (a time.monotonic() value); None without one."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def passed(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def run_scopes(
    scopes: Sequence[str],
    work: Callable[[int], T],
    *,
    failed: Callable[[str, Exception], T],
    workers: int,
    deadline: float | None,
    thread_name_prefix: str,
) -> Iterator[tuple[str, T | None]]:
    """``work(i)`` for each scope on ``workers`` threads, yielded in scope order.

    The one place where a scope's failure is contained: whatever ``work`` raises (a body no
    parser accepts, JSON with the wrong field types) becomes ``failed(scope, exc)``, so one
    scope's answer never costs the others. A scope whose work has not finished by
    ``deadline`` is yielded with None (the caller turns it into an errors entry); its thread
    is abandoned, not waited for.
    """
    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, min(workers, len(scopes) or 1)),
        thread_name_prefix=thread_name_prefix,
    )
    futures = [pool.submit(work, index) for index in range(len(scopes))]
    try:
        for scope, future in zip(scopes, futures, strict=True):
            try:
                outcome = future.result(timeout=remaining(deadline))
            except concurrent.futures.TimeoutError:
                yield scope, None
                continue
            except Exception as exc:  # contained here, for every provider alike
                log.debug("%s: reading failed", scope, exc_info=True)
                outcome = failed(scope, exc)
            yield scope, outcome
    finally:
        if any(not future.done() for future in futures):
            mark_abandoned()
        pool.shutdown(wait=False, cancel_futures=True)


class DeadlineReached(Exception):
    """The deadline passed while a source was still being read."""


_DONE = object()
_BATCH = 1000  # assets handed over per queue item: a queue operation per asset costs seconds


# How long past the deadline a source may take to hand over what it read: one that honours
# the deadline (run_scopes) stops waiting for its scopes then, and needs a moment to return.
GRACE = 5.0


def within(produce: Callable[[], Iterator[T]], deadline: float | None) -> Iterator[T]:
    """The items ``produce()`` yields, read on a daemon thread, until ``deadline`` (+ GRACE).

    Raises DeadlineReached (after yielding what arrived) when that passes first, and
    re-raises whatever ``produce`` raised. Without a deadline, no thread is used.
    """
    if deadline is None:
        yield from produce()
        return
    deadline += GRACE
    handover: queue.Queue[tuple[str, object]] = queue.Queue()

    def drain() -> None:
        batch: list[T] = []
        try:
            for item in produce():
                batch.append(item)
                if len(batch) >= _BATCH:
                    handover.put(("items", batch))
                    batch = []
            handover.put(("items", batch))
            handover.put(("done", _DONE))
        except BaseException as exc:  # handed to the reading thread as it is
            handover.put(("items", batch))
            handover.put(("error", exc))

    threading.Thread(target=drain, name="sovaudit-source", daemon=True).start()
    while True:
        try:
            kind, payload = handover.get(timeout=remaining(deadline))
        except queue.Empty:
            mark_abandoned()
            raise DeadlineReached from None
        if kind == "items":
            yield from payload  # type: ignore[misc]
        elif kind == "error":
            raise payload  # type: ignore[misc]
        else:
            return
