"""A PBX restart at each phase of an attended transfer 1001 -> 1005, seen live by the app or not.

A restart cuts every call (Yeastar: the transfer completes only when the transferring extension hangs
up, so a cut consultation never joins the caller and the target). The target talked with a colleague,
not with the customer: the CDR names it, and it gets a log, only once the transfer completed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks._faults import FAULTS, SHAPES, world
from linkus_companion.engine.journal import decode_call, encode_call
from linkus_companion.local_backend import call_view
from linkus_companion.pbx.calls import CallTracker
from linkus_companion.pbx.models import CallEvent, EventType, Member, MemberKind, MemberStatus
from linkus_companion.sim.pbx_calls import Call

SHAPE = "attended transfer 1001->1005"


def _target(call: Call, status: str) -> bool:
    return any(leg.number == "1005" and leg.member_status == status for leg in call.legs)


PHASES: dict[str, tuple[Callable[[Call], bool], tuple[str, ...]]] = {
    "consultation ringing": (lambda c: _target(c, "RING"), ("1001",)),
    "consultation talking": (lambda c: _target(c, "ANSWER") and c.call_to == "1001", ("1001",)),
    "just after completion": (lambda c: c.call_to == "1005" and bool(c.legs), ("1001", "1005")),
    "ended before its CDR": (lambda c: c.hung_up, ("1001", "1005")),
}
"""Phase -> when the call is in it, and who gets a log when the restart comes then."""


@pytest.mark.parametrize("seen", [True, False], ids=["events seen", "CDR only"])
@pytest.mark.parametrize("phase", list(PHASES))
async def test_pbx_restart_at_each_phase_of_an_attended_transfer(
    tmp_path: Path, phase: str, seen: bool
) -> None:
    reached, owed = PHASES[phase]
    async with world(tmp_path, "hubspot") as w:
        if not seen:
            await w.pbx.disconnect()
        call, script = SHAPES[SHAPE](w.pbx.calls, w.customer(), 0.9)
        call.cdr_delay = 0.5
        w.pbx.calls.spawn(call, script)
        w.names[call.call_id] = f"{SHAPE} ({phase})"
        async with asyncio.timeout(10):
            while not reached(call):  # noqa: ASYNC110 (the simulator has no event for it)
                await asyncio.sleep(0.005)
        end = await FAULTS["pbx restart"](w)
        await end()
        result = await w.settled()
        (record,) = (r for r in w.pbx.cdr_store.records if r.call_id == call.call_id)
        logged = sorted(log.idempotency_key for log in w.crm.call_logs())
    assert [leg.call_to for leg in record.legs()] == list(owed), (
        "the CDR lists the legs that had the customer"
    )
    assert logged == [f"{call.call_id}:{ext}" for ext in owed]
    assert result.clean, w.explain(result)


def test_a_saved_call_keeps_who_was_consulted() -> None:
    """A call saved mid-consultation (the app killed) comes back knowing the target is only consulted."""
    tracker = CallTracker()
    members = [
        Member(
            MemberKind.INBOUND,
            MemberStatus.HOLD,
            "PJSIP/trunk-t-1",
            from_number="+14155550000",
            to_number="5550100",
        ),
        Member(MemberKind.EXTENSION, MemberStatus.ANSWERED, "PJSIP/1001-2", number="1001"),
        Member(MemberKind.EXTENSION, MemberStatus.ANSWER, "PJSIP/1005-3", number="1005"),
    ]
    tracker.feed(CallEvent(EventType.CALL_STATUS, "sn", "1.1", tuple(members), dt.datetime.now(dt.UTC)))
    (call,) = tracker.active()
    assert call.consulted == {"1005"}
    assert call_view("1001", call, None, None).transferred_to == "", "not handed on while consulting"
    assert decode_call(json.loads(json.dumps(encode_call(call)))) == call


async def test_a_cancelled_consultation_logs_only_the_extension_that_kept_the_caller(tmp_path: Path) -> None:
    """call/transfer attended, then cancel: the caller goes back to 1001, 1005 only talked with 1001."""
    async with world(tmp_path, "hubspot") as w:
        assert w.app is not None
        pbx = w.app.pbx
        call, script = SHAPES["inbound answered"](w.pbx.calls, w.customer(), 30.0)
        w.pbx.calls.spawn(call, script)
        async with asyncio.timeout(10):
            while call.answered is None:  # noqa: ASYNC110 (the simulator has no event for it)
                await asyncio.sleep(0.005)
            agent = call.leg("1001").channel_id
            consult = {"type": "attended", "channel_id": agent}
            await pbx.call("POST", "call/transfer", "consulting", body={**consult, "number": "1005"})
            while not _target(call, "ANSWER"):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
            await pbx.call(
                "POST", "call/transfer", "cancelling", body={**consult, "attended_operate": "cancel"}
            )
            while any(leg.number == "1005" for leg in call.legs):  # noqa: ASYNC110
                await asyncio.sleep(0.005)
        await pbx.hangup(agent)
        result = await w.settled()
        (record,) = (r for r in w.pbx.cdr_store.records if r.call_id == call.call_id)
        logged = sorted(log.idempotency_key for log in w.crm.call_logs())
    assert [leg.call_to for leg in record.legs()] == ["1001"]
    assert logged == [f"{call.call_id}:1001"]
    assert result.clean, w.explain(result)
