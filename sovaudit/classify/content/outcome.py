"""A sampled bucket as the scan sees it: the asset carrying its evidence, and an error entry
when reading failed. Shared by every provider that samples, so each logs and reports alike."""

from __future__ import annotations

import logging

from sovaudit.model import Asset, ContentSample, ScanError, evolve

log = logging.getLogger("sovaudit.classify.content")


def sampled_asset(
    asset: Asset, sample: ContentSample, *, provider: str, url: str, scope: str
) -> tuple[Asset, ScanError | None]:
    """``asset`` with ``sample`` attached; an error entry for ``scope`` if objects were refused.

    ``url`` (``s3://bucket``) is only for the log line, which carries counts, never data.
    """
    log.info(
        "%s: sampled %s: %d of %d objects read, %d skipped, content %s",
        provider,
        url,
        sample.objects_read,
        sample.objects_listed,
        sample.objects_skipped,
        sample.classification.value,
    )
    error = None
    if sample.errors:
        error = ScanError(provider, scope, "content sampling: " + "; ".join(sample.errors))
    return evolve(asset, content=sample), error
