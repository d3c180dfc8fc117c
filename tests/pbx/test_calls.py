"""CallTracker: every scripted call yields the right Call; CDR-only calls; per-extension views; bounded memory."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pbx_testkit import Collector

from linkus_companion.model import Direction, Outcome
from linkus_companion.pbx.calls import Call, CallTracker, CallUpdate, Phase, UpdateKind
from linkus_companion.pbx.clock import PbxClock
from linkus_companion.pbx.frames import decode
from linkus_companion.pbx.models import CallEvent, CdrEvent, CdrRecord
from linkus_companion.sim.pbx import PbxSimulator

DID = "+15550100"


@dataclass(frozen=True)
class Expect:
    """What the Call of one scenario must say."""

    direction: Direction
    outcome: Outcome
    caller: str
    answered_by: str
    rang: frozenset[str]
    remote: str
    talked: tuple[str, ...] = ()
    path: str = ""
    recorded: bool = False
    transferred: bool = False
    failure: str = ""


Scenario = Callable[[PbxSimulator], Awaitable[str]]

SCENARIOS: dict[str, tuple[Scenario, Expect]] = {
    "inbound answered": (
        lambda s: s.inbound("+15551110001", "1001", talk=0.1),
        Expect(
            Direction.INBOUND,
            Outcome.ANSWERED,
            "+15551110001",
            "1001",
            frozenset({"1001"}),
            "+15551110001",
            ("1001",),
            recorded=True,
        ),
    ),
    "inbound missed": (
        lambda s: s.inbound("+15551110002", "1002", answer=False),
        Expect(Direction.INBOUND, Outcome.NO_ANSWER, "+15551110002", "", frozenset({"1002"}), "+15551110002"),
    ),
    "inbound held": (
        lambda s: s.inbound("+15551110003", "1003", hold=True, talk=0.1),
        Expect(
            Direction.INBOUND,
            Outcome.ANSWERED,
            "+15551110003",
            "1003",
            frozenset({"1003"}),
            "+15551110003",
            ("1003",),
            recorded=True,
        ),
    ),
    "queue answered": (
        lambda s: s.inbound_queue("+15551110004", answered_by="1002"),
        Expect(
            Direction.INBOUND,
            Outcome.ANSWERED,
            "+15551110004",
            "1002",
            frozenset({"1001", "1002", "1003"}),
            "+15551110004",
            ("1002",),
            "6400",
            recorded=True,
        ),
    ),
    "queue nobody": (
        lambda s: s.inbound_queue("+15551110005", answered_by=None),
        Expect(
            Direction.INBOUND,
            Outcome.NO_ANSWER,
            "+15551110005",
            "",
            frozenset({"1001", "1002", "1003"}),
            "+15551110005",
            (),
            "6400",
        ),
    ),
    "ring group": (
        lambda s: s.inbound_ring_group("+15551110006", answered_by="1005"),
        Expect(
            Direction.INBOUND,
            Outcome.ANSWERED,
            "+15551110006",
            "1005",
            frozenset({"1004", "1005"}),
            "+15551110006",
            ("1005",),
            "6300",
            recorded=True,
        ),
    ),
    "outbound answered": (
        lambda s: s.outbound("1004", "+15552220001"),
        Expect(
            Direction.OUTBOUND,
            Outcome.ANSWERED,
            "1004",
            "1004",
            frozenset(),
            "+15552220001",
            ("1004",),
            recorded=True,
        ),
    ),
    "outbound busy": (
        lambda s: s.outbound("1005", "+15552220002", result="busy"),
        Expect(
            Direction.OUTBOUND, Outcome.BUSY, "1005", "", frozenset(), "+15552220002", failure="486 Busy here"
        ),
    ),
    "outbound no answer": (
        lambda s: s.outbound("1001", "+15552220003", result="no_answer"),
        Expect(Direction.OUTBOUND, Outcome.NO_ANSWER, "1001", "", frozenset(), "+15552220003"),
    ),
    "outbound failed": (
        lambda s: s.outbound("1002", "+15552220004", result="failed"),
        Expect(
            Direction.OUTBOUND,
            Outcome.FAILED,
            "1002",
            "",
            frozenset(),
            "+15552220004",
            failure="Circuit/channel congestion",
        ),
    ),
    "internal": (
        lambda s: s.internal("1003", "1004"),
        Expect(
            Direction.INTERNAL,
            Outcome.ANSWERED,
            "1003",
            "1004",
            frozenset({"1004"}),
            "1004",
            ("1003", "1004"),
            recorded=True,
        ),
    ),
    "blind transfer": (
        lambda s: s.blind_transfer("+15551110007", "1001", "1002"),
        Expect(
            Direction.INBOUND,
            Outcome.ANSWERED,
            "+15551110007",
            "1001",
            frozenset({"1001", "1002"}),
            "+15551110007",
            ("1001", "1002"),
            recorded=True,
            transferred=True,
        ),
    ),
    "attended transfer": (
        lambda s: s.attended_transfer("+15551110008", "1003", "1005"),
        Expect(
            Direction.INBOUND,
            Outcome.ANSWERED,
            "+15551110008",
            "1003",
            frozenset({"1003", "1005"}),
            "+15551110008",
            ("1003", "1005"),
            recorded=True,
            transferred=True,
        ),
    ),
    "voicemail": (
        lambda s: s.voicemail("+15551110009", "1004"),
        Expect(Direction.INBOUND, Outcome.VOICEMAIL, "+15551110009", "", frozenset({"1004"}), "+15551110009"),
    ),
}


def _mismatches(name: str, call: Call, want: Expect) -> list[str]:
    got = {
        "direction": call.direction,
        "outcome": call.outcome,
        "caller": call.caller.number,
        "answered_by": call.answered_by,
        "rang": call.rang,
        "remote": call.remote.number,
        "talked": call.talked,
        "path": call.path,
        "recorded": bool(call.recording),
        "transferred": call.transferred,
        "failure": call.failure,
    }
    return [
        f"{name}: {key} is {value!r}, want {getattr(want, key)!r}"
        for key, value in got.items()
        if value != getattr(want, key)
    ]


async def test_every_scripted_scenario_yields_the_right_call(collector: Collector, sim: PbxSimulator) -> None:
    names = list(SCENARIOS)
    call_ids = await asyncio.gather(*(SCENARIOS[name][0](sim) for name in names))
    for call_id in call_ids:
        await collector.call_ended(call_id)
    tracker = CallTracker()
    updates = [u for event in collector.events for u in tracker.feed(event)]
    problems: list[str] = []
    for name, call_id in zip(names, call_ids, strict=True):
        ends = [u for u in updates if u.kind is UpdateKind.ENDED and u.call.call_id == call_id]
        if len(ends) != 1:
            problems.append(f"{name}: {len(ends)} ENDED updates")
            continue
        call = ends[0].call
        problems += _mismatches(name, call, SCENARIOS[name][1])
        if call.phase is not Phase.ENDED or call.ended_at is None or call.ended_at < call.started_at:
            problems.append(f"{name}: bad end {call.phase} {call.started_at} {call.ended_at}")
        if call.direction is Direction.INBOUND and (call.did, call.trunk) != (DID, "SIPTrunk1"):
            problems.append(f"{name}: DID/trunk {call.did!r}/{call.trunk!r}")
        if call.outcome is Outcome.ANSWERED and not (call.answered_at and call.talk_seconds > 0):
            problems.append(f"{name}: answered without answer time or talk seconds")
    assert not problems, "\n".join(problems)
    assert tracker.active() == []
    internal = next(u.call for u in updates if u.call.call_id == call_ids[names.index("internal")])
    assert internal.other_party("1004").number == "1003"
    assert internal.other_party("1003").number == "1004"


def _kinds(updates: list[CallUpdate], call_id: str) -> list[UpdateKind]:
    return [u.kind for u in updates if u.call.call_id == call_id]


async def test_held_call_reports_hold_and_resume(collector: Collector, sim: PbxSimulator) -> None:
    call_id = await sim.inbound("+15551110003", "1003", hold=True, talk=0.1)
    await collector.call_ended(call_id)
    tracker = CallTracker(["1003"])
    updates = [u for event in collector.events for u in tracker.feed(event)]
    assert _kinds(updates, call_id) == [
        UpdateKind.RINGING,
        UpdateKind.ANSWERED,
        UpdateKind.HELD,
        UpdateKind.RESUMED,
        UpdateKind.ENDED,
    ]


async def test_a_desktop_sees_only_its_extension(collector: Collector, sim: PbxSimulator) -> None:
    answered_elsewhere = await sim.inbound_queue("+15551110004", answered_by="1001")
    not_mine = await sim.inbound("+15551110010", "1004", talk=0.05)
    transferred_to_me = await sim.blind_transfer("+15551110011", "1003", "1002")
    await collector.call_ended(transferred_to_me)
    tracker = CallTracker(["1002"])
    updates = [u for event in collector.events for u in tracker.feed(event)]
    assert all(u.extensions == {"1002"} for u in updates)
    assert _kinds(updates, not_mine) == []
    queue_kinds = _kinds(updates, answered_elsewhere)
    assert queue_kinds[0] is UpdateKind.RINGING and queue_kinds[-1] is UpdateKind.ENDED
    queue_end = next(
        u.call for u in updates if u.call.call_id == answered_elsewhere and u.kind is UpdateKind.ENDED
    )
    assert queue_end.answered_by == "1001"
    assert _kinds(updates, transferred_to_me)[:1] == [UpdateKind.RINGING]
    assert UpdateKind.ENDED in _kinds(updates, transferred_to_me)


# --- CDR-only calls and memory (pure) -----------------------------------------------------------

CLOCK = PbxClock(utc_offset=dt.timedelta(hours=8))


def _event(kind: int, msg: dict[str, object]) -> CallEvent | CdrEvent:
    event = decode(json.dumps({"type": kind, "sn": "SN", "msg": json.dumps(msg)}), CLOCK)
    assert isinstance(event, CallEvent | CdrEvent)
    return event


def _ringing(call_id: str, ext: str = "1001") -> CallEvent | CdrEvent:
    members = [
        {
            "inbound": {
                "from": "+15551234567",
                "to": DID,
                "trunk_name": "T",
                "channel_id": "c1",
                "member_status": "ALERT",
                "call_path": " ",
            }
        },
        {"extension": {"number": ext, "channel_id": "c2", "member_status": "RING", "call_path": " "}},
    ]
    return _event(30011, {"call_id": call_id, "members": members})


def _cdr(call_id: str) -> CallEvent | CdrEvent:
    return _event(
        30012,
        {
            "call_id": call_id,
            "time_start": "2025-08-22 16:44:40",
            "call_from": "+15551234567",
            "call_to": "1001",
            "call_duration": 30,
            "talk_duration": 20,
            "src_trunk_name": "T",
            "dst_trunk_name": " ",
            "status": "ANSWERED",
            "type": "Inbound",
            "recording": "r.wav",
            "did_number": DID,
            "uid": call_id,
        },
    )


def test_a_cdr_without_earlier_events_is_a_complete_call() -> None:
    (update,) = CallTracker(["1001"]).feed(_cdr("9.1"))
    call = update.call
    assert update.kind is UpdateKind.ENDED
    assert (call.direction, call.outcome, call.answered_by) == (Direction.INBOUND, Outcome.ANSWERED, "1001")
    assert call.started_at == dt.datetime(2025, 8, 22, 8, 44, 40, tzinfo=dt.UTC)
    assert (call.talk_seconds, call.ring_seconds, call.recording, call.did) == (20, 10, "r.wav", DID)


def test_a_recovered_cdr_row_is_a_complete_call() -> None:
    row = {
        "id": 7,
        "time": "2025/08/22 16:44:40",
        "uid": "9.2",
        "call_from": "Ada Lovelace<+442071234567>",
        "call_to": "Alice Anders<1001>",
        "timestamp": 1755852280,
        "duration": 40,
        "ring_duration": 10,
        "talk_duration": 30,
        "disposition": "ANSWERED",
        "call_type": "Inbound",
        "did_number": DID,
        "record_file": "x.wav",
        "src_trunk": "T",
        "dst_trunk": "",
    }
    record = CdrRecord.from_row(row, CLOCK)
    event = CdrEvent("SN", record, dt.datetime.now(dt.UTC), recovered=True)
    (update,) = CallTracker().feed(event)
    call = update.call
    assert call.recovered and call.caller.name == "Ada Lovelace" and call.caller.number == "+442071234567"
    assert call.ended_at == call.started_at + dt.timedelta(seconds=40)
    assert call.answered_at == call.ended_at - dt.timedelta(seconds=30)


def test_a_backfilled_row_of_a_call_closed_before_is_passed_over() -> None:
    """The backfill's overlap brings back calls logged before the restart: no lookup, no log again;
    the gap's own calls still end."""
    closed = {"9.4"}
    tracker = CallTracker(closed_before=closed.__contains__)
    row = {"time": "2025/08/22 16:44:40", "timestamp": 1755852280, "duration": 40}
    row |= {
        "call_from": "+442071234567",
        "call_to": "1001",
        "disposition": "NO ANSWER",
        "call_type": "Inbound",
    }
    again = CdrEvent(
        "SN", CdrRecord.from_row({**row, "uid": "9.4"}, CLOCK), dt.datetime.now(dt.UTC), recovered=True
    )
    new = CdrEvent(
        "SN", CdrRecord.from_row({**row, "uid": "9.5"}, CLOCK), dt.datetime.now(dt.UTC), recovered=True
    )
    assert tracker.feed(again) == []
    assert [u.kind for u in tracker.feed(new)] == [UpdateKind.ENDED]
    tracker = CallTracker(closed_before=lambda _call_id: False)
    assert [u.kind for u in tracker.feed(again)] == [UpdateKind.ENDED]


