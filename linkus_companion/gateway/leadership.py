"""Leader election between gateway replicas: a PostgreSQL advisory lock on a dedicated connection, and a fencing epoch."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import socket
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import psycopg

from linkus_companion.gateway.config import LEASE
from linkus_companion.redaction import redact
from linkus_companion.store_postgres import CONNECT_TIMEOUT

log = logging.getLogger(__name__)
_T = TypeVar("_T")

LEADER_LOCK = 0x4C43_4C44
"""The advisory lock whose holder is the site's leader (one site per database)."""

_HOLDER = (
    "SELECT l.pid, extract(epoch FROM clock_timestamp() - a.state_change) FROM pg_locks l"
    " JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid = 0 AND l.objid = %s AND l.objsubid = 1 AND a.state = 'idle'"
)
"""The leader's lock session while idle, and for how long it has been (the leader checks in every poll)."""


class Leadership:
    """Wins the lock (then bumps the epoch), and notices within one poll when it is gone.

    A standby waits on the lock itself, so a leader killed with SIGKILL (its session ends with its
    process) is replaced at once. A leader frozen, cut off or on a dead machine keeps its session
    until PostgreSQL's TCP keep-alive gives up (hours by default); it checks in every poll, so a
    standby that sees its session idle for `lease` seconds ends it (`pg_terminate_backend`) and
    takes over, and the leader itself steps down when it cannot check in for `lease / 2`.
    Fail-over is thus bounded by `lease` + one poll (plus the new leader's PBX sign-in).
    """

    def __init__(
        self,
        url: str,
        password: str | None = None,
        *,
        holder: str = "",
        poll: float | None = None,
        lease: float = LEASE,
    ) -> None:
        if lease <= 0:
            raise ValueError("the leader lease must be a positive number of seconds")
        self.url = url
        self.password = password
        self.holder = holder or f"{socket.gethostname()}:{id(self):x}"
        self.lease = lease
        self._poll = poll if poll is not None else min(1.0, lease / 5)
        self._lock: psycopg.AsyncConnection[Any] | None = None
        self._checking_in: asyncio.Task[None] | None = None
        """On the own loop, like every use of `_lock`."""
        self._ended: asyncio.Event | None = None
        """On the caller's loop: set when the check-ins end (the lead is lost or given up)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.epoch: int | None = None

    async def acquire(self) -> int:
        """Wait until this replica holds the lock; the new fencing epoch (every earlier one is void).

        From then on the leader checks in every poll, on a thread of its own: a busy or blocked event
        loop (a long CDR backfill, sync store calls) does not make it miss its lease.
        """
        ended = self._ended = asyncio.Event()
        caller = asyncio.get_running_loop()

        def on_lost() -> None:
            with contextlib.suppress(RuntimeError):  # the caller's loop has already closed
                caller.call_soon_threadsafe(ended.set)

        return await self._on_own_loop(self._acquire(on_lost))

    async def lost(self) -> None:
        """Return once the lock is no longer this replica's: its connection broke, a newer epoch exists,
        or the database did not answer for half the lease (a standby may be taking over)."""
        if self._ended is not None:
            await self._ended.wait()  # also when `release()` stopped the check-ins

    async def release(self) -> None:
        """Give the lock up (closing the connection releases it)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        await self._on_own_loop(self._close_lock())
        self._loop = self._thread = None
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join)
        loop.close()

    async def _on_own_loop(self, work: Coroutine[Any, Any, _T]) -> _T:
        """Run `work` on this leadership's own event loop (its thread starts on first use)."""
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="leader-lock", daemon=True)
            self._thread.start()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def _acquire(self, on_lost: Callable[[], None]) -> int:
        while True:
            with contextlib.suppress(psycopg.OperationalError):
                if self._lock is None or self._lock.closed or self._lock.broken:
                    await self._close_lock()
                    self._lock = await self._connect()
                if await self._wait_for_lock():
                    self.epoch = await self._bump()
                    log.info("leader of the site (epoch %d) as %s", self.epoch, self.holder)
                    self._checking_in = asyncio.create_task(self._check_in())
                    self._checking_in.add_done_callback(lambda _task: on_lost())
                    return self.epoch
                await self._end_unheard_leader()
                continue
            await asyncio.sleep(self._poll)

    async def _check_in(self) -> None:
        """Every poll, read the epoch on the lock's session (what a standby watches); return when lost."""
        while True:
            await asyncio.sleep(self._poll)
            try:
                assert self._lock is not None
                # not wait_for: on 3.11 it can swallow the cancel of release() (which then waited forever)
                async with asyncio.timeout(self.lease / 2):
                    cursor = await self._lock.execute("SELECT epoch FROM leader WHERE id = 1")
                    row = await cursor.fetchone()
            except psycopg.OperationalError:
                log.warning("lost the leadership (epoch %s): the lock's connection broke", self.epoch)
                return
            except TimeoutError:
                log.warning(
                    "stepping down (epoch %s): the database did not answer for %.1f s",
                    self.epoch,
                    self.lease / 2,
                )
                return
            if row is None or int(row[0]) != self.epoch:
                log.warning("lost the leadership (epoch %s): another replica leads now", self.epoch)
                return

    async def _wait_for_lock(self) -> bool:
        """Wait up to one poll for the lock (granted the moment its holder's session ends)."""
        assert self._lock is not None
        try:
            await self._lock.execute(
                "SELECT set_config('lock_timeout', %s, false)", (f"{max(1, int(self._poll * 1000))}ms",)
            )
            await self._lock.execute("SELECT pg_advisory_lock(%s)", (LEADER_LOCK,))
        except psycopg.errors.LockNotAvailable:
            return False
        return True

    async def _end_unheard_leader(self) -> None:
        """End the leader's lock session when it has not checked in for `lease` seconds."""
        assert self._lock is not None
        row = await (await self._lock.execute(_HOLDER, (LEADER_LOCK,))).fetchone()
        if row is not None and float(row[1]) > self.lease:
            log.warning(
                "the leader has not checked in for %.1f s (lease %.1f s): ending its session to take over",
                float(row[1]),
                self.lease,
            )
            await self._lock.execute("SELECT pg_terminate_backend(%s)", (int(row[0]),))

    async def _close_lock(self) -> None:
        if self._checking_in is not None:
            self._checking_in.cancel()
            await asyncio.gather(self._checking_in, return_exceptions=True)
            self._checking_in = None
        if self._lock is not None:
            await self._lock.close()
            self._lock = None

    async def _bump(self) -> int:
        assert self._lock is not None
        now = dt.datetime.now(dt.UTC).isoformat()
        cursor = await self._lock.execute(
            "INSERT INTO leader (id, epoch, holder, since) VALUES (1, 1, %s, %s) ON CONFLICT (id) DO UPDATE"
            " SET epoch = leader.epoch + 1, holder = excluded.holder, since = excluded.since RETURNING epoch",
            (self.holder, now),
        )
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        try:
            return await psycopg.AsyncConnection.connect(
                self.url,
                password=self.password,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT,
                application_name="linkus-companion leader lock",
                keepalives=1,
                keepalives_idle=5,
                keepalives_interval=2,
                keepalives_count=3,
            )
        except psycopg.OperationalError:
            log.warning("cannot reach the database %s for the leader lock; retrying", redact(self.url))
            raise
