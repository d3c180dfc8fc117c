"""The WebSocket event channel: subscribe, heartbeat, idle close, token expiry and event fan-out."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, MutableMapping
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from linkus_companion.sim.pbx_auth import TokenStore

log = logging.getLogger(__name__)

TOKEN_EXPIRED = {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
_STRING_MSG_TYPES = range(30007, 30025)
CLOSE_IDLE = 1000
CLOSE_TOKEN = 1008
BACKLOG = 1 << 20
"""Bytes of frames a subscriber may fall behind before its connection is dropped."""
CLOSE_WAIT = 2.0


def frame(event_type: int, sn: str, msg: dict[str, Any]) -> str:
    """An event frame: `msg` JSON-encoded as a string for 30007-30024, an object otherwise."""
    body: Any = compact_json(msg) if event_type in _STRING_MSG_TYPES else msg
    return compact_json({"type": event_type, "sn": sn, "msg": body})


def compact_json(value: object) -> str:
    """JSON without spaces, as the PBX writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _topics(text: str) -> set[int] | dict[str, Any]:
    """The topic set of a subscribe frame, or the error reply for a bad one."""
    try:
        request = json.loads(text)
    except ValueError:
        return {"errcode": 40001, "errmsg": "PARAMETER SYNTAX ERROR"}
    topics = request.get("topic_list") if isinstance(request, dict) else None
    if not isinstance(topics, list) or not all(type(t) is int for t in topics):
        return {
            "errcode": 40002,
            "errmsg": "PARAMETER ERROR",
            "invalid_param_list": [{"field": "topic_list", "validation_type": "required"}],
        }
    return set(topics)


