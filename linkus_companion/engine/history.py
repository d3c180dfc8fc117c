"""The calls of the last days from the local store, with whether each call log reached the CRM."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from linkus_companion.engine.outbox import NOT_TAKEN, JobKind, decode_record, encode_record, iso_time
from linkus_companion.model import Direction, Outcome, Record
from linkus_companion.store import Store
from linkus_companion.texts import restored

KEEP = dt.timedelta(days=90)
"""Older calls are dropped from the history when a new one is remembered."""
LIMIT = 500


class Delivery(StrEnum):
    """Where the call's log stands."""

    DELIVERED = "delivered"
    WAITING = "waiting"
    FAILED = "failed"
    """The CRM refused it (parked): it waits for the user."""
    NONE = "none"
    """No call log was written for this call (logging off, or the CRM integration disabled)."""
    ELSEWHERE = "elsewhere"
    """Another host (the site gateway) logs the call; this one does not know the outcome."""


@dataclass(frozen=True)
class HistoryEntry:
    """One ended call of an extension."""

    call_id: str
    extension: str
    direction: Direction
    outcome: Outcome
    number: str
    """The other party's number."""
    record: Record | None
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime
    delivery: Delivery = Delivery.NONE
    delivery_error: str = ""
    """Why the last attempt to log the call failed ("" when it did not)."""
    lookup_failed: bool = False
    """The CRM could not be asked about the number when the call ended (its log looks it up later)."""

    @property
    def talk_seconds(self) -> int:
        """Seconds from answer to hang-up (0 when unanswered)."""
        return max(0, round((self.ended_at - self.answered_at).total_seconds())) if self.answered_at else 0


class CallHistory:
    """Remembers ended calls per extension and reads them back, newest first, with their log's state."""

    def __init__(
        self, store: Store, *, now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    ) -> None:
        self._store = store
        self._now = now

    def remember(self, entry: HistoryEntry) -> None:
        """Keep (or update) an ended call; calls older than KEEP are dropped."""
        name = entry.record.display_name if entry.record else ""
        record = encode_record(entry.record) if entry.record else ""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO call_history (call_id, extension, direction, outcome, number, name, record,"
                " started_at, answered_at, ended_at, lookup_failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (call_id, extension) DO UPDATE SET outcome = excluded.outcome,"
                " name = excluded.name, record = excluded.record, answered_at = excluded.answered_at,"
                " ended_at = excluded.ended_at, lookup_failed = excluded.lookup_failed",
                (
                    entry.call_id,
                    entry.extension,
                    entry.direction.value,
                    entry.outcome.value,
                    entry.number,
                    name,
                    record,
                    iso_time(entry.started_at),
                    iso_time(entry.answered_at) if entry.answered_at else None,
                    iso_time(entry.ended_at),
                    int(entry.lookup_failed and entry.record is None),
                ),
            )
            db.execute("DELETE FROM call_history WHERE started_at < ?", (iso_time(self._now() - KEEP),))

    def link(self, call_id: str, extension: str, record: Record, *, unlinked_only: bool = False) -> None:
        """The call shows `record` now: the user added the caller to the CRM from the history, or
        (`unlinked_only`: unless the call has a record already) its log found it when delivered."""
        with self._store.transaction() as db:
            db.execute(
                "UPDATE call_history SET name = ?, record = ?, lookup_failed = 0"
                " WHERE call_id = ? AND extension = ? AND (? = 0 OR record = '')",
                (record.display_name, encode_record(record), call_id, extension, int(unlinked_only)),
            )

    def record(self, call_id: str, extension: str) -> Record | None:
        """The record a remembered call was linked to, if any."""
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT record FROM call_history WHERE call_id = ? AND extension = ?", (call_id, extension)
            ).fetchone()
        return decode_record(json.loads(str(row[0]))) if row and row[0] else None

    def recent(self, extension: str, *, days: int = 30, text: str = "") -> list[HistoryEntry]:
        """The extension's calls of the last `days`, newest first; `text` filters by name or number."""
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        since = iso_time(self._now() - dt.timedelta(days=days))
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT h.call_id, h.extension, h.direction, h.outcome, h.number, h.record, h.started_at,"
                " h.answered_at, h.ended_at, h.lookup_failed, o.id, o.delivered_at, o.parked_at, o.last_error"
                " FROM call_history h LEFT JOIN outbox o"
                " ON o.idempotency_key = h.call_id || ':' || h.extension AND o.kind = ?"
                " WHERE h.extension = ? AND h.started_at >= ?"
                " AND (h.number LIKE ? ESCAPE '\\' OR h.name LIKE ? ESCAPE '\\')"
                " ORDER BY h.started_at DESC LIMIT ?",
                (JobKind.LOG.value, extension, since, pattern, pattern, LIMIT),
            ).fetchall()
        return [_entry(row) for row in rows]


def _entry(row: tuple[object, ...]) -> HistoryEntry:
    call_id, extension, direction, outcome, number, record, started, answered, ended, failed = row[:10]
    job, delivered_at, parked_at, last_error = row[10:]
    if job is None:
        delivery = Delivery.NONE
    elif delivered_at:
        delivery = Delivery.DELIVERED
    elif parked_at:
        delivery = Delivery.FAILED
    else:
        delivery = Delivery.WAITING
    return HistoryEntry(
        call_id=str(call_id),
        extension=str(extension),
        direction=Direction(str(direction)),
        outcome=Outcome(str(outcome)),
        number=str(number),
        record=decode_record(json.loads(str(record))) if record else None,
        started_at=dt.datetime.fromisoformat(str(started)),
        answered_at=dt.datetime.fromisoformat(str(answered)) if answered else None,
        ended_at=dt.datetime.fromisoformat(str(ended)),
        delivery=delivery,
        delivery_error="" if delivered_at else restored(str(last_error or ""), NOT_TAKEN),
        lookup_failed=bool(failed),
    )
