"""Long loops share the event loop: a backlog is worked through in slices, and repeated writes wait for a free loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

BUDGET_S = 0.004
"""Work a loop may do before it lets the other tasks (and the desktop's drawing) run."""


class Pacer:
    """`await pacer.pause()` after each item: it yields to the event loop once `budget` seconds went by
    since it last did, so a backlog of PBX frames is worked through in slices, never in one long block."""

    def __init__(self, budget: float = BUDGET_S) -> None:
        self._budget = budget
        self._since = time.perf_counter()

    async def pause(self) -> None:
        """Yield to the event loop if this loop has had its slice."""
        if time.perf_counter() - self._since >= self._budget:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


class Coalesced:
    """`coalesced()` runs `action` once the event loop is free, once however often it was asked meanwhile
    (a burst of changes is one database write, after what was being sent); without a running loop, now."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action = action
        self._due = False

    def __call__(self) -> None:
        if self._due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._action()
            return
        self._due = True
        loop.call_soon(self._run)

    def _run(self) -> None:
        self._due = False
        self._action()
