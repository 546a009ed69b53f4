"""Fixtures that start the local network stand-ins (see dns_server.py) and always stop them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.netstandins.dns_server import RunningServer, ZoneResolver, serve


@pytest.fixture(scope="session")
def dns_server() -> Iterator[RunningServer]:
    """A recursive-style server: the whole CNAME chain comes back in one answer."""
    with serve(ZoneResolver(chase=True)) as running:
        yield running


@pytest.fixture(scope="session")
def dns_server_stepwise() -> Iterator[RunningServer]:
    """An authoritative-style server: one CNAME per answer, the client asks for the target."""
    with serve(ZoneResolver(chase=False)) as running:
        yield running
