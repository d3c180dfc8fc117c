"""Run an ASGI app (Starlette) under uvicorn inside the current asyncio loop (emulators, player, gateway)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import h11
import uvicorn
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from linkus_companion.ports import listening_socket
from linkus_companion.tls import TlsFiles

IDLE_KEEPALIVE = 65
"""Seconds an idle HTTP connection stays open (uvicorn's default is 5): the CRMs keep idle connections
for about a minute, and our CRM client holds them 55 s (runtime.CRM_KEEPALIVE), so calls a few seconds
apart reuse one TLS connection here as they do on the real services."""


def free_port() -> int:
    """A loopback port that was free a moment ago (e.g. for a registered OAuth redirect URI)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    """A started server: where it listens and how to stop it."""

    host: str
    port: int
    scheme: str
    _server: uvicorn.Server
    _task: asyncio.Task[None]

    @property
    def base_url(self) -> str:
        """`http(s)://host:port` without a trailing slash."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def stop_accepting(self) -> None:
        """Refuse new connections now; open ones stay until `stop()`."""
        for listener in self._server.servers:
            listener.close()

    async def stop(self) -> None:
        """Stop accepting, close open connections (WebSockets included) and wait for the task.

        Kept-alive connections get uvicorn's close first; whatever is still open once the server task
        ends (e.g. an idle TLS connection waiting for the peer's close_notify) is aborted, so no
        transport outlives the server.
        """
        open_connections = list(self._server.server_state.connections)
        self._server.should_exit = True
        self._server.force_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        for connection in open_connections + list(self._server.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()


def _quiet_when_gone(app: ASGIApp) -> ASGIApp:
    """`app`, with a client that went away or broke HTTP mid-request (a chunked body that is not one)
    dropped silently: a real server logs no traceback, there is nobody left to answer."""

    async def quiet(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            with contextlib.suppress(ClientDisconnect):
                await app(scope, receive, send)
        except h11.LocalProtocolError:
            # uvicorn already answered 400 and is closing the connection: wait for it to be gone, so it
            # does not report this request as one we left unanswered
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1):
                    while (await receive())["type"] != "http.disconnect":
                        pass

    return quiet


async def start_server(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, tls: TlsFiles | None = None
) -> RunningServer:
    """Start `app` on host:port (0 = ephemeral) and return once it accepts connections; PortBusy if taken."""
    sock = listening_socket(host, port)
    sock.set_inheritable(True)
    config = uvicorn.Config(
        _quiet_when_gone(app),
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="websockets-sansio",
        ws_ping_interval=None,
        ws_ping_timeout=None,
        timeout_graceful_shutdown=1,
        timeout_keep_alive=IDLE_KEEPALIVE,
        ssl_certfile=str(tls.cert_file) if tls else None,
        ssl_keyfile=str(tls.key_file) if tls else None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("emulator server stopped during start-up")
        await asyncio.sleep(0.01)
    bound_port = sock.getsockname()[1]
    return RunningServer(host, bound_port, "https" if tls else "http", server, task)


@contextlib.asynccontextmanager
async def serving(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, tls: TlsFiles | None = None
) -> AsyncIterator[RunningServer]:
    """Context manager form of `start_server`."""
    running = await start_server(app, host, port, tls)
    try:
        yield running
    finally:
        await running.stop()
