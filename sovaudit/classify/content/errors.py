"""What can go wrong while sampling, as the sampler tells the cases apart.

Three outcomes of reading one object, each handled differently on purpose:

- ``SkipObject``: this object cannot be inspected, for a reason that says nothing about the
  bucket (archived to cold storage, encrypted with a key we may not use, deleted since the
  listing). Counted by reason; sampling goes on.
- ``ObjectReadError``: the read was refused or failed (AccessDenied, a timeout). The bucket's
  content is then only partly known, which the provider reports as an incomplete scope
  (exit 3); a bucket is never called "none" because it could not be read.
- ``MissingContentExtra``: the detectors' libraries are not installed; a usage problem.

No message built here ever contains object data: only keys (redacted), codes and counts.
"""

from __future__ import annotations

from sovaudit.errors import SovauditError

CONTENT_EXTRA_HINT = (
    "content sampling needs python-stdnum and phonenumbers: pip install 'sovaudit[content]'"
)


class MissingContentExtra(SovauditError):
    """``--sample-content`` without the ``content`` extra installed (exit 2)."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"{CONTENT_EXTRA_HINT} (missing: {missing})")
        self.missing = missing


class SkipObject(Exception):
    """One object cannot be inspected; ``reason`` is one of ``sample.SKIP_REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ObjectReadError(Exception):
    """Reading failed in a way that leaves the bucket's content unknown.

    ``message`` is for people (which permission is missing); ``denied`` marks a refusal,
    after which the sampler stops trying the bucket's other objects: a policy that denies one
    GetObject almost always denies them all, and each attempt is a billed request.
    """

    def __init__(self, message: str, *, denied: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.denied = denied
