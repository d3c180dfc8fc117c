"""A blind transfer whose target never answers: the target gets a missed log, not the transferrer's talk.

The 30012 of such a call names the target as `call_to` with the call's status ANSWERED (the customer did
talk, with the transferring extension); the events showed the target only ringing. Counted in the CRM
emulator with each log's outcome: answered for 1003, missed for 1004. A target the events never saw is
the record's word: answered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks._faults import FAULTS, SHAPES, World, world
from linkus_companion.pbx.models import CdrRecord
from linkus_companion.sim.pbx_calls import Call

SHAPE = "blind transfer 1003->1004"


def _target_ringing(call: Call) -> bool:
    return any(leg.number == "1004" and leg.member_status == "RING" for leg in call.legs)


async def _transfer_to_ringing(w: World) -> Call:
    """The customer talks with 1003, who hands the call to 1004; returns once 1004 rings."""
    call, script = SHAPES[SHAPE](w.pbx.calls, w.customer(), 0.6)
    w.pbx.calls.spawn(call, script)
    w.names[call.call_id] = SHAPE
    async with asyncio.timeout(10):
        while not _target_ringing(call):  # noqa: ASYNC110 (the simulator has no event for it)
            await asyncio.sleep(0.005)
    return call


def _outcomes(w: World, call: Call) -> dict[str, bool]:
    """Extension -> whether its log in the CRM says missed."""
    missed = {log.idempotency_key: log.outcome == "No Answer" for log in w.crm.call_logs()}
    return {key.split(":")[1]: value for key, value in missed.items() if key.startswith(call.call_id)}


@pytest.mark.parametrize("how", ["the caller hangs up", "pbx restart"])
async def test_a_transfer_target_that_only_rang_gets_a_missed_log(tmp_path: Path, how: str) -> None:
    async with world(tmp_path, "salesforce") as w:
        call = await _transfer_to_ringing(w)
        if how == "pbx restart":
            end = await FAULTS[how](w)
            await end()
        else:
            await w.pbx.calls.hang_up_all()
        result = await w.settled()
        (record,) = (r for r in w.pbx.cdr_store.records if r.call_id == call.call_id)
        assert (record.call_to, record.status, record.talked) == ("1004", "ANSWERED", ("1003",))
        assert _outcomes(w, call) == {"1003": False, "1004": True}, "1004 never answered"
    assert result.clean, w.explain(result)


async def test_a_target_the_app_never_saw_answer_is_taken_from_the_cdr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app saw 1001 answer; the consultation, the hand-over and the end went by while the socket was
    down, and the PBX's records list no legs: the record's ANSWERED call to 1005 is 1005's talk."""
    async with world(tmp_path, "salesforce") as w:
        assert w.app is not None
        search = w.app.pbx.search_cdr

        async def without_legs(start: dt.datetime, end: dt.datetime, uids: object = None) -> list[CdrRecord]:
            return [replace(r, talked=()) for r in await search(start, end, uids)]  # type: ignore[arg-type]

        monkeypatch.setattr(w.app.pbx, "search_cdr", without_legs)
        shape = "attended transfer 1001->1005"
        call, script = SHAPES[shape](w.pbx.calls, w.customer(), 0.6)
        w.pbx.calls.spawn(call, script)
        w.names[call.call_id] = shape
        async with asyncio.timeout(10):
            while call.answered is None:  # noqa: ASYNC110 (the simulator has no event for it)
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.1)  # the app takes in the answer
            await w.pbx.disconnect()
            await call.finished.wait()
        await w.pbx.reconnect()
        result = await w.settled()
        assert _outcomes(w, call) == {"1001": False, "1005": False}, "both talked with the customer"
    assert result.clean, w.explain(result)


async def test_a_transfer_the_app_never_saw_logs_the_transferrer_and_a_missed_target(tmp_path: Path) -> None:
    """The socket is down for the whole call; a PBX restart cuts it while 1004 rings: the CDR's legs say
    1003 talked and 1004 only rang."""
    async with world(tmp_path, "zoho") as w:
        await w.pbx.disconnect()
        call = await _transfer_to_ringing(w)
        end = await FAULTS["pbx restart"](w)
        await end()
        result = await w.settled()
        missed = {log.idempotency_key: log.outcome == "No response" for log in w.crm.call_logs()}
    assert missed == {f"{call.call_id}:1003": False, f"{call.call_id}:1004": True}
    assert result.clean, w.explain(result)
