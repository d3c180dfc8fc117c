"""ASGI middleware that keeps the emulator's recent HTTP exchanges, for spec validation and debugging."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

KEPT_BODY = 1 << 20
"""Bytes of each body kept: a file upload (hundreds of MB) is not held in memory for the log."""


@dataclass
class Exchange:
    """One request and its response, bodies included (the first KEPT_BODY bytes of each)."""

    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes = b""
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""


class TrafficRecorder:
    """Wraps an ASGI app and appends every HTTP exchange to `exchanges` (the newest `keep`)."""

    def __init__(self, app: ASGIApp, keep: int = 2000) -> None:
        self.app = app
        self.exchanges: deque[Exchange] = deque(maxlen=keep)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        exchange = Exchange(scope["method"], scope["path"], scope["query_string"].decode("latin-1"), headers)

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.request_body = _kept(exchange.request_body, message.get("body", b""))
            return message

        async def send_and_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = {
                    k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
                }
            elif message["type"] == "http.response.body":
                exchange.response_body = _kept(exchange.response_body, message.get("body", b""))
            await send(message)

        await self.app(scope, receive_and_keep, send_and_keep)
        self.exchanges.append(exchange)


def _kept(body: bytes, more: bytes) -> bytes:
    return body + more[: max(0, KEPT_BODY - len(body))] if len(body) < KEPT_BODY else body
