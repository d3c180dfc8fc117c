"""Leader election between gateway replicas: a PostgreSQL advisory lock on a dedicated connection, and a fencing epoch."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import socket
from typing import Any

import psycopg

from linkus_companion.store_postgres import CONNECT_TIMEOUT, redacted

log = logging.getLogger(__name__)

LEADER_LOCK = 0x4C43_4C44
"""The advisory lock whose holder is the site's leader (one site per database)."""
POLL = 1.0
"""Seconds between lock attempts by a standby, and between checks by the leader that it still holds it."""


class Leadership:
    """Wins the lock (then bumps the epoch), and notices within one poll when it is gone.

    PostgreSQL releases a session's advisory lock when its connection ends, so a leader killed with
    SIGKILL, partitioned or paused past the server's TCP keep-alive loses the lock without help.
    """

    def __init__(
        self, url: str, password: str | None = None, *, holder: str = "", poll: float = POLL
    ) -> None:
        self.url = url
        self.password = password
        self.holder = holder or f"{socket.gethostname()}:{id(self):x}"
        self._poll = poll
        self._lock: psycopg.AsyncConnection[Any] | None = None
        self.epoch: int | None = None

    async def acquire(self) -> int:
        """Wait until this replica holds the lock; the new fencing epoch (every earlier one is void)."""
        while True:
            with contextlib.suppress(psycopg.OperationalError):
                if self._lock is None or self._lock.closed or self._lock.broken:
                    await self.release()
                    self._lock = await self._connect()
                row = await (
                    await self._lock.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK,))
                ).fetchone()
                if row is not None and row[0]:
                    self.epoch = await self._bump()
                    log.info("leader of the site (epoch %d) as %s", self.epoch, self.holder)
                    return self.epoch
            await asyncio.sleep(self._poll)

    async def lost(self) -> None:
        """Return once the lock is no longer this replica's: its connection broke or a newer epoch exists."""
        while True:
            await asyncio.sleep(self._poll)
            try:
                if self._lock is None:
                    raise psycopg.OperationalError("released")
                cursor = await self._lock.execute("SELECT epoch FROM leader WHERE id = 1")
                row = await cursor.fetchone()
            except psycopg.OperationalError:
                log.warning("lost the leadership (epoch %s): the lock's connection broke", self.epoch)
                return
            if row is None or int(row[0]) != self.epoch:
                log.warning("lost the leadership (epoch %s): another replica leads now", self.epoch)
                return

    async def release(self) -> None:
        """Give the lock up (closing the connection releases it)."""
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
            log.warning("cannot reach the database %s for the leader lock; retrying", redacted(self.url))
            raise
