"""The outbox sends a backlog several logs at a time, each once, and lookups never hold a delivery up."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks._faults import FixedGrant
from linkus_companion.crm.base import AccessGrant, CallLog
from linkus_companion.crm.hubspot import HubSpotConnector, SearchPacer
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.lookup import SEARCHES_AT_ONCE, Lookup, LookupPolicy
from linkus_companion.engine.outbox import FAILURES, IN_FLIGHT, Job, JobKind, OutboxWorker, enqueue
from linkus_companion.model import CallNote
from linkus_companion.runtime import crm_http_client
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import Fault
from linkus_companion.store import Store
from tests.engine.test_call_log import UTC_POLICY, Clock, bound_owners, inbound

CALLS = "/crm/objects/2026-03/calls"
"""Where the connector creates call engagements."""


@dataclass
class Hub:
    """The HubSpot emulator, answering each request after `latency`, our connector, store and logger."""

    emulator: HubSpotEmulator
    connector: HubSpotConnector
    store: Store
    logger: CallLogger
    clock: Clock

    def worker(self) -> OutboxWorker:
        return OutboxWorker(self.store, self.connector, clock=self.clock)

    def end_calls(self, count: int, first: int = 3001) -> list[str]:
        """`count` answered calls on extension 101; their idempotency keys."""
        keys = []
        for call_id in range(first, first + count):
            keys += self.logger.call_ended(inbound(str(call_id), rang=("101",), talked=("101",)), None)
        return keys

    def logged(self) -> Counter[str]:
        """Call engagements in the CRM per idempotency key."""
        calls = self.emulator.call_engagements()
        return Counter(call["properties"].get("hs_call_external_id", "") for call in calls)

    def stored_ids(self) -> dict[str, str]:
        with self.store.transaction() as db:
            rows = db.execute("SELECT idempotency_key, crm_id FROM outbox WHERE kind = 'log_call'")
            return dict(rows.fetchall())

    def crm_ids(self) -> dict[str, str]:
        calls = self.emulator.call_engagements()
        return {call["properties"]["hs_call_external_id"]: call["id"] for call in calls}


@pytest.fixture(params=["sqlite", "postgresql"])
async def hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Hub]:
    """On the desktop's SQLite store and the gateway's PostgreSQL one (claims with SKIP LOCKED)."""
    where = str(tmp_path / "companion.db")
    if request.param == "postgresql":
        where = request.getfixturevalue("postgres_url")
    emulator = HubSpotEmulator(seed=False, search_rate=1000, burst_limit=10_000)
    async with emulator, crm_http_client() as client:
        emulator.api.latency = 0.05
        grant = AccessGrant(emulator.admin_token, emulator.base_url, {"hub_id": str(emulator.hub_id)})
        connector = HubSpotConnector(
            client,
            FixedGrant(grant),
            hub_id=str(emulator.hub_id),
            recheck_window=1.0,
            recheck_interval=0.1,
            pacer=SearchPacer(rate=1000, period=1.0),  # the test's searches are not HubSpot's to pace
        )
        users = sorted(await connector.list_users(), key=lambda u: u.id)
        store = Store.open(where)
        clock = Clock()
        logger = CallLogger(store, UTC_POLICY, bound_owners(users), clock=clock)
        yield Hub(emulator, connector, store, logger, clock)
        store.close()


async def test_a_backlog_of_call_logs_goes_out_several_at_a_time_each_once(hub: Hub) -> None:
    keys = hub.end_calls(12)
    assert await hub.worker().drain() == 12
    assert 1 < hub.emulator.api.most_serving <= IN_FLIGHT, "several logs in flight, never more than the bound"
    assert hub.logged() == dict.fromkeys(keys, 1)
    assert hub.stored_ids() == hub.crm_ids()


async def test_lost_responses_with_several_in_flight_leave_each_call_in_the_crm_once(hub: Hub) -> None:
    keys = hub.end_calls(10)
    # HubSpot writes these calls, then the answer is lost (502): the connector looks before resending
    hub.emulator.inject_fault(Fault(502, method="POST", path=CALLS, after_processing=True, remaining=4))
    worker = hub.worker()
    for _ in range(10):
        await worker.drain()
        if not worker.pending():
            break
        hub.clock.advance(120)
    assert not worker.pending()
    assert hub.emulator.api.most_serving > 1
    assert hub.logged() == dict.fromkeys(keys, 1)
    assert hub.stored_ids() == hub.crm_ids()


async def test_a_rate_limit_storm_stops_the_batch_and_one_log_tries_first_after_the_wait(hub: Hub) -> None:
    worker = hub.worker()
    hub.end_calls(1, first=3100)
    assert await worker.drain() == 1  # the CRM answers: the lane opens to its full width
    keys = hub.end_calls(8)
    storm = Fault(429, method="POST", path=CALLS, retry_after=120, remaining=1000)
    hub.emulator.inject_fault(storm)
    assert await worker.drain() == 0
    tried = sum(job.attempts for job in worker.pending())
    assert 1 <= tried <= IN_FLIGHT
    hub.clock.advance(121)
    assert await worker.drain() == 0
    assert sum(job.attempts for job in worker.pending()) == tried + 1, "one request per wait, not a batch"
    status = worker.status()
    assert (status.waiting, "limiting" in status.problem) == (8, True)
    hub.emulator.api.faults.remove(storm)
    hub.clock.advance(121)
    assert await worker.drain() == 8
    assert hub.logged() == dict.fromkeys([*keys, "3100:101"], 1)


async def test_updates_of_one_call_log_reach_it_one_after_the_other_in_the_order_written(hub: Hub) -> None:
    [key] = hub.end_calls(1)
    worker = hub.worker()
    assert await worker.drain() == 1
    hub.emulator.api.most_serving = 0
    for text in ("first note", "second note", "third note"):
        assert hub.logger.annotate("3001", "101", CallNote(text))
    assert await worker.drain() == 3
    assert hub.emulator.api.most_serving == 1, "a second update never overtakes the first"
    [call] = hub.emulator.call_engagements()
    assert call["properties"]["hs_call_external_id"] == key
    assert call["properties"]["hs_call_body"].endswith("third note")


async def test_a_delivery_does_not_wait_behind_a_burst_of_lookups(hub: Hub) -> None:
    lookup = Lookup(hub.connector, LookupPolicy())
    numbers = [f"+1415555{n:04d}" for n in range(240)]  # unknown: each searches contacts, then companies
    lookups = [asyncio.create_task(lookup.find(number)) for number in numbers]
    await asyncio.sleep(0)
    [key] = hub.end_calls(1)
    assert await hub.worker().drain() == 1
    answered = [x.path for x in hub.emulator.traffic]
    searches_first = sum(1 for path in answered[: answered.index(CALLS)] if path.endswith("/search"))
    matches = await asyncio.gather(*lookups)
    assert all(not match.error and not match.known for match in matches)
    # Queued behind the burst for one of the pool's 100 connections, the log follows hundreds of the 480
    # searches; beside the lookups' own limit only those in flight (up to 80) and, on a loaded machine, a
    # few that finish meanwhile.
    assert searches_first < 3 * SEARCHES_AT_ONCE, f"the call log waited for {searches_first} searches"
    assert hub.logged() == {key: 1}


async def test_a_sender_frozen_past_its_lease_writes_nothing_another_worker_claimed(hub: Hub) -> None:
    """SIGSTOP between claim and send: on waking, the logs another worker sent meanwhile are not sent again."""
    awake = asyncio.Event()
    awake.set()

    async def frozen(job: Job) -> CallLog:
        await awake.wait()
        return job.log

    sleeper = OutboxWorker(hub.store, hub.connector, clock=hub.clock, prepare=frozen)
    first = hub.end_calls(1, first=3100)
    assert await sleeper.drain() == 1  # the lane opens to its full width
    awake.clear()
    keys = hub.end_calls(IN_FLIGHT)
    sending = asyncio.create_task(sleeper.drain())
    for _ in range(200):  # until the sleeper holds all of them
        if all(job.attempts == 1 for job in sleeper.pending()):
            break
        await asyncio.sleep(0.01)
    assert [job.attempts for job in sleeper.pending()] == [1] * IN_FLIGHT
    hub.clock.advance(61)  # its leases run out while it is stopped
    assert await hub.worker().drain() == IN_FLIGHT
    awake.set()  # SIGCONT
    assert await sending == 0
    assert hub.logged() == dict.fromkeys([*first, *keys], 1)
    assert hub.stored_ids() == hub.crm_ids()


async def test_a_call_log_that_fails_unexpectedly_backs_off_alone_and_the_others_go_out(hub: Hub) -> None:
    """A job the app cannot even read (its row written damaged) fails with no CRM answer to go by: the
    logs after it are delivered meanwhile, and it is parked with a sentence after `FAILURES` tries."""
    poison, *others = hub.end_calls(6)
    with hub.store.transaction() as db:
        db.execute("UPDATE outbox SET payload = ? WHERE idempotency_key = ?", ('{"log": {}}', poison))
    worker = hub.worker()
    assert await worker.drain() == len(others)
    assert hub.logged() == dict.fromkeys(others, 1)
    for _ in range(FAILURES * 2):
        hub.clock.advance(1000)
        await worker.drain()
    [parked] = worker.pending()
    assert (parked.key, parked.parked, parked.attempts) == (poison, True, FAILURES)
    assert "failed on this call log or recording 5 times" in parked.last_error
    assert "KeyError" not in parked.last_error and "KeyError" not in worker.status().problem
    assert worker.status().problem.startswith("1 call log(s) could not be delivered and were set aside")
    more = hub.end_calls(2, first=4001)
    assert await worker.drain() == 2 and hub.logged() == dict.fromkeys([*others, *more], 1)
    with hub.store.transaction() as db:  # a note's update of a delivered log, damaged too
        enqueue(db, "note", JobKind.UPDATE, {"log": {}}, call_id="x", now=hub.clock(), after=others[0])
    for _ in range(FAILURES * 2):
        hub.clock.advance(1000)
        await worker.drain()
    assert worker.status().problem == (
        "1 call log(s) and 1 recording upload(s) or call log update(s) could not be delivered and were set"
        " aside; the call history and the app's log file say why."
    ), "the history lists call logs only: what else was set aside is counted apart"


async def test_retry_now_leaves_a_delivery_in_flight_alone(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    """The user re-authorises (or a demo hurries the outbox) while a log is being sent: that send goes on
    and is the only one; made due again, it was abandoned as a lost lease and sent by a second attempt."""
    gate = asyncio.Event()
    prepared: list[str] = []

    async def held(job: Job) -> CallLog:
        prepared.append(job.key)
        await gate.wait()
        return job.log

    worker = OutboxWorker(hub.store, hub.connector, clock=hub.clock, prepare=held)
    [key] = hub.end_calls(1)
    sending = asyncio.create_task(worker.drain())
    for _ in range(200):
        if prepared:
            break
        await asyncio.sleep(0.01)
    worker.retry_now()
    gate.set()
    assert await sending == 1
    assert prepared == [key], "one attempt"
    assert "not sent" not in caplog.text
    assert hub.logged() == {key: 1}
