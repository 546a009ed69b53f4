"""Splunk HTTP Event Collector client: batches of JSON events, retried when worth retrying.

The body of a POST is the events one after the other (Splunk's batch format), one per line:
``{"time": 1763798400, "host": .., "source": .., "sourcetype": .., "index"?: .., "event": {..}}``

What is retried, and what happens to the next batches:

- connection errors, timeouts, 429 (after its ``Retry-After``, capped) and 5xx are retried
  with exponential backoff; when the retries run out, the collector is down or overloaded, so
  the remaining batches are not attempted (they would each wait through the same retries) and
  are counted as failed;
- 401 and 403 (bad or disabled token), a redirect, and a TLS failure (untrusted certificate,
  https:// to a plain HTTP port) are not retried and stop the delivery: every further batch
  would get the same answer;
- any other 4xx (400 "Invalid data format", 413 too large) concerns that batch only: it is
  counted as failed and the next batches are still sent.

Retrying a POST whose answer was lost can index a batch twice (HEC without indexer
acknowledgement cannot tell); a finding's ``id`` is stable, so a SIEM can deduplicate.

The token goes in one header and nowhere else; every error text is scrubbed of it, in case
a proxy echoes the request back.
"""

from __future__ import annotations

import datetime
import email.utils
import http.client
import json
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sovaudit.delivery.events import DeliveryOutcome, EncodedEvent
from sovaudit.delivery.targets import HecTarget

log = logging.getLogger("sovaudit.delivery")

SUMMARY_SOURCETYPE = "sovaudit:summary"
MAX_BACKOFF_SECONDS = 60.0
# An error answer is read up to this size: enough for HEC's {"text":..,"code":..}.
ERROR_BODY_BYTES = 64 * 1024


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would re-send the token, or drop the body."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class _Failure:
    message: str
    stop: bool  # True: the next batches would fail the same way


def _opener(target: HecTarget) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if target.endpoint.startswith("https:"):
        context = ssl.create_default_context(
            cafile=str(target.ca_file) if target.ca_file is not None else None
        )
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


def _clean(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def _error_text(exc: urllib.error.HTTPError) -> str:
    """HEC's own words (``{"text": "Invalid token", "code": 4}``), or the start of the body."""
    try:
        body = exc.read(ERROR_BODY_BYTES)
    except (OSError, http.client.HTTPException):
        body = b""
    status = f"HTTP {exc.code}"
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if isinstance(answer, dict) and "text" in answer:
        code = f" (code {answer['code']})" if "code" in answer else ""
        return f"{status}: {_clean(str(answer['text']))}{code}"
    text = _clean(body.decode("utf-8", "replace"))
    return f"{status}: {text}" if text else f"{status} {_clean(str(exc.reason))}"


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), at most ``cap``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), cap)


