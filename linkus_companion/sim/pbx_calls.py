"""Live calls: legs and channels, and the 30011/30008/30013/30015/30012 events they produce."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from linkus_companion.sim.pbx_cdr import CallRecord, CdrStore
from linkus_companion.sim.pbx_clock import PbxClock
from linkus_companion.sim.pbx_directory import Directory
from linkus_companion.sim.pbx_events import EventHub

EMPTY = " "
_BUSY_STATES = {"ALERT", "ANSWERED", "ANSWER", "HOLD", "EARLYMEDIA"}


class HungUp(Exception):
    """A leg of the call was hung up through the API: the script stops and the call ends."""


@dataclass
class Leg:
    """One call member: an extension channel or a trunk leg (`inbound` / `outbound`)."""

    kind: str
    channel_id: str
    member_status: str
    call_path: str = EMPTY
    number: str = ""
    from_: str = ""
    to: str = ""
    trunk_name: str = ""
    consulted: bool = False
    """The target of an attended transfer while it is consulted: it talks with the transferring
    extension, not with the customer, so the call's CDR names it only once the transfer completes."""

    def member(self) -> dict[str, dict[str, str]]:
        """The member object: exactly one key naming the leg kind."""
        common = {
            "channel_id": self.channel_id,
            "member_status": self.member_status,
            "call_path": self.call_path,
        }
        if self.kind == "extension":
            return {"extension": {"number": self.number, **common}}
        return {self.kind: {"from": self.from_, "to": self.to, "trunk_name": self.trunk_name, **common}}


@dataclass
class Call:
    """A call in progress and what its CDR will say."""

    call_id: str
    call_type: str
    call_from: str
    call_to: str
    started: dt.datetime
    src_trunk: str = ""
    dst_trunk: str = ""
    did: str = ""
    dod: str = ""
    record: bool = True
    path: str = ""
    """The queue or ring group the call came through."""
    status: str = "NO ANSWER"
    reason: str = ""
    answered: dt.datetime | None = None
    legs: list[Leg] = field(default_factory=list)
    hangup: asyncio.Event = field(default_factory=asyncio.Event)
    hung_up: bool = False
    """Every member has hung up; the CDR follows `cdr_delay` later."""
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the call's CDR is written."""
    cdr_delay: float | None = None
    """Seconds between this call's last BYE and its CDR (None: the engine's `cdr_delay`)."""
    rang: list[str] = field(default_factory=list)
    """Extensions that rang (RING), in order: what the PBX knows, for the CDR and test oracles."""
    talked: list[str] = field(default_factory=list)
    """Extensions that answered (ANSWER), in order; each is one leg of the CDR's standard view."""

    def info(self) -> dict[str, Any]:
        """The `Call_Info` object (30011, 30013, call/query)."""
        return {"call_id": self.call_id, "members": [leg.member() for leg in self.legs]}

    def leg(self, number: str) -> Leg:
        """The live extension leg of `number`."""
        return next(leg for leg in self.legs if leg.kind == "extension" and leg.number == number)

    def trunk_leg(self) -> Leg:
        """The live trunk leg."""
        return next(leg for leg in self.legs if leg.kind != "extension")


Script = Callable[[Call], Awaitable[None]]


