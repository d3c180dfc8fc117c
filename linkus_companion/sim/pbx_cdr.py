"""Finished calls: the 30012 event, REST CDR rows with their search filters, and recordings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from linkus_companion.sim.pbx_clock import PbxClock
from linkus_companion.sim.pbx_media import wav_size


def _blank(value: str) -> str:
    """Events show empty strings as a single space."""
    return value or " "


def _party(name: str, number: str) -> str:
    """`Name<number>` as the REST CDR writes a party, or the bare number when the PBX knows no name."""
    return f"{name}<{number}>" if name else number


@dataclass(frozen=True)
class CallRecord:
    """Everything the PBX knows about a finished call."""

    call_id: str
    started: dt.datetime
    call_from: str
    call_to: str
    from_name: str
    to_name: str
    call_type: str
    status: str
    duration: int
    ring_duration: int
    talk_duration: int
    src_trunk: str
    dst_trunk: str
    did: str
    dod: str
    recording: str
    path: str = ""
    """The queue or ring group the call came through (not a CDR column; for test oracles)."""
    rang: tuple[str, ...] = ()
    """Extensions that rang, in order."""
    talked: tuple[str, ...] = ()
    """Extensions that answered, in order (several after a transfer)."""

    def legs(self) -> list[CallRecord]:
        """The REST CDR's rows for this call: one per leg of a transferred inbound call.

        The standard view lists each call leg; the legs of one call share its `uid`, the last one is
        the call's last destination (`call_to`, as the 30012 names it). A target that never answered (the
        caller hung up while it rang) has its own NO ANSWER leg after the legs that talked.
        """
        earlier = [ext for ext in self.talked if ext != self.call_to]
        if self.call_type != "Inbound" or not earlier:
            return [self]
        if self.call_to in self.talked:
            rows = [replace(self, call_to=ext, to_name="", recording="") for ext in earlier]
            return [*rows, self]
        rows = [replace(self, call_to=ext, to_name="", recording="") for ext in earlier[:-1]]
        last_talker = replace(self, call_to=earlier[-1], to_name="")
        unanswered = replace(self, status="NO ANSWER", talk_duration=0, recording="")
        return [*rows, last_talker, unanswered]

    def event(self, clock: PbxClock) -> dict[str, Any]:
        """The 30012 `Call_Details` payload (`uid` = `call_id`)."""
        return {
            "call_id": self.call_id,
            "time_start": clock.event_time(self.started),
            "call_from": self.call_from,
            "call_to": self.call_to,
            "call_duration": self.duration,
            "talk_duration": self.talk_duration,
            "src_trunk_name": _blank(self.src_trunk),
            "dst_trunk_name": _blank(self.dst_trunk),
            "pin_code": " ",
            "status": self.status,
            "type": self.call_type,
            "recording": _blank(self.recording),
            "did_number": _blank(self.did),
            "did_name": " ",
            "agent_ring_time": self.ring_duration if self.status == "ANSWERED" else 0,
            "uid": self.call_id,
        }

    def row(self, row_id: int, clock: PbxClock) -> dict[str, Any]:
        """The REST `CDR_Details` row (cdr/list, cdr/search)."""
        return {
            "id": row_id,
            "time": clock.display(self.started),
            "uid": self.call_id,
            "call_from": _party(self.from_name, self.call_from),
            "call_to": _party(self.to_name, self.call_to),
            "timestamp": int(self.started.timestamp()),
            "src_addr": "",
            "src_trunk": self.src_trunk,
            "dst_trunk": self.dst_trunk,
            "duration": self.duration,
            "ring_duration": self.ring_duration,
            "talk_duration": self.talk_duration,
            "disposition": self.status,
            "call_type": self.call_type,
            "did_number": self.did,
            "dod_number": self.dod,
            "record_file": self.recording,
        }


@dataclass(frozen=True)
class CdrQuery:
    """cdr/search filters (all optional)."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    call_from: str = ""
    call_to: str = ""
    status: str = ""
    did: str = ""
    fuzzy: bool = False

    def matches(self, record: CallRecord) -> bool:
        """Whether a record passes every given filter."""
        started = record.started.replace(microsecond=0)
        return (
            (self.start is None or started >= self.start)
            and (self.end is None or started <= self.end)
            and self._party(self.call_from, record.call_from, record.from_name)
            and self._party(self.call_to, record.call_to, record.to_name)
            and (not self.status or record.status == self.status)
            and (not self.did or record.did == self.did)
        )

    def _party(self, wanted: str, number: str, name: str) -> bool:
        if not wanted:
            return True
        if self.fuzzy:
            return wanted.lower() in f"{name}<{number}>".lower()
        return wanted == number


class CdrStore:
    """The PBX's CDR table and recording files, in call-end order."""

    def __init__(self, clock: PbxClock) -> None:
        self.clock = clock
        self.records: list[CallRecord] = []
        self.late_recordings = False
        """When True, new recordings are still being written when their call ends: the 30012 and the
        CDR name no file until `publish_recordings()`."""
        self._pending: dict[int, CallRecord] = {}

    def add(self, record: CallRecord) -> CallRecord:
        """Store a finished call; returns it as the PBX shows it now (without a recording still pending)."""
        if self.late_recordings and record.recording:
            self._pending[len(self.records)] = record
            record = replace(record, recording="")
        self.records.append(record)
        return record

    def publish_recordings(self) -> list[str]:
        """The pending recordings are written: their files appear in the CDR; returns the call ids."""
        for index, record in self._pending.items():
            self.records[index] = record
        published = [record.call_id for record in self._pending.values()]
        self._pending.clear()
        return published

    def rows(self, query: CdrQuery | None = None) -> list[dict[str, Any]]:
        """REST rows (ids from 1), optionally filtered."""
        legs = [leg for record in self.records for leg in record.legs()]
        return [
            leg.row(i, self.clock) for i, leg in enumerate(legs, 1) if query is None or query.matches(leg)
        ]

    def delete_recording(self, call_id: str) -> str:
        """The PBX deletes a call's recording file (retention or an admin); returns its file name."""
        for index, record in enumerate(self.records):
            if record.call_id == call_id and record.recording:
                self.records[index] = replace(record, recording="")
                return record.recording
        return ""

    def recordings(self) -> list[dict[str, Any]]:
        """recording/list rows (ids from 1, in recording order)."""
        return [
            {
                "id": i,
                "time": self.clock.display(record.started),
                "uid": record.call_id,
                "call_from": _party(record.from_name, record.call_from),
                "call_to": _party(record.to_name, record.call_to),
                "duration": record.talk_duration,
                "size": wav_size(record.talk_duration),
                "call_type": record.call_type,
                "file": record.recording,
            }
            for i, record in enumerate((r for r in self.records if r.recording), 1)
        ]
