"""An ARM endpoint that accepts and never answers costs its subscription, not the night.

It used to run for 20 minutes with nothing printed. The stand-in holds every request of the
"silent" subscription open without a word; the collection's deadline cuts it off.
"""

from __future__ import annotations

import time

import pytest

from sovaudit.pipeline import collect
from sovaudit.providers.azure import AzureProvider
from sovaudit.providers.azure.session import CONNECT_TIMEOUT, READ_TIMEOUT, RETRIES
from tests.azure.arm_server import ArmServer, StaticCredential
from tests.azure.conftest import DENIED, HEALTHY

pytestmark = pytest.mark.integration


def test_a_subscription_that_never_answers_is_cut_off_at_the_deadline(estate: ArmServer) -> None:
    estate.silent = {DENIED}
    provider = AzureProvider.from_options(
        {"endpoint": estate.url, "credential": StaticCredential()}
    )
    started = time.monotonic()
    collected = collect([provider], deadline=time.monotonic() + 3)
    assert time.monotonic() - started < 12  # the silent requests are held for 30 s
    assert {a.name for a in collected.assets} >= {"vm-erp", "disk-sp"}  # HEALTHY was read
    assert [(e.scope, e.message) for e in collected.errors] == [
        (DENIED, "not read: the collection's --timeout ran out before this scope answered")
    ]
    assert all(a.account == HEALTHY for a in collected.assets)


def test_every_client_has_bounded_calls(estate: ArmServer) -> None:
    provider = AzureProvider.from_options(
        {"endpoint": estate.url, "credential": StaticCredential()}
    )
    kwargs = provider.client_kwargs()
    assert kwargs["connection_timeout"] == CONNECT_TIMEOUT
    assert kwargs["read_timeout"] == READ_TIMEOUT
    assert kwargs["retry_total"] == RETRIES
    assert READ_TIMEOUT * (RETRIES + 1) < 300  # one blocked call: minutes, not the old 20


def test_a_subscription_answering_json_of_the_wrong_shape_costs_only_itself(
    estate: ArmServer,
) -> None:
    estate.forbidden = set()
    estate.garbled = {DENIED}
    provider = AzureProvider.from_options(
        {"endpoint": estate.url, "credential": StaticCredential()}
    )
    collected = collect([provider])
    assert {a.name for a in collected.assets} >= {"vm-erp", "disk-sp"}
    [error] = collected.errors
    assert error.scope.startswith(DENIED)
    assert error.message.startswith("unexpected answer (")  # contained in run_scopes
