"""Recordings written after their call ended: look for the file in the CDR later and patch the call log."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence

from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.core import Resolution
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.model import Outcome, Record
from linkus_companion.pbx.calls import Call, Phase
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError

log = logging.getLogger(__name__)

DELAYS = (30.0, 120.0, 600.0)
"""Seconds after the call's end at which the CDR is asked again for its recording."""
_MARGIN = dt.timedelta(minutes=2)


class LateRecordings:
    """An engine listener: an answered call that ended without a recording file is watched for one."""

    def __init__(
        self, pbx: PbxClient, call_log: CallLogger, wake: Callable[[], None], delays: Sequence[float] = DELAYS
    ) -> None:
        self._pbx = pbx
        self._call_log = call_log
        self._wake = wake
        self._delays = tuple(delays)
        self._watching: dict[str, asyncio.Task[None]] = {}

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        """Start watching an answered call that ended with no recording."""
        if (
            call.phase is Phase.ENDED
            and call.outcome is Outcome.ANSWERED
            and not call.recording
            and call.call_id not in self._watching
        ):
            task = asyncio.create_task(self._watch(call))
            self._watching[call.call_id] = task
            task.add_done_callback(lambda _t: self._watching.pop(call.call_id, None))

    def on_pop(self, request: PopRequest) -> None:
        """Pops do not concern recordings."""

    async def close(self) -> None:
        """Stop watching (calls still waiting keep their log without the link)."""
        tasks = list(self._watching.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(self, call: Call) -> None:
        ended = call.ended_at or call.started_at
        for delay in self._delays:
            await asyncio.sleep(delay)
            try:
                rows = await self._pbx.search_cdr(call.started_at - _MARGIN, ended + _MARGIN)
            except PbxError as exc:
                log.info("could not look for the recording of call %s yet: %s", call.call_id, exc)
                continue
            file = next((r.recording for r in rows if r.uid == call.call_id and r.recording), "")
            if file:
                if self._call_log.recording_ready(call.call_id, file):
                    self._wake()
                return
        log.info("call %s has no recording on the PBX", call.call_id)
