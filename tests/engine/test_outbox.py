"""The outbox against each CRM emulator: exactly once across restarts, outages, rate limits, refusals and SIGKILL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import inspect
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from linkus_companion.crm.base import AccessGrant, AuthExpired, CrmUser
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.outbox import OutboxWorker
from linkus_companion.model import Record
from linkus_companion.phone import parse
from linkus_companion.sim.hubspot_api import Fault
from linkus_companion.store import Store
from linkus_companion.texts import Text
from tests.crm.conftest import KINDS, open_harness
from tests.engine.test_call_log import CUSTOMER, UTC_POLICY, Clock, bound_owners, inbound, outbound

ROOT = Path(__file__).parents[2]
FAULTS = ("hubspot", "salesforce", "zoho")
"""Emulators that can answer with injected errors (the Salesforce emulator cannot yet)."""


class Crm:
    """One CRM emulator with its connector, and our store and call logger beside it."""

    def __init__(self, kind: str, harness: Any, store: Store, users: list[CrmUser], record: Record) -> None:
        self.kind = kind
        self.harness = harness
        self.store = store
        self.record = record
        self.owners = bound_owners(users)
        self.clock = Clock()
        self.logger = CallLogger(store, UTC_POLICY, self.owners, clock=self.clock)

    def worker(self, **options: Any) -> OutboxWorker:
        return OutboxWorker(
            self.store, options.pop("connector", self.harness.connector), clock=self.clock, **options
        )

    def end_calls(self, *call_ids: str) -> None:
        for call_id in call_ids:
            self.logger.call_ended(inbound(call_id, rang=("101",), talked=("101",)), self.record)

    async def logged(self) -> Counter[str]:
        """How many call activities the CRM holds per idempotency key."""
        logs = self.harness.call_logs()
        logs = await logs if inspect.isawaitable(logs) else logs
        return Counter(entry["idempotency_key"] for entry in logs)

    async def crm_ids(self) -> dict[str, str]:
        logs = self.harness.call_logs()
        logs = await logs if inspect.isawaitable(logs) else logs
        return {entry["idempotency_key"]: entry["id"] for entry in logs}

    def admin_grant(self) -> AccessGrant:
        emulator = self.harness.emulator
        if self.kind == "hubspot":
            return AccessGrant(emulator.admin_token, emulator.base_url, {"hub_id": str(emulator.hub_id)})
        if self.kind == "salesforce":
            return AccessGrant(emulator.session_for(emulator.admin_user_id), emulator.base_url)
        return AccessGrant(emulator.admin_token, emulator.base_url, {"web_base": emulator.web_url})

    def new_sign_in(self) -> str:
        """An access token from the user signing in again."""
        emulator = self.harness.emulator
        if self.kind == "hubspot":
            return str(emulator.issue_tokens()["access_token"])
        if self.kind == "salesforce":
            return str(emulator.session_for(emulator.admin_user_id))
        return str(emulator.issue_token(emulator.admin).value)

    def fail_next(self, status: int, count: int, retry_after: float) -> None:
        """The next `count` API requests fail with `status` and `Retry-After`."""
        if self.kind == "hubspot":
            self.harness.emulator.inject_fault(Fault(status, retry_after=retry_after, remaining=count))
        elif self.kind == "salesforce":
            code = "REQUEST_LIMIT_EXCEEDED" if status == 429 else "SERVER_UNAVAILABLE"
            self.harness.emulator.fail_next(count, status=status, error_code=code, retry_after=retry_after)
        else:
            code = "TOO_MANY_REQUESTS" if status == 429 else "INTERNAL_ERROR"
            self.harness.emulator.inject(
                status, code, "Injected outage", retry_after=retry_after, count=count
            )

    def faults_left(self) -> int:
        emulator = self.harness.emulator
        if self.kind == "hubspot":
            return sum(fault.remaining for fault in emulator.api.faults)
        if self.kind == "salesforce":
            return int(emulator.pending_failures)
        return len(emulator.guard.faults)


@pytest.fixture(params=KINDS)
async def crm(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Crm]:
    async with open_harness(request.param, tmp_path) as harness:
        contact_id = await harness.seed_contact(CUSTOMER, "Carla", "Customer")
        record = next(
            r for r in await harness.connector.search_by_phone(parse(CUSTOMER)) if r.id == contact_id
        )
        users = sorted(await harness.connector.list_users(), key=lambda u: u.id)
        store = Store.open(tmp_path / "companion.db")
        yield Crm(request.param, harness, store, users, record)
        store.close()


def needs_faults(crm: Crm) -> None:
    if crm.kind not in FAULTS:
        pytest.skip(f"the {crm.kind} emulator cannot inject errors")


class UserGrants:
    """The user's sign-in: once the CRM rejects it, only signing in again helps (refresh fails)."""

    def __init__(self, grant: AccessGrant) -> None:
        self.grant = grant

    async def current(self) -> AccessGrant:
        return self.grant

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        raise AuthExpired("The CRM rejected the sign-in. Connect to the CRM again in Settings.")


