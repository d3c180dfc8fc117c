"""The idle app hands the heap a burst of calls freed back to the OS once it is quiet, and only then."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace

import pytest

from linkus_companion import heap


async def _run(monkeypatch: pytest.MonkeyPatch, spent_each_check: list[float]) -> int:
    """Run the trimmer over checks that each spent the given CPU seconds; how many trims it made."""
    cpu = [0.0]
    trims: list[None] = []

    async def one_check(_seconds: float) -> None:
        if not spent_each_check:
            raise asyncio.CancelledError
        cpu[0] += spent_each_check.pop(0)
        await asyncio.sleep(0)

    # the module's own names only: the test's loop keeps the real clock and sleep
    monkeypatch.setattr(heap, "time", SimpleNamespace(process_time=lambda: cpu[0]))
    monkeypatch.setattr(heap, "asyncio", SimpleNamespace(sleep=one_check))
    monkeypatch.setattr(heap, "_malloc_trim", lambda: lambda: trims.append(None))
    with contextlib.suppress(asyncio.CancelledError):
        await heap.trim_when_quiet()
    return len(trims)


async def test_a_quiet_second_after_a_burst_trims_once(monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _run(monkeypatch, [0.9, 0.9, 0.001, 0.001, 0.001]) == 1


async def test_the_late_recording_searches_after_a_burst_count_as_quiet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """For minutes after a storm the app asks the CDR for late recordings (up to tens of ms a second on a
    busy PBX): the pages the storm freed go back meanwhile, not only once it is perfectly idle."""
    assert await _run(monkeypatch, [0.9, 0.9, 0.04, 0.05, 0.04]) == 1


async def test_no_trim_while_busy_or_when_nothing_was_done_since(monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _run(monkeypatch, [0.5] * 10) == 0, "a busy app is not interrupted"
    assert await _run(monkeypatch, [0.001] * 50) == 0, "an app idle from the start has nothing to give back"
    assert await _run(monkeypatch, [0.9, 0.001, 0.001, 0.001, 0.9, 0.001]) == 2, "once after each burst"
