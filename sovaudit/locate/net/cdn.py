"""CDN networks that publish their edge addresses (Cloudflare, Fastly), as a range table.

Kept apart from the clouds' range snapshot: these lists change rarely, `data update` does not
refresh them, and their age must not trigger the clouds' staleness warning.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
from importlib import resources

from sovaudit.locate.net.ranges import CloudRanges, RangeRow, SourceInfo


@functools.cache
def cdn_ranges() -> CloudRanges:
    """The bundled CDN lists (sovaudit/data/ip-ranges/cdn.csv) as a lookup table."""
    text = (resources.files("sovaudit") / "data" / "ip-ranges" / "cdn.csv").read_text("utf-8")
    rows: list[RangeRow] = []
    sources: dict[str, SourceInfo] = {}
    for record in csv.DictReader(io.StringIO(text)):
        rows.append(
            RangeRow(
                network=record["network"],
                provider=record["provider"],
                region=None,
                service=record["service"],
                cdn=True,
            )
        )
        sources.setdefault(
            record["provider"],
            SourceInfo(
                provider=record["provider"],
                name=record["list"],
                url=record["url"],
                date=datetime.date.fromisoformat(record["date"]),
            ),
        )
    return CloudRanges(list(sources.values()), rows, origin="bundled CDN lists")
