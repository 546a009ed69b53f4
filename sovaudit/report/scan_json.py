"""The ``json`` format: CONTRACT.md's scan document, plus what changed since the last run.

The contract's fields live in json_document.py; this is only the reporter the registry calls,
because the document needs the run's summary and changes and not only the ScanResult.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sovaudit.report.json_document import iter_json, scan_document

if TYPE_CHECKING:
    from sovaudit.report.registry import RenderInput


def render_json(given: RenderInput) -> Iterator[bytes]:
    """The scan document in chunks; ``changes`` only when there was a run to compare with."""
    document = scan_document(given.result, given.summary)
    if given.changes is not None:
        document["changes"] = given.changes.to_dict()
    return iter_json(document)
