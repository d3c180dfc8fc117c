"""A running PBX simulator + HubSpot emulator + engine, for engine tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

from benchmarks._faults import FixedGrant  # one emulator grant for the engine tests and the fault world
from linkus_companion.crm.base import AccessGrant
from linkus_companion.crm.hubspot import HubSpotConnector
from linkus_companion.engine.core import CreatePolicy, Engine, Resolution
from linkus_companion.engine.lookup import Lookup, LookupPolicy
from linkus_companion.engine.screen_pop import PopGuard, PopPolicy, PopRequest
from linkus_companion.model import Record
from linkus_companion.pbx.calls import Call, CallTracker
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.events import EventStream, StreamState, StreamStatus
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.pbx import PbxSimulator

DEFAULT_POP, DEFAULT_CREATE, DEFAULT_LOOKUP = PopPolicy(), CreatePolicy(), LookupPolicy()


@dataclass
class Recorder:
    """Records what the engine opens and the calls it reports."""

    pops: list[PopRequest] = field(default_factory=list)
    logged: list[tuple[Call, Record | None]] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)
    """What was typed on each logged call, by call id."""
    calls: dict[str, Call] = field(default_factory=dict)
    seen_call: asyncio.Event = field(default_factory=asyncio.Event)

    def open(self, request: PopRequest) -> None:
        self.pops.append(request)

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        self.calls[call.call_id] = call
        self.seen_call.set()

    def on_pop(self, request: PopRequest) -> None:
        pass

    async def first_call(self) -> str:
        """The id of the first call the engine reports."""
        await self.seen_call.wait()
        return next(iter(self.calls))

    def call_ended(
        self, call: Call, record: Record | None, *, link_later: bool = False, notes: object = None
    ) -> list[str]:
        self.logged.append((call, record))
        self.notes[call.call_id] = notes
        return [f"{call.call_id}:{ext}" for ext in call.extensions]

    def keep_note(self, call_id: str, extension: str, note: object) -> None:
        pass

    def annotate(self, call_id: str, extension: str, note: object) -> list[str] | None:
        return None


@dataclass
class Rig:
    sim: PbxSimulator
    crm: HubSpotEmulator
    engine: Engine
    recorder: Recorder

    async def settle(self) -> None:
        """Let the engine finish what the calls so far started."""
        await asyncio.sleep(0.1)
        await self.engine.settled()


@contextlib.asynccontextmanager
async def running_engine(
    *,
    pop: PopPolicy = DEFAULT_POP,
    create: CreatePolicy = DEFAULT_CREATE,
    lookup: LookupPolicy = DEFAULT_LOOKUP,
    extensions: tuple[str, ...] | None = None,
    keep_calls: int = 500,
) -> AsyncIterator[Rig]:
    """Everything on 127.0.0.1; the engine serves `extensions` (None: all)."""
    sim = PbxSimulator(step=0.02)
    await sim.start()
    try:
        async with (
            HubSpotEmulator(seed=False) as crm,
            httpx.AsyncClient(timeout=10) as http,
            PbxClient(sim.base_url, sim.client_id, sim.client_secret) as pbx,
        ):
            grant = AccessGrant(crm.admin_token, crm.base_url, {"hub_id": str(crm.hub_id)})
            connector = HubSpotConnector(
                http, FixedGrant(grant), hub_id=str(crm.hub_id), web_base=crm.base_url
            )
            recorder = Recorder()
            engine = Engine(
                connector=connector,
                lookup=Lookup(connector, lookup, own_numbers=["+15550100"]),
                opener=recorder,
                guard=PopGuard([crm.base_url]),
                pop_policy=lambda _ext: pop,
                create=create,
                call_log=recorder,
                keep_calls=keep_calls,
            )
            engine.add_listener(recorder)
            connected = asyncio.Event()

            def status(s: StreamStatus) -> None:
                if s.state is StreamState.CONNECTED:
                    connected.set()

            async with EventStream(pbx, on_status=status, backoff_initial=0.05) as stream:
                task = asyncio.create_task(engine.run(stream, CallTracker(extensions)))
                await asyncio.wait_for(connected.wait(), 10)
                try:
                    yield Rig(sim, crm, engine, recorder)
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                    await engine.close()
    finally:
        await sim.stop()