class CallEngine:
    """Creates calls, moves their legs through states and publishes the matching events."""

    def __init__(
        self, hub: EventHub, directory: Directory, clock: PbxClock, cdr: CdrStore, step: float
    ) -> None:
        self.hub = hub
        self.directory = directory
        self.clock = clock
        self.cdr = cdr
        self.step = step
        self.cdr_delay = 0.0
        """Seconds between a call's last BYE and its CDR (the 30012), as a busy PBX takes."""
        self.cdrs_flowing = asyncio.Event()
        """Cleared: ended calls wait for it before their CDR is written (a stalled CDR writer)."""
        self.cdrs_flowing.set()
        self.live: dict[str, Call] = {}
        self._seq = itertools.count(1)
        self._channels = itertools.count(0x21)
        self._ext_state: dict[str, str] = {}
        self._tasks: set[asyncio.Task[object]] = set()

    def new_call(self, call_type: str, call_from: str, call_to: str, **details: Any) -> Call:
        """Register a new call with an Asterisk-style id `<unix>.<seq>`."""
        now = self.clock.now()
        call = Call(
            f"{int(now.timestamp())}.{next(self._seq)}", call_type, call_from, call_to, now, **details
        )
        self.live[call.call_id] = call
        return call

    def add_extension(self, call: Call, number: str, status: str, call_path: str = EMPTY) -> Leg:
        """Add an extension channel `PJSIP/<ext>-<8 hex>` to the call."""
        leg = Leg("extension", f"PJSIP/{number}-{next(self._channels):08x}", status, call_path, number=number)
        call.legs.append(leg)
        return leg

    def add_trunk(
        self, call: Call, kind: str, from_: str, to: str, status: str, call_path: str = EMPTY
    ) -> Leg:
        """Add an `inbound` or `outbound` trunk leg `PJSIP/trunk-<trunk>-endpoint-<8 hex>`."""
        trunk = self.directory.trunk
        channel = f"PJSIP/trunk-{trunk}-endpoint-{next(self._channels):08x}"
        leg = Leg(kind, channel, status, call_path, from_=from_, to=to, trunk_name=trunk)
        call.legs.append(leg)
        return leg

    def answer(self, call: Call) -> None:
        """Mark the call answered now (talk time starts)."""
        if call.answered is None:
            call.answered = self.clock.now()
            call.status = "ANSWERED"

    async def publish(self, call: Call) -> None:
        """Send a 30011 snapshot, forget members that said BYE, then any 30008 changes."""
        for leg in call.legs:
            if leg.kind != "extension" or leg.consulted:
                continue
            if leg.member_status == "RING" and leg.number not in call.rang:
                call.rang.append(leg.number)
            if leg.member_status == "ANSWER" and leg.number not in call.talked:
                call.talked.append(leg.number)
        await self.hub.publish(30011, call.info())
        call.legs = [leg for leg in call.legs if leg.member_status != "BYE"]
        await self._extension_states()

    async def transferred(self, call: Call) -> None:
        """Send the 30013 transfer report with the call's current members; a consulted target has
        taken the customer."""
        for leg in call.legs:
            leg.consulted = False
        await self.hub.publish(30013, call.info())

    async def failed(self, call: Call, reason: str) -> None:
        """Send a 30015 call failure with `reason`."""
        call.reason = reason
        await self.hub.publish(30015, {"call_id": call.call_id, "reason": reason, **call.info()})

    async def pause(self, call: Call, seconds: float | None = None) -> None:
        """Let `seconds` (default: one step) of the call pass; raises HungUp if it is hung up meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(call.hangup.wait(), self.step if seconds is None else seconds)
        if call.hangup.is_set():
            raise HungUp

    def hangup(self, channel_id: str) -> str | None:
        """Hang up the call that owns `channel_id`; its call_id, or None if no live call has it."""
        for call in self.live.values():
            if any(leg.channel_id == channel_id for leg in call.legs):
                call.hangup.set()
                return call.call_id
        return None

    async def play(self, call: Call, script: Script) -> str:
        """Run a call script to its end, then hang everybody up and send the single 30012."""
        with contextlib.suppress(HungUp):
            await script(call)
        await self._finish(call)
        return call.call_id

    def spawn(self, call: Call, script: Script) -> None:
        """Play a call in the background (call/dial, control API)."""
        task: asyncio.Task[object] = asyncio.create_task(self.play(call, script))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def later(self, seconds: float, change: Callable[[], Awaitable[None]]) -> None:
        """Run `change` after `seconds` in the background (a rung phone answering); stop() cancels it."""

        async def delayed() -> None:
            await asyncio.sleep(seconds)
            await change()

        task: asyncio.Task[object] = asyncio.create_task(delayed())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def hang_up_all(self) -> asyncio.Future[list[bool]]:
        """Hang up every live call at once (a PBX going down); await the result for their CDRs."""
        calls = list(self.live.values())
        for call in calls:
            call.hangup.set()
        return asyncio.gather(*(call.finished.wait() for call in calls))

    async def stop(self) -> None:
        """Cancel calls still playing in the background."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _finish(self, call: Call) -> None:
        if call.legs:
            for leg in call.legs:
                leg.member_status = "BYE"
            await self.publish(call)
        call.hung_up = True
        ended = self.clock.now()
        delay = self.cdr_delay if call.cdr_delay is None else call.cdr_delay
        if delay:
            await asyncio.sleep(delay)
        await self.cdrs_flowing.wait()
        del self.live[call.call_id]
        record = self._record(call, ended)
        shown = self.cdr.add(record)
        call.finished.set()
        await self.hub.publish(30012, shown.event(self.clock))

    def _record(self, call: Call, ended: dt.datetime) -> CallRecord:
        def seconds(start: dt.datetime) -> int:
            return max(1, math.ceil((ended - start).total_seconds()))

        talk = seconds(call.answered) if call.answered else 0
        ring_end = call.answered or ended
        recording = ""
        if call.answered and call.record and call.status == "ANSWERED":
            recording = (
                f"{self.clock.compact(call.answered)}-{call.call_id}-{call.call_from}-{call.call_to}"
                f"-{call.call_type}.wav"
            )
        return CallRecord(
            call_id=call.call_id,
            started=call.started,
            call_from=call.call_from,
            call_to=call.call_to,
            from_name=self.directory.name_of(call.call_from),
            to_name=self.directory.name_of(call.call_to),
            call_type=call.call_type,
            status=call.status,
            duration=max(seconds(call.started), talk),
            ring_duration=max(0, math.ceil((ring_end - call.started).total_seconds())),
            talk_duration=talk,
            src_trunk=call.src_trunk,
            dst_trunk=call.dst_trunk,
            did=call.did,
            dod=call.dod,
            recording=recording,
            path=call.path,
            rang=tuple(call.rang),
            talked=tuple(call.talked),
        )

    async def _extension_states(self) -> None:
        """Emit 30008 for every extension whose Ringing/Busy/Idle state changed."""
        states: dict[str, str] = {}
        for call in self.live.values():
            for leg in call.legs:
                if leg.kind != "extension":
                    continue
                state = "Ringing" if leg.member_status == "RING" else "Busy"
                if states.get(leg.number) != "Busy" and leg.member_status in _BUSY_STATES | {"RING"}:
                    states[leg.number] = state
        for number in set(self._ext_state) | set(states):
            state = states.get(number, "Idle")
            if self._ext_state.get(number, "Idle") != state:
                await self.hub.publish(30008, {"extension": number, "status": state})
            self._ext_state[number] = state
