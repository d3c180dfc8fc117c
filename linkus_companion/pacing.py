"""Long loops share the event loop: a loop working through a backlog hands it back every few milliseconds."""

from __future__ import annotations

import asyncio
import time

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
