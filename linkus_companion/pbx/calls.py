"""Fold PBX call events and CDR records into one `Call` per call_id, with per-call updates."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from linkus_companion.model import Direction, Outcome
from linkus_companion.pbx.models import (
    CallEvent,
    CdrEvent,
    CdrRecord,
    Event,
    EventType,
    Member,
    MemberKind,
    MemberStatus,
)

_TALKING = frozenset({MemberStatus.ANSWER, MemberStatus.ANSWERED})
_CALLER_SIDE = frozenset({MemberStatus.ALERT, MemberStatus.ANSWERED})
_CALLEE_SIDE = frozenset({MemberStatus.RING, MemberStatus.ANSWER})
_REMEMBER_ENDED = 2000


class Phase(StrEnum):
    """Where a call is now."""

    RINGING = "ringing"
    TALKING = "talking"
    HELD = "held"
    ENDED = "ended"


class UpdateKind(StrEnum):
    """What just happened to a call."""

    RINGING = "ringing"
    """A new call, or an extension of ours started ringing for it."""
    ANSWERED = "answered"
    HELD = "held"
    RESUMED = "resumed"
    TRANSFERRED = "transferred"
    ENDED = "ended"
    """The call is over and complete (outcome, durations, recording); sent once per call."""


@dataclass(frozen=True)
class Party:
    """A number with the name the PBX knows for it (names come from CDR rows only)."""

    number: str
    name: str = ""


@dataclass(frozen=True)
class Call:
    """One customer call as the PBX saw it, however many extensions rang or took it."""

    call_id: str
    direction: Direction
    phase: Phase
    caller: Party
    callee: Party
    """For inbound calls the extension, queue or ring group that was called."""
    extensions: tuple[str, ...]
    """Our extensions involved, in the order they appeared."""
    rang: frozenset[str]
    """Our extensions that rang (the caller's own extension excluded)."""
    talked: tuple[str, ...]
    """Our extensions that were in the conversation, in order (several after a transfer)."""
    answered_by: str
    """Our extension that took the call (the caller's for an answered outbound call), or ""."""
    started_at: dt.datetime
    path: str = ""
    """Queue or ring-group number the call went through."""
    trunk: str = ""
    did: str = ""
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    talk_seconds: int = 0
    ring_seconds: int = 0
    outcome: Outcome | None = None
    """Set when the call ended."""
    recording: str = ""
    """Recording file name (30012 `recording` / CDR `record_file`), for recording/download."""
    transferred: bool = False
    failure: str = ""
    """30015 reason, as the PBX spells it."""
    recovered: bool = False
    """Built from a CDR row recovered after a gap in the event stream."""
    consulted: frozenset[str] = frozenset()
    """Our extensions consulted for an attended transfer that never took the customer (the transfer
    was cancelled or cut): they rang and talked with a colleague, not with the caller."""
    pbx_times: tuple[dt.datetime, dt.datetime] | None = None
    """Start and end by the PBX's own clock (30012 `time_start`, plus `call_duration`), set when the
    call ended: what a CDR search for it must ask, whatever our clock says."""

    @property
    def remote(self) -> Party:
        """The other party: the external number, or the called extension for internal calls."""
        return self.caller if self.direction is Direction.INBOUND else self.callee

    def other_party(self, extension: str) -> Party:
        """The party `extension` was talking to."""
        return self.callee if self.caller.number == extension else self.caller


@dataclass(frozen=True)
class CallUpdate:
    """A change to one call, and which of our extensions it concerns."""

    kind: UpdateKind
    call: Call
    extensions: frozenset[str]


@dataclass
class _Live:
    """What the tracker has gathered about a call in progress."""

    call_id: str
    started_at: dt.datetime
    last_seen: dt.datetime
    direction: Direction = Direction.INTERNAL
    external: str = ""
    did: str = ""
    trunk: str = ""
    path: str = ""
    outbound_to: str = ""
    seen: list[str] = field(default_factory=list)
    ringers: list[str] = field(default_factory=list)
    callers: list[str] = field(default_factory=list)
    talked: list[str] = field(default_factory=list)
    answerers: list[str] = field(default_factory=list)
    answered_at: dt.datetime | None = None
    phase: Phase = Phase.RINGING
    transferred: bool = False
    failure: str = ""
    consulted: list[str] = field(default_factory=list)

    def fold(self, members: Iterable[Member]) -> None:
        """Take in one snapshot of the call's members."""
        members = list(members)
        live = [m for m in members if m.status is not MemberStatus.BYE]
        self._consultation(live)
        for member in members:
            self._member(member)
        statuses = {m.status for m in live}
        if not live:
            self.phase = Phase.ENDED
        elif MemberStatus.HOLD in statuses:
            self.phase = Phase.HELD
        elif statuses & _TALKING:
            self.phase = Phase.TALKING
        else:
            self.phase = Phase.RINGING

    def _consultation(self, live: list[Member]) -> None:
        """An attended transfer: while the customer is on hold and one of ours calls out (ALERT /
        ANSWERED), an extension of ours that rings or answers and never talked with the customer is
        consulted; it takes the customer once it talks with the customer no longer held."""
        trunks = [m for m in live if m.kind is not MemberKind.EXTENSION]
        extensions = [m for m in live if m.kind is MemberKind.EXTENSION and m.number]
        held = any(m.status is MemberStatus.HOLD for m in trunks)
        if held and any(m.status in _CALLER_SIDE for m in extensions):
            for m in extensions:
                if m.status in _CALLEE_SIDE and m.number not in self.talked:
                    _add(self.consulted, m.number)
        elif trunks and not held:
            took = {m.number for m in extensions if m.status in _TALKING}
            self.consulted = [n for n in self.consulted if n not in took]

    def _member(self, member: Member) -> None:
        if member.call_path:
            self.path = self.path or member.call_path
        if member.kind is MemberKind.INBOUND:
            self.direction = Direction.INBOUND
            self.external, self.did, self.trunk = member.from_number, member.to_number, member.trunk
        elif member.kind is MemberKind.OUTBOUND:
            self.direction = Direction.OUTBOUND
            self.external, self.outbound_to, self.trunk = member.to_number, member.to_number, member.trunk
        if member.kind is MemberKind.OUTBOUND and member.status is MemberStatus.ANSWER:
            self.answered_at = self.answered_at or self.last_seen
        if member.kind is not MemberKind.EXTENSION or not member.number:
            return
        number = member.number
        _add(self.seen, number)
        if member.status is MemberStatus.RING:
            _add(self.ringers, number)
        elif member.status in _CALLER_SIDE and number not in self.answerers:
            _add(self.callers, number)
        if member.status in _TALKING:
            _add(self.talked, number)
        if member.status is MemberStatus.ANSWER:
            _add(self.answerers, number)
            self.answered_at = self.answered_at or self.last_seen

    def snapshot(self) -> Call:
        """The call as it stands."""
        caller_ext = next((n for n in self.callers if n not in self.answerers), "")
        if self.direction is Direction.INBOUND:
            caller, callee = Party(self.external), Party(self.path or _first(self.ringers, self.seen))
        elif self.direction is Direction.OUTBOUND:
            caller, callee = Party(caller_ext or _first(self.seen)), Party(self.outbound_to)
        else:
            callee_ext = next((n for n in self.ringers if n != caller_ext), "")
            caller, callee = Party(caller_ext), Party(callee_ext)
        answered_by = _first(self.answerers)
        if not answered_by and self.direction is Direction.OUTBOUND and self.answered_at:
            answered_by = caller.number
        return Call(
            call_id=self.call_id,
            direction=self.direction,
            phase=self.phase,
            caller=caller,
            callee=callee,
            extensions=tuple(self.seen),
            rang=frozenset(n for n in self.ringers if n != caller_ext),
            talked=tuple(self.talked),
            answered_by=answered_by,
            started_at=self.started_at,
            path=self.path,
            trunk=self.trunk,
            did=self.did,
            answered_at=self.answered_at,
            transferred=self.transferred,
            failure=self.failure,
            consulted=frozenset(self.consulted),
        )


def _add(items: list[str], number: str) -> None:
    if number not in items:
        items.append(number)


def _first(*lists: list[str]) -> str:
    return next((items[0] for items in lists if items), "")


def _complete(call: Call | None, event: CdrEvent, groups: Mapping[str, tuple[str, ...]]) -> Call:
    """The ended call: what the events showed, completed (or wholly built) from the CDR record."""
    record = event.record
    ended_at = record.ended_at if call is None or event.recovered else event.received_at
    answered_at = None
    if record.talk_seconds and record.outcome is Outcome.ANSWERED:
        answered_at = ended_at - dt.timedelta(seconds=record.talk_seconds)
    known = _from_record(record, event.recovered, groups)
    if call is not None and _only_rang(call, record):
        # A record without transfer legs names where the call ended: a blind transfer's target the events
        # saw ringing, not answering, when the caller hung up, did not take the call.
        known = replace(known, talked=(), answered_by="")
    base = known if call is None else _joined_late(call, known)
    return replace(
        base,
        direction=record.direction,
        phase=Phase.ENDED,
        caller=Party(record.call_from or base.caller.number, record.call_from_name),
        callee=Party(record.call_to or base.callee.number, record.call_to_name),
        answered_at=base.answered_at or answered_at,
        ended_at=ended_at,
        talk_seconds=record.talk_seconds,
        ring_seconds=record.ring_seconds,
        outcome=_outcome(record, base),
        recording=record.recording,
        trunk=base.trunk or record.src_trunk or record.dst_trunk,
        did=base.did or record.did,
        pbx_times=(record.started_at, record.ended_at),
    )


def _only_rang(call: Call, record: CdrRecord) -> bool:
    """Whether the record's inbound `call_to` is an extension the events saw ring, never answer, while
    others talked, and the record lists no legs to say otherwise (a target never seen is the CDR's word)."""
    return (
        record.direction is Direction.INBOUND
        and not record.talked
        and bool(call.talked)
        and record.call_to in call.rang
        and record.call_to not in call.talked
    )


def _joined_late(call: Call, known: Call) -> Call:
    """Add what the events missed (a gap in the stream, a restart) from the CDR's view of the call.

    The queue or ring-group number the events showed is not an extension, whatever the CDR names.
    """
    path = call.path or known.path
    extra = [n for n in known.extensions if n != path]
    return replace(
        call,
        extensions=tuple(dict.fromkeys([*call.extensions, *extra])),
        rang=call.rang | (known.rang - {path}),
        talked=tuple(dict.fromkeys([*call.talked, *known.talked])),
        answered_by=call.answered_by or known.answered_by,
        path=path,
        consulted=call.consulted - set(known.talked),
    )


def _outcome(record: CdrRecord, call: Call) -> Outcome:
    if record.outcome is Outcome.NO_ANSWER and call.failure:
        return Outcome.BUSY if "busy" in call.failure.lower() else Outcome.FAILED
    return record.outcome


def _from_record(record: CdrRecord, recovered: bool, groups: Mapping[str, tuple[str, ...]]) -> Call:
    """A call known only from its CDR (30012 without earlier events, or a backfilled row).

    An inbound call to a queue or ring group rang its members (`groups`); a transferred call's legs
    name every extension that answered.
    """
    answered = record.outcome is Outcome.ANSWERED
    path = ""
    talked: tuple[str, ...] = ()
    if record.direction is Direction.INBOUND:
        members = groups.get(record.call_to, ())
        if record.talked:  # the legs: who talked, and the last destination, which may only have rung
            ours, talked = tuple(dict.fromkeys([*record.talked, record.call_to])), record.talked
        elif members:
            ours, path = members, record.call_to
        else:
            ours = (record.call_to,)
    elif record.direction is Direction.OUTBOUND:
        ours = (record.call_from,)
    else:
        ours = (record.call_from, record.call_to)
    ours = tuple(n for n in ours if n)
    if answered and not talked and not path:
        talked = ours
    if record.direction is Direction.OUTBOUND:
        answered_by = record.call_from if answered else ""
        rang: frozenset[str] = frozenset()
    else:
        answered_by = talked[0] if talked else ""
        rang = frozenset(ours) if record.direction is Direction.INBOUND else frozenset({record.call_to})
    return Call(
        call_id=record.uid,
        direction=record.direction,
        phase=Phase.ENDED,
        caller=Party(record.call_from, record.call_from_name),
        callee=Party(record.call_to, record.call_to_name),
        extensions=ours,
        rang=rang,
        talked=talked,
        answered_by=answered_by,
        started_at=record.started_at,
        path=path,
        recovered=recovered,
    )


def _revived(call: Call, now: dt.datetime) -> _Live:
    """The tracker's state for a call in progress that was saved before a restart."""
    caller = call.caller.number
    callers = [caller] if call.direction is not Direction.INBOUND and caller in call.extensions else []
    return _Live(
        call.call_id,
        call.started_at,
        now,
        direction=call.direction,
        external=call.remote.number if call.direction is not Direction.INTERNAL else "",
        did=call.did,
        trunk=call.trunk,
        path=call.path,
        outbound_to=call.callee.number if call.direction is Direction.OUTBOUND else "",
        seen=list(call.extensions),
        ringers=[n for n in call.extensions if n in call.rang],
        callers=callers,
        talked=list(call.talked),
        answerers=[n for n in call.talked if n not in callers],
        answered_at=call.answered_at,
        phase=call.phase,
        transferred=call.transferred,
        failure=call.failure,
        consulted=sorted(call.consulted),
    )


class CallTracker:
    """Folds events into calls; serves one extension (desktop) or all of them (gateway, None).

    `feed()` returns the updates each event causes. Ended calls are forgotten at once (their ids
    are remembered for a while so late or repeated events do not resurrect them), and calls that
    go silent for `stale_after` are dropped, so memory stays bounded.
    """

    def __init__(
        self,
        extensions: Iterable[str] | None = None,
        *,
        stale_after: dt.timedelta = dt.timedelta(hours=4),
        max_calls: int = 5000,
        closed_before: Callable[[str], bool] | None = None,
    ) -> None:
        """`closed_before(call_id)`: whether the call was logged (or found to need no log) before, so a
        backfilled CDR row of it is passed over: no lookup, no pop, no second look at its logs."""
        self.extensions = frozenset(extensions) if extensions is not None else None
        self._stale_after = stale_after
        self._max_calls = max_calls
        self._closed_before = closed_before
        self._live: OrderedDict[str, _Live] = OrderedDict()
        self._ended: OrderedDict[str, None] = OrderedDict()
        self.groups: Mapping[str, tuple[str, ...]] = {}
        """Queue and ring-group numbers with their members, for calls known only from the CDR."""

    def restore(self, calls: Iterable[Call], now: dt.datetime | None = None) -> None:
        """Take back calls in progress saved before a restart; their events and CDR complete them."""
        now = now or dt.datetime.now(dt.UTC)
        for call in calls:
            if call.call_id not in self._live and call.call_id not in self._ended:
                self._live[call.call_id] = _revived(call, now)

    def active(self) -> list[Call]:
        """Calls in progress that involve our extensions."""
        return [call for live in self._live.values() if self._ours(call := live.snapshot())]

    def feed(self, event: Event) -> list[CallUpdate]:
        """Fold one event; the updates concerning our extensions (possibly none)."""
        if isinstance(event, CdrEvent):
            return self._finish(event)
        if not isinstance(event, CallEvent) or event.call_id in self._ended:
            return []
        self._expire(event.received_at)
        live = self._live.get(event.call_id)
        before = live.snapshot() if live else None
        if live is None:
            live = self._live[event.call_id] = _Live(event.call_id, event.received_at, event.received_at)
        self._live.move_to_end(event.call_id)
        live.last_seen = event.received_at
        live.fold(event.members)
        if event.type is EventType.CALL_TRANSFER:
            live.transferred = True
        if event.type is EventType.CALL_FAILED:
            live.failure = event.reason
        return self._changes(before, live.snapshot(), event.type)

    def _changes(self, before: Call | None, after: Call, kind: EventType) -> list[CallUpdate]:
        updates: list[CallUpdate] = []

        def emit(update: UpdateKind, extensions: Iterable[str]) -> None:
            mine = self._mine(extensions)
            if mine:
                updates.append(CallUpdate(update, after, mine))

        old_rang = before.rang if before else frozenset()
        old_talked = set(before.talked) if before else set()
        if before is None:
            emit(UpdateKind.RINGING, after.extensions)
        elif after.rang - old_rang:
            emit(UpdateKind.RINGING, after.rang - old_rang)
        if set(after.talked) - old_talked:
            emit(UpdateKind.ANSWERED, after.extensions)
        if kind is EventType.CALL_TRANSFER:
            emit(UpdateKind.TRANSFERRED, after.extensions)
        old_phase = before.phase if before else Phase.RINGING
        if after.phase is Phase.HELD and old_phase is not Phase.HELD:
            emit(UpdateKind.HELD, after.extensions)
        elif old_phase is Phase.HELD and after.phase is Phase.TALKING:
            emit(UpdateKind.RESUMED, after.extensions)
        return updates

    def _finish(self, event: CdrEvent) -> list[CallUpdate]:
        uid = event.record.uid
        if uid in self._ended:
            return []
        live = self._live.pop(uid, None)
        if live is None and event.recovered and self._closed_before and self._closed_before(uid):
            self._remember_ended(uid)
            return []
        call = _complete(live.snapshot() if live else None, event, self.groups)
        self._remember_ended(uid)
        mine = self._mine(call.extensions)
        return [CallUpdate(UpdateKind.ENDED, call, mine)] if mine else []

    def _remember_ended(self, uid: str) -> None:
        self._ended[uid] = None
        if len(self._ended) > _REMEMBER_ENDED:
            self._ended.popitem(last=False)

    def _expire(self, now: dt.datetime) -> None:
        while self._live:
            call_id, oldest = next(iter(self._live.items()))
            if len(self._live) < self._max_calls and now - oldest.last_seen < self._stale_after:
                return
            del self._live[call_id]

    def _mine(self, extensions: Iterable[str]) -> frozenset[str]:
        numbers = frozenset(n for n in extensions if n)
        return numbers if self.extensions is None else numbers & self.extensions

    def _ours(self, call: Call) -> bool:
        return bool(self._mine(call.extensions))