async def test_each_call_reaches_the_crm_once_and_a_restarted_worker_sends_nothing_again(
    crm: Crm, tmp_path: Path
) -> None:
    crm.end_calls("2001", "2002")
    crm.logger.call_ended(outbound("2003", "103", answered=False), crm.record)
    assert await crm.worker().drain() == 3
    reopened = Store.open(tmp_path / "companion.db")
    restarted = OutboxWorker(reopened, crm.harness.connector, clock=crm.clock)
    assert await restarted.drain() == 0
    assert dataclasses.astuple(restarted.status()) == (0, 0, 3, "", None)
    reopened.close()
    assert await crm.logged() == {"2001:101": 1, "2002:101": 1, "2003:103": 1}


async def test_calls_ending_during_a_crm_outage_are_delivered_once_afterwards(crm: Crm) -> None:
    needs_faults(crm)
    worker = crm.worker()
    crm.fail_next(503, count=2, retry_after=120)
    crm.end_calls("2011", "2012")
    assert await worker.drain() == 0
    assert [job.attempts for job in worker.pending()] == [1, 0], "one attempt per outage wait, not per call"
    assert "503" in worker.pending()[0].last_error
    assert isinstance(worker.pending()[0].last_error, Text), "stored typed: the history shows it translated"
    assert worker.waiting_logs() == {"101": 2}
    crm.clock.advance(60)
    crm.end_calls("2013")
    assert await worker.drain() == 0
    assert [job.attempts for job in worker.pending()] == [1, 0, 0]
    crm.clock.advance(61)
    assert await worker.drain() == 3
    assert await crm.logged() == {"2011:101": 1, "2012:101": 1, "2013:101": 1}


async def test_a_rate_limit_is_waited_out_as_long_as_the_crm_asks(crm: Crm) -> None:
    needs_faults(crm)
    worker = crm.worker(backoff_base=1.0)
    crm.fail_next(429, count=1, retry_after=90)
    crm.end_calls("2021")
    assert await worker.drain() == 0
    crm.clock.advance(89)
    assert await worker.drain() == 0
    assert worker.pending()[0].attempts == 1
    crm.clock.advance(2)
    assert await worker.drain() == 1
    assert await crm.logged() == {"2021:101": 1}


async def test_a_refused_log_is_parked_with_its_reason_and_later_calls_still_go_through(crm: Crm) -> None:
    deleted = CrmUser("999999999", "gone@example.com", "Deleted User")
    owners = {"104": deleted, "101": crm.owners("101")}
    logger = CallLogger(crm.store, UTC_POLICY, owners.get, clock=crm.clock)
    logger.call_ended(inbound("2031", rang=("104",), talked=("104",)), crm.record)
    crm.end_calls("2032")
    worker = crm.worker()
    assert await worker.drain() == 1
    crm.clock.advance(3600)
    assert await worker.drain() == 0
    [parked] = worker.pending()
    assert (parked.key, parked.parked, parked.attempts) == ("2031:104", True, 1)
    assert "owner" in parked.last_error.lower()
    status = worker.status()
    assert (status.waiting, status.parked, status.delivered) == (0, 1, 1)
    assert "could not be delivered and were set aside" in status.problem
    assert await crm.logged() == {"2032:101": 1}


