"""What --gcp-scope and --gcp-asset-endpoint accept, checked when the provider is built.

No SDK is imported here: a misspelt scope is a usage error before any credential is asked for.
"""

from __future__ import annotations

import urllib.parse

_SCOPE_KINDS = ("organizations/", "folders/", "projects/")


def scope_name(value: str) -> str:
    """``organizations/N``, ``folders/N`` or ``projects/P``; a bare id is a project."""
    value = value.strip()
    if value.startswith(_SCOPE_KINDS):
        return value
    if "/" in value:
        raise ValueError(
            f"a Cloud Asset scope is organizations/N, folders/N or projects/P: {value!r}"
        )
    return f"projects/{value}"


def loopback(url: str) -> bool:
    return urllib.parse.urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def asset_endpoint_url(url: str | None) -> str | None:
    """The Cloud Asset endpoint: https, or http on loopback (a stand-in)."""
    if not url:
        return None
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme == "https" or (scheme == "http" and loopback(url)):
        return url.rstrip("/")
    raise ValueError(f"the Cloud Asset endpoint must be https:// (http only on 127.0.0.1): {url!r}")
