"""GatewayBackend: the desktop UI's Backend when the engine runs in a site gateway (reconnects, shows offline)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import logging
import random
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

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
    matches,
)
from linkus_companion.config.settings import Settings
from linkus_companion.engine.history import Delivery
from linkus_companion.engine.screen_pop import PopGuard, PopRequest, UrlOpener
from linkus_companion.gateway import protocol
from linkus_companion.gateway.credentials import GatewayCredentials
from linkus_companion.gateway.unreachable import unreachable
from linkus_companion.local_backend import RECENT
from linkus_companion.model import CallNote, NewRecord, Record
from linkus_companion.runtime import NotConfigured
from linkus_companion.secrets import SecretStore
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 30.0
PING = 3.0
"""Seconds between pings, and how long a pong may take: a gateway that went silent (its machine froze or
dropped off the network, no TCP reset) is left within 6 s for another replica."""


class _Renew(Exception):
    """The gateway ended or refused the session's access token."""


class GatewayBackend:
    """Talks to the gateway over one WebSocket; the tray shows `reconnecting` while the gateway is away."""

    def __init__(
        self,
        credentials: GatewayCredentials,
        opener: UrlOpener,
        *,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
    ) -> None:
        self.extension = ""
        self._credentials = credentials
        self._opener = opener
        self.backoff = (backoff_initial, backoff_max)
        """First and longest wait between reconnection attempts (jittered), seconds."""
        self._listeners: list[BackendListener] = []
        self._recent: OrderedDict[str, CallView] = OrderedDict()
        self._status = Status(LinkState.CONNECTING, CrmState.NONE, gateway_down=True)
        self._guard = PopGuard(())
        self._ws: ClientConnection | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._paused = False
        self._greeted = False

    @classmethod
    def from_settings(
        cls, settings: Settings, opener: UrlOpener, secrets: SecretStore | None = None
    ) -> GatewayBackend:
        """The backend for `backend = gateway`: the gateway at `gateway.url`, the session in the keyring."""
        url = str(settings.get("gateway.url"))
        if not url:
            raise NotConfigured(Text("Enter the address of your site's gateway (setting gateway.url)."))
        parts = urlsplit(url)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise NotConfigured(
                Text("The gateway address must start with https:// (plain http only on this computer).")
            )
        return cls(GatewayCredentials(url, secrets or SecretStore()), opener)

    @property
    def credentials(self) -> GatewayCredentials:
        """The desktop's gateway session (enroll it with the administrator's code)."""
        return self._credentials

    @property
    def status(self) -> Status:
        """The gateway's PBX status while connected; reconnecting or error while not."""
        return self._status

    def add_listener(self, listener: BackendListener) -> Callable[[], None]:
        """Receive status, call and pop updates."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def start(self) -> None:
        """Start connecting (and reconnecting) in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def connected(self) -> None:
        """Return once the gateway has greeted this desktop."""
        await self._ready.wait()

    async def stop(self) -> None:
        """Disconnect."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def recent_calls(self) -> list[CallView]:
        """The extension's last calls, newest first."""
        return list(reversed(self._recent.values()))

    def history(self, text: str = "", days: int = 30) -> list[HistoryItem]:
        """The calls seen in this session (the gateway keeps the log and knows whether it was delivered)."""
        since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        return [
            HistoryItem(call, Delivery.ELSEWHERE)
            for call in self.recent_calls()
            if call.phase is CallPhase.ENDED and call.started_at >= since and matches(call, text)
        ]

    async def open_in_crm(self, call_id: str) -> str:
        """The manual pop: the gateway checks the call and answers the page, which opens here."""
        url = str((await self._request("open", call_id=call_id))["url"])
        self._show_pop(PopNotice(call_id, self.extension, "manual", url))
        return url

    async def choose_record(self, call_id: str, record_id: str) -> None:
        """Pick one of several matching records."""
        await self._request("choose", call_id=call_id, record_id=record_id)

    async def save_note(self, call_id: str, note: CallNote) -> None:
        """Send the note and disposition typed on a call's card to the gateway, for the call's log."""
        disposition = note.disposition.value if note.disposition else None
        await self._request(
            "note", call_id=call_id, text=note.text, disposition=disposition, keep=note.keep_disposition
        )

    async def retry_lookup(self, call_id: str) -> None:
        """Ask the gateway to look the call's number up again."""
        await self._request("retry", call_id=call_id)

    async def create_record(self, call_id: str | None, new: NewRecord) -> Record:
        """Create a contact or lead (owned by this extension's CRM user)."""
        data = await self._request("create", call_id=call_id, record=protocol.new_record_json(new))
        return protocol.parse_record(data)

    async def dial(self, number: str) -> None:
        """Call `number` from this desktop's extension."""
        await self._request("dial", number=number)

    async def suggest(self, text: str) -> list[Record]:
        """CRM records for what is typed in the dial box."""
        return [protocol.parse_record(r) for r in await self._request("suggest", text=text)]

    async def browser_sign_in_link(self) -> str:
        """A one-time link (valid for a minute) that lets this user's browser play the gateway's recordings."""
        return str((await self._request("browser"))["url"])

    async def flush(self) -> None:
        """Return once everything the gateway sent before now has arrived (a round trip)."""
        await self._request("ping")

    def set_pops_paused(self, paused: bool) -> None:
        """Pause or resume automatic pops on this desktop."""
        self._paused = paused

    # --- connection ------------------------------------------------------------------------------

    async def _run(self) -> None:
        attempt, renew = 0, False
        while True:
            try:
                token = await self._credentials.access_token(fresh=renew)
                await self._session(token)
            except _Renew:
                if not renew or self._greeted:  # the token ended or was refused: renew it before backing off
                    renew, self._greeted, attempt = True, False, 0
                    continue
                reason: str = Text("The gateway refused this desktop's renewed token.")
            except BackendError as exc:
                if not exc.retryable:
                    self._offline(LinkState.ERROR, text_of(exc))
                    return
                reason = text_of(exc)
            except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError) as exc:
                log.debug("gateway connection failed: %r", exc)
                reason = unreachable(self._credentials.base_url, exc)
            except (protocol.ProtocolError, ValueError, KeyError, TypeError) as exc:
                log.warning("unexpected message from the gateway: %r", exc)
                reason = Text("The gateway sent a message this app does not understand.")
            renew = False
            if self._greeted:  # a live connection dropped (its replica died?): try again almost at once
                attempt, self._greeted = 0, False
                delay = self.backoff[0] * random.uniform(0.0, 0.5)
            else:
                delay = min(self.backoff[1], self.backoff[0] * 2**attempt) * random.uniform(0.5, 1.0)
            attempt += 1
            self._offline(LinkState.RECONNECTING, reason, delay)
            await asyncio.sleep(delay)

    async def _session(self, token: str) -> None:
        """One connection, until it closes; `_Renew` when the token must be renewed first."""
        url = self._credentials.base_url.replace("http", "ws", 1) + protocol.PATH
        try:
            ws = await connect(
                url,
                additional_headers={"Authorization": f"Bearer {token}"},
                ssl=self._credentials.tls,
                open_timeout=10,
                ping_interval=PING,
                ping_timeout=PING,
                close_timeout=1,  # a silent gateway does not answer the closing handshake either
            )
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise _Renew from None
            raise
        self._ws = ws
        try:
            async for text in ws:
                self._receive(json.loads(text))
        finally:
            self._ws = None
            self._ready.clear()
            self._fail_pending()
            await ws.close()
        if ws.close_code in (protocol.CLOSE_EXPIRED, protocol.CLOSE_REVOKED):
            raise _Renew
        raise ConnectionError(f"the gateway closed the connection ({ws.close_code})")

    def _offline(self, link: LinkState, message: str, retry_in: float | None = None) -> None:
        """Away from the gateway: what it said about the PBX, the CRM and waiting logs no longer holds."""
        log.info("gateway link: %s (%s); next attempt in %s s", link.value, message, retry_in)
        for view in [
            v for v in self._recent.values() if v.phase is not CallPhase.ENDED and not v.state_unknown
        ]:
            unknown = dataclasses.replace(
                view, state_unknown=True
            )  # what the gateway hears no longer arrives
            self._recent[view.call_id] = unknown
            for listener in list(self._listeners):
                listener.on_call(unknown)
        current = self._status
        self._set_status(
            Status(
                link,
                CrmState.NONE,
                message,
                current.crm_kind,
                dispositions=current.dispositions,
                retry_in=retry_in,
                gateway_down=True,
            )
        )

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(
                    BackendError(Text("The connection to the gateway dropped; try again."), retryable=True)
                )
        self._pending.clear()

    async def _request(self, op: str, **args: Any) -> Any:
        ws = self._ws
        if ws is None or not self._ready.is_set():
            raise BackendError(Text("Not connected to the gateway yet."), retryable=True)
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await ws.send(json.dumps(protocol.request(request_id, op, **args)))
            return await asyncio.wait_for(future, REQUEST_TIMEOUT)
        except (ConnectionClosed, TimeoutError):
            raise BackendError(Text("The gateway did not answer; try again."), retryable=True) from None
        finally:
            self._pending.pop(request_id, None)

    # --- messages ----------------------------------------------------------------------------------

    def _receive(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "hello":
            self.extension = str(message["extension"])
            self._guard = PopGuard(message["origins"])
            self._reconcile([protocol.parse_call(data) for data in reversed(message["recent"])])
            self._set_status(protocol.parse_status(message["status"]))
            self._greeted = True
            self._ready.set()
        elif kind == "status":
            self._set_status(protocol.parse_status(message["status"]))
        elif kind == "call":
            view = protocol.parse_call(message["call"])
            self._track(view)
            for listener in list(self._listeners):
                listener.on_call(view)
        elif kind == "pop" and not self._paused:
            notice = protocol.parse_pop(message["pop"])
            if self._guard.allows(notice.url):
                self._show_pop(notice, float(message.get("latency_ms", 0.0)))
        elif kind == "reply":
            future = self._pending.get(int(message["id"]))
            if future is None or future.done():
                return
            if message["ok"]:
                future.set_result(message["result"])
            else:
                future.set_exception(
                    BackendError(
                        protocol.parse_sentence(message, "error"), retryable=bool(message["retryable"])
                    )
                )

    def _reconcile(self, recent: list[CallView]) -> None:
        """The gateway's own list of the extension's calls replaces what this desktop last heard.

        A call still live here that the gateway no longer lists (it restarted meanwhile) is over as far as
        anyone can tell: it is shown ended rather than left live for good.
        """
        known, before = {view.call_id for view in recent}, dict(self._recent)
        changed = [view for view in recent if before.get(view.call_id) != view]
        gone = [
            dataclasses.replace(
                view, phase=CallPhase.ENDED, ended_at=dt.datetime.now(dt.UTC), state_unknown=False
            )
            for view in self._recent.values()
            if view.phase is not CallPhase.ENDED and view.call_id not in known
        ]
        self._recent.clear()
        for view in recent:
            self._track(view)
        for view in (*changed, *gone):
            for listener in list(self._listeners):
                listener.on_call(view)

    def _track(self, view: CallView) -> None:
        self._recent[view.call_id] = view
        self._recent.move_to_end(view.call_id)
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)

    def _show_pop(self, notice: PopNotice, latency_ms: float = 0.0) -> None:
        """Open the page; `latency_ms`: from the PBX event reaching the gateway to the gateway's decision."""
        self._opener.open(
            PopRequest(notice.call_id, notice.extension, notice.trigger, notice.url, latency_ms)
        )
        for listener in list(self._listeners):
            listener.on_pop(notice)

    def _set_status(self, status: Status) -> None:
        status = dataclasses.replace(status, crm_by_gateway=True)
        self._status = status
        for listener in list(self._listeners):
            listener.on_status(status)
