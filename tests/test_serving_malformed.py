"""Our HTTP servers (the gateway, the emulators) log no traceback for a client that breaks HTTP mid-request."""

from __future__ import annotations

import asyncio
import logging

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from linkus_companion.serving import serving

BROKEN_CHUNKS = b"POST /refuse HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def refuse(request: Request) -> JSONResponse:
    """Answers without reading the body, as a guard refusing a bad token does."""
    return JSONResponse({"status": "error"}, status_code=401)


async def test_a_broken_chunked_body_is_dropped_without_a_traceback() -> None:
    seen = Records()
    uvicorn_errors = logging.getLogger("uvicorn.error")
    async with serving(Starlette(routes=[Route("/refuse", refuse, methods=["POST"])])) as server:
        uvicorn_errors.addHandler(seen)
        try:
            reader, writer = await asyncio.open_connection(server.host, server.port)
            writer.write(BROKEN_CHUNKS)
            await writer.drain()
            await asyncio.wait_for(reader.read(), 5)  # the server answers or closes: it does not hang
            writer.close()
            async with httpx.AsyncClient() as client:
                after = await client.post(f"{server.base_url}/refuse", content=b"{}")
        finally:
            uvicorn_errors.removeHandler(seen)
    assert after.status_code == 401, "still serving"
    assert [r.getMessage() for r in seen.records if r.levelno >= logging.ERROR] == []
