"""The PBX WebSocket event stream: subscribe, heartbeat, reconnect, and CDR backfill after gaps."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
import ssl
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Self
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from linkus_companion import USER_AGENT
from linkus_companion.model import Direction, Outcome
from linkus_companion.net_cause import certificate_why, why
from linkus_companion.pacing import Pacer
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.clock import PbxClock
from linkus_companion.pbx.errors import PbxError, PbxTlsError, PbxUnavailable
from linkus_companion.pbx.frames import HEARTBEAT, MAX_FRAME, ApiReply, FrameError, HeartbeatReply, decode
from linkus_companion.pbx.models import (
    CallEvent,
    CdrEvent,
    CdrRecord,
    Event,
    EventType,
    MemberKind,
    MemberStatus,
)
from linkus_companion.pbx.tokens import Token
from linkus_companion.pbx.transport import API_PATH
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

DEFAULT_TOPICS = (
    EventType.EXTENSION_CALL_STATUS,
    EventType.CALL_STATUS,
    EventType.NEW_CDR,
    EventType.CALL_TRANSFER,
    EventType.CALL_FORWARD,
    EventType.CALL_FAILED,
)
_SEEN_UIDS = 2_000
"""Finished calls remembered at most for de-duplication: a replay after a reconnect covers the calls that ended
in the overlap before the gap, and even a busy PBX ends about 100 calls a minute."""
_CLOCK_SLACK = dt.timedelta(seconds=5)
"""How far the PBX clock and ours may differ when a call is judged older than the connection."""
_SOCKET_LIMIT = 1024 * 1024
"""websockets drops a connection whose frame exceeds this; smaller oversized frames are skipped."""
_RINGING = frozenset({MemberStatus.ALERT, MemberStatus.RING, MemberStatus.EARLYMEDIA})
"""Member states of a call's first event: nobody has answered or left yet."""
_SNAPSHOT_TRIES = 2
"""Reads of the calls in progress after connecting, before the time rule stands in for them."""
_STOP_CLOSE_TIMEOUT = 0.25
"""Seconds `close()` waits for the PBX to answer the closing handshake (a stop ends within 2 s)."""


