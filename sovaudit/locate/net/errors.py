"""Errors of the network-location sources."""

from __future__ import annotations

from sovaudit.errors import InputError


class GeoIPError(InputError):
    """A GeoIP database that cannot be used (missing, corrupt, wrong type): exit 2."""
