"""What an AWS failure means, in one line an operator can act on, and which ones end a scope.

Shared by the provider and the content sampler, so a denied ListBuckets and a denied
GetObject read alike; kept apart from both so neither imports the other.
"""

from __future__ import annotations

from sovaudit.providers.aws.guard import ReadOnlyViolation, iam_action
from sovaudit.providers.interface import unexpected_answer

POLICY_HINT = "see docs/aws-iam-policy.json"
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "Forbidden",
}
_NOT_ENABLED = {
    "AuthFailure",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "OptInRequired",
    "InvalidToken",
    "SignatureDoesNotMatch",
}
_THROTTLED = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests"}


def describe_failure(exc: BaseException, service: str) -> str:
    """A short message for an error entry: what was refused and what to do about it.

    AWS's own AccessDenied text names the caller's ARN and the full policy evaluation; the
    entry names the IAM action instead, which is what the reader has to grant.
    """
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ReadTimeoutError,
    )

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "")) or str(
            exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "error")
        )
        action = iam_action(service, exc.operation_name)
        if code in _DENIED:
            return f"access denied: {action} ({code}); {POLICY_HINT}"
        if code in _NOT_ENABLED:
            return f"region not enabled for this account, or credentials not valid there ({code})"
        if code in _THROTTLED:
            return f"throttled on {action} after retries ({code})"
        text = str(error.get("Message", "")).splitlines()[0:1]
        return f"{action} failed: {code}" + (f": {text[0][:200]}" if text and text[0] else "")
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        return f"cannot reach the AWS endpoint: {exc}"
    if isinstance(exc, ReadTimeoutError):
        return f"AWS endpoint did not answer in time: {exc}"
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials (environment, --aws-profile or instance role)"
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ResponseParserError):
        detail = " ".join(str(exc).split())[:160]
        return f"the {service} answer could not be parsed ({detail})"
    if not isinstance(exc, read_errors()) and isinstance(exc, Exception):
        return unexpected_answer(exc)
    return str(exc)


def read_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "this scope could not be read" rather than a bug."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (ClientError, BotoCoreError, ReadOnlyViolation)


def scope_failures() -> tuple[type[BaseException], ...]:
    """What ends one scope (or the caller's identity) without ending the scan: read errors,
    and any other failure an answer caused in the code reading it (a body no parser accepts,
    JSON with the wrong field types). ``describe_failure`` says which."""
    return (*read_errors(), Exception)
