"""Typed PBX events and CDR records, built from the Open API's JSON (30011-30016, 30012, CDR rows)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum
from typing import Any

from linkus_companion.model import Direction, Outcome
from linkus_companion.pbx.clock import PbxClock


class EventType(IntEnum):
    """Event ids this client understands (the `type` of a frame and the `topic_list` entries)."""

    EXTENSION_REGISTRATION = 30007
    EXTENSION_CALL_STATUS = 30008
    EXTENSION_PRESENCE = 30009
    CALL_STATUS = 30011
    NEW_CDR = 30012
    CALL_TRANSFER = 30013
    CALL_FORWARD = 30014
    CALL_FAILED = 30015
    INBOUND_INVITATION = 30016
    SYSTEM_INFO = 30034
    SYSTEM_WARNING = 30035
    SYSTEM_ALERT = 30036


CALL_EVENTS = frozenset(
    {
        EventType.CALL_STATUS,
        EventType.CALL_TRANSFER,
        EventType.CALL_FORWARD,
        EventType.CALL_FAILED,
        EventType.INBOUND_INVITATION,
    }
)
EXTENSION_EVENTS = frozenset(
    {EventType.EXTENSION_REGISTRATION, EventType.EXTENSION_CALL_STATUS, EventType.EXTENSION_PRESENCE}
)
SYSTEM_EVENTS = frozenset({EventType.SYSTEM_INFO, EventType.SYSTEM_WARNING, EventType.SYSTEM_ALERT})


class MemberKind(StrEnum):
    """The one key naming a call leg in `members`."""

    EXTENSION = "extension"
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class MemberStatus(StrEnum):
    """`member_status` of a call leg."""

    ALERT = "ALERT"
    RING = "RING"
    EARLYMEDIA = "EARLYMEDIA"
    ANSWERED = "ANSWERED"
    ANSWER = "ANSWER"
    HOLD = "HOLD"
    BYE = "BYE"


class MalformedPayload(ValueError):
    """A frame or row does not have the documented shape."""


@dataclass(frozen=True)
class Member:
    """One leg of a call: an extension, or the trunk leg of an inbound/outbound call."""

    kind: MemberKind
    status: MemberStatus
    channel_id: str
    number: str = ""
    """The extension number (extension legs)."""
    from_number: str = ""
    """Trunk legs: the calling number."""
    to_number: str = ""
    """Trunk legs: the called number (the DID for inbound calls)."""
    trunk: str = ""
    call_path: str = ""
    """Queue, ring group or IVR number the call went through; empty otherwise."""


@dataclass(frozen=True)
class CallEvent:
    """30011 call status, 30013 transfer, 30014 forward, 30015 failure or 30016 invitation."""

    type: EventType
    sn: str
    call_id: str
    members: tuple[Member, ...]
    received_at: dt.datetime
    reason: str = ""
    """30015 only: why the call failed, as the PBX spells it."""


@dataclass(frozen=True)
class ExtensionEvent:
    """30007 registration, 30008 call status or 30009 presence of one extension."""

    type: EventType
    sn: str
    extension: str
    status: str
    received_at: dt.datetime
    kind: str = ""
    registered_ip: str = ""


@dataclass(frozen=True)
class SystemEvent:
    """30034-30036 system event notification (information, warning, alert)."""

    type: EventType
    sn: str
    name: str
    category: str
    level: str
    content: str
    received_at: dt.datetime


_DISPOSITIONS = {
    "ANSWERED": Outcome.ANSWERED,
    "ANSWERD": Outcome.ANSWERED,
    "NO ANSWER": Outcome.NO_ANSWER,
    "ABANDONED": Outcome.NO_ANSWER,
    "BUSY": Outcome.BUSY,
    "VOICEMAIL": Outcome.VOICEMAIL,
    "FAILED": Outcome.FAILED,
}
_PARTY = re.compile(r"^\s*(?P<name>.*?)\s*<(?P<number>[^<>]*)>\s*$")


def split_party(text: str) -> tuple[str, str]:
    """`"Evelyn<5566>"` -> (`"5566"`, `"Evelyn"`); a bare number -> (number, "")."""
    match = _PARTY.match(text)
    if match:
        return match["number"].strip(), match["name"]
    return text.strip(), ""


@dataclass(frozen=True)
class CdrRecord:
    """One finished call as the PBX recorded it (30012 event or cdr/search row)."""

    uid: str
    """CDR unique id; equals the call's `call_id`."""
    direction: Direction
    outcome: Outcome
    started_at: dt.datetime
    call_from: str
    call_to: str
    duration: int
    talk_seconds: int
    ring_seconds: int
    call_from_name: str = ""
    call_to_name: str = ""
    src_trunk: str = ""
    dst_trunk: str = ""
    did: str = ""
    recording: str = ""
    talked: tuple[str, ...] = ()
    """Extensions that answered, in order, when the CDR lists a transferred call's legs (else empty)."""

    @property
    def ended_at(self) -> dt.datetime:
        """Start plus the whole call duration."""
        return self.started_at + dt.timedelta(seconds=self.duration)

    @classmethod
    def from_event(cls, msg: Mapping[str, Any], clock: PbxClock) -> CdrRecord:
        """From a 30012 `msg` (times in `YYYY-MM-DD HH:mm:ss`, PBX local)."""
        call_id = field_text(msg, "call_id", required=True)
        duration = _int(msg, "call_duration")
        talk = _int(msg, "talk_duration")
        return cls(
            uid=field_text(msg, "uid") or call_id,
            direction=_direction(field_text(msg, "type", required=True)),
            outcome=_outcome(field_text(msg, "status", required=True)),
            started_at=_time(clock.parse_event, field_text(msg, "time_start", required=True)),
            call_from=field_text(msg, "call_from"),
            call_to=field_text(msg, "call_to"),
            duration=duration,
            talk_seconds=talk,
            ring_seconds=max(duration - talk, 0),
            src_trunk=field_text(msg, "src_trunk_name"),
            dst_trunk=field_text(msg, "dst_trunk_name"),
            did=field_text(msg, "did_number"),
            recording=field_text(msg, "recording"),
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any], clock: PbxClock) -> CdrRecord:
        """From a cdr/list or cdr/search row (`timestamp` unix seconds, else `time` in display format)."""
        stamp = row.get("timestamp")
        if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
            started = dt.datetime.fromtimestamp(stamp, dt.UTC)
        else:
            started = _time(clock.parse_display, field_text(row, "time", required=True))
        call_from, from_name = split_party(field_text(row, "call_from"))
        call_to, to_name = split_party(field_text(row, "call_to"))
        return cls(
            uid=field_text(row, "uid", required=True),
            direction=_direction(field_text(row, "call_type", required=True)),
            outcome=_outcome(field_text(row, "disposition", required=True)),
            started_at=started,
            call_from=call_from,
            call_to=call_to,
            duration=_int(row, "duration"),
            talk_seconds=_int(row, "talk_duration"),
            ring_seconds=_int(row, "ring_duration"),
            call_from_name=from_name,
            call_to_name=to_name,
            src_trunk=field_text(row, "src_trunk"),
            dst_trunk=field_text(row, "dst_trunk"),
            did=field_text(row, "did_number"),
            recording=field_text(row, "record_file"),
        )


