"""A loop working through a backlog lets the other tasks run every few milliseconds."""

from __future__ import annotations

import asyncio
import time

from linkus_companion.pacing import Pacer


async def test_a_long_backlog_is_worked_through_in_slices() -> None:
    ticks: list[float] = []

    async def other_task() -> None:
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0)

    other = asyncio.create_task(other_task())
    await asyncio.sleep(0)
    pacer = Pacer(budget=0.002)
    start = time.perf_counter()
    for _ in range(60):  # 60 items of 0.5 ms: 30 ms of work
        end = time.perf_counter() + 0.0005
        while time.perf_counter() < end:
            pass
        await pacer.pause()
    finished = time.perf_counter()
    other.cancel()
    during = [t for t in ticks if start < t < finished]
    assert len(during) >= 8  # without the pacer the other task would not run until the backlog is done
    gaps = [b - a for a, b in zip([start, *during], [*during, finished], strict=True)]
    assert max(gaps) < 0.015
