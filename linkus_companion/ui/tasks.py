"""Runs the UI's coroutines on the running (qasync) loop, keeping them alive and reporting failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from linkus_companion.backend import BackendError
from linkus_companion.texts import text_of
from linkus_companion.ui.i18n import tr_text

log = logging.getLogger(__name__)
T = TypeVar("T")


class Tasks:
    """Starts coroutines as tasks; a BackendError goes to the caller's `failed`, anything else to `crashed`.

    Qt holds no reference to a task started from a slot, so this set does (a task that is only
    weakly referenced can be garbage-collected mid-flight).
    """

    def __init__(self, crashed: Callable[[BaseException], None]) -> None:
        self._crashed = crashed
        self._running: set[asyncio.Task[Any]] = set()

    def start(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        done: Callable[[T], None] | None = None,
        failed: Callable[[str], None] | None = None,
    ) -> asyncio.Task[T]:
        """Run `coro`; `done(result)` on success, `failed(message)` on a BackendError (in the UI language)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._running.add(task)

        def finished(t: asyncio.Task[T]) -> None:
            self._running.discard(t)
            if t.cancelled():
                return
            exc = t.exception()
            if exc is None:
                if done is not None:
                    done(t.result())
            elif isinstance(exc, BackendError) and failed is not None:
                failed(tr_text(text_of(exc)))
            else:
                log.error("background task failed", exc_info=exc)
                self._crashed(exc)

        task.add_done_callback(finished)
        return task

    @property
    def pending(self) -> int:
        """How many tasks are still running."""
        return len(self._running)

    async def cancel_all(self) -> None:
        """Cancel every running task and wait for them (quitting)."""
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
