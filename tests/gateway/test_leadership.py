"""Leader election on a real PostgreSQL: one leader, hand-over within a poll after SIGKILL, fenced ex-leaders."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from linkus_companion.crm.base import CallLog
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.outbox import Job, OutboxWorker
from linkus_companion.gateway.leadership import Leadership
from linkus_companion.phone import parse
from linkus_companion.store import Store
from tests.crm.conftest import open_harness
from tests.engine.test_call_log import CUSTOMER, UTC_POLICY, Clock, bound_owners, inbound

POLL = 0.1
_HOLDER = """
import asyncio, sys
from linkus_companion.gateway.leadership import Leadership
from linkus_companion.store import Store
async def main():
    leadership = Leadership(sys.argv[1], holder="child", poll=0.1, lease=float(sys.argv[2]))
    epoch = await leadership.acquire()
    store, claim = Store.open(sys.argv[1]), None
    if sys.argv[3] == "mid-claim":  # as an outbox claim: the leader row held FOR SHARE, then frozen
        claim = store.transaction()
        claim.__enter__().execute("SELECT epoch FROM leader WHERE id = 1 FOR SHARE")
    print(epoch, flush=True)
    await asyncio.wait_for(leadership.lost(), 60)
    print("lost", flush=True)
asyncio.run(main())
"""


async def _leader_in_a_child(url: str, *, lease: float, mid_claim: bool = False) -> subprocess.Popen[str]:
    """A process that won the first term (with `lease`) and prints `lost` when it loses it;
    `mid_claim`: it keeps a store transaction open on the leader row, as a claim does."""
    Store.open(url).close()
    child = subprocess.Popen(  # noqa: ASYNC220
        [sys.executable, "-c", _HOLDER, url, str(lease), "mid-claim" if mid_claim else "-"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert child.stdout is not None
    assert (await asyncio.to_thread(child.stdout.readline)).strip() == "1"
    return child


async def test_one_leader_at_a_time_and_each_term_has_a_higher_epoch(postgres_url: str) -> None:
    Store.open(postgres_url).close()
    first, second = Leadership(postgres_url, poll=POLL), Leadership(postgres_url, poll=POLL)
    assert await first.acquire() == 1
    waiting = asyncio.ensure_future(second.acquire())
    await asyncio.sleep(5 * POLL)
    assert not waiting.done(), "the lock is held: no second leader"
    losing = asyncio.ensure_future(first.lost())
    await first.release()
    assert await asyncio.wait_for(waiting, 2) == 2
    await asyncio.wait_for(losing, 2)
    await second.release()


async def test_a_killed_leaders_lock_passes_to_the_standby_within_a_second(postgres_url: str) -> None:
    child = await _leader_in_a_child(postgres_url, lease=5)
    standby = Leadership(postgres_url, poll=POLL)
    waiting = asyncio.ensure_future(standby.acquire())
    await asyncio.sleep(3 * POLL)
    assert not waiting.done()
    killed = time.monotonic()
    os.kill(child.pid, signal.SIGKILL)
    assert await asyncio.wait_for(waiting, 5) == 2
    assert time.monotonic() - killed < 1.0
    child.wait()
    assert child.stdout is not None
    child.stdout.close()
    await standby.release()


async def test_a_frozen_leader_is_replaced_after_its_lease_and_steps_down_when_it_wakes(
    postgres_url: str,
) -> None:
    """SIGSTOP keeps the leader's TCP session open (the kernel still answers keep-alives): the lease ends it,
    and PostgreSQL ends the transaction it froze in (its row lock would hold up the epoch's bump)."""
    child = await _leader_in_a_child(postgres_url, lease=1.0, mid_claim=True)
    standby = Leadership(postgres_url, poll=POLL, lease=1.0)
    waiting = asyncio.ensure_future(standby.acquire())
    await asyncio.sleep(1.5)
    assert not waiting.done(), "a leader that checks in keeps the lock past its lease"
    os.kill(child.pid, signal.SIGSTOP)
    frozen = time.monotonic()
    assert await asyncio.wait_for(waiting, 15) == 2
    assert time.monotonic() - frozen >= 1.0 - 0.1, (
        "taken over only once the lease (from its last check-in) ran out"
    )
    os.kill(child.pid, signal.SIGCONT)
    assert (await asyncio.to_thread(child.stdout.readline)).strip() == "lost", (
        "the woken ex-leader stepped down"
    )
    child.wait()
    assert child.stdout is not None
    child.stdout.close()
    await standby.release()


async def test_a_leader_whose_event_loop_is_blocked_still_checks_in(postgres_url: str) -> None:
    """The check-ins run on a thread: a long sync stretch in the gateway's loop (a CDR backfill) is no freeze."""
    Store.open(postgres_url).close()
    leader, standby = (
        Leadership(postgres_url, poll=POLL, lease=1.0),
        Leadership(postgres_url, poll=POLL, lease=1.0),
    )
    assert await leader.acquire() == 1
    waiting = asyncio.ensure_future(
        asyncio.to_thread(asyncio.run, standby.acquire())
    )  # another process's loop
    await asyncio.sleep(0.2)
    time.sleep(2.0)  # noqa: ASYNC251 - the point: this loop is blocked for twice the lease
    await asyncio.sleep(0.2)
    assert not waiting.done(), "the standby saw the leader check in all along"
    await leader.release()
    assert await asyncio.wait_for(waiting, 5) == 2
    await standby.release()


async def test_an_ex_leader_claims_no_call_log_once_a_newer_epoch_leads(
    postgres_url: str, tmp_path: Path
) -> None:
    async with open_harness("hubspot", tmp_path) as harness:
        contact = await harness.seed_contact(CUSTOMER, "Carla", "Customer")
        record = next(r for r in await harness.connector.search_by_phone(parse(CUSTOMER)) if r.id == contact)
        owners = bound_owners(sorted(await harness.connector.list_users(), key=lambda u: u.id))
        old_store, new_store = Store.open(postgres_url), Store.open(postgres_url)
        clock = Clock()
        old_term, new_term = Leadership(postgres_url, poll=POLL), Leadership(postgres_url, poll=POLL)
        ex_leader = OutboxWorker(old_store, harness.connector, clock=clock, epoch=await old_term.acquire())
        await old_term.release()  # e.g. paused past its connection's keep-alive
        leader = OutboxWorker(new_store, harness.connector, clock=clock, epoch=await new_term.acquire())
        logger = CallLogger(new_store, UTC_POLICY, owners, clock=clock)
        for n in range(3):
            logger.call_ended(inbound(f"fenced-{n}", rang=("101",), talked=("101",)), record)
        assert await ex_leader.drain() == 0
        assert harness.call_logs() == []
        assert await leader.drain() == 3
        with new_store.transaction() as db:
            epochs = {row[0] for row in db.execute("SELECT claim_epoch FROM outbox")}
        assert epochs == {2}
        await new_term.release()
        old_store.close()
        new_store.close()


def test_the_lock_connection_is_a_plain_postgresql_session(postgres_url: str) -> None:
    """The lock is PostgreSQL's own: an admin can see who leads in pg_locks."""

    async def lead() -> None:
        leadership = Leadership(postgres_url, holder="replica-a", poll=POLL)
        await leadership.acquire()
        with psycopg.connect(postgres_url) as admin:
            holders = admin.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE l.locktype = 'advisory' AND l.granted"
            ).fetchall()
        assert holders == [("linkus-companion leader lock",)]
        await leadership.release()

    Store.open(postgres_url).close()
    asyncio.run(lead())


