"""Google Cloud: where every Cloud Storage bucket's data really is (regions, dual-, multi-)."""

from sovaudit.providers.gcp.provider import GcpProvider

__all__ = ["GcpProvider"]
