"""One authenticated desktop's WebSocket: its outgoing queue, its requests, and the end of its token."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from linkus_companion.crm.base import CrmError
from linkus_companion.engine.core import EngineError
from linkus_companion.engine.host import EngineHost
from linkus_companion.gateway import protocol
from linkus_companion.gateway.hub import DesktopHub
from linkus_companion.gateway.metrics import Metrics
from linkus_companion.gateway.tokens import Claims, TokenAuthority
from linkus_companion.model import CallNote, Disposition
from linkus_companion.pbx.errors import PbxError
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

QUEUE_LIMIT = 500
"""Messages a slow desktop may fall behind before it is dropped (it reconnects and gets a fresh view)."""


class DesktopConnection:
    """Serves one desktop until it leaves, its token expires or its session is revoked."""

    def __init__(
        self,
        websocket: WebSocket,
        claims: Claims,
        *,
        host: EngineHost,
        hub: DesktopHub,
        authority: TokenAuthority,
        metrics: Metrics,
        revocation_check: float,
        browser_url: str,
    ) -> None:
        self.extension = claims.extension
        self._ws = websocket
        self._claims = claims
        self._host = host
        self._hub = hub
        self._authority = authority
        self._metrics = metrics
        self._check = revocation_check
        self._browser_url = browser_url
        self._queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LIMIT)
        self._close_code = 1000
        self._tasks: set[asyncio.Task[None]] = set()

    def send(self, message: dict[str, Any]) -> None:
        """Queue `message`; a desktop too far behind is closed."""
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("desktop of extension %s fell behind; closing its connection", self.extension)
            self._stop(1013)

    async def serve(self) -> None:
        """Run the connection until one side ends it."""
        tasks = {asyncio.create_task(self._write()), asyncio.create_task(self._watch())}
        self._hub.attach(self)
        log.info("desktop of extension %s connected", self.extension)
        tasks.add(asyncio.create_task(self._read()))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._hub.detach(self)
            tasks |= self._tasks
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
                await self._ws.close(self._close_code)
            log.info("desktop of extension %s disconnected (%d)", self.extension, self._close_code)

    def _stop(self, code: int) -> None:
        self._close_code = code
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def _write(self) -> None:
        while (message := await self._queue.get()) is not None:
            await self._ws.send_text(json.dumps(message))

    async def _watch(self) -> None:
        """End the connection when the token expires (4401) or the session is revoked (4403)."""
        while True:
            left = (self._claims.expires_at - dt.datetime.now(dt.UTC)).total_seconds()
            if left <= 0:
                self._stop(protocol.CLOSE_EXPIRED)
                return
            await asyncio.sleep(min(left, self._check))
            if not self._authority.active(self._claims.session_id):
                self._metrics.count(
                    "gateway_auth_refused_total", "Refused desktop credentials", reason="revoked"
                )
                self._stop(protocol.CLOSE_REVOKED)
                return

    async def _read(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                text = await self._ws.receive_text()
                task = asyncio.create_task(self._answer(text))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _answer(self, text: str) -> None:
        request_id, op = 0, "invalid"
        try:
            message = json.loads(text)
            request_id = int(message["id"])
            op, args = str(message["op"]), dict(message["args"])
            result = await self._perform(op, args)
        except (ValueError, KeyError, TypeError, protocol.ProtocolError):
            reply = protocol.reply_error(request_id, Text("The gateway did not understand the request."))
            op = "invalid"
        except (EngineError, CrmError, PbxError) as exc:
            reply = protocol.reply_error(request_id, text_of(exc), retryable=getattr(exc, "retryable", False))
        except Exception:
            log.exception("request %r of extension %s failed", op, self.extension)
            reply = protocol.reply_error(request_id, Text("The gateway failed to do that; its log says why."))
        else:
            reply = protocol.reply_ok(request_id, result)
        self._metrics.count(
            "gateway_requests_total",
            "Desktop requests",
            op=op if op in protocol.OPS else "invalid",
            ok=str(reply["ok"]).lower(),
        )
        self.send(reply)

    async def _perform(self, op: str, args: dict[str, Any]) -> Any:
        ext = self.extension
        call_id = args.get("call_id")
        if call_id is not None and not self._hub.owns(ext, str(call_id)):
            raise EngineError(Text("That call is not one of this extension's calls."))
        if op in ENGINE_OPS:
            if self._hub.forward is not None:  # a standby: the leader's engine knows the call
                return await self._hub.forward(op, ext, args)
            return await engine_request(self._host, op, ext, args)
        if op == "dial":
            await self._host.pbx.dial(ext, str(args["number"]))
            return None
        if op == "suggest":
            match = await self._host.lookup.find(str(args["text"]))
            return [protocol.record_json(r) for r in match.records]
        if op == "browser":
            return {"url": f"{self._browser_url}#{self._authority.browser_ticket(self._claims)}"}
        if op == "ping":
            return None
        raise protocol.ProtocolError(f"unknown op {op!r}")


ENGINE_OPS = frozenset({"open", "choose", "retry", "note", "create"})
"""Requests only the leader's engine can answer (it holds the live calls)."""


async def engine_request(host: EngineHost, op: str, ext: str, args: dict[str, Any]) -> Any:
    """Answer `open`, `choose`, `retry`, `note` or `create` for `ext` (already checked to own the call)."""
    engine, call_id = host.engine, args.get("call_id")
    if op == "open":
        return {"url": await engine.open_in_crm(str(call_id), ext)}
    if op == "choose":
        await engine.choose_record(str(call_id), str(args["record_id"]))
        return None
    if op == "retry":
        await engine.retry_lookup(str(call_id))
        return None
    if op == "note":
        disposition = args.get("disposition")
        picked = Disposition(disposition) if disposition else None
        engine.save_note(str(call_id), ext, CallNote(str(args["text"]), picked, bool(args.get("keep"))))
        return None
    owner = host.bindings.owner_of(ext)
    new = dataclasses.replace(protocol.parse_new_record(args["record"]), owner_id=owner.id if owner else "")
    record = await engine.create_record(str(call_id) if call_id is not None else None, new)
    return protocol.record_json(record)
