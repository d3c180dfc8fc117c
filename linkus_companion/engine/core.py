"""The engine: for every call update, look the caller up, pop the CRM page, create records, queue the log."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from linkus_companion.crm.base import Connector, CrmError, kind_word
from linkus_companion.engine.lookup import Lookup, Match, Source
from linkus_companion.engine.screen_pop import (
    PopGuard,
    PopMode,
    PopPolicy,
    PopRequest,
    Trigger,
    UrlOpener,
    due_extensions,
)
from linkus_companion.model import CallNote, Direction, NewRecord, Record, RecordKind
from linkus_companion.pacing import Pacer
from linkus_companion.pbx.calls import Call, CallTracker, CallUpdate, UpdateKind
from linkus_companion.pbx.models import Event
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

AUTO_NAME = "Automatic New Contact"
"""The auto-created name in the Yeastar manuals (the Chinese manuals keep it in English too)."""
AUTO_NAMES = {"zh": "自动新建联系人"}
"""The auto-created name by interface language, where the admin asks for it in the user's language."""
"""First part of an auto-created record's name; the number follows (as in the manuals)."""


@dataclass(frozen=True)
class CreatePolicy:
    """Record creation for unknown numbers (settings create.*)."""

    enabled: bool = True
    auto: bool = False
    kind: RecordKind = RecordKind.CONTACT
    inbound: bool = True
    outbound: bool = False
    name: str = AUTO_NAME
    """The first name of auto-created records (the number is the last name)."""


@dataclass(frozen=True)
class Resolution:
    """What the CRM knows about a call's other party once the lookup (and any auto-creation) is done."""

    match: Match
    created: Record | None = None

    @property
    def record(self) -> Record | None:
        """The record pops and logs use: the created one, else the chosen match."""
        return self.created or self.match.chosen


class CallLogSink(Protocol):
    """Queues the call logs of an ended call (engine/call_log.py)."""

    def call_ended(
        self,
        call: Call,
        record: Record | None,
        *,
        link_later: bool = False,
        notes: Mapping[str, CallNote] | None = None,
    ) -> list[str]:
        """Write the call's log jobs durably (`link_later`: the CRM was not reachable); their keys."""
        ...

    def keep_note(self, call_id: str, extension: str, note: CallNote) -> None:
        """Keep a note typed on a live call durably, for the log written when it ends."""
        ...

    def annotate(self, call_id: str, extension: str, note: CallNote) -> list[str] | None:
        """Put a note typed after the call ended into its log; the update keys (None: no such log)."""
        ...


class RecordSync(Protocol):
    """Copies a CRM record that called or was called into the PBX phonebook (engine/contact_sync.py)."""

    async def sync_record(self, record: Record) -> object:
        """Upsert the record into the CRM-owned PBX group."""
        ...


class EngineListener(Protocol):
    """Receives call changes (for the desktop UI and the gateway)."""

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        """A call changed, or its lookup finished."""
        ...

    def on_pop(self, request: PopRequest) -> None:
        """A CRM page was opened."""
        ...


class EngineError(Exception):
    """A user action could not be done; the message says why."""


@dataclass
class _CallState:
    call: Call
    resolving: asyncio.Future[Resolution] | None = None
    chosen: Record | None = None
    popped: set[tuple[str, Trigger]] = field(default_factory=set)
    waiting_choice: list[tuple[str, Trigger, dt.datetime]] = field(default_factory=list)
    logged: bool = False
    queued: bool = False
    """The call's logs are in the outbox: notes typed from now on update them."""
    notes: dict[str, CallNote] = field(default_factory=dict)


