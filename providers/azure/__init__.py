"""The Azure provider: every subscription an identity can read, through Azure Resource Manager."""

from __future__ import annotations

from sovaudit.providers.azure.guard import ReadOnlyViolation
from sovaudit.providers.azure.provider import AzureProvider

__all__ = ["AzureProvider", "ReadOnlyViolation"]
