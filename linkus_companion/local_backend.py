"""The embedded topology's Backend: the engine runs in this process for the user's extension."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import replace

from linkus_companion.backend import (
    BackendError,
    BackendListener,
    CallPhase,
    CallView,
    CrmState,
    HistoryItem,
    LinkState,
    PopNotice,
    Status,
)
from linkus_companion.config.errors import SettingLocked
from linkus_companion.crm.base import AuthExpired, CrmError, RateLimited
from linkus_companion.engine.binding import BindingReport
from linkus_companion.engine.core import EngineError, Resolution
from linkus_companion.engine.crm_switch import CrmStatus, CrmSwitch, DisconnectReport
from linkus_companion.engine.health import CrmTrouble
from linkus_companion.engine.history import CallHistory, HistoryEntry
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.model import CallNote, NewRecord, Outcome, Record
from linkus_companion.pbx.calls import Call
from linkus_companion.pbx.errors import PbxError
from linkus_companion.pbx.events import StreamState, StreamStatus
from linkus_companion.runtime import NotConfigured
from linkus_companion.store import StoreError
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

RECENT = 10
_LINK = {
    StreamState.CONNECTING: LinkState.CONNECTING,
    StreamState.CONNECTED: LinkState.CONNECTED,
    StreamState.RECONNECTING: LinkState.RECONNECTING,
    StreamState.ERROR: LinkState.ERROR,
    StreamState.CLOSED: LinkState.CONNECTING,
}
_CRM = {
    CrmStatus.NONE: CrmState.NONE,
    CrmStatus.CONNECTED: CrmState.CONNECTED,
    CrmStatus.DISABLED: CrmState.DISABLED,
    CrmStatus.ERROR: CrmState.ERROR,
}
DISABLED_MESSAGE = Text(
    "The CRM integration is disabled: calls are not looked up or logged (Settings > CRM > Enable)."
)
DISCONNECTED_MESSAGE = Text("Disconnected from the CRM: authorise it again in Settings > CRM to resume.")
OpenSwitch = Callable[[EngineHost], AbstractAsyncContextManager[CrmSwitch]]
"""Builds the CrmSwitch of a running host (with the CRM sign-in it needs); closed with the host."""


def call_view(
    extension: str,
    call: Call,
    resolution: Resolution | None,
    chosen: Record | None,
    owners: Mapping[str, str] | None = None,
    extension_names: Mapping[str, str] | None = None,
) -> CallView:
    """What the UI shows of one call for `extension`; `owners` names CRM users by id, `extension_names`
    the PBX's extensions by number."""
    records = resolution.match.records if resolution else ()
    if resolution is not None and resolution.created is not None:
        records = (resolution.created, *records)
    record = chosen or (resolution.record if resolution else None)
    talked = [ext for ext in call.talked if ext not in call.consulted]
    handed_on = talked[talked.index(extension) + 1] if extension in talked[:-1] else ""
    owner = (owners or {}).get(record.owner_id, "") if record is not None and record.owner_id else ""
    return CallView(
        call_id=call.call_id,
        extension=extension,
        direction=call.direction,
        phase=CallPhase(call.phase.value),
        number=call.other_party(extension).number,
        started_at=call.started_at,
        records=records,
        chosen=record,
        looking_up=resolution is None,
        lookup_error=resolution.match.error if resolution else "",
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        outcome=call.outcome,
        transferred_to=handed_on,
        transferred_to_name=(extension_names or {}).get(handed_on, "") if handed_on else "",
        owner_name=owner,
    )


def _history_entry(view: CallView) -> HistoryEntry:
    return HistoryEntry(
        call_id=view.call_id,
        extension=view.extension,
        direction=view.direction,
        outcome=view.outcome or Outcome.ANSWERED,
        number=view.number,
        record=view.chosen or (view.records[0] if len(view.records) == 1 else None),
        started_at=view.started_at,
        answered_at=view.answered_at,
        ended_at=view.ended_at or view.started_at,
        lookup_failed=bool(view.lookup_error),
    )


