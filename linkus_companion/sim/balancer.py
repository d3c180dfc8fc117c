"""A TCP load balancer on 127.0.0.1 for fail-over tests and demos: each connection goes to a backend that answers."""

from __future__ import annotations

import asyncio
import contextlib

from linkus_companion.serving import free_port


class Balancer:
    """Forwards each accepted connection to the first of `backends` (ports on 127.0.0.1) that accepts it.

    With `least_connections`, backends are tried in order of their open connections, fewest first.
    """

    def __init__(self, backends: list[int], *, least_connections: bool = False) -> None:
        self.backends = backends
        self._least = least_connections
        self.open: dict[int, int] = {}
        """Open forwarded connections per backend port."""
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> Balancer:
        """Listen on `port`."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        return self

    async def stop(self) -> None:
        """Close the listener and every forwarded connection."""
        if self._server is not None:
            self._server.close()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        order = list(self.backends)
        if self._least:
            order.sort(key=lambda p: self.open.get(p, 0))
        for port in order:
            with contextlib.suppress(OSError):
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
                break
        else:
            writer.close()
            return
        self.open[port] = self.open.get(port, 0) + 1
        pipes = [
            asyncio.ensure_future(_pipe(reader, upstream_writer)),
            asyncio.ensure_future(_pipe(upstream_reader, writer)),
        ]
        self._pipes.update(pipes)
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.open[port] -= 1
            for pipe in pipes:
                pipe.cancel()
                self._pipes.discard(pipe)
            for end in (writer, upstream_writer):
                end.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