pytestmark = pytest.mark.timeout(60)


async def test_a_leader_frozen_mid_send_writes_nothing_once_a_newer_epoch_leads(
    postgres_url: str, tmp_path: Path
) -> None:
    """Claimed under epoch 1, stopped, woken after the hand-over: the log goes out once, by the new leader."""
    async with open_harness("hubspot", tmp_path) as harness:
        owners = bound_owners(sorted(await harness.connector.list_users(), key=lambda u: u.id))
        old_store, new_store = Store.open(postgres_url), Store.open(postgres_url)
        clock, awake = Clock(), asyncio.Event()

        async def frozen(job: Job) -> CallLog:
            await awake.wait()
            return job.log

        old_term, new_term = Leadership(postgres_url, poll=POLL), Leadership(postgres_url, poll=POLL)
        ex_leader = OutboxWorker(
            old_store, harness.connector, clock=clock, epoch=await old_term.acquire(), prepare=frozen
        )
        CallLogger(old_store, UTC_POLICY, owners, clock=clock).call_ended(
            inbound("frozen-1", rang=("101",), talked=("101",)), None
        )
        sending = asyncio.create_task(ex_leader.drain())
        for _ in range(200):  # until it holds the job
            if ex_leader.pending()[0].attempts:
                break
            await asyncio.sleep(0.01)
        await old_term.release()  # its session is ended while it is stopped
        leader = OutboxWorker(new_store, harness.connector, clock=clock, epoch=await new_term.acquire())
        awake.set()  # woken within its lease
        assert await sending == 0
        assert harness.call_logs() == []
        clock.advance(61)
        assert await leader.drain() == 1
        assert len(harness.call_logs()) == 1
        await new_term.release()
        old_store.close()
        new_store.close()
