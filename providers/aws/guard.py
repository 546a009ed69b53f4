"""Read-only by construction: every AWS call passes through an allow-list before it is built.

An audit tool is given credentials that could, in a careless policy, also delete things. So the
provider never trusts itself to call only read operations: each session it builds carries a
botocore hook that refuses any operation that is not ``List*``, ``Get*``, ``Describe*``,
``Head*``, ``sts:AssumeRole`` or ``sts:GetCallerIdentity``. The hook runs on
``before-parameter-build``, before the request is serialised or signed, so a refused call never
leaves the process.

The same hook can record the IAM action behind every call (``s3:ListAllMyBuckets`` for
``ListBuckets``); tests use that to prove the published least-privilege policy covers
everything the provider really does.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from sovaudit.providers.interface import ProviderError

READ_PREFIXES = ("List", "Get", "Describe", "Head")
ALWAYS_ALLOWED = frozenset({("sts", "AssumeRole"), ("sts", "GetCallerIdentity")})

# API operations whose IAM action has another name. Everything else is "<prefix>:<Operation>".
IAM_ACTION_NAMES: dict[tuple[str, str], str] = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    # The Resource Groups Tagging API signs as "tagging"; IAM calls its actions "tag:".
    ("tagging", "GetResources"): "tag:GetResources",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
}


class ReadOnlyViolation(ProviderError):
    """Something tried to call an AWS operation that could change the account."""

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            "aws",
            f"refused {service}:{operation}: sovaudit only calls read operations "
            "(List*, Get*, Describe*, Head*, sts:AssumeRole, sts:GetCallerIdentity)",
        )
        self.service = service
        self.operation = operation


def is_read_operation(service: str, operation: str) -> bool:
    """Whether the allow-list lets ``service:operation`` through."""
    return operation.startswith(READ_PREFIXES) or (service, operation) in ALWAYS_ALLOWED


def iam_prefix(model: Any) -> str:
    """The IAM service prefix of an operation model (``s3``, ``ec2``, ``dynamodb``...)."""
    service_model = model.service_model
    return str(service_model.signing_name or service_model.endpoint_prefix)


def iam_action(prefix: str, operation: str) -> str:
    """The IAM action a policy must allow for an API operation."""
    return IAM_ACTION_NAMES.get((prefix, operation), f"{prefix}:{operation}")


class _Recorders:
    """The recordings in progress. Process-wide on purpose: sessions are built deep inside
    worker threads, and a test wants every call of a whole collection in one list."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[list[str]] = []

    def add(self, target: list[str]) -> None:
        with self._lock:
            self._active.append(target)

    def remove(self, target: list[str]) -> None:
        with self._lock:
            self._active = [t for t in self._active if t is not target]

    def record(self, action: str) -> None:
        if not self._active:
            return
        with self._lock:
            for target in self._active:
                target.append(action)


_RECORDERS = _Recorders()


@contextlib.contextmanager
def recording() -> Iterator[list[str]]:
    """Collect the IAM action of every call made through a guarded session, while open."""
    actions: list[str] = []
    _RECORDERS.add(actions)
    try:
        yield actions
    finally:
        _RECORDERS.remove(actions)


def _check(model: Any, **_: Any) -> None:
    prefix = iam_prefix(model)
    if not is_read_operation(prefix, model.name):
        raise ReadOnlyViolation(prefix, model.name)
    _RECORDERS.record(iam_action(prefix, model.name))


def attach_guard(events: Any) -> None:
    """Register the read-only check (and the recorder) on a botocore event system.

    ``events`` is a botocore session's or a client's ``meta.events``. Registering twice is
    harmless: the handler has a fixed unique id.
    """
    events.register("before-parameter-build", _check, unique_id="sovaudit-read-only-guard")
