"""Azure failures worded for error entries, from real azure-core exceptions.

The status and ARM's error body decide the wording; the response is the only stand-in here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ServiceRequestError

from sovaudit.providers.azure.failures import arm_error, describe_failure
from sovaudit.providers.azure.guard import ReadOnlyViolation


class Response:
    """What HttpResponseError reads from a response: status, reason, headers and the body."""

    def __init__(self, status: int, body: Any) -> None:
        self.status_code = status
        self.reason = "reason"
        self.headers: dict[str, str] = {}
        self._body = body if isinstance(body, str) else json.dumps(body)

    def text(self, encoding: str | None = None) -> str:
        return self._body


def refused(status: int, code: str = "", message: str = "") -> HttpResponseError:
    body = {"error": {"code": code, "message": message}} if code else "<html>proxy</html>"
    return HttpResponseError(response=Response(status, body))


def test_arm_error_reads_code_and_first_line_of_the_message_from_the_body() -> None:
    exc = refused(403, "AuthorizationFailed", "The client has no authorization\nmore detail")
    assert arm_error(exc) == ("AuthorizationFailed", "The client has no authorization")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (
            403,
            "AuthorizationFailed",
            "access denied while listing resources (403 AuthorizationFailed): no; "
            "grant the identity the Reader role on the subscription",
        ),
        (401, "InvalidAuthenticationToken", "the token was refused while listing resources"),
        (429, "TooManyRequests", "throttled while listing resources, still after the SDK's"),
        (404, "SubscriptionNotFound", "not found while listing resources (404 Subscription"),
        (500, "InternalServerError", "listing resources failed (500 InternalServerError): no"),
    ],
)
def test_each_status_says_what_happened(status: int, code: str, expected: str) -> None:
    assert describe_failure(refused(status, code, "no"), "listing resources").startswith(expected)


def test_a_body_that_is_not_arm_json_still_gives_the_status() -> None:
    message = describe_failure(refused(502), "listing resources")
    assert message.startswith("listing resources failed (502): ")


def test_a_failure_that_never_reached_arm_says_so() -> None:
    unreachable = describe_failure(ServiceRequestError("connection reset"), "listing resources")
    assert unreachable == (
        "cannot reach the Azure Resource Manager endpoint while listing resources: connection reset"
    )


def test_the_guard_refusal_is_kept_as_it_is() -> None:
    refusal = ReadOnlyViolation("POST", "https://arm.example/subscriptions/x/register?a=1")
    assert describe_failure(refusal, "listing resources") == (
        "refused POST /subscriptions/x/register: sovaudit only reads Azure "
        "(GET, and the Resource Graph query)"
    )
