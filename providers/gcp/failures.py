"""What a Google Cloud failure means, in one line an operator can act on, and which ones end
a project's reading. Shared by the provider and the content sampler, so neither imports the
other; the read-only guard's refusal lives here too, as the failure every reader knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sovaudit.providers.gcp.buckets import PROVIDER
from sovaudit.providers.interface import ProviderError

LIST_PERMISSION = "storage.buckets.list"
_API_DISABLED = {"accessNotConfigured", "SERVICE_DISABLED"}


class ReadOnlyViolation(ProviderError):
    """Something tried to send a request that could change a Google Cloud project."""

    def __init__(self, method: str, url: str) -> None:
        super().__init__(
            PROVIDER,
            f"refused {method} {url.split('?', 1)[0]}: sovaudit only sends GET requests to "
            "Google Cloud",
        )
        self.method = method
        self.url = url


def _error_reason(exc: Any) -> str:
    errors = getattr(exc, "errors", None) or []
    first = errors[0] if errors and isinstance(errors[0], Mapping) else {}
    return str(first.get("reason") or getattr(exc, "reason", None) or "")


def _server_text(exc: Any) -> str:
    """Google's own message without the ``GET https://...: `` prefix the SDK adds."""
    errors = getattr(exc, "errors", None) or []
    first = errors[0] if errors and isinstance(errors[0], Mapping) else {}
    text = str(first.get("message") or getattr(exc, "message", "") or exc)
    return text.splitlines()[0][:200] if text else ""


def describe_failure(exc: BaseException) -> str:
    """A short message for an error entry: what was refused and what to do about it.

    Google's 403 text names the caller's e-mail; the entry names the permission instead,
    which is what the reader has to grant.
    """
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth

    if isinstance(exc, ReadOnlyViolation):
        return str(exc)
    if isinstance(exc, api.GoogleAPICallError):
        code = exc.code
        reason = _error_reason(exc)
        text = _server_text(exc)
        if code == 403 and (
            reason in _API_DISABLED or "has not been used" in text or "is disabled" in text
        ):
            return (
                f"the Cloud Storage API is not enabled in this project ({reason or code}); "
                "enable storage.googleapis.com or leave the project out"
            )
        if code in (401, 403):
            return f"permission denied: {LIST_PERMISSION} ({code} {reason or 'forbidden'})"
        if code == 404:
            return "project not found, or not visible to these credentials (404)"
        return f"{LIST_PERMISSION} failed: {code} {reason}".rstrip() + (f": {text}" if text else "")
    if isinstance(exc, api.RetryError):
        cause = exc.cause if exc.cause is not None else exc
        return f"Cloud Storage did not answer after retries: {str(cause).splitlines()[0][:200]}"
    if isinstance(exc, auth.GoogleAuthError):
        return f"credentials rejected: {str(exc).splitlines()[0][:200]}"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def read_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "this project could not be read" rather than a bug."""
    import requests
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth

    return (
        api.GoogleAPICallError,
        api.RetryError,
        auth.GoogleAuthError,
        requests.RequestException,
        ReadOnlyViolation,
    )
