"""Many simulated calls, fast: PBX frames cloned from the simulator's own, and an instant in-memory CRM."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from linkus_companion.crm.base import CallLog, CrmUser
from linkus_companion.model import NewRecord, Record, RecordKind
from linkus_companion.pbx.clock import PbxClock
from linkus_companion.pbx.frames import ApiReply, HeartbeatReply, decode
from linkus_companion.pbx.models import Event
from linkus_companion.phone import PhoneNumber


class InstantCrm:
    """A connector answering at once from memory (every number is a contact); keeps only counters."""

    kind = "hubspot"
    name = "HubSpot"
    creatable = (RecordKind.CONTACT,)

    def __init__(self, web: str = "https://app.hubspot.com") -> None:
        self.web = web
        self.searches = 0
        self.logs = 0
        self._ids = itertools.count(1)

    async def search_by_phone(self, number: PhoneNumber) -> list[Record]:
        self.searches += 1
        key = number.e164 or number.digits
        return [Record(key, RecordKind.CONTACT, "contacts", key, self.record_url(key, RecordKind.CONTACT))]

    def record_url(self, record_id: str, kind: RecordKind) -> str:
        return f"{self.web}/contacts/1/record/0-1/{record_id}"

    async def create_record(self, new: NewRecord) -> Record:
        rid = str(next(self._ids))
        return Record(rid, new.kind, "contacts", rid, self.record_url(rid, new.kind))

    async def log_call(self, log: CallLog) -> str:
        self.logs += 1
        return str(next(self._ids))

    async def update_call(self, crm_call_id: str, log: CallLog) -> None:
        return None

    async def find_call(self, idempotency_key: str) -> str | None:
        return None

    async def list_users(self) -> list[CrmUser]:
        return []


class CallFactory:
    """Typed events of `n` distinct inbound calls to `extension` (answered), decoded from PBX frames."""

    def __init__(self, extension: str) -> None:
        self.extension = extension
        self._frames: list[str] | None = None
        self._seq = itertools.count(1)
        self._clock = PbxClock(time_format="hh:mm:ss")

    async def _load(self) -> list[str]:
        from benchmarks._rig import pbx_frames, phone

        frames = await pbx_frames(1, extension_share=self.extension)
        self._caller = phone(0)
        self._call_id = json.loads(json.loads(frames[0])["msg"])["call_id"]
        return frames

    def events(self, n: int) -> Iterator[Event]:
        """Decoded events for the next `n` calls (each with a new call id and caller)."""
        assert self._frames is not None, "await prepare() first"
        for _ in range(n):
            i = next(self._seq)
            call_id = f"{1800000000 + i}.{i}"
            caller = f"+1415{3000000 + i % 9_000_000:07d}"
            for text in self._frames:
                text = text.replace(self._call_id, call_id).replace(
                    self._caller.lstrip("+"), caller.lstrip("+")
                )
                event = decode(text, self._clock)
                if not isinstance(event, HeartbeatReply | ApiReply):
                    yield event

    async def prepare(self) -> None:
        self._frames = await self._load()


def instant(host: Any) -> InstantCrm:
    """Point a running EngineHost's lookup, engine and outbox at an InstantCrm (for bulk call runs)."""
    crm = InstantCrm(host.connector.record_url("0", RecordKind.CONTACT).split("/contacts")[0])
    host.lookup.connector = crm
    host.engine.connector = crm
    host.outbox._connector = crm
    return crm
