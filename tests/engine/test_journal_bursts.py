"""The call journal writes a burst of call changes once the event loop is free, keeping the latest of each."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from linkus_companion.engine.journal import CallJournal
from linkus_companion.model import Direction
from linkus_companion.pbx.calls import Call, Party, Phase
from linkus_companion.store import Store


def _call(call_id: str, phase: Phase) -> Call:
    return Call(
        call_id=call_id,
        direction=Direction.INBOUND,
        phase=phase,
        caller=Party("+14155550100"),
        callee=Party("1001"),
        extensions=("1001",),
        rang=frozenset({"1001"}),
        talked=(),
        answered_by="",
        started_at=dt.datetime.now(dt.UTC),
    )


def _saved(store: Store) -> dict[str, str]:
    with store.transaction() as db:
        rows = db.execute("SELECT call_id, snapshot FROM open_calls").fetchall()
    return {call_id: snapshot for call_id, snapshot in rows}


async def test_a_burst_of_changes_is_saved_after_the_turn_of_the_loop_latest_first(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db")
    try:
        journal = CallJournal(store)
        ringing = _call("c1", Phase.RINGING)
        journal.on_call(ringing, None, None)
        journal.on_call(dataclasses.replace(ringing, phase=Phase.TALKING), None, None)
        journal.on_call(_call("c2", Phase.RINGING), None, None)
        assert _saved(store) == {}, "the desktops hear of the change before the database is written"
        (restored,) = [c for c in journal.open_calls() if c.call_id == "c1"]
        assert restored.phase is Phase.TALKING, "the last change of the burst is the one saved"
        assert set(_saved(store)) == {"c1", "c2"}
    finally:
        store.close()


def test_without_an_event_loop_a_change_is_saved_at_once(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db")
    try:
        CallJournal(store).on_call(_call("c1", Phase.RINGING), None, None)
        assert set(_saved(store)) == {"c1"}
    finally:
        store.close()