class Session:
    """One open subscription socket, written by a task of its own from a bounded queue: the PBX never waits
    for a client, and one that falls `BACKLOG` bytes behind is dropped (it reconnects and catches up)."""

    def __init__(self, ws: WebSocket, token: str) -> None:
        self.ws = ws
        self.token = token
        self.topics: set[int] = set()
        self.wake = asyncio.Event()
        self._queue: asyncio.Queue[str | tuple[int, str]] = asyncio.Queue()
        self._queued = 0
        self._writer = asyncio.ensure_future(self._write())

    @property
    def backlog(self) -> int:
        """Bytes of text queued and not yet written."""
        return self._queued

    def send(self, item: str | tuple[int, str]) -> None:
        """Queue one text frame (or a close (code, reason)); a client that cannot keep up is dropped."""
        if self._writer.done():
            return
        size = len(item) if isinstance(item, str) else 0
        if self._queued and self._queued + size > BACKLOG:
            log.warning("Event subscriber over %d bytes behind: connection dropped", BACKLOG)
            self.abort()
            return
        self._queued += size
        self._queue.put_nowait(item)

    async def close(self, code: int, reason: str = "") -> None:
        """Close with a close frame after the frames already queued (a client that cannot take them in
        `CLOSE_WAIT` seconds is dropped instead)."""
        self.send((code, reason))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._writer), CLOSE_WAIT)
        if not self._writer.done():
            self.abort()

    async def flushed(self) -> None:
        """Return once every frame queued so far is written (or the socket is gone)."""
        joined = asyncio.ensure_future(self._queue.join())
        await asyncio.wait({joined, self._writer}, return_when=asyncio.FIRST_COMPLETED)
        joined.cancel()

    def end(self) -> None:
        """Stop writing (the socket is closed or gone)."""
        self._writer.cancel()

    def abort(self) -> None:
        """Drop the TCP connection without a close frame (uvicorn transport), else close with 1011."""
        self.end()
        protocol = getattr(getattr(self.ws, "_receive", None), "__self__", None)
        transport = getattr(protocol, "transport", None)
        if isinstance(transport, asyncio.Transport):
            transport.abort()
        else:
            task = asyncio.ensure_future(self._close_now(1011, "connection dropped"))
            task.add_done_callback(lambda t: t.exception())

    async def _write(self) -> None:
        while True:
            item = await self._queue.get()
            if isinstance(item, tuple):
                await self._close_now(*item)
                return
            self._queued -= len(item)
            try:
                await self.ws.send_text(item)
            except (WebSocketDisconnect, RuntimeError, OSError):
                return
            finally:
                self._queue.task_done()

    async def _close_now(self, code: int, reason: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            await self.ws.close(code, reason)


class EventHub:
    """Serves `/openapi/v1.0/subscribe` sockets and fans events out to their subscribers."""

    def __init__(
        self, tokens: TokenStore, sn: str, idle_timeout: float, now: Callable[[], dt.datetime]
    ) -> None:
        self.tokens = tokens
        self.sn = sn
        self.idle_timeout = idle_timeout
        self.stall_heartbeats = False
        self._now = now
        self._sessions: set[Session] = set()
        self._empty = asyncio.Event()
        self._empty.set()

    @property
    def sessions(self) -> int:
        """Number of open sockets."""
        return len(self._sessions)

    @property
    def backlog(self) -> int:
        """Bytes queued for the furthest-behind open socket."""
        return max((s.backlog for s in self._sessions), default=0)

    def subscribed(self, event_type: int) -> bool:
        """Whether any open socket subscribed to `event_type`."""
        return any(event_type in s.topics for s in self._sessions)

    async def publish(self, event_type: int, msg: dict[str, Any]) -> None:
        """Deliver an event to every socket subscribed to its type (nobody listening: it is lost)."""
        text = frame(event_type, self.sn, msg)
        targets = [s for s in self._sessions if event_type in s.topics]
        for session in targets:
            session.send(text)

    async def send_raw(self, text: str) -> None:
        """Send `text` as it is to every open socket and wait until each took it or was dropped (malformed
        or oversized frame tests: a storm goes at the pace the client reads)."""
        sessions = list(self._sessions)
        for session in sessions:
            session.send(text)
        await asyncio.gather(*(s.flushed() for s in sessions))

    def tokens_changed(self) -> None:
        """Re-check every socket's token now (after expiry or revocation)."""
        for session in self._sessions:
            session.wake.set()

    def drop_all(self) -> None:
        """Abruptly drop every open socket."""
        for session in list(self._sessions):
            session.abort()

    async def wait_empty(self) -> None:
        """Return once no socket is open."""
        await self._empty.wait()

    async def close_all(self) -> None:
        """Close every socket politely (server shutdown)."""
        await asyncio.gather(*(s.close(1001, "server shutdown") for s in list(self._sessions)))

    async def serve(self, ws: WebSocket) -> None:
        """Run one subscription socket until the client leaves, goes idle or its token expires."""
        token = ws.query_params.get("access_token", "")
        await ws.accept()
        session = Session(ws, token)
        if not self.tokens.valid(token):
            session.send(compact_json(TOKEN_EXPIRED))
            await session.close(CLOSE_TOKEN, "token expired")
            return
        self._sessions.add(session)
        self._empty.clear()
        try:
            await self._loop(session)
        finally:
            session.end()
            self._sessions.discard(session)
            if not self._sessions:
                self._empty.set()

    async def _loop(self, session: Session) -> None:
        loop = asyncio.get_running_loop()
        idle_deadline = loop.time() + self.idle_timeout
        receive: asyncio.Task[MutableMapping[str, Any]] | None = None
        try:
            while True:
                if not self.tokens.valid(session.token):
                    session.send(compact_json(TOKEN_EXPIRED))
                    await session.close(CLOSE_TOKEN, "token expired")
                    return
                if loop.time() >= idle_deadline:
                    await session.close(CLOSE_IDLE, "idle timeout")
                    return
                receive = receive or asyncio.ensure_future(session.ws.receive())
                wake = asyncio.ensure_future(session.wake.wait())
                await asyncio.wait(
                    {receive, wake},
                    timeout=self._next_check(session, idle_deadline - loop.time()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                wake.cancel()
                session.wake.clear()
                if not receive.done():
                    continue
                message, receive = receive.result(), None
                if message["type"] == "websocket.disconnect":
                    return
                if await self._handle(session, message.get("text")):
                    idle_deadline = loop.time() + self.idle_timeout
        finally:
            if receive is not None:
                receive.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await receive

    def _next_check(self, session: Session, idle_left: float) -> float:
        expires = self.tokens.expires_at(session.token)
        token_left = (expires - self._now()).total_seconds() if expires else 0.0
        return max(0.0, min(idle_left, token_left))

    async def _handle(self, session: Session, text: str | None) -> bool:
        """Answer one client frame; True when it counts as interaction."""
        if text == "heartbeat":
            if self.stall_heartbeats:
                return False
            session.send("heartbeat response")
            return True
        topics = _topics(text or "")
        if isinstance(topics, dict):
            session.send(compact_json(topics))
            return True
        session.topics = topics
        session.send(compact_json({"errcode": 0, "errmsg": "SUCCESS"}))
        return True
