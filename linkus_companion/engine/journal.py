"""Calls in progress, saved as they change, so a restarted app finishes them from the CDR instead of dropping them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from linkus_companion.engine.core import Resolution
from linkus_companion.model import Direction, Outcome, Record
from linkus_companion.pacing import Coalesced
from linkus_companion.pbx.calls import Call, Party, Phase
from linkus_companion.store import Db, Store, StoreError

log = logging.getLogger(__name__)

WATCHED_KEY = "pbx_events_watched_until"
MAX_OPEN = dt.timedelta(hours=4)
"""A saved call not heard of for this long is dropped with a warning (the tracker forgets such calls too)."""


class CallJournal:
    """Remembers each call in progress (an engine listener); the call's closing forgets it (`forget`)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._pending: dict[str, Call] = {}
        self._flush_soon = Coalesced(self.flush)

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        """Save the call as it stands now, until its logs are queued (`forget`); an ended call too, as
        its logs wait for the CRM lookup. Written once the event loop is free (`flush`): the desktops hear
        of the change first, and the changes of one turn of the loop are one transaction."""
        self._pending[call.call_id] = call
        self._flush_soon()

    def flush(self) -> None:
        """Write the calls changed since the last flush."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            with self._store.transaction() as db:
                for call in pending.values():
                    db.execute(
                        "INSERT INTO open_calls (call_id, snapshot, updated_at) SELECT ?, ?, ?"
                        " WHERE NOT EXISTS (SELECT 1 FROM calls WHERE call_id = ? AND closed_at IS NOT NULL)"
                        " ON CONFLICT (call_id) DO UPDATE SET snapshot = excluded.snapshot,"
                        " updated_at = excluded.updated_at",
                        (call.call_id, json.dumps(encode_call(call)), _now(), call.call_id),
                    )
        except StoreError as exc:
            log.warning("could not save %d calls in progress: %s", len(pending), exc)

    def on_pop(self, request: object) -> None:
        """Pops are not journalled."""

    def open_calls(self) -> list[Call]:
        """Calls saved in progress and not closed since, oldest first.

        A saved call the store has closed (logged, or found to need no log, by this or an earlier
        run) is forgotten; one not heard of for `MAX_OPEN` is dropped with a warning.
        """
        self.flush()
        with self._store.transaction() as db:
            db.execute(
                "DELETE FROM open_calls WHERE call_id IN"
                " (SELECT call_id FROM calls WHERE closed_at IS NOT NULL)"
            )
            stale = db.execute(
                "SELECT call_id FROM open_calls WHERE updated_at < ?", (_now(-MAX_OPEN),)
            ).fetchall()
            db.execute("DELETE FROM open_calls WHERE updated_at < ?", (_now(-MAX_OPEN),))
            rows = db.execute("SELECT snapshot FROM open_calls ORDER BY updated_at").fetchall()
        for (call_id,) in stale:
            log.warning("dropped call %s: saved in progress but not heard of for %s", call_id, MAX_OPEN)
        calls = []
        for (snapshot,) in rows:
            try:
                calls.append(decode_call(json.loads(snapshot)))
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("skipped an unreadable saved call: %s", exc)
        return calls

    def watched(self, until: dt.datetime) -> None:
        """Every PBX event up to `until` has been taken in: a restart backfills from there."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (WATCHED_KEY, until.astimezone(dt.UTC).isoformat()),
            )

    def gap_start(self, open_calls: Iterable[Call]) -> dt.datetime | None:
        """Where the CDR backfill starts after a restart: the last moment every event was taken in
        (before that store knew it: the newest call closed), or earlier if a saved call ended before
        it with its logs not yet queued. A call still in progress ends after that moment, so it does
        not hold the window back; only with neither mark does the oldest saved call's start count."""
        calls = list(open_calls)
        with self._store.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (WATCHED_KEY,)).fetchone()
            if row is None:
                row = db.execute("SELECT MAX(closed_at) FROM calls").fetchone()
        if not (row and row[0]):
            return min((call.started_at for call in calls), default=None)
        ended = [call.ended_at for call in calls if call.ended_at is not None]
        return min([dt.datetime.fromisoformat(row[0]), *ended])


def forget(db: Db, call_id: str) -> None:
    """Drop a saved call inside the transaction that closes it."""
    db.execute("DELETE FROM open_calls WHERE call_id = ?", (call_id,))


def encode_call(call: Call) -> dict[str, Any]:
    """`call` as JSON-ready data."""
    data = dataclasses.asdict(call)
    data["rang"] = sorted(call.rang)
    data["consulted"] = sorted(call.consulted)
    for key in ("started_at", "answered_at", "ended_at"):
        value = getattr(call, key)
        data[key] = value.isoformat() if value else None
    data["pbx_times"] = [t.isoformat() for t in call.pbx_times] if call.pbx_times else None
    return data


def decode_call(data: Mapping[str, Any]) -> Call:
    """The Call `encode_call` wrote."""

    def when(key: str) -> dt.datetime | None:
        value = data.get(key)
        return dt.datetime.fromisoformat(value) if value else None

    started = when("started_at")
    if started is None:
        raise ValueError("a saved call without its start")
    return Call(
        **{
            **data,
            "direction": Direction(data["direction"]),
            "phase": Phase(data["phase"]),
            "caller": Party(**data["caller"]),
            "callee": Party(**data["callee"]),
            "extensions": tuple(data["extensions"]),
            "rang": frozenset(data["rang"]),
            "consulted": frozenset(data.get("consulted", ())),
            "talked": tuple(data["talked"]),
            "started_at": started,
            "answered_at": when("answered_at"),
            "ended_at": when("ended_at"),
            "outcome": Outcome(data["outcome"]) if data.get("outcome") else None,
            "pbx_times": _span(data.get("pbx_times")),
        }
    )


def _span(value: object) -> tuple[dt.datetime, dt.datetime] | None:
    """The PBX's start and end of a saved call (none in a snapshot an older version wrote)."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    start, end = (dt.datetime.fromisoformat(str(v)) for v in value)
    return start, end


def _now(offset: dt.timedelta = dt.timedelta()) -> str:
    return (dt.datetime.now(dt.UTC) + offset).isoformat(timespec="microseconds")
