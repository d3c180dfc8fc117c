"""Start a long-running command as its own process, send it a signal, and time how long it takes to exit."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field

STOP_WITHIN = 2.0
"""Seconds from SIGINT/SIGTERM to the exit (issue #16; a service manager's stop, Ctrl+C, logout)."""


@dataclass
class Child:
    """A running `python -m linkus_companion ...` whose output is read as it comes."""

    process: asyncio.subprocess.Process
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)

    async def line(self, text: str, patience: float = 30) -> None:
        """Return once a line of standard output contains `text`."""
        await self.until(lambda: any(text in line for line in self.out), f"no line with {text!r}", patience)

    async def until(self, ready: Callable[[], bool], what: str, patience: float = 30) -> None:
        """Return once `ready()`; fail with `what` and the output if the process ends or time runs out first."""
        deadline = time.monotonic() + patience
        while not ready():
            assert self.process.returncode is None, f"ended before: {what}\n{self.output()}"
            assert time.monotonic() < deadline, f"{what}\n{self.output()}"
            await asyncio.sleep(0.05)

    async def stop(self, sig: signal.Signals) -> float:
        """Send `sig`; the seconds until the process exited (it is killed after 10 s)."""
        sent = time.monotonic()
        self.process.send_signal(sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), 10)
        took = time.monotonic() - sent
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await asyncio.gather(*self.readers)
        return took

    def field(self, label: str) -> str:
        """What follows `label` on the first line of standard output holding it (a banner's value)."""
        return next(line.split(label, 1)[1].strip() for line in self.out if label in line)

    def output(self) -> str:
        """Everything it printed so far (standard output, then standard error)."""
        return "".join(self.out) + "".join(self.err)


@contextlib.asynccontextmanager
async def launched(*words: str, env: Mapping[str, str] | None = None) -> AsyncIterator[Child]:
    """`python -m linkus_companion <words>` with the test's user dirs; killed if still running at the end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "linkus_companion",
        *words,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    child = Child(process)
    assert process.stdout is not None and process.stderr is not None
    child.readers = [
        asyncio.create_task(_read(process.stdout, child.out)),
        asyncio.create_task(_read(process.stderr, child.err)),
    ]
    try:
        yield child
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await asyncio.gather(*child.readers)


def assert_stopped_cleanly(child: Child, took: float, sig: signal.Signals, status: int = 0) -> None:
    """It exited by itself with `status`, without a traceback, within STOP_WITHIN seconds of `sig`."""
    output = child.output()
    assert child.process.returncode == status, (
        f"exit status {child.process.returncode} after {sig.name}\n{output}"
    )
    assert "Traceback" not in output, output
    assert took < STOP_WITHIN, f"took {took:.1f} s to stop after {sig.name}\n{output}"


async def _read(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode(errors="replace"))
