"""Azure failures worded for an error entry: what was refused, and what to do about it.

azure-core raises one ``HttpResponseError`` for every refusal; what matters (403
``AuthorizationFailed``, 429 throttling, 404) is in its status and in ARM's error body, which
the SDK does not always parse. Errors that never reached ARM (no network, no credential) are
told by their type name, so this module never imports the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sovaudit.providers.azure.guard import ReadOnlyViolation

ROLE_HINT = "grant the identity the Reader role on the subscription"


def arm_error(exc: BaseException) -> tuple[str, str]:
    """ARM's error ``code`` and ``message`` from an HttpResponseError, as far as they exist."""
    error = getattr(exc, "error", None)
    code = str(getattr(error, "code", "") or "")
    message = str(getattr(error, "message", "") or "")
    response = getattr(exc, "response", None)
    if not code and response is not None:
        try:
            body = json.loads(response.text())
        except (ValueError, TypeError, AttributeError):
            body = None
        if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
            code = str(body["error"].get("code") or "")
            message = str(body["error"].get("message") or "")
    if not message:
        message = str(getattr(exc, "message", "") or exc)
    return code, message.splitlines()[0][:200] if message else ""


def describe_failure(exc: BaseException, what: str) -> str:
    """A short message for an error entry: what was refused and what to do about it."""
    if isinstance(exc, ReadOnlyViolation):
        return str(exc)
    status = getattr(exc, "status_code", None)
    if status is None and not hasattr(exc, "response"):
        name = type(exc).__name__
        if name in {"ServiceRequestError", "ServiceRequestTimeoutError"}:
            return f"cannot reach the Azure Resource Manager endpoint while {what}: {exc}"
        if name in {"ClientAuthenticationError", "CredentialUnavailableError"}:
            return f"no usable Azure credential while {what}: {str(exc).splitlines()[0][:200]}"
        return f"{what} failed: {str(exc).splitlines()[0][:200] if str(exc) else name}"
    code, message = arm_error(exc)
    label = f"{status} {code}".strip() if code else str(status)
    if status == 403:
        return f"access denied while {what} ({label}): {message}; {ROLE_HINT}"
    if status == 401:
        return f"the token was refused while {what} ({label}): {message}"
    if status == 429:
        return f"throttled while {what}, still after the SDK's retries ({label})"
    if status == 404:
        return f"not found while {what} ({label}): {message}"
    return f"{what} failed ({label}): {message}"
