"""A call log whose request outlasts its lease is not sent a second time by the worker still sending it."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

from linkus_companion.crm.base import CallLog
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.outbox import OutboxWorker
from linkus_companion.phone import parse
from linkus_companion.store import Store
from tests.crm.conftest import open_harness
from tests.engine.test_call_log import CUSTOMER, UTC_POLICY, bound_owners, inbound


class Slow:
    """The connector, but every call log takes `seconds` longer to answer than the outbox's lease."""

    def __init__(self, connector: Any, seconds: float) -> None:
        self._connector = connector
        self._seconds = seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connector, name)

    async def log_call(self, log: CallLog) -> str:
        await asyncio.sleep(self._seconds)
        return str(await self._connector.log_call(log))


async def test_logs_in_flight_past_their_lease_reach_the_crm_once(tmp_path: Path) -> None:
    async with open_harness("hubspot", tmp_path) as harness:
        contact_id = await harness.seed_contact(CUSTOMER, "Carla", "Customer")
        record = next(
            r for r in await harness.connector.search_by_phone(parse(CUSTOMER)) if r.id == contact_id
        )
        owners = bound_owners(sorted(await harness.connector.list_users(), key=lambda u: u.id))
        store = Store.open(tmp_path / "companion.db")
        logger = CallLogger(store, UTC_POLICY, owners)
        for n in range(8):
            logger.call_ended(inbound(f"40{n}", rang=("101",), talked=("101",)), record)
        worker = OutboxWorker(store, Slow(harness.connector, 0.3), lease=0.05)
        assert await worker.drain() == 8
        logged = Counter(entry["idempotency_key"] for entry in harness.call_logs())
        store.close()
    assert logged == {f"40{n}:101": 1 for n in range(8)}