class HecClient:
    """Posts batches to one HEC endpoint. ``sleep`` is injectable for callers that need it."""

    def __init__(self, target: HecTarget, sleep: Callable[[float], None] = time.sleep) -> None:
        self.target = target
        self.sleep = sleep
        self._opener = _opener(target)
        self._headers = {
            "Authorization": f"Splunk {target.token}",
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "sovaudit",
        }

    def post(self, body: bytes) -> _Failure | None:
        """One batch, with retries; None when the HEC accepted it."""
        target = self.target
        for attempt in range(target.retries + 1):
            failure, wait = self._attempt(body)
            if failure is None:
                return None
            if wait is None:
                return failure
            if attempt == target.retries:
                if target.retries:
                    return _Failure(f"{failure.message} (after {attempt + 1} attempts)", True)
                return failure
            backoff = min(target.backoff * 2**attempt, MAX_BACKOFF_SECONDS)
            delay = wait if wait > 0 else backoff
            log.warning(
                "%s: %s; retry %d of %d in %.2fs",
                target.describe(),
                failure.message,
                attempt + 1,
                target.retries,
                delay,
            )
            self.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns")

    def _attempt(self, body: bytes) -> tuple[_Failure | None, float | None]:
        """(failure or None, seconds to wait before a retry: 0 = backoff, None = no retry)."""
        target = self.target
        request = urllib.request.Request(  # noqa: S310 - HecTarget takes only http(s) URLs
            target.endpoint, data=body, headers=self._headers, method="POST"
        )
        log.debug("%s: POST %d bytes", target.describe(), len(body))
        try:
            with self._opener.open(request, timeout=target.timeout) as response:
                response.read()
            return None, None
        except urllib.error.HTTPError as exc:
            message = _scrub(_error_text(exc), target.token)
            status = exc.code
            if status == 429 or status >= 500:
                wait = retry_after(exc.headers.get("Retry-After"), target.retry_after_cap)
                return _Failure(message, stop=True), wait or 0.0
            if 300 <= status < 400:
                where = _scrub(_clean(exc.headers.get("Location") or "?"), target.token)
                return _Failure(f"{message} (redirect to {where}: give the final URL)", True), None
            return _Failure(message, stop=status in (401, 403)), None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ssl.SSLCertVerificationError):
                text = f"TLS certificate verification failed: {reason.verify_message}"
                return _Failure(_scrub(text, target.token), stop=True), None
            if isinstance(reason, ssl.SSLError):  # e.g. https:// to a plain-HTTP port
                text = f"TLS error: {reason.reason or reason}"
                if reason.reason == "WRONG_VERSION_NUMBER":
                    text += " (does that port speak plain HTTP?)"
                return _Failure(_scrub(text, target.token), stop=True), None
            return _Failure(_scrub(_network_text(reason), target.token), stop=True), 0.0
        except (OSError, http.client.HTTPException) as exc:
            return _Failure(_scrub(_network_text(exc), target.token), stop=True), 0.0


def _network_text(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the HEC listening on that port?)"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve host: {reason.strerror}"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return _clean(str(reason)) or type(reason).__name__


def _prefix(target: HecTarget, epoch: float, host: str, sourcetype: str) -> bytes:
    """The event's metadata, up to and including ``"event":``; the finding JSON follows."""
    meta: dict[str, Any] = {
        "time": round(epoch, 3),
        "host": host,
        "source": target.source,
        "sourcetype": sourcetype,
    }
    if target.index:
        meta["index"] = target.index
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":"))[:-1].encode() + b',"event":'


def send_hec(
    target: HecTarget,
    findings: Sequence[EncodedEvent],
    summary: EncodedEvent | None,
    epoch: float,
    client: HecClient | None = None,
) -> DeliveryOutcome:
    """Every finding as one event, in batches, then the summary; never raises for the network."""
    if client is None:
        try:
            client = HecClient(target)
        except OSError as exc:  # the CA file: unreadable, or no certificate in it
            reason = getattr(exc, "reason", None) or exc.strerror or exc
            error = f"cannot use CA file {target.ca_file}: {reason}"
            return DeliveryOutcome(target.describe(), 0, len(findings), error, 0)
    host = socket.gethostname()
    finding_prefix = _prefix(target, epoch, host, target.sourcetype)
    sent = failed = 0
    errors: list[str] = []
    batches = range(0, len(findings), target.batch_size)
    stopped = False
    for number, start in enumerate(batches, 1):
        batch = findings[start : start + target.batch_size]
        if stopped:
            failed += len(batch)
            continue
        body = b"\n".join(finding_prefix + event.json + b"}" for event in batch)
        failure = client.post(body)
        if failure is None:
            sent += len(batch)
            continue
        failed += len(batch)
        errors.append(f"batch {number} of {len(batches)}: {failure.message}")
        stopped = failure.stop
    # After a stop the summary is not sent either; the error already says why.
    if summary is not None and not stopped:
        body = _prefix(target, epoch, host, SUMMARY_SOURCETYPE) + summary.json + b"}"
        failure = client.post(body)
        if failure is not None:
            errors.append(f"summary event: {failure.message}")
    first_error = None
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        first_error = errors[0] + more
    return DeliveryOutcome(target.describe(), sent, failed, first_error, 0)
