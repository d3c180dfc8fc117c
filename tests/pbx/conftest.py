"""Fixtures for the PBX client tests: a TLS simulator on 127.0.0.1, a client, and an event collector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from pbx_testkit import Collector

from linkus_companion.pbx.calls import CallTracker, CallUpdate, UpdateKind
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.models import Event
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.tls import TlsFiles, generate


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return generate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def sim_options() -> dict[str, object]:
    """Override per test module or test to change the simulator's settings."""
    return {}


@pytest.fixture
async def sim(tls: TlsFiles, sim_options: dict[str, object]) -> AsyncIterator[PbxSimulator]:
    options: dict[str, object] = {"tls": tls, "step": 0.02, **sim_options}
    simulator = PbxSimulator(**options)  # type: ignore[arg-type]
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


MakeClient = Callable[..., PbxClient]


@pytest.fixture
def make_client(sim: PbxSimulator, tls: TlsFiles) -> MakeClient:
    """A factory for clients of the simulator trusting its CA (keyword arguments override)."""

    def make(**kwargs: object) -> PbxClient:
        options: dict[str, object] = {"ca_file": tls.ca_file, **kwargs}
        return PbxClient(sim.base_url, sim.client_id, sim.client_secret, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def client(make_client: MakeClient) -> AsyncIterator[PbxClient]:
    async with make_client() as pbx:
        yield pbx


@pytest.fixture
def stream_options() -> dict[str, object]:
    """Override to change the EventStream's settings."""
    return {}


@pytest.fixture
async def collector(client: PbxClient, stream_options: dict[str, object]) -> AsyncIterator[Collector]:
    options: dict[str, object] = {"backoff_initial": 0.05, "backoff_max": 0.5, **stream_options}
    async with Collector(client, **options) as running:
        await running.connected()
        yield running


def fold(events: list[Event], tracker: CallTracker | None = None) -> list[CallUpdate]:
    """Feed events to a tracker (all extensions by default) and return its updates."""
    tracker = tracker or CallTracker()
    return [update for event in events for update in tracker.feed(event)]


def ended(updates: list[CallUpdate], call_id: str) -> CallUpdate:
    """The single ENDED update for `call_id`."""
    matches = [u for u in updates if u.kind is UpdateKind.ENDED and u.call.call_id == call_id]
    assert len(matches) == 1, matches
    return matches[0]
