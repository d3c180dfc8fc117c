"""Retention: closed calls, delivered call logs and dead recording links older than the configured days leave
the store."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from linkus_companion.store import Store

log = logging.getLogger(__name__)

PRUNE_EVERY = 6 * 3600.0
"""Seconds between two prunes of a long-running app or gateway (the first runs at start)."""


@dataclass(frozen=True)
class Pruned:
    """How many rows one prune removed."""

    calls: int
    logs: int
    links: int


def prune(store: Store, days: int, now: dt.datetime | None = None) -> Pruned:
    """Delete closed calls and delivered outbox rows older than `days`, and recording links that expired
    or were revoked more than `days` ago.

    Kept whatever their age: calls still open, call logs not delivered (or parked), a delivered log
    that an undelivered one still rewrites, the newest closed call (the PBX backfill after a
    restart starts from it), and links that still play (a CRM call log points at them).
    """
    cutoff = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)).astimezone(dt.UTC)
    shown = cutoff.isoformat(timespec="microseconds")
    with store.transaction() as db:
        calls = db.execute(
            "DELETE FROM calls WHERE closed_at IS NOT NULL AND closed_at < ?"
            " AND closed_at < (SELECT MAX(newest.closed_at) FROM calls AS newest)",
            (shown,),
        ).rowcount
        logs = db.execute(
            "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ? AND idempotency_key NOT IN"
            " (SELECT after_key FROM outbox WHERE after_key IS NOT NULL AND delivered_at IS NULL)",
            (shown,),
        ).rowcount
        links = db.execute(
            "DELETE FROM recording_links WHERE expires_at < ? OR revoked_at < ?",
            (cutoff.isoformat(), cutoff.isoformat()),
        ).rowcount
    return Pruned(calls, logs, links)


async def keep_pruning(
    store: Store, days: int, every: float = PRUNE_EVERY, clock: Callable[[], dt.datetime] | None = None
) -> None:
    """Prune now and then every `every` seconds, until cancelled; a failing prune is logged and retried."""
    while True:
        try:
            done = await asyncio.to_thread(prune, store, days, clock() if clock else None)
        except Exception:
            log.exception("could not prune the store; trying again later")
        else:
            if done.calls or done.logs or done.links:
                log.info(
                    "pruned %d closed calls, %d delivered call logs and %d dead recording links older than %d days",
                    done.calls,
                    done.logs,
                    done.links,
                    days,
                )
        await asyncio.sleep(every)
