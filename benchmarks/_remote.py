"""Objects served from processes of their own: a child serves one object over a loopback socket.

`python -m benchmarks._remote ROLE CONFIG` builds the object of ROLE (`_sims.ROLES`) from CONFIG (a
base64 pickle), listens on 127.0.0.1, prints its port and facts as one JSON line and serves calls until
its stdin closes (the parent went away). Each call is a length-prefixed pickle `(id, kind, dotted name,
args, kwargs)`; the answer `(id, ok, value)`. Only our own children are ever connected to.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import inspect
import itertools
import json
import os
import pickle
import struct
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEADER = struct.Struct("!I")


async def _read(reader: asyncio.StreamReader) -> Any:
    size = HEADER.unpack(await reader.readexactly(HEADER.size))[0]
    return pickle.loads(await reader.readexactly(size))


def _frame(message: Any) -> bytes:
    body = pickle.dumps(message)
    return HEADER.pack(len(body)) + body


class RemoteError(RuntimeError):
    """A call raised in the child (its text carries the child's exception)."""


class Channel:
    """A connection to an object a child serves: `await channel.call("a.b", ...)` runs `root.a.b(...)`
    there (awaited when it is a coroutine); `await channel.get("a.b")` reads an attribute."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._ids = itertools.count()
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.create_task(self._answers(reader))

    @classmethod
    async def connect(cls, port: int) -> Channel:
        """Connect to the child listening on 127.0.0.1:`port`."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def _answers(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                call_id, ok, value = await _read(reader)
                future = self._waiting.pop(call_id)
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(RemoteError(value))
        except (asyncio.IncompleteReadError, ConnectionError) as gone:
            for future in self._waiting.values():
                future.set_exception(RemoteError(f"the child went away: {gone!r}"))
            self._waiting.clear()

    async def _send(self, kind: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        call_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = future
        self._writer.write(_frame((call_id, kind, name, args, kwargs)))
        return await future

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The result of `root.<name>(*args, **kwargs)` in the child."""
        return await self._send("call", name, args, kwargs)

    async def get(self, name: str) -> Any:
        """The value of `root.<name>` in the child."""
        return await self._send("get", name, (), {})

    def method(self, name: str) -> Callable[..., Awaitable[Any]]:
        """`call` bound to `name`."""
        return functools.partial(self.call, name)

    async def close(self) -> None:
        """Close the connection."""
        self._reader.cancel()
        self._writer.close()
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await self._writer.wait_closed()
            await self._reader


def child_env() -> dict[str, str]:
    """The environment of every measured or serving child: bytecode written and loaded as an installed
    app does (pip compiles at install; PYTHONDONTWRITEBYTECODE would make each start compile again)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


class Child:
    """A child process serving the object of one role, and a channel to it."""

    def __init__(self, process: asyncio.subprocess.Process, channel: Channel, facts: dict[str, Any]) -> None:
        self.process = process
        self.channel = channel
        self.facts = facts
        """What the child said about its object once it was ready (addresses, credentials)."""
        self.port = int(facts["port"])

    @classmethod
    async def start(cls, role: str, config: dict[str, Any], patience: float = 60.0) -> Child:
        """Start `python -m benchmarks._remote role config` and connect once it is ready."""
        blob = base64.b64encode(pickle.dumps(config)).decode("ascii")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._remote",
            role,
            blob,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=child_env(),
        )
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), patience)
            if not line:
                raise RuntimeError(f"the {role} child exited before it was ready (rc {await process.wait()})")
            facts = json.loads(line)
            return cls(process, await Channel.connect(int(facts["port"])), facts)
        except BaseException:
            process.kill()
            await process.wait()
            raise

    async def stop(self) -> None:
        """Close the channel and the child's stdin (it stops its object and exits), killed after 10 s."""
        await self.channel.close()
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


# --- the child's side ------------------------------------------------------------------------------


def _resolve(root: Any, name: str) -> Any:
    return functools.reduce(getattr, name.split("."), root)


async def _answer(root: Any, kind: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    target = _resolve(root, name)
    if kind == "get":
        return target
    result = target(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result


async def _serve_connection(root: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    async def one(call_id: int, kind: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            reply = (call_id, True, await _answer(root, kind, name, args, kwargs))
        except Exception as error:  # the caller gets it as a RemoteError
            reply = (call_id, False, f"{name}: {error!r}")
        writer.write(_frame(reply))

    running: set[asyncio.Task[None]] = set()
    try:
        while True:
            task = asyncio.create_task(one(*await _read(reader)))
            running.add(task)
            task.add_done_callback(running.discard)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        for task in running:
            task.cancel()
        writer.close()


def _stdin_closed(loop: asyncio.AbstractEventLoop, closed: asyncio.Event) -> None:
    """Set `closed` once the parent closes our stdin (or dies)."""

    def watch() -> None:
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


async def _child(role: str, config: dict[str, Any]) -> None:
    from benchmarks._sims import ROLES

    root = await ROLES[role](config)
    server = await asyncio.start_server(functools.partial(_serve_connection, root), "127.0.0.1", 0)
    closed = asyncio.Event()
    _stdin_closed(asyncio.get_running_loop(), closed)
    facts = {"port": server.sockets[0].getsockname()[1], **(await root.facts())}
    sys.stdout.write(json.dumps(facts, default=str) + "\n")
    sys.stdout.flush()
    os.dup2(
        sys.stderr.fileno(), sys.stdout.fileno()
    )  # nothing else may fill the pipe the parent stopped reading
    try:
        await closed.wait()
    finally:
        server.close()
        await root.close()


if __name__ == "__main__":
    asyncio.run(_child(sys.argv[1], pickle.loads(base64.b64decode(sys.argv[2]))))
