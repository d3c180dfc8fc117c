"""A call log whose delivery a clean stop cut goes out seconds after the next start, once, not a lease later."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from linkus_companion.crm.base import CallLog
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.outbox import RELEASE_SETTLE, OutboxWorker
from linkus_companion.model import Record
from linkus_companion.phone import parse
from linkus_companion.store import Store
from tests.crm.conftest import KINDS, open_harness
from tests.engine.test_call_log import CUSTOMER, UTC_POLICY, Clock, bound_owners, inbound


class Stalling:
    """The connector, but the first call log hangs (before it is sent, or after the CRM wrote it) until cancelled."""

    def __init__(self, connector: Any, written: bool) -> None:
        self._connector = connector
        self._written = written
        self.hanging = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connector, name)

    async def log_call(self, log: CallLog) -> str:
        if self.hanging.is_set():
            return str(await self._connector.log_call(log))
        if self._written:
            await self._connector.log_call(log)
        self.hanging.set()
        await asyncio.Event().wait()  # the response never comes before the stop
        raise AssertionError("unreachable")


@pytest.fixture(params=KINDS)
async def crm(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Any, Record, Store]]:
    async with open_harness(request.param, tmp_path) as harness:
        contact_id = await harness.seed_contact(CUSTOMER, "Carla", "Customer")
        found = await harness.connector.search_by_phone(parse(CUSTOMER))
        record = next(r for r in found if r.id == contact_id)
        store = Store.open(tmp_path / "companion.db")
        yield harness, record, store
        store.close()


@pytest.mark.parametrize("written", [False, True], ids=["before-the-crm-wrote-it", "after-the-crm-wrote-it"])
async def test_a_log_cut_by_a_clean_stop_goes_out_soon_after_the_restart_and_once(
    crm: tuple[Any, Record, Store], written: bool
) -> None:
    harness, record, store = crm
    clock = Clock()
    owners = bound_owners(sorted(await harness.connector.list_users(), key=lambda u: u.id))
    CallLogger(store, UTC_POLICY, owners, clock=clock).call_ended(
        inbound("3071", rang=("101",), talked=("101",)), record
    )
    stalling = Stalling(harness.connector, written)
    first = OutboxWorker(store, stalling, clock=clock, lease=60.0)
    running = asyncio.create_task(first.run())
    await asyncio.wait_for(stalling.hanging.wait(), 10)
    running.cancel()  # the app stops cleanly: EngineHost.stop cancels the outbox, then releases
    await asyncio.gather(running, return_exceptions=True)
    first.release()

    restarted = OutboxWorker(store, harness.connector, clock=clock, lease=60.0)
    clock.advance(1.0)
    assert await restarted.drain() == 0, "retried before the CRM's search shows what the cut request wrote"
    clock.advance(RELEASE_SETTLE)
    assert await restarted.drain() == 1, "still leased for the whole lease after a clean stop"
    logs = harness.call_logs()
    logs = await logs if asyncio.iscoroutine(logs) else logs
    assert Counter(entry["idempotency_key"] for entry in logs) == {"3071:101": 1}