def test_late_and_repeated_events_do_not_resurrect_an_ended_call() -> None:
    tracker = CallTracker()
    assert [u.kind for u in tracker.feed(_ringing("9.3"))] == [UpdateKind.RINGING]
    assert [u.kind for u in tracker.feed(_cdr("9.3"))] == [UpdateKind.ENDED]
    assert tracker.feed(_cdr("9.3")) == []
    assert tracker.feed(_ringing("9.3")) == []
    assert tracker.active() == []


def test_memory_stays_bounded() -> None:
    tracker = CallTracker(max_calls=10, stale_after=dt.timedelta(hours=1))
    for n in range(100):
        tracker.feed(_ringing(f"8.{n}"))
    assert len(tracker.active()) == 10
    assert {c.call_id for c in tracker.active()} == {f"8.{n}" for n in range(90, 100)}


def test_a_call_joined_after_it_was_answered_is_completed_from_its_cdr() -> None:
    """The stream came back mid-call: only the hang-up was seen, the CDR says who talked."""
    bye = _event(
        30011,
        {
            "call_id": "9.1",
            "members": [
                {
                    "inbound": {
                        "from": "+15551234567",
                        "to": DID,
                        "trunk_name": "T",
                        "channel_id": "c1",
                        "member_status": "BYE",
                        "call_path": " ",
                    }
                },
                {
                    "extension": {
                        "number": "1001",
                        "channel_id": "c2",
                        "member_status": "BYE",
                        "call_path": " ",
                    }
                },
            ],
        },
    )
    tracker = CallTracker(["1001"])
    tracker.feed(bye)
    (update,) = tracker.feed(_cdr("9.1"))
    call = update.call
    assert call.talked == ("1001",) and call.answered_by == "1001"
    assert call.rang == frozenset({"1001"})
    assert call.outcome is Outcome.ANSWERED
