"""CallHistory on a SQLite store: newest first, search by name or number, and the call log's state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from linkus_companion.engine.history import CallHistory, Delivery, HistoryEntry
from linkus_companion.engine.outbox import NOT_TAKEN, JobKind, enqueue
from linkus_companion.model import Direction, Outcome, Record, RecordKind
from linkus_companion.store import Store
from linkus_companion.texts import Text, stored

NOW = dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC)
ADA = Record("1", RecordKind.CONTACT, "contacts", "Ada 100%_Lovelace", "https://crm.example/1")


def entry(call_id: str, minutes_ago: float, number: str, record: Record | None = None) -> HistoryEntry:
    started = NOW - dt.timedelta(minutes=minutes_ago)
    return HistoryEntry(
        call_id,
        "1001",
        Direction.INBOUND,
        Outcome.ANSWERED,
        number,
        record,
        started,
        started + dt.timedelta(seconds=5),
        started + dt.timedelta(seconds=65),
    )


def test_history_reads_back_newest_first_with_search_and_log_state(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "db.sqlite")
    history = CallHistory(store, now=lambda: NOW)
    history.remember(entry("old", 60 * 24 * 100, "+14155550100"))  # dropped: older than 90 days
    history.remember(entry("a", 30, "+14155550101", ADA))
    history.remember(entry("b", 20, "+14155550102"))
    history.remember(entry("c", 10, "+14155550103"))
    history.remember(entry("d", 5, "+14155550104"))
    with store.transaction() as db:
        payload = {"log": {}}
        enqueue(db, "a:1001", JobKind.LOG, payload, call_id="a", now=NOW)
        enqueue(db, "b:1001", JobKind.LOG, payload, call_id="b", now=NOW)
        db.execute("UPDATE outbox SET delivered_at = ? WHERE idempotency_key = 'a:1001'", (NOW.isoformat(),))
        db.execute(
            "UPDATE outbox SET parked_at = ?, last_error = 'HubSpot refused the data' "
            "WHERE idempotency_key = 'b:1001'",
            (NOW.isoformat(),),
        )
        enqueue(db, "d:1001", JobKind.LOG, payload, call_id="d", now=NOW)
        reason = Text("{crm} failed with HTTP {status}; try again later.", crm="HubSpot", status=503)
        db.execute("UPDATE outbox SET last_error = ? WHERE idempotency_key = 'd:1001'", (stored(reason),))
    calls = history.recent("1001", days=120)
    assert [c.call_id for c in calls] == ["d", "c", "b", "a"]
    assert isinstance(calls[0].delivery_error, Text) and calls[0].delivery_error.fields["status"] == 503
    calls = calls[1:]
    assert [c.delivery for c in calls] == [Delivery.NONE, Delivery.FAILED, Delivery.DELIVERED]
    # A row an older version wrote in English reads as a typed, translatable sentence.
    assert calls[1].delivery_error is NOT_TAKEN and calls[2].delivery_error == ""
    assert calls[2].record == ADA and calls[2].talk_seconds == 60
    assert [c.call_id for c in history.recent("1001", text="100%_Love")] == ["a"], "LIKE wildcards are text"
    assert [c.call_id for c in history.recent("1001", text="0102")] == ["b"]
    assert history.recent("1001", text="1%4") == [] and history.recent("1002") == []
    history.link("c", "1001", ADA)
    assert history.record("c", "1001") == ADA
    store.close()
