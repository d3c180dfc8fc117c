"""Decode one WebSocket text frame from the PBX: heartbeat reply, API reply, or a typed event."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from linkus_companion.pbx.clock import PbxClock
from linkus_companion.pbx.models import (
    CALL_EVENTS,
    EXTENSION_EVENTS,
    SYSTEM_EVENTS,
    CallEvent,
    CallInfo,
    CdrEvent,
    CdrRecord,
    Event,
    EventType,
    ExtensionEvent,
    MalformedPayload,
    SystemEvent,
    field_text,
)

HEARTBEAT = "heartbeat"
HEARTBEAT_RESPONSE = "heartbeat response"
MAX_FRAME = 64 * 1024
"""Frames larger than this are skipped unread; real events are a few hundred bytes."""


class FrameError(ValueError):
    """The frame cannot be used (malformed, truncated, oversized or of an unknown type)."""


@dataclass(frozen=True)
class HeartbeatReply:
    """The literal `heartbeat response`."""


@dataclass(frozen=True)
class ApiReply:
    """An `{errcode, errmsg}` frame: the subscribe reply, or e.g. 10004 TOKEN EXPIRED."""

    errcode: int
    errmsg: str


Frame = HeartbeatReply | ApiReply | Event


def decode(data: str | bytes, clock: PbxClock, *, max_size: int = MAX_FRAME) -> Frame:
    """Classify and decode one frame; raises FrameError with the reason it must be skipped."""
    if len(data) > max_size:
        raise FrameError(f"oversized frame ({len(data)} bytes, limit {max_size})")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError("binary frame that is not UTF-8 text") from None
    if data.strip() == HEARTBEAT_RESPONSE:
        return HeartbeatReply()
    body = _json_object(data, "frame")
    if "type" not in body and isinstance(body.get("errcode"), int):
        return ApiReply(body["errcode"], str(body.get("errmsg", ""))[:80])
    kind = body.get("type")
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise FrameError("frame without an integer type")
    try:
        event_type = EventType(kind)
    except ValueError:
        raise FrameError(f"unknown event type {kind}") from None
    msg = body.get("msg")
    payload = _json_object(msg, "msg") if isinstance(msg, str) else msg
    if not isinstance(payload, Mapping):
        raise FrameError(f"event {kind} without a msg object")
    sn = body.get("sn") if isinstance(body.get("sn"), str) else ""
    now = dt.datetime.now(dt.UTC)
    try:
        return _event(event_type, str(sn), payload, clock, now)
    except MalformedPayload as err:
        raise FrameError(f"event {kind}: {err}") from None


def _event(kind: EventType, sn: str, msg: Mapping[str, Any], clock: PbxClock, now: dt.datetime) -> Event:
    if kind is EventType.NEW_CDR:
        return CdrEvent(sn, CdrRecord.from_event(msg, clock), now)
    if kind in CALL_EVENTS:
        info = CallInfo.from_msg(msg)
        return CallEvent(kind, sn, info.call_id, info.members, now, reason=field_text(msg, "reason"))
    if kind in EXTENSION_EVENTS:
        return ExtensionEvent(
            kind,
            sn,
            field_text(msg, "extension", required=True),
            field_text(msg, "status"),
            now,
            kind=field_text(msg, "kind"),
            registered_ip=field_text(msg, "registered_ip"),
        )
    assert kind in SYSTEM_EVENTS
    return SystemEvent(
        kind,
        sn,
        field_text(msg, "event_name"),
        field_text(msg, "event_type"),
        field_text(msg, "event_level"),
        field_text(msg, "event_content"),
        now,
    )


def _json_object(text: str, what: str) -> Mapping[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise FrameError(f"{what} is not JSON (truncated or malformed)") from None
    if not isinstance(value, Mapping):
        raise FrameError(f"{what} is not a JSON object")
    return value