def _history_item(entry: HistoryEntry) -> HistoryItem:
    view = CallView(
        call_id=entry.call_id,
        extension=entry.extension,
        direction=entry.direction,
        phase=CallPhase.ENDED,
        number=entry.number,
        started_at=entry.started_at,
        records=(entry.record,) if entry.record else (),
        chosen=entry.record,
        answered_at=entry.answered_at,
        ended_at=entry.ended_at,
        outcome=entry.outcome,
    )
    return HistoryItem(view, entry.delivery, entry.delivery_error, looked_up=not entry.lookup_failed)


class LocalBackend:
    """Runs an `EngineHost` for one extension and turns its callbacks into what the UI shows.

    `open_host()` builds the host (from the settings, or the demo's simulators) when `start()` runs.
    `open_switch(host)`, when given, builds the host's `CrmSwitch`: the host then starts through it
    (not at all while the integration is disabled) and Disable / Enable / Disconnect work.
    """

    def __init__(
        self,
        open_host: Callable[[], AbstractAsyncContextManager[EngineHost]],
        extension: str,
        *,
        open_switch: OpenSwitch | None = None,
    ) -> None:
        self._open_host = open_host
        self._open_switch = open_switch
        self._extension = extension
        self._host: EngineHost | None = None
        self._switch: CrmSwitch | None = None
        self._pops_paused = False
        self._stack = AsyncExitStack()
        self._listeners: list[BackendListener] = []
        self._recent: OrderedDict[str, CallView] = OrderedDict()
        self._status = Status(LinkState.CONNECTING, CrmState.NONE)
        self._shown = self._status
        self._retry_in: float | None = None
        self._history: CallHistory | None = None

    @property
    def status(self) -> Status:
        """The current connection status (the CRM's health and the waiting call logs included)."""
        return self._with_health(self._status)

    def add_listener(self, listener: BackendListener) -> Callable[[], None]:
        """Receive status, call and pop updates."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def start(self) -> None:
        """Build the host, connect to the PBX and the CRM."""
        try:
            host = await self._stack.enter_async_context(self._open_host())
        except NotConfigured as exc:
            self._set_status(LinkState.NOT_CONFIGURED, text_of(exc))
            raise BackendError(text_of(exc)) from exc
        except StoreError as exc:  # the local database: the user must free the disk or fix the file
            self._set_status(LinkState.ERROR, text_of(exc))
            raise BackendError(text_of(exc)) from exc
        self._host = host
        self._history = CallHistory(host.store)
        connector = host.connector
        self._status = Status(
            self._status.link,
            CrmState.CONNECTED,
            "",
            connector.kind,
            connector.creatable,
            dispositions=connector.dispositions,
        )
        host.engine.add_listener(self)
        host.engine.pops_paused = self._pops_paused
        host.watch_status(self._stream_status)
        host.health.add_listener(lambda _trouble: self._publish(), each_request=True)
        host.outbox.add_listener(self._publish)
        if self._open_switch is not None:
            self._switch = await self._stack.enter_async_context(self._open_switch(host))
        try:
            if self._switch is not None:
                await self._switch.start()
            else:
                await host.start()
        except (PbxError, CrmError) as exc:
            self._set_status(LinkState.ERROR, text_of(exc), self._crm_state())
            raise BackendError(text_of(exc), retryable=exc.retryable) from exc
        if self._switch is not None and self._switch.status is not CrmStatus.CONNECTED:
            self._switch_changed()

    async def stop(self) -> None:
        """Disconnect; queued call logs stay for the next start."""
        if self._host is not None:
            if self._switch is not None:
                await self._switch.stop()
            else:
                await self._host.stop()
            self._host = None
        self._switch = None
        await self._stack.aclose()

    @property
    def crm_switch(self) -> CrmSwitch | None:
        """Disable / Enable / Disconnect of the running host's CRM integration (None before `start()`)."""
        return self._switch

    async def set_crm_enabled(self, enabled: bool) -> None:
        """Disable (every setting kept, no CRM traffic) or enable the CRM integration again."""
        switch = self._require_switch()
        try:
            await (switch.enable() if enabled else switch.disable())
        except SettingLocked as exc:
            raise BackendError(text_of(exc)) from exc
        except (PbxError, CrmError) as exc:
            self._set_status(self._status.link, text_of(exc), self._crm_state())
            raise BackendError(text_of(exc), retryable=exc.retryable) from exc
        self._switch_changed()

    async def disconnect_crm(self) -> DisconnectReport:
        """Leave the CRM: revoke and delete the sign-in, clear the CRM settings (see CrmSwitch)."""
        switch = self._require_switch()
        try:
            report = await switch.disconnect()
        except (PbxError, CrmError) as exc:
            raise BackendError(text_of(exc), retryable=exc.retryable) from exc
        self._switch_changed()
        return report

    async def check_crm(self) -> CrmState:
        """Ask the CRM whether the sign-in still works; the status shows Error with the reason if not."""
        switch = self._require_switch()
        await switch.check()
        self._switch_changed()
        return self._status.crm

    def _require_switch(self) -> CrmSwitch:
        if self._switch is None:
            raise BackendError(
                Text("The CRM integration is not running yet: check the PBX connection first."),
                retryable=True,
            )
        return self._switch

    def _crm_state(self) -> CrmState:
        return _CRM[self._switch.status] if self._switch is not None else self._status.crm

    def _switch_changed(self) -> None:
        """Publish the switch's status (Connected / Disabled / Error / none) to the UI."""
        assert self._switch is not None
        status = self._switch.status
        message = {
            CrmStatus.DISABLED: DISABLED_MESSAGE,
            CrmStatus.NONE: DISCONNECTED_MESSAGE,
            CrmStatus.ERROR: self._switch.problem,
        }.get(status, "")
        self._set_status(self._status.link, message, _CRM[status])

    def _running(self) -> EngineHost:
        if self._host is None:
            raise BackendError(Text("Not connected to the PBX yet."), retryable=True)
        return self._host

    def recent_calls(self) -> list[CallView]:
        """The last calls of the extension, newest first."""
        return list(reversed(self._recent.values()))

    def history(self, text: str = "", days: int = 30) -> list[HistoryItem]:
        """The extension's ended calls from the local store, with whether each log reached the CRM."""
        if self._history is None:
            return []
        return [_history_item(entry) for entry in self._history.recent(self._extension, days=days, text=text)]

    async def open_in_crm(self, call_id: str) -> str:
        """The manual pop (for a call of the history, its remembered record)."""
        engine = self._running().engine
        try:
            return await engine.open_in_crm(call_id, self._extension)
        except EngineError as exc:
            record = self._history.record(call_id, self._extension) if self._history else None
            if record is None:
                raise BackendError(text_of(exc)) from exc
        try:
            return engine.open_record(call_id, self._extension, record)
        except EngineError as exc:
            raise BackendError(text_of(exc)) from exc

    async def choose_record(self, call_id: str, record_id: str) -> None:
        """The user picked one of several matches."""
        try:
            await self._running().engine.choose_record(call_id, record_id)
        except EngineError as exc:
            raise BackendError(text_of(exc)) from exc

    async def create_record(self, call_id: str | None, new: NewRecord) -> Record:
        """Create a contact or lead from the Add-to-CRM dialog."""
        try:
            record = await self._running().engine.create_record(call_id, new)
        except (EngineError, CrmError) as exc:
            raise BackendError(text_of(exc), retryable=getattr(exc, "retryable", False)) from exc
        if call_id is not None and self._history is not None:
            self._history.link(call_id, self._extension, record)
        return record

    async def retry_lookup(self, call_id: str) -> None:
        """Ask the CRM again about a call whose lookup failed."""
        try:
            await self._running().engine.retry_lookup(call_id)
        except EngineError as exc:
            raise BackendError(text_of(exc)) from exc

    async def save_note(self, call_id: str, note: CallNote) -> None:
        """The note and disposition typed on a call's card, into its CRM log."""
        try:
            self._running().engine.save_note(call_id, self._extension, note)
        except EngineError as exc:
            raise BackendError(text_of(exc)) from exc

    async def dial(self, number: str) -> None:
        """Ring the user's phone, then `number` (PBX call/dial)."""
        try:
            await self._running().pbx.dial(self._extension, number)
        except PbxError as exc:
            raise BackendError(text_of(exc), retryable=exc.retryable) from exc

    async def suggest(self, text: str) -> list[Record]:
        """CRM records for a number being typed in the dial box."""
        return list((await self._running().lookup.find(text)).records)

    def set_pops_paused(self, paused: bool) -> None:
        """Pause or resume automatic pops (remembered and applied when `start()` builds the host)."""
        self._pops_paused = paused
        if self._host is not None:
            self._host.engine.pops_paused = paused

    def binding_report(self) -> BindingReport | None:
        """How the running engine bound the extensions to CRM users (None while it is not running)."""
        return self._host.bindings if self._host is not None else None

    # --- engine callbacks -------------------------------------------------------------------------

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        """A call changed: show it when it concerns our extension."""
        if self._extension not in call.extensions:
            return
        host = self._host
        view = call_view(
            self._extension,
            call,
            resolution,
            chosen,
            host.user_names if host is not None else None,
            host.extension_names if host is not None else None,
        )
        if view.phase is CallPhase.ENDED and self._history is not None:
            self._history.remember(_history_entry(view))
        self._recent[call.call_id] = view
        self._recent.move_to_end(call.call_id)
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        for listener in list(self._listeners):
            listener.on_call(view)

    def on_pop(self, request: PopRequest) -> None:
        """A page was opened for our extension."""
        if request.extension != self._extension:
            return
        notice = PopNotice(request.call_id, request.extension, request.trigger, request.url)
        for listener in list(self._listeners):
            listener.on_pop(notice)

    def _stream_status(self, status: StreamStatus) -> None:
        if self._switch is not None and self._switch.status is not CrmStatus.CONNECTED:
            if status.state is StreamState.CLOSED:
                return  # the switch stopped the host: keep the last link state and the switch's sentence
            self._set_status(_LINK[status.state], self._status.message)
            return
        self._retry_in = status.retry_in
        self._set_status(_LINK[status.state], status.reason)

    def _set_status(self, link: LinkState, message: str, crm: CrmState | None = None) -> None:
        current = self._status
        self._status = replace(current, link=link, message=message, crm=current.crm if crm is None else crm)
        self._publish(force=True)

    def _publish(self, *, force: bool = False) -> None:
        """Tell the listeners the status, with the CRM's health and the waiting call logs folded in."""
        status = self._with_health(self._status)
        if status == self._shown and not force:
            return
        self._shown = status
        for listener in list(self._listeners):
            listener.on_status(status)

    def _with_health(self, status: Status) -> Status:
        """The status with the CRM's health, the waiting call logs and the reconnection delay folded in."""
        host = self._host
        retry_in = self._retry_in if status.link is LinkState.RECONNECTING else None
        status = replace(status, retry_in=retry_in)
        if host is None:
            return status
        return with_health(status, host.health.trouble, host.outbox.waiting_log_count())


def with_health(status: Status, trouble: CrmTrouble | None, waiting: int) -> Status:
    """A CRM request that failed makes the CRM failing (until the next success), whatever the switch said.

    `waiting`: the call logs not in the CRM yet. Used by the desktop and by the gateway for its desktops.
    """
    status = replace(status, waiting_logs=waiting)
    if status.crm not in (CrmState.CONNECTED, CrmState.ERROR) or (
        trouble is None and status.crm is CrmState.CONNECTED
    ):
        return status
    if trouble is None:
        return replace(status, crm_problem=status.message)
    crm = (
        CrmState.AUTH_EXPIRED
        if isinstance(trouble.error, AuthExpired)
        else CrmState.RATE_LIMITED
        if isinstance(trouble.error, RateLimited)
        else CrmState.FAILING
    )
    return replace(status, crm=crm, crm_problem=trouble.reason, crm_since=trouble.since)
