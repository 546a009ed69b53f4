"""Fixtures shared by the range tests: the trimmed official files, parsed once.

Every prefix the tests use is a real one from tests/data/cloud-ip-ranges (see SOURCE.md there).
"""

from __future__ import annotations

import datetime

import pytest

from sovaudit.locate.net.range_sources import ParsedSource, parse_directory, ranges_from_sources
from sovaudit.locate.net.ranges import CloudRanges
from tests.conftest import DATA

RANGE_FILES = DATA / "cloud-ip-ranges"


@pytest.fixture(scope="session")
def parsed() -> list[ParsedSource]:
    return parse_directory(RANGE_FILES, datetime.date(2025, 7, 24), on_source=lambda _: None)


@pytest.fixture(scope="session")
def ranges(parsed: list[ParsedSource]) -> CloudRanges:
    return ranges_from_sources(parsed)
