"""Test helpers for the PBX tests: an EventStream runner that records events and statuses."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.events import EventStream, StreamState, StreamStatus
from linkus_companion.pbx.models import CdrEvent, Event

WAIT = 15.0
"""Upper bound for anything a test waits for; only reached when the behaviour is broken."""


class Collector:
    """Runs an EventStream, keeps every event and status, and lets a test wait for one."""

    def __init__(self, client: PbxClient, **options: object) -> None:
        self.stream = EventStream(client, on_status=self.on_status, **options)  # type: ignore[arg-type]
        self.events: list[Event] = []
        self.statuses: list[StreamStatus] = []
        self.error: BaseException | None = None
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def on_status(self, status: StreamStatus) -> None:
        self.statuses.append(status)
        self._changed.set()

    async def _pump(self) -> None:
        try:
            async for event in self.stream:
                self.events.append(event)
                self._changed.set()
        except Exception as err:
            self.error = err
            self._changed.set()

    async def __aenter__(self) -> Collector:
        self.stream.start()
        self._task = asyncio.create_task(self._pump())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stream.close()
        if self._task is not None:
            await self._task

    async def wait_for(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def count(self, state: StreamState) -> int:
        return sum(s.state is state for s in self.statuses)

    async def connected(self, count: int = 1) -> None:
        """Wait until the stream has been subscribed `count` times."""
        await self.wait_for(lambda: self.count(StreamState.CONNECTED) >= count)

    async def call_ended(self, call_id: str) -> CdrEvent:
        """Wait for the CDR of `call_id` and return it."""

        def found() -> bool:
            return any(isinstance(e, CdrEvent) and e.record.uid == call_id for e in self.events)

        await self.wait_for(found)
        return next(e for e in self.events if isinstance(e, CdrEvent) and e.record.uid == call_id)