class StreamState(StrEnum):
    """What a tray icon shows about the PBX connection."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    ERROR = "error"
    CLOSED = "closed"


@dataclass(frozen=True)
class StreamStatus:
    """A connection-state change, with a sentence saying why and when the next attempt is."""

    state: StreamState
    reason: str = ""
    retry_in: float | None = None


class _Ended(Exception):
    """A connection ended; `reason` for the status line, `urgent` to reconnect at once."""

    def __init__(self, reason: str, *, urgent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.urgent = urgent


class EventStream:
    """Typed PBX events as an async iterator; keeps one subscribed socket alive until closed.

    Use `async with EventStream(client) as stream: async for event in stream: ...`. Live 30012s and
    finished calls recovered from cdr/search after a gap both arrive as `CdrEvent` (recovered ones
    with `recovered=True`), once per `uid`. A login the user must fix (wrong credentials, blocked
    IP, untrusted certificate) ends the iteration with that `PbxError`.
    """

    def __init__(
        self,
        client: PbxClient,
        *,
        topics: Iterable[int] = DEFAULT_TOPICS,
        on_status: Callable[[StreamStatus], None] | None = None,
        heartbeat_interval: float = 30.0,
        heartbeat_timeout: float = 10.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        open_timeout: float = 10.0,
        backfill_since: dt.datetime | None = None,
        backfill_overlap: dt.timedelta = dt.timedelta(seconds=60),
        backfill_lookback: dt.timedelta = dt.timedelta(hours=2),
        max_frame: int = MAX_FRAME,
        resync: bool = True,
    ) -> None:
        """`resync`: on every (re)connect, read the calls in progress (call/query) so a call that
        started or changed while the stream was away is known before its next event."""
        self.client = client
        self.topics = tuple(int(t) for t in topics)
        self.status = StreamStatus(StreamState.CLOSED)
        self._on_status = on_status
        self._heartbeat_interval = heartbeat_interval
        self._heartbeat_timeout = heartbeat_timeout
        self._backoff = (backoff_initial, backoff_max)
        self._open_timeout = open_timeout
        self._gap_start = backfill_since
        self._overlap = backfill_overlap
        self._lookback = backfill_lookback
        self._max_frame = max_frame
        self._resync = resync
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._clock = PbxClock()
        self._attempt = 0
        self._seen: OrderedDict[str, dt.datetime] = OrderedDict()
        """Finished calls delivered, with when they ended: a backfill replays those of its overlap only."""
        self._connected_at = dt.datetime.max.replace(tzinfo=dt.UTC)
        """When the current connection was subscribed: calls older than it may have missed events."""
        self._carried_over: set[str] | None = None
        """Calls in progress when this connection came up, whose early legs may have gone by unseen;
        None until they are read (or when they cannot be), so every call older than the connection counts."""
        self._heard: OrderedDict[str, bool | None] = OrderedDict()
        """Calls this connection has read a call event of: whether the first was their beginning, so no
        leg of theirs went by unseen (`_beginning`)."""
        self._heartbeat_answered = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._socket: ClientConnection | None = None
        self._error: PbxError | None = None

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Event:
        if self._task is None:
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is None:
            self._queue.put_nowait(None)
            if self._error is not None:
                raise self._error
            raise StopAsyncIteration
        return item

    def caught_up(self) -> bool:
        """Subscribed, no gap waiting for its backfill, and every event delivered has been taken."""
        return self.status.state is StreamState.CONNECTED and self._gap_start is None and self._queue.empty()

    def start(self) -> None:
        """Connect in the background and keep reconnecting until `close()`."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="pbx-event-stream")

    async def close(self) -> None:
        """Stop: close the socket (waiting at most _STOP_CLOSE_TIMEOUT for the PBX), end the iteration, report CLOSED."""
        task, self._task = self._task, None
        if self._socket is not None:  # a socket still full of unread frames must not hold the stop up
            self._socket.close_timeout = _STOP_CLOSE_TIMEOUT
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set_status(StreamState.CLOSED)
        self._queue.put_nowait(None)

    # --- connection loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        self._set_status(StreamState.CONNECTING)
        try:
            await self._keep_connected()
        except Exception:
            log.exception("PBX event stream failed")
            self._fail(
                PbxError(
                    Text(
                        "The PBX event stream stopped after an unexpected error; restart Linkus Companion"
                        " and report the problem with its log file if it happens again."
                    )
                )
            )

    async def _keep_connected(self) -> None:
        """Connect, serve, and reconnect with backoff; returns only on an error the user must fix."""
        while True:
            try:
                await self._connection()
            except _Ended as ended:
                if ended.urgent and self._attempt == 0:
                    self._attempt = 1
                    self._set_status(StreamState.RECONNECTING, ended.reason, 0.0)
                    continue
                reason = ended.reason
            except PbxError as err:
                if not err.retryable:
                    self._fail(err)
                    return
                reason = text_of(err)
            except ssl.SSLCertVerificationError as err:
                self._fail(
                    PbxTlsError(
                        Text(
                            "The PBX certificate could not be verified ({why}); check the TLS settings.",
                            why=certificate_why(err),
                        )
                    )
                )
                return
            except (OSError, TimeoutError, WebSocketException) as err:
                log.info("PBX event connection lost: %s", type(err).__name__)
                reason = Text("The PBX event connection was lost ({why}); reconnecting.", why=why(err))
            delay = self._delay(self._attempt)
            self._attempt += 1
            self._set_status(StreamState.RECONNECTING, reason, delay)
            log.warning("PBX event stream: %s Next attempt in %.1f s.", reason, delay)
            await asyncio.sleep(delay)

    def _delay(self, attempt: int) -> float:
        """Exponential backoff, capped, with jitter so many clients do not retry in step."""
        initial, cap = self._backoff
        return min(cap, initial * 2.0 ** min(attempt, 30)) * random.uniform(0.5, 1.0)

    def _fail(self, err: PbxError) -> None:
        log.error("PBX event stream stopped: %s", err)
        self._error = err
        self._set_status(StreamState.ERROR, text_of(err))
        self._queue.put_nowait(None)

    async def _connection(self) -> None:
        """One socket from connect to drop; raises _Ended (or a connect error) when it is over."""
        token = await self.client.token()
        info = await self.client.pbx_info()
        self._clock = info.clock
        try:
            async with connect(
                self._url(token),
                ssl=self.client.ssl_context,
                user_agent_header=USER_AGENT,
                open_timeout=self._open_timeout,
                close_timeout=self._heartbeat_timeout,
                ping_interval=None,
                max_size=_SOCKET_LIMIT,
                proxy=None,
            ) as ws:
                self._socket = ws
                await self._subscribe(ws, token)
                self._attempt = 0
                gap_end = self._connected_at = dt.datetime.now(dt.UTC)
                self._carried_over = None
                self._heard.clear()
                if self._resync:
                    await self._calls_in_progress(info.sn)
                self._set_status(StreamState.CONNECTED)
                log.info("PBX event stream subscribed to %s", list(self.topics))
                try:
                    await self._serve(ws, token, gap_end, info.sn)
                finally:
                    if self._gap_start is None:
                        self._gap_start = dt.datetime.now(dt.UTC)
        except InvalidStatus as err:
            if err.response.status_code in (401, 403):
                await self.client.token_rejected(token)
            raise PbxUnavailable(
                Text(
                    "The PBX refused the event connection (HTTP {status}); retrying.",
                    status=err.response.status_code,
                )
            ) from None
        finally:
            self._socket = None

    def _url(self, token: Token) -> str:
        scheme = "wss" if self.client.base_url.startswith("https") else "ws"
        host = self.client.base_url.split("://", 1)[1]
        return f"{scheme}://{host}{API_PATH}/subscribe?{urlencode({'access_token': token.access})}"

    async def _subscribe(self, ws: ClientConnection, token: Token) -> None:
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps({"topic_list": list(self.topics)}))
        async with asyncio.timeout(self._open_timeout):
            while True:
                try:
                    frame = self._frame(await ws.recv())
                except ConnectionClosed:
                    raise _Ended(Text("The PBX closed the event connection while subscribing.")) from None
                if isinstance(frame, ApiReply):
                    break
        if frame.errcode == 10004:
            await self.client.token_rejected(token)
            raise _Ended(Text("The PBX token expired; reconnecting with a new one."), urgent=True)
        if frame.errcode != 0:
            raise PbxUnavailable(
                Text("The PBX refused the event subscription (error {errcode}).", errcode=frame.errcode)
            )

    async def _serve(self, ws: ClientConnection, token: Token, gap_end: dt.datetime, sn: str) -> None:
        """Read, heartbeat and rotate the token until one of them ends the connection; backfill aside."""
        tasks = {
            asyncio.create_task(self._read(ws, token)),
            asyncio.create_task(self._heartbeat(ws)),
            asyncio.create_task(self._rotate(token)),
        }
        helpers = {asyncio.create_task(self._backfill(gap_end, sn))} if self._gap_start else set()
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            ws.close_timeout = _STOP_CLOSE_TIMEOUT  # unread frames pause the socket's reading: the
            # PBX's closing answer would wait behind them for the whole close timeout (a 10 s late reconnect)
            for task in tasks | helpers:
                task.cancel()
            await asyncio.gather(*tasks, *helpers, return_exceptions=True)

    async def _read(self, ws: ClientConnection, token: Token) -> None:
        pacer = Pacer()
        while True:
            await pacer.pause()  # frames already received are decoded in slices, not in one block
            try:
                data = await ws.recv()
            except ConnectionClosed as err:
                log.info("PBX closed the event connection: %s", err)
                raise _Ended(
                    Text("The PBX closed the event connection (code {code}).", code=err.rcvd.code)
                    if err.rcvd
                    else Text("The PBX event connection dropped without a closing message.")
                ) from None
            frame = self._frame(data)
            if isinstance(frame, HeartbeatReply):
                self._heartbeat_answered.set()
            elif isinstance(frame, ApiReply):
                if frame.errcode == 10004:
                    await self.client.token_rejected(token)
                    raise _Ended(Text("The PBX token expired; reconnecting with a new one."), urgent=True)
                log.info("PBX event stream: reply %s %s", frame.errcode, frame.errmsg)
            elif frame is not None:
                if isinstance(frame, CallEvent):
                    self._hear(frame)
                await self._deliver(frame)

    def _frame(self, data: str | bytes) -> HeartbeatReply | ApiReply | Event | None:
        """Decode one frame; a bad one is logged and skipped (None)."""
        try:
            return decode(data, self._clock, max_size=self._max_frame)
        except FrameError as err:
            log.warning("Skipped a PBX event frame: %s", err)
            return None

    async def _heartbeat(self, ws: ClientConnection) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_interval)
            self._heartbeat_answered.clear()
            await ws.send(HEARTBEAT)
            try:
                async with asyncio.timeout(self._heartbeat_timeout):
                    await self._heartbeat_answered.wait()
            except TimeoutError:
                ws.transport.abort()
                raise _Ended(Text("The PBX stopped answering heartbeats; reconnecting.")) from None

    async def _rotate(self, token: Token) -> None:
        await asyncio.sleep(max(0.0, token.renew_at - time.monotonic()))
        raise _Ended(Text("Renewing the PBX token; reconnecting."), urgent=True)

    # --- delivery and backfill ----------------------------------------------------------------

    async def _deliver(self, event: Event) -> None:
        if isinstance(event, CdrEvent):
            uid = event.record.uid
            if uid in self._seen:
                return
            self._remember(uid, event.record.ended_at)
            event = await self._with_legs(event)
            self._heard.pop(uid, None)
        await self._queue.put(event)

    def _remember(self, uid: str, ended_at: dt.datetime) -> None:
        """Keep `uid` while a backfill could deliver it again: it ended within the overlap before now (or
        before the gap still waiting for its backfill); at most _SEEN_UIDS of them."""
        self._seen[uid] = ended_at
        horizon = (self._gap_start or dt.datetime.now(dt.UTC)) - self._overlap - _CLOCK_SLACK
        while self._seen and (len(self._seen) > _SEEN_UIDS or next(iter(self._seen.values())) < horizon):
            self._seen.popitem(last=False)

    async def _with_legs(self, event: CdrEvent) -> CdrEvent:
        """A live 30012 names only a transferred call's last leg; for an answered inbound call that
        was in progress before this connection (its earlier legs may have gone by while the stream was
        away), the extensions that answered come from the CDR's legs (cdr/search). When the CDR cannot
        be read the connection ends, so the gap's backfill delivers the call, legs and all."""
        record = event.record
        if (
            event.recovered
            or record.direction is not Direction.INBOUND
            or record.outcome is not Outcome.ANSWERED
            or not self._carried(record)
        ):
            return event
        start, end = record.started_at - _CLOCK_SLACK, record.ended_at + _CLOCK_SLACK
        try:
            async with asyncio.timeout(self._open_timeout):
                rows = await self.client.search_cdr(start, end, (record.uid,))
        except (PbxError, TimeoutError) as err:
            log.warning("Could not read the legs of call %s from the CDR: %s", record.uid, err)
            self._seen.pop(record.uid, None)
            raise _Ended(
                Text("Could not read a finished call from the PBX call records; reconnecting to recover it.")
            ) from None
        talked = next((row.talked for row in rows if row.uid == record.uid), ())
        return replace(event, record=replace(record, talked=talked)) if talked else event

    def _hear(self, event: CallEvent) -> None:
        """Note the first event this connection reads of a call: its beginning, or part-way through."""
        if event.call_id in self._heard:
            self._heard.move_to_end(event.call_id)
            return
        self._heard[event.call_id] = _beginning(event)
        if len(self._heard) > _SEEN_UIDS:
            self._heard.popitem(last=False)

    def _carried(self, record: CdrRecord) -> bool:
        """Whether the call was already in progress when this connection came up: it was not heard from
        its beginning on it (a call that ended between the subscription and the snapshot sends only its
        last events, or none, and the snapshot misses it), it is in the snapshot, or, where the first
        event or the snapshot cannot tell, it started before."""
        first = self._heard.get(record.uid, False)
        if first is False or (self._carried_over is not None and record.uid in self._carried_over):
            return True
        unsure = first is None or self._carried_over is None  # the first event or the snapshot cannot tell
        return unsure and record.started_at <= self._connected_at + _CLOCK_SLACK

    async def _calls_in_progress(self, sn: str) -> None:
        """Deliver each ongoing call as a call-status snapshot, before any event read after the gap
        (those wait on the socket) and before the stream says CONNECTED: a call placed after that is
        not in the snapshot, so it is seen whole. A failed read is tried once more (a kept-alive
        connection the PBX closed meanwhile); unread, every call older than the connection counts."""
        for attempt in range(1, _SNAPSHOT_TRIES + 1):
            now = dt.datetime.now(dt.UTC)
            carried: set[str] = set()
            try:
                async with asyncio.timeout(self._open_timeout):
                    for direction in Direction:
                        for info in await self.client.query_calls(direction=direction):
                            carried.add(info.call_id)
                            event = CallEvent(EventType.CALL_STATUS, sn, info.call_id, info.members, now)
                            await self._deliver(event)
            except TimeoutError:
                log.warning("Could not read the calls in progress after connecting: the PBX did not answer")
                return
            except PbxError as err:
                log.warning(
                    "Could not read the calls in progress after connecting (try %d): %s", attempt, err
                )
                continue
            self._carried_over = carried
            return

    async def _backfill(self, gap_end: dt.datetime, sn: str) -> None:
        """Deliver calls that ended during the gap (cdr/search), retrying until it succeeds."""
        attempt = 0
        while self._gap_start is not None:
            gap_start = self._gap_start
            try:
                records = await self.client.search_cdr(
                    gap_start - self._lookback, gap_end + dt.timedelta(seconds=1)
                )
            except PbxError as err:
                log.warning("Could not recover calls missed while disconnected: %s", err)
                await asyncio.sleep(self._delay(attempt))
                attempt += 1
                continue
            since = gap_start - self._overlap
            now = dt.datetime.now(dt.UTC)
            for record in sorted(records, key=lambda r: r.ended_at):
                if record.ended_at >= since:
                    await self._deliver(CdrEvent(sn, record, now, recovered=True))
            log.info("Recovered calls from %s to %s via cdr/search", gap_start, gap_end)
            self._gap_start = None

    def _set_status(self, state: StreamState, reason: str = "", retry_in: float | None = None) -> None:
        self.status = StreamStatus(state, reason, retry_in)
        if self._on_status is not None:
            try:
                self._on_status(self.status)
            except Exception:
                log.exception("A PBX status listener failed")


def _beginning(event: CallEvent) -> bool | None:
    """Whether `event`, the first a connection reads of a call, is the call's beginning: True when nobody
    has answered or left; None when only the trunk is answered (an IVR or queue took the caller, or what
    is left once an extension handed the caller to one); False otherwise (a transfer, a hold, a talk, a BYE)."""
    if event.type is not EventType.CALL_STATUS:
        return False
    if all(m.status in _RINGING for m in event.members):
        return True
    trunk_answered = all(
        m.status in _RINGING or (m.kind is not MemberKind.EXTENSION and m.status is MemberStatus.ANSWERED)
        for m in event.members
    )
    return None if trunk_answered else False
