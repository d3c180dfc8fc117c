"""Runs the engine for some extensions: one PBX connection, one CRM connector, the outbox and its helpers."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from linkus_companion import paths, phone
from linkus_companion.crm.base import Connector, CrmError, CrmUser
from linkus_companion.engine import known_users
from linkus_companion.engine.binding import BindingReport, bind
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.contact_sync import ContactSync
from linkus_companion.engine.core import Engine
from linkus_companion.engine.health import CrmHealth, watched
from linkus_companion.engine.history import CallHistory
from linkus_companion.engine.journal import CallJournal
from linkus_companion.engine.late_recordings import DELAYS, LateRecordings
from linkus_companion.engine.lookup import Lookup
from linkus_companion.engine.outbox import OutboxWorker
from linkus_companion.engine.policies import Policies
from linkus_companion.engine.recording_spool import RecordingSpool
from linkus_companion.engine.retention import keep_pruning
from linkus_companion.engine.screen_pop import PopGuard, UrlOpener
from linkus_companion.model import Record
from linkus_companion.pbx.calls import Call, CallTracker
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError
from linkus_companion.pbx.events import EventStream, StreamState, StreamStatus
from linkus_companion.pbx.resources import Extension
from linkus_companion.store import Store

if TYPE_CHECKING:  # Zoho PhoneBridge and the recording player (Starlette) load only where configured
    from linkus_companion.crm.phonebridge import PhoneBridge
    from linkus_companion.engine.phonebridge_mode import PhoneBridgeMode
    from linkus_companion.engine.recordings import RecordingLinks
    from linkus_companion.serving import RunningServer

log = logging.getLogger(__name__)

KEEP_READY = 50.0
"""Seconds between the connector's warm-ups while the host runs: under the CRM client's 55 s idle
expiry (runtime.CRM_KEEPALIVE) and the services' ~60 s, so the kept-alive connections stay open and a
token about to expire is refreshed between calls, not by one."""


class EngineHost:
    """The engine with everything around it, for the desktop (one extension) or the gateway (many)."""

    def __init__(
        self,
        *,
        pbx: PbxClient,
        connector: Connector,
        store: Store,
        policies: Policies,
        opener: UrlOpener,
        crm_web_origins: tuple[str, ...],
        extensions: tuple[str, ...] | None = None,
        recording_base: str = "",
        on_status: Callable[[StreamStatus], None] | None = None,
        stream_options: dict[str, Any] | None = None,
        outbox_options: dict[str, Any] | None = None,
        phonebridge: PhoneBridge | None = None,
        serve_recordings: bool = True,
        recording_delays: Sequence[float] = DELAYS,
        watch_every: float = 5.0,
        spool_dir: Path | None = None,
        keep_ready_every: float = KEEP_READY,
    ) -> None:
        """`extensions`: the ones served (None: all); `recording_base`: where recording links point ("" = off).

        Every `watch_every` seconds the host notes how far it has taken in the PBX's events: after a
        crash the CDR backfill starts there.

        With `serve_recordings` the host serves the player itself on that address (a desktop); the
        gateway mounts `recordings.routes()` instead. Recording delivery `auto` means upload on a
        desktop and link with a gateway; uploads are spooled in `spool_dir` (default: the user data dir).
        """
        if policies.log.recording_delivery == "auto":
            delivery = "upload" if serve_recordings else "link"
            policies = replace(policies, log=replace(policies.log, recording_delivery=delivery))
        self.health = CrmHealth()
        self._unwatched = connector
        """For the keep-ready warm-ups, which must not tell the health a CRM is up that only opened sockets."""
        self._keep_ready_every = keep_ready_every
        connector = watched(connector, self.health)
        self.pbx = pbx
        self.connector = connector
        self.store = store
        self.policies = policies
        self.extensions = extensions
        self.bindings = BindingReport({}, ())
        self.directory: dict[str, Extension] = {}
        uploading = policies.log.recording_link and policies.log.recording_delivery == "upload"
        self.recordings: RecordingLinks | None = None
        if recording_base and not uploading:
            from linkus_companion.engine.recordings import RecordingLinks

            self.recordings = RecordingLinks(
                store, pbx, recording_base, link_days=policies.log.recording_link_days
            )
        self.spool = RecordingSpool(pbx, spool_dir or paths.data_dir() / "recording-spool")
        self.sync = ContactSync(pbx, connector, store, policies.sync) if policies.sync else None
        self.lookup = Lookup(connector, policies.lookup, phonebook=self.sync)
        self.extension_names: dict[str, str] = {}
        self.user_names: dict[str, str] = {}
        """CRM users' names by id (record owners on the call cards)."""
        self.call_log = CallLogger(
            store,
            policies.log,
            lambda extension: self.bindings.owner_of(extension),
            extension_names=self.extension_names,
            recording_link=self._recording_link if policies.log.recording_link else None,
        )
        self.outbox = OutboxWorker(
            store,
            connector,
            prepare=self.call_log.late_linker(self._find_record, self._found_late),
            spool=self.spool,
            **(outbox_options or {}),
        )
        self.engine = Engine(
            connector=connector,
            lookup=self.lookup,
            opener=opener,
            guard=PopGuard(crm_web_origins),
            pop_policy=lambda _extension: policies.pop,
            create=policies.create,
            call_log=self.call_log,
            on_logged=self.outbox.wake,
            sync=self.sync,
            keep_calls=policies.keep_calls,
        )
        self.journal = CallJournal(store)
        self.engine.add_listener(self.journal)
        self.tracker = CallTracker(
            extensions, closed_before=lambda call_id: bool(self.call_log.states(call_id))
        )
        self.late_recordings: LateRecordings | None = None
        if (self.recordings is not None or uploading) and policies.log.recording_link:
            self.late_recordings = LateRecordings(pbx, self.call_log, self.outbox.wake, recording_delays)
            self.engine.add_listener(self.late_recordings)
        self.phonebridge: PhoneBridgeMode | None = None
        if phonebridge is not None and policies.phonebridge:
            from linkus_companion.engine.phonebridge_mode import PhoneBridgeMode

            self.phonebridge = PhoneBridgeMode(
                phonebridge,
                lambda: self.bindings,
                region=policies.lookup.region,
                skip_unanswered_agents=policies.log.skip_unanswered_agents,
                recording_link=self._recording_link if policies.log.recording_link else None,
                closed_before=lambda call_id: bool(self.call_log.states(call_id)),
            )
            self.engine.add_listener(self.phonebridge)
        self._status_listeners: list[Callable[[StreamStatus], None]] = [on_status] if on_status else []
        self._connected = asyncio.Event()
        self._prepared = asyncio.Event()
        self._stream_options = stream_options or {}
        self._recording_base = recording_base
        self._serve_recordings = serve_recordings
        self._watch_every = watch_every
        self._tasks: list[asyncio.Task[Any]] = []
        self._server: RunningServer | None = None
        self._stream: EventStream | None = None

    async def start(self) -> None:
        """Check the PBX, bind extensions to CRM users, then follow the PBX's events. The CRM's warm-up
        runs beside the PBX's check, and the event stream subscribes while the directory is read: the
        start waits for the slowest of them, not for their sum (events wait until the bindings exist)."""
        phone.prepare(self.policies.lookup.region)
        kept = known_users.remembered(self.store, self.connector.kind)
        if kept:  # a restart or a new leader: follow the PBX now, a slow or rate-limited CRM holds up no pop
            await self._follow_pbx(kept)
            self._spawn(self._catch_up_with_crm())
        else:
            _, ready = await asyncio.gather(self._follow_pbx(None), self._warm_up())
            self._spawn(self._keep_ready(ready))
        if self.phonebridge is not None:
            await self.phonebridge.start()
        if self.recordings is not None and self._serve_recordings:
            self._server = await _serve_player(self.recordings, self._recording_base)
        if self.sync is not None:
            await self.sync.attach()
            self._spawn(self.sync.run())
        assert self._stream is not None
        self._spawn(self._keep_watch(self._stream))
        self._spawn(self.engine.run(self._stream, self.tracker))
        self._spawn(self.outbox.run())
        self._spawn(keep_pruning(self.store, self.policies.retention_days))
        gc.freeze()  # start-up's objects (modules, classes, settings) leave the collector: a full
        # collection walked all of them (~40 ms, a pop's latency when it fell on one), now only new ones

    async def _follow_pbx(self, users: Sequence[CrmUser] | None) -> None:
        """Check the PBX, start the event stream's subscription and read the directory meanwhile."""
        info = await self.pbx.system_information()
        if info.firmware_warning:
            log.warning("%s", info.firmware_warning)
        open_calls = self.journal.open_calls()
        self.tracker.restore(open_calls)
        self._stream = EventStream(
            self.pbx,
            on_status=self._status,
            backfill_since=self.journal.gap_start(open_calls),
            **self._stream_options,
        )
        self._stream.start()
        try:
            await self.refresh_directory(users)
        except BaseException:
            await self._stream.close()
            self._stream = None
            raise

    async def _catch_up_with_crm(self) -> None:
        """After a start on the kept users: the CRM's users now, and the connector's discovery."""
        ready = False
        try:
            _, ready = await asyncio.gather(self.refresh_directory(), self._warm_up())
        except PbxError as exc:
            log.warning("could not re-read the PBX extensions: %s", exc)
        await self._keep_ready(ready)

    async def _warm_up(self) -> bool:
        """The connector's one-time discovery now, so the first call pays no more than any other."""
        try:
            await self.connector.warm_up()
        except CrmError as exc:
            log.warning("could not prepare the CRM connection (trying again in the background): %s", exc)
            return False
        self._prepared.set()
        return True

    async def prepared(self) -> None:
        """Return once the connector's warm-up (discovery, connections) has succeeded."""
        await self._prepared.wait()

    async def _keep_ready(self, ready: bool) -> None:
        """Until a warm-up succeeded, try again (after 1 s, doubling); then warm up every
        `keep_ready_every` seconds, so a call minutes after the last one finds the CRM connections
        open and the token fresh."""
        wait = self._keep_ready_every if ready else min(1.0, self._keep_ready_every)
        while True:
            await asyncio.sleep(wait)
            try:
                await (self._unwatched if ready else self.connector).warm_up()
            except CrmError as exc:
                log.debug("CRM warm-up failed: %s", exc)
                wait = self._keep_ready_every if ready else min(self._keep_ready_every, wait * 2)
                continue
            if not ready:
                log.info("CRM connection prepared")
                self._prepared.set()
            ready, wait = True, self._keep_ready_every

    async def connected(self) -> None:
        """Return once the PBX event stream is subscribed."""
        await self._connected.wait()

    def _status(self, status: StreamStatus) -> None:
        if status.state is StreamState.CONNECTED:
            self._connected.set()
        else:
            self._connected.clear()
        for listener in list(self._status_listeners):
            listener(status)

    def watch_status(self, listener: Callable[[StreamStatus], None]) -> None:
        """Also tell `listener` about PBX connection changes."""
        self._status_listeners.append(listener)

    async def refresh_directory(self, users: Sequence[CrmUser] | None = None) -> None:
        """Re-read the extensions and CRM users (or bind to `users`): bindings and our own numbers follow."""
        extensions = await self.pbx.list_extensions()
        self.directory = {e.number: e for e in extensions}
        if users is None:
            users = await self._crm_users()
        self.user_names.clear()
        self.user_names.update({u.id: u.name or u.email for u in users})
        served = [e for e in extensions if self.extensions is None or e.number in self.extensions]
        self.bindings = bind(served, users, self.policies.manual_binding)
        for unbound in self.bindings.unbound:
            log.warning("extension %s has no CRM owner: %s", unbound.extension, unbound.reason)
        try:
            self.tracker.groups = await self.pbx.list_groups()
        except PbxError as exc:
            log.warning(
                "could not read the queues and ring groups (missed calls to them are logged live only): %s",
                exc,
            )
        self.extension_names.clear()
        self.extension_names.update({e.number: e.name for e in extensions})
        own = [e.number for e in extensions] + [e.mobile for e in extensions if e.mobile]
        self.lookup.set_own_numbers(own)

    async def _crm_users(self) -> Sequence[CrmUser]:
        """The CRM's users now (kept in the store), or those kept from the last read when it fails."""
        try:
            users = await self.connector.list_users()
        except CrmError as exc:
            kept = known_users.remembered(self.store, self.connector.kind)
            log.warning("could not read the CRM users (%s); binding to the %d read before", exc, len(kept))
            return kept
        known_users.remember(self.store, self.connector.kind, users)
        return users

    async def stop(self) -> None:
        """Stop following the PBX; queued call logs stay in the outbox for the next start."""
        if self._stream is not None:
            await self._stream.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        self.outbox.release()
        await self.engine.close()
        self.journal.flush()
        if self.late_recordings is not None:
            await self.late_recordings.close()
        if self.phonebridge is not None:
            await self.phonebridge.close(patience=0.5)  # live notifications only; a stop ends within 2 s
        if self._server is not None:
            await self._server.stop()
            self._server = None

    async def _find_record(self, number: str) -> Record | None:
        match = await self.lookup.find(number)
        return match.chosen or (match.records[0] if match.records else None)

    def _found_late(self, log_key: str, record: Record) -> None:
        """A call log linked when delivered (the CRM was down at the call's end): the history shows the record."""
        call_id, _, extension = log_key.rpartition(":")
        CallHistory(self.store).link(call_id, extension, record, unlinked_only=True)

    def _recording_link(self, call: Call) -> str:
        if not call.recording or self.recordings is None:
            return ""
        return self.recordings.link_for(call.call_id, call.recording)

    async def _keep_watch(self, stream: EventStream) -> None:
        """Note, every `watch_every` seconds, that every PBX event so far has been taken in."""
        while True:
            await asyncio.sleep(self._watch_every)
            if stream.caught_up():
                self.journal.watched(dt.datetime.now(dt.UTC))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro, name=getattr(coro, "__qualname__", None))
        task.add_done_callback(_report_death)
        self._tasks.append(task)


def _report_death(task: asyncio.Task[Any]) -> None:
    """A background loop that ends by itself (not cancelled) stops part of the app: say so in the log."""
    if not task.cancelled() and task.exception() is not None:
        log.error("%s stopped", task.get_name(), exc_info=task.exception())


async def _serve_player(recordings: RecordingLinks, base: str) -> RunningServer:
    """Serve the recording player where `base` points (an address on this computer)."""
    from linkus_companion.serving import start_server  # uvicorn loads only where a player is served

    parts = urlsplit(base)
    return await start_server(recordings.app(), parts.hostname or "127.0.0.1", parts.port or 80)
