"""Coroutines started from Qt slots, on the qasync loop."""

from __future__ import annotations

import asyncio

import pytest
import qasync

from linkus_companion.backend import BackendError
from linkus_companion.ui.tasks import Tasks

pytestmark = pytest.mark.asyncio(loop_factories=["qt"])


async def test_runs_on_the_qt_loop_and_reports_results_and_errors():
    assert isinstance(asyncio.get_running_loop(), qasync.QEventLoop)
    crashes: list[BaseException] = []
    results: list[object] = []
    tasks = Tasks(crashed=crashes.append)

    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def refuse() -> None:
        raise BackendError("The PBX refused the call: extension 1001 is busy.")

    async def bug() -> None:
        raise ZeroDivisionError

    await tasks.start(answer(), done=results.append)
    with pytest.raises(BackendError):
        await tasks.start(refuse(), failed=results.append)
    with pytest.raises(ZeroDivisionError):
        await tasks.start(bug())
    await asyncio.sleep(0)
    assert results == [42, "The PBX refused the call: extension 1001 is busy."]
    assert [type(e) for e in crashes] == [ZeroDivisionError]
    assert tasks.pending == 0


async def test_cancel_all_on_quit():
    tasks = Tasks(crashed=lambda exc: pytest.fail(str(exc)))
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = tasks.start(forever())
    await started.wait()
    assert tasks.pending == 1
    await tasks.cancel_all()
    assert task.cancelled()
    assert tasks.pending == 0
