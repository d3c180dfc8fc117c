"""Store retention: old closed calls and delivered call logs leave the store, nothing still needed does,
and the SQLite file stays bounded over 100,000 calls."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from linkus_companion.engine.policies import Policies
from linkus_companion.engine.retention import prune
from linkus_companion.store import Db, Store

NOW = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)
PAYLOAD = json.dumps({"subject": "Inbound call from +1 555 0100", "description": "x" * 400})


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _call(
    db: Db, call_id: str, closed: dt.datetime | None, delivered: dt.datetime | None, after: str = ""
) -> None:
    db.execute(
        "INSERT INTO calls (call_id, extension, state, closed_at) VALUES (?, '1001', 'logged', ?)",
        (call_id, closed and closed.isoformat()),
    )
    db.execute(
        "INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, created_at, call_id, delivered_at,"
        " after_key) VALUES (?, 'call_log', ?, ?, ?, ?, ?, ?)",
        (
            f"log:{call_id}",
            PAYLOAD,
            _stamp(NOW),
            _stamp(NOW),
            call_id,
            delivered and _stamp(delivered),
            after or None,
        ),
    )


def _left(store: Store) -> tuple[set[str], set[str]]:
    with store.transaction() as db:
        calls = {row[0] for row in db.execute("SELECT call_id FROM calls")}
        logs = {row[0] for row in db.execute("SELECT call_id FROM outbox")}
    return calls, logs


def test_old_closed_calls_and_delivered_logs_go_and_what_is_still_needed_stays(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store.db")
    old, recent = NOW - dt.timedelta(days=120), NOW - dt.timedelta(days=10)
    with store.transaction() as db:
        _call(db, "old", old, old)
        _call(db, "old-open", None, None)  # a call never closed (app killed mid-call): kept for recovery
        _call(db, "old-undelivered", old, None)
        _call(db, "rewritten", old, old)
        _call(db, "rewriter", recent, None, after="log:rewritten")  # a late recording link still to apply
        _call(db, "recent", recent, recent)
    done = prune(store, 90, NOW)
    assert (done.calls, done.logs) == (3, 1)
    calls, logs = _left(store)
    assert calls == {"old-open", "rewriter", "recent"}
    assert logs == {"old-open", "old-undelivered", "rewritten", "rewriter", "recent"}
    store.close()


def test_links_expired_or_revoked_long_ago_go_and_links_that_still_play_stay(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store.db")
    old, recent = NOW - dt.timedelta(days=120), NOW - dt.timedelta(days=10)
    links = {  # link id -> (expires_at, revoked_at)
        "expired-long-ago": (old, None),
        "revoked-long-ago": (None, old),
        "expired-lately": (recent, None),
        "never-expires": (None, None),  # a CRM call log still plays it, however old
        "expires-later": (NOW + dt.timedelta(days=30), None),
    }
    with store.transaction() as db:
        for link_id, (expires, revoked) in links.items():
            db.execute(
                "INSERT INTO recording_links (link_id, call_id, file, created_at, expires_at, revoked_at)"
                " VALUES (?, ?, 'r.wav', ?, ?, ?)",
                (
                    link_id,
                    link_id,
                    old.isoformat(),
                    expires and expires.isoformat(),
                    revoked and revoked.isoformat(),
                ),
            )
    assert prune(store, 90, NOW).links == 2
    with store.transaction() as db:
        kept = {row[0] for row in db.execute("SELECT link_id FROM recording_links")}
    assert kept == {"expired-lately", "never-expires", "expires-later"}
    store.close()


def test_the_newest_closed_call_stays_for_the_backfill_after_a_long_pause(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store.db")
    with store.transaction() as db:
        for age in (300, 200):
            moment = NOW - dt.timedelta(days=age)
            _call(db, f"day-{age}", moment, moment)
    prune(store, 90, NOW)
    assert _left(store)[0] == {"day-200"}
    store.close()


def test_the_file_stays_bounded_over_100000_calls(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = Store.open(path)
    per_day, sizes = 500, {}
    for day in range(200):  # 100,000 calls, one prune a day as the running app does
        moment = NOW + dt.timedelta(days=day)
        with store.transaction() as db:
            for n in range(per_day):
                _call(db, f"{day}.{n}", moment - dt.timedelta(hours=1), moment - dt.timedelta(hours=1))
        prune(store, 90, moment)
        sizes[day] = path.stat().st_size
    calls, logs = _left(store)
    assert len(calls) == len(logs) == 90 * per_day  # the last 90 days
    assert sizes[199] <= sizes[100] * 1.1, sizes  # freed pages are reused: no growth once pruning runs
    store.close()


def test_retention_is_a_setting_with_a_90_day_default() -> None:
    assert Policies().retention_days == 90