@dataclass(frozen=True)
class CdrEvent:
    """A finished call: a live 30012, or a CDR row recovered after a gap in the stream."""

    sn: str
    record: CdrRecord
    received_at: dt.datetime
    recovered: bool = False


Event = CallEvent | CdrEvent | ExtensionEvent | SystemEvent


def merge_legs(records: Iterable[CdrRecord]) -> list[CdrRecord]:
    """One record per `uid`: the CDR lists each leg of a transferred call, the last being the call.

    The merged record is the call's last leg, with `talked` naming every extension that answered; when
    that last leg went unanswered (a transfer target that only rang), the call is still the answered
    one of the last leg that talked, with its talk time and recording.
    """
    calls: dict[str, list[CdrRecord]] = {}
    for record in records:
        calls.setdefault(record.uid, []).append(record)
    merged = []
    for legs in calls.values():
        last = legs[-1]
        if len(legs) > 1:
            answered = [leg for leg in legs if leg.outcome is Outcome.ANSWERED and leg.call_to]
            last = replace(last, talked=tuple(dict.fromkeys(leg.call_to for leg in answered)))
            if answered and last.outcome is not Outcome.ANSWERED:
                talk = answered[-1]
                last = replace(
                    last,
                    outcome=Outcome.ANSWERED,
                    talk_seconds=talk.talk_seconds,
                    ring_seconds=talk.ring_seconds,
                    recording=last.recording or talk.recording,
                )
        merged.append(last)
    return merged


def parse_member(item: object) -> Member:
    """One `members` element: an object with exactly one key naming the leg kind."""
    if not isinstance(item, Mapping) or len(item) != 1:
        raise MalformedPayload("a call member must be an object with one key")
    ((key, leg),) = item.items()
    try:
        kind = MemberKind(key)
        status = MemberStatus(field_text(leg, "member_status", required=True))
    except ValueError as err:
        raise MalformedPayload(f"unknown member kind or status: {err}") from None
    return Member(
        kind=kind,
        status=status,
        channel_id=field_text(leg, "channel_id"),
        number=field_text(leg, "number"),
        from_number=field_text(leg, "from"),
        to_number=field_text(leg, "to"),
        trunk=field_text(leg, "trunk_name"),
        call_path=field_text(leg, "call_path"),
    )


@dataclass(frozen=True)
class CallInfo:
    """`Call_Info` (`call_id`, `members`), shared by 30011/30013-30016 and call/query."""

    call_id: str
    members: tuple[Member, ...]

    @classmethod
    def from_msg(cls, msg: Mapping[str, Any]) -> CallInfo:
        """From an event `msg` or a call/query `data` item."""
        members = msg.get("members")
        if not isinstance(members, list):
            raise MalformedPayload("call info without a members list")
        return cls(field_text(msg, "call_id", required=True), tuple(parse_member(m) for m in members))


def field_text(obj: object, key: str, *, required: bool = False) -> str:
    """A string field, whitespace-only treated as empty (the PBX writes `" "` for none)."""
    if not isinstance(obj, Mapping):
        raise MalformedPayload("expected an object")
    value = obj.get(key)
    if isinstance(value, bool):
        value = None
    if isinstance(value, int | float):
        value = str(value)
    if value is not None and not isinstance(value, str):
        raise MalformedPayload(f"{key} is not a string")
    text = (value or "").strip()
    if required and not text:
        raise MalformedPayload(f"{key} is missing")
    return text


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key, 0)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedPayload(f"{key} is not a number of seconds")
    return value


def _direction(text: str) -> Direction:
    try:
        return Direction(text.lower())
    except ValueError:
        raise MalformedPayload(f"unknown call type {text[:20]!r}") from None


def _outcome(text: str) -> Outcome:
    try:
        return _DISPOSITIONS[text.upper()]
    except KeyError:
        raise MalformedPayload(f"unknown call status {text[:20]!r}") from None


def _time(parse: Callable[[str], dt.datetime], text: str) -> dt.datetime:
    try:
        return parse(text)
    except ValueError:
        raise MalformedPayload(f"unreadable time {text[:30]!r}") from None