class Engine:
    """The integration rules for one extension (desktop) or many (gateway), Qt-free."""

    def __init__(
        self,
        *,
        connector: Connector,
        lookup: Lookup,
        opener: UrlOpener,
        guard: PopGuard,
        pop_policy: Callable[[str], PopPolicy],
        create: CreatePolicy,
        call_log: CallLogSink | None = None,
        on_logged: Callable[[], None] | None = None,
        sync: RecordSync | None = None,
        end_wait: float = 10.0,
        keep_calls: int = 500,
    ) -> None:
        """`keep_calls`: how many calls are remembered at most (calls in progress always are); an ended
        call forgotten keeps its note edits, through the store."""
        self.connector = connector
        self.lookup = lookup
        self._opener = opener
        self._guard = guard
        self._pop_policy = pop_policy
        self._create = create
        self._call_log = call_log
        self._on_logged = on_logged
        self._sync = sync
        self._end_wait = end_wait
        self._keep_calls = keep_calls
        self._calls: OrderedDict[str, _CallState] = OrderedDict()
        self._listeners: list[EngineListener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._create_lock = asyncio.Lock()
        self._closing = asyncio.Event()
        self._enders: set[asyncio.Task[Any]] = set()
        self.pops_paused = False

    # --- wiring -------------------------------------------------------------------------------

    def add_listener(self, listener: EngineListener) -> Callable[[], None]:
        """Receive call changes and pops; returns a function that stops them."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def run(self, events: AsyncIterator[Event], tracker: CallTracker) -> None:
        """Fold every event into calls and react to each update, until the stream ends."""
        pacer = Pacer()
        async for event in events:
            for update in tracker.feed(event):
                self.handle(update, event.received_at)
            await pacer.pause()  # a backlog of events is handled in slices: the loop's other tasks go on

    async def settled(self) -> None:
        """Wait until the lookups, pops, call logs and syncs in flight are done (none is cancelled)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop promptly: every ended call's logs are queued, then lookups, pops and syncs in flight are cancelled.

        A call whose lookup had not finished is queued without its record; the outbox finds the record
        when it delivers the log (as when the CRM was unreachable).
        """
        self._closing.set()
        try:
            while self._tasks:
                await asyncio.gather(*list(self._enders), return_exceptions=True)
                for task in self._tasks - self._enders:
                    task.cancel()
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
        finally:
            self._closing.clear()  # a host started again (CRM re-enabled, leadership won) uses it anew

    # --- reacting to calls --------------------------------------------------------------------

    def handle(self, update: CallUpdate, received_at: dt.datetime) -> None:
        """React to one update; all CRM work runs in background tasks, so this never blocks."""
        state = self._calls.get(update.call.call_id)
        if state is None:
            state = self._calls[update.call.call_id] = _CallState(update.call)
            self._forget_old()
        state.call = update.call
        if state.resolving is None:
            state.resolving = self._known_already(state.call) or self._spawn(self._resolve(state))
            state.resolving.add_done_callback(lambda _task: self._notify(state))
        due = due_extensions(update.kind, update.call, update.extensions)
        if due is not None:  # pops first: the listeners (journal, UI) write to disk and redraw
            trigger, extensions = due
            for extension in sorted(extensions):
                self._maybe_pop(state, extension, trigger, received_at)
        self._notify(state)
        if update.kind is UpdateKind.ENDED and not state.logged:
            state.logged = True
            ender = self._spawn(self._ended(state))
            self._enders.add(ender)
            ender.add_done_callback(self._enders.discard)

    def _maybe_pop(
        self, state: _CallState, extension: str, trigger: Trigger, received_at: dt.datetime
    ) -> None:
        policy = self._pop_policy(extension)
        key = (extension, trigger)
        if (
            self.pops_paused
            or not policy.enabled
            or policy.mode is not PopMode.AUTO
            or policy.trigger is not trigger
            or key in state.popped
        ):
            return
        state.popped.add(key)
        resolving = state.resolving
        assert resolving is not None
        if resolving.done() and not resolving.cancelled() and resolving.exception() is None:
            try:  # the lookup is in (answered/ended, a repeat caller): pop now, not after the queue
                self._pop_resolved(state, extension, trigger, received_at, resolving.result())
            except EngineError as exc:  # the task path drops it too: a page outside the CRM stays shut
                log.warning("%s", exc)
            except Exception:  # an opener's failure must not stop the engine's event loop
                log.error("engine pop failed", exc_info=True)
        else:
            self._spawn(self._auto_pop(state, extension, trigger, received_at))

    async def _auto_pop(
        self, state: _CallState, extension: str, trigger: Trigger, received_at: dt.datetime
    ) -> None:
        assert state.resolving is not None
        self._pop_resolved(state, extension, trigger, received_at, await state.resolving)

    def _pop_resolved(
        self,
        state: _CallState,
        extension: str,
        trigger: Trigger,
        received_at: dt.datetime,
        resolution: Resolution,
    ) -> None:
        record = state.chosen or resolution.record
        if record is None:
            if resolution.match.needs_choice:
                state.waiting_choice.append((extension, trigger, received_at))
            return
        self._open(state.call.call_id, extension, trigger.value, record, received_at)

    def _open(
        self, call_id: str, extension: str, trigger: str, record: Record, since: dt.datetime | None
    ) -> str:
        url = record.url or self.connector.record_url(record.id, record.kind)
        if not self._guard.allows(url):
            raise EngineError(
                Text("The record's address is not a page of the configured CRM, so it was not opened.")
            )
        latency = (dt.datetime.now(dt.UTC) - since).total_seconds() * 1000 if since else 0.0
        request = PopRequest(call_id, extension, trigger, url, round(latency, 3))
        self._opener.open(request)
        for listener in list(self._listeners):
            listener.on_pop(request)
        return url

    async def _resolve(self, state: _CallState) -> Resolution:
        call = state.call
        if call.direction is Direction.INTERNAL:
            return Resolution(Match(call.remote.number, None))
        number = call.remote.number
        match = await self.lookup.find(number)
        if match.known or match.error or match.number is None or match.source is Source.NONE:
            if match.chosen is not None and match.source is Source.CRM:
                self._spawn_sync(match.chosen)
            return Resolution(match)
        if not self._should_auto_create(call):
            return Resolution(match)
        created = await self._auto_create(match)
        return Resolution(match, created)

    def _known_already(self, call: Call) -> asyncio.Future[Resolution] | None:
        """A repeat caller's cached record, resolved now: its pops open while the ring is handled."""
        if call.direction is Direction.INTERNAL:
            return None
        match = self.lookup.cached(call.remote.number)
        if match is None or not match.known:
            return None
        resolved: asyncio.Future[Resolution] = asyncio.get_running_loop().create_future()
        resolved.set_result(Resolution(match))
        return resolved

    def _should_auto_create(self, call: Call) -> bool:
        policy = self._create
        if not (policy.enabled and policy.auto) or policy.kind not in self.connector.creatable:
            return False
        return (call.direction is Direction.INBOUND and policy.inbound) or (
            call.direction is Direction.OUTBOUND and policy.outbound
        )

    async def _auto_create(self, miss: Match) -> Record | None:
        """Create `<policy name> <number>` (`Automatic New Contact <number>` by the manuals) once.

        The CRM is searched again first only when the miss may be stale: it came from the cache, or
        another creation ran meanwhile (the same caller on two lines); a miss the CRM just gave stands.
        """
        number = miss.raw
        contended = self._create_lock.locked()
        async with self._create_lock:
            again = miss
            if contended or miss.source is not Source.CRM:
                self.lookup.forget(number)
                again = await self.lookup.find(number)
            if again.known or again.error or again.number is None:
                return again.chosen
            phone = again.number.e164 or again.number.raw
            new = NewRecord(
                kind=self._create.kind, phone=phone, first_name=self._create.name, last_name=phone
            )
            try:
                record = await self.connector.create_record(new)
            except CrmError as exc:
                log.warning("could not create a CRM record for an unknown caller: %s", exc)
                return None
            self.lookup.forget(number)
            log.info("created %s %s for an unknown caller", record.kind, record.id)
            self._spawn_sync(record)
            return record

    async def _ended(self, state: _CallState) -> None:
        """Queue the call's logs: with the record when the lookup finishes in time (and before a close), else without it."""
        assert state.resolving is not None
        resolution = await self._resolved(state.resolving)
        record = state.chosen or (resolution.record if resolution else None)
        if resolution is not None and record is None and resolution.match.records:
            record = resolution.match.records[0]  # several matches, nobody picked: module priority
        if self._call_log is not None:
            unreachable = resolution is None or bool(resolution.match.error)
            keys = self._call_log.call_ended(state.call, record, link_later=unreachable, notes=state.notes)
            state.queued = True
            if keys and self._on_logged is not None:
                self._on_logged()

    async def _resolved(self, resolving: asyncio.Future[Resolution]) -> Resolution | None:
        """The lookup's result once it ends; None when it fails or `end_wait` or `close()` comes first."""
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            waiting: set[asyncio.Future[Any]] = {resolving, closing}
            await asyncio.wait(waiting, timeout=self._end_wait, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
        if not resolving.done() or resolving.cancelled() or resolving.exception() is not None:
            return None
        return resolving.result()

    def _spawn_sync(self, record: Record) -> None:
        """Copy a record that called, was called or was just created into the PBX group (contact sync on)."""
        if self._sync is not None:
            self._spawn(self._sync_record(self._sync, record))

    @staticmethod
    async def _sync_record(sync: RecordSync, record: Record) -> None:
        try:
            await sync.sync_record(record)
        except Exception:
            log.exception("could not copy %s %s to the PBX phonebook", record.kind, record.id)

    # --- user actions -------------------------------------------------------------------------

    async def open_in_crm(self, call_id: str, extension: str) -> str:
        """The manual pop: open the call's record; returns the URL."""
        state = self._state(call_id)
        assert state.resolving is not None
        resolution = await state.resolving
        record = state.chosen or resolution.record
        if record is None:
            if resolution.match.needs_choice:
                raise EngineError(Text("Several CRM records share this number: pick one first."))
            raise EngineError(Text("This caller is not in the CRM yet. Use Add to CRM to create a record."))
        return self._open(call_id, extension, "manual", record, None)

    def open_record(self, call_id: str, extension: str, record: Record) -> str:
        """Open `record` for a call the engine no longer follows (the call history); returns the URL."""
        return self._open(call_id, extension, "manual", record, None)

    async def choose_record(self, call_id: str, record_id: str) -> Record:
        """The user picked one of several matches: pops waiting for a choice open now."""
        state = self._state(call_id)
        assert state.resolving is not None
        resolution = await state.resolving
        record = next((r for r in resolution.match.records if r.id == record_id), None)
        if record is None:
            raise EngineError(Text("That record is not one of the matches for this call."))
        state.chosen = record
        self._notify(state)
        waiting, state.waiting_choice = state.waiting_choice, []
        for extension, trigger, since in waiting:
            self._open(call_id, extension, trigger.value, record, since)
        return record

    async def retry_lookup(self, call_id: str) -> None:
        """Look the call's number up again (the last lookup failed); its listeners hear the new result."""
        state = self._state(call_id)
        if state.resolving is not None and not state.resolving.done():
            return
        self.lookup.forget(state.call.remote.number)
        state.resolving = self._spawn(self._resolve(state))
        state.resolving.add_done_callback(lambda _task: self._notify(state))
        self._notify(state)
        await asyncio.shield(state.resolving)

    def save_note(self, call_id: str, extension: str, note: CallNote) -> None:
        """What the user typed on a call goes into its CRM log: the first write, or an update of it.

        Works for any call the store has logged (after a restart too); a live call keeps the note
        for the log written when it ends.
        """
        if note.disposition is not None and note.disposition not in self.connector.dispositions:
            raise EngineError(Text("This CRM has no such call outcome; pick one from the list."))
        state = self._calls.get(call_id)
        if state is not None and note.keep_disposition and (before := state.notes.get(extension)):
            note = replace(note, disposition=before.disposition)
        if state is not None and not state.queued:
            state.notes[extension] = note
            if self._call_log is not None:
                self._call_log.keep_note(call_id, extension, note)  # a restart before the end keeps it
            return
        if self._call_log is None:
            raise EngineError(Text("Call logging is off, so the note has nowhere to go."))
        keys = self._call_log.annotate(call_id, extension, note)
        if keys is None:
            raise EngineError(Text("This call has no CRM call log to add the note to."))
        if state is not None:
            state.notes[extension] = note
        if keys and self._on_logged is not None:
            self._on_logged()

    async def create_record(self, call_id: str | None, new: NewRecord) -> Record:
        """Create a record from the Add-to-CRM dialog; linked to the call when one is given."""
        if new.kind not in self.connector.creatable:
            raise EngineError(Text("This CRM cannot create a {kind}.", kind=kind_word(new.kind)))
        async with self._create_lock:
            record = await self.connector.create_record(new)
        self.lookup.forget(new.phone)
        self._spawn_sync(record)
        if call_id is not None and (state := self._calls.get(call_id)) is not None:
            state.chosen = record
            self._notify(state)
        return record

    def resolution(self, call_id: str) -> Resolution | None:
        """The finished lookup of a call, if any."""
        state = self._calls.get(call_id)
        if state is None or state.resolving is None or not state.resolving.done():
            return None
        if state.resolving.cancelled() or state.resolving.exception() is not None:
            return None
        return state.resolving.result()

    # --- helpers ------------------------------------------------------------------------------

    def _forget_old(self) -> None:
        """Beyond `keep_calls`, forget the oldest calls whose logs are queued (or that log nothing)."""
        excess = len(self._calls) - self._keep_calls
        if excess > 0:
            done = (k for k, s in self._calls.items() if s.queued or (s.logged and self._call_log is None))
            for call_id in list(itertools.islice(done, excess)):
                del self._calls[call_id]

    def _state(self, call_id: str) -> _CallState:
        state = self._calls.get(call_id)
        if state is None:
            raise EngineError(Text("That call is no longer known."))
        return state

    def _notify(self, state: _CallState) -> None:
        resolution = self.resolution(state.call.call_id)
        for listener in list(self._listeners):
            listener.on_call(state.call, resolution, state.chosen)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if (
            not task.cancelled()
            and (exc := task.exception()) is not None
            and not isinstance(exc, EngineError)
        ):
            log.error("engine task failed", exc_info=exc)
