#!/usr/bin/env python3
"""Build the IP-range snapshot that ships in the package from the clouds' FULL official files.

    python scripts/build_ip_snapshot.py SOURCE_DIR [--azure-date YYYY-MM-DD] [--output PATH]

SOURCE_DIR holds, under these names, the files the providers publish for anyone to consume:

* aws-ip-ranges.json            https://ip-ranges.amazonaws.com/ip-ranges.json
* google-cloud.json             https://www.gstatic.com/ipranges/cloud.json
* azure-service-tags.json       Microsoft download 56519, "Azure IP Ranges and Service Tags -
                                Public Cloud" (weekly ServiceTags_Public_YYYYMMDD.json)
* oracle-public-ip-ranges.json  https://docs.oracle.com/iaas/tools/public_ip_ranges.json

Azure's JSON carries no date (only a changeNumber); pass the date of the weekly file with
``--azure-date``, else the day of the build is recorded. The output (default
``sovaudit/data/ip-ranges/snapshot.tsv.gz``) is byte-identical for identical inputs, so a
rebuild that changes nothing shows no diff. Remember to update that folder's SOURCE.md.

The July 2025 snapshot was built with:

    python scripts/build_ip_snapshot.py SOURCE_DIR --azure-date 2025-07-24

(SOURCE_DIR: the four files the providers publish; the test copies are in
tests/data/cloud-ip-ranges.)
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections import Counter
from pathlib import Path

from sovaudit.locate.net.range_sources import merge_rows, parse_directory, render_snapshot
from sovaudit.locate.net.ranges import RangeDataError
from sovaudit.output import write_bytes_atomic

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "sovaudit" / "data" / "ip-ranges" / "snapshot.tsv.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source_dir", type=Path)
    parser.add_argument("--azure-date", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        parsed = parse_directory(args.source_dir, args.azure_date, print)
    except (OSError, RangeDataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    data = render_snapshot(parsed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(args.output, data)
    kept = Counter(row.provider for row in merge_rows(r for p in parsed for r in p.rows))
    for source in parsed:
        provider = source.info.provider
        print(f"{provider}: {kept[provider]} rows kept of {len(source.rows)} published")
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
