"""A TCP delay proxy on 127.0.0.1: every chunk waits half the RTT in each direction, order kept."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable


class DelayProxy:
    """Listens on an ephemeral port and relays each connection to `target_port`, delayed both ways.

    A new connection waits one RTT (the TCP handshake) before its first byte moves; then the delay
    applies per chunk as it crosses, so a TLS handshake costs its round trips and a kept-alive
    connection saves them, as on a real network. `one_way()` is read for every chunk
    (seconds), so the delay can change while connections are open.
    """

    def __init__(self, target_port: int, one_way: Callable[[], float]) -> None:
        self._target = target_port
        self._one_way = one_way
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0
        """Client connections accepted so far (each one is a TCP, and for https a TLS, set-up)."""

    @property
    def port(self) -> int:
        """The port clients connect to."""
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Start listening."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)

    async def stop(self) -> None:
        """Stop listening and drop every relayed connection."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(client_writer)
        try:
            await asyncio.sleep(2 * self._one_way())  # the TCP handshake: SYN out, SYN-ACK back
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self._target)
            self._writers.add(server_writer)
            try:
                await asyncio.gather(
                    self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
                )
            finally:
                server_writer.close()
                self._writers.discard(server_writer)
        except (ConnectionError, OSError):
            pass
        finally:
            client_writer.close()
            self._writers.discard(client_writer)
            self._tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy `reader` to `writer`; each chunk is written `one_way()` seconds after it was read."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    with contextlib.suppress(OSError, RuntimeError):
                        writer.write_eof()
                    return
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        try:
            while True:
                chunk = await reader.read(65536)
                queue.put_nowait((time.perf_counter() + self._one_way(), chunk))
                if not chunk:
                    break
            await sender
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
                await sender
