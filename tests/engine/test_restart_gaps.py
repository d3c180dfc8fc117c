"""Restart after restart: the CDR backfill covers only the last gap, and no ended call stays saved as open."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from benchmarks._faults import SHAPES, World, every_phase, world
from linkus_companion.engine.call_log import CallLogger, LogPolicy
from linkus_companion.engine.journal import MAX_OPEN, CallJournal, encode_call
from linkus_companion.model import Direction
from linkus_companion.pbx.calls import Call, Party, Phase
from linkus_companion.store import Store

ROUNDS = 3


async def test_each_restart_backfills_from_its_own_gap_and_leaves_no_ended_call_open(tmp_path: Path) -> None:
    """A call talks across every SIGKILL while calls of every shape ring, talk, end and are placed in
    each gap: each restart's backfill starts at its own gap (not at the long call's start), and once
    all is over no call is saved as open and every log is in the CRM once."""
    gaps: list[tuple[dt.datetime, dt.datetime | None, dt.datetime | None]] = []
    """Per restart: the kill, where the backfill starts, and the end of the oldest ended call still open."""

    async def kill(w: World) -> Callable[[], Awaitable[None]]:
        assert w.app is not None
        await w.app.kill()
        killed = dt.datetime.now(dt.UTC)

        async def restart() -> None:
            journal = CallJournal(w.store)
            still_open = journal.open_calls()
            ended = min((c.ended_at for c in still_open if c.ended_at is not None), default=None)
            gaps.append((killed, journal.gap_start(still_open), ended))
            await w.start_app()

        return restart

    async with world(tmp_path, "hubspot") as w:
        long_call, script = SHAPES["inbound answered"](w.pbx.calls, w.customer(), 600.0)
        w.pbx.calls.spawn(long_call, script)
        w.names[long_call.call_id] = "the long call"
        for _ in range(500):
            if long_call.answered is not None:
                break
            await asyncio.sleep(0.01)
        for number in range(ROUNDS):
            w.round = f", round {number + 1}"
            await every_phase(w, kill)
            await w.connected()
        assert long_call.call_id in w.pbx.calls.live
        long_call.hangup.set()  # the customer hangs up at last
        result = await w.settled(bound=25.0)
        open_after = CallJournal(w.store).open_calls()
    assert result.clean, w.explain(result)
    assert [w.names.get(call.call_id, call.call_id) for call in open_after] == []
    assert len(gaps) == ROUNDS
    for (before, _, _), (killed, start, unlogged) in itertools.pairwise(gaps):
        assert start is not None
        # the PBX's CDR times are whole seconds: a call ended just after the earlier kill may read before it;
        # one ended earlier whose logs were not queued yet (a loaded machine's lookups) reaches back to its end
        floor = min(before, unlogged or before) - dt.timedelta(seconds=1)
        assert floor < start <= killed, f"backfill from {start}: the gap was {before}..{killed}"
        assert start > long_call.started, "the long call in progress pulled the backfill back"


def _call(call_id: str) -> Call:
    """A customer talking with 1001."""
    now = dt.datetime.now(dt.UTC)
    return Call(
        call_id=call_id,
        direction=Direction.INBOUND,
        phase=Phase.TALKING,
        caller=Party("+15550100"),
        callee=Party("1001"),
        extensions=("1001",),
        rang=frozenset({"1001"}),
        talked=("1001",),
        answered_by="1001",
        started_at=now - dt.timedelta(minutes=1),
    )


def _saved(store: Store, call_id: str, updated_at: dt.datetime) -> None:
    """A call saved in progress at `updated_at` (as the journal writes it)."""
    call = _call(call_id)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO open_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)",
            (call_id, json.dumps(encode_call(call)), updated_at.isoformat(timespec="microseconds")),
        )


def test_a_saved_call_closed_by_an_earlier_run_or_long_silent_is_not_restored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A row an earlier leader's late write left behind for a call the store has closed, and a call
    unheard of for longer than MAX_OPEN, are not taken back: they would hold the backfill window open."""
    store = Store.open(tmp_path / "app.db")
    try:
        now = dt.datetime.now(dt.UTC)
        _saved(store, "closed-before", now)
        logger = CallLogger(store, LogPolicy(enabled=False), lambda _extension: None)
        logger.call_ended(_call("closed-before"), None)
        _saved(store, "closed-before", now)  # written after the close, as a late leader could
        _saved(store, "silent", now - MAX_OPEN - dt.timedelta(minutes=1))
        _saved(store, "in-progress", now)
        with caplog.at_level(logging.WARNING, logger="linkus_companion.engine.journal"):
            left = [call.call_id for call in CallJournal(store).open_calls()]
        assert left == ["in-progress"]
        assert any("silent" in record.getMessage() for record in caplog.records)
        with store.transaction() as db:
            rows = db.execute("SELECT call_id FROM open_calls ORDER BY call_id").fetchall()
        assert rows == [("in-progress",)]
    finally:
        store.close()