async def test_logs_wait_for_the_user_to_sign_in_again_after_the_authorisation_expired(crm: Crm) -> None:
    grants = UserGrants(crm.admin_grant())
    worker = crm.worker(connector=crm.harness.connector_for(grants))
    crm.harness.expire_access_token(grants.grant.access_token)
    crm.end_calls("2041", "2042")
    assert await worker.drain() == 0
    assert "Connect to" in worker.status().problem
    assert [job.attempts for job in worker.pending()] == [1, 0]
    grants.grant = dataclasses.replace(grants.grant, access_token=crm.new_sign_in())
    worker.retry_now()
    assert await worker.drain() == 2
    assert dataclasses.astuple(worker.status()) == (0, 0, 2, "", None)
    assert await crm.logged() == {"2041:101": 1, "2042:101": 1}


async def test_the_running_worker_delivers_as_soon_as_it_is_woken(crm: Crm) -> None:
    worker = OutboxWorker(crm.store, crm.harness.connector)
    running = asyncio.create_task(worker.run())
    try:
        crm.logger.call_ended(inbound("2051", rang=("102",), talked=("102",)), crm.record)
        worker.wake()
        async with asyncio.timeout(10):
            while worker.status().delivered < 1:  # noqa: ASYNC110 (the worker runs on its own)
                await asyncio.sleep(0.05)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert await crm.logged() == {"2051:102": 1}


@pytest.mark.parametrize("moment", ["request", "response"], ids=["in-flight", "written"])
async def test_a_worker_killed_with_several_logs_in_flight_leaves_each_call_in_the_crm_once(
    crm: Crm, moment: str, tmp_path: Path
) -> None:
    calls = [str(2061 + n) for n in range(6)]
    logger = CallLogger(crm.store, UTC_POLICY, crm.owners)
    for call_id in calls:
        logger.call_ended(inbound(call_id, rang=("101",), talked=("101",)), crm.record)
    grant = crm.admin_grant()
    ca_file = crm.harness.emulator.ca_file
    spec = {
        "kind": crm.kind,
        "api_base": grant.api_base,
        "token": grant.access_token,
        "extras": dict(grant.extras),
        "ca_file": str(ca_file) if ca_file else "",
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.engine.outbox_child",
        str(crm.store.path),
        moment,
        "3",
        cwd=ROOT,
        env={**os.environ, "OUTBOX_CHILD_CRM": json.dumps(spec)},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        assert await asyncio.wait_for(child.stdout.readline(), 30) == b"FROZEN\n"
    finally:
        child.send_signal(signal.SIGKILL)
        assert await child.wait() == -signal.SIGKILL
    written = await crm.logged()
    assert set(written.values()) == {1}
    assert len(written) >= 3 if moment == "response" else 1 <= len(written) <= 2
    restarted = OutboxWorker(crm.store, crm.harness.connector)
    leased = [job.key for job in restarted.pending() if job.attempts == 1]
    unclaimed = [job.key for job in restarted.pending() if job.attempts == 0]
    assert len(leased) >= 2, "the killed worker had a batch in flight, not one log"
    if moment == "response":
        assert set(leased) & set(written), "a log the CRM wrote whose answer the worker never saw"
    assert await restarted.drain() == len(unclaimed), "the interrupted jobs stay leased for a while"
    after_lease = OutboxWorker(
        crm.store, crm.harness.connector, clock=lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
    )
    assert await after_lease.drain() == len(leased)
    assert await crm.logged() == {f"{call_id}:101": 1 for call_id in calls}
    with crm.store.transaction() as db:
        stored = dict(db.execute("SELECT idempotency_key, crm_id FROM outbox").fetchall())
    assert stored == await crm.crm_ids()
