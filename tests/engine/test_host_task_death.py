"""A background loop of the host that dies by itself is named in the log with its error."""

from __future__ import annotations

import asyncio
import logging

import pytest

from linkus_companion.engine import host


async def test_a_loop_that_dies_is_logged_and_a_cancelled_one_is_not(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def outbox_loop() -> None:
        raise RuntimeError("database is locked")

    async def forever() -> None:
        await asyncio.Event().wait()

    dying = asyncio.create_task(outbox_loop(), name="OutboxWorker.run")
    cancelled = asyncio.create_task(forever(), name="quiet")
    for task in (dying, cancelled):
        task.add_done_callback(host._report_death)
    cancelled.cancel()
    await asyncio.gather(dying, cancelled, return_exceptions=True)
    await asyncio.sleep(0)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == ["OutboxWorker.run stopped"]
    assert errors[0].exc_info is not None and "database is locked" in str(errors[0].exc_info[1])
