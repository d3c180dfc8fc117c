"""Recordings written after their call ended: look for the file in the CDR later and patch the call log."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

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
"""How far our clock may be from the PBX's, when only our times of a call are known."""
_PBX_MARGIN = dt.timedelta(seconds=5)
"""Around the PBX's own times of a call (30012 `time_start`): its whole-second rounding and a little."""
BATCH = 10.0
"""Seconds within which calls due for a search share it (asked up to this much early, and at most a
quarter of their delay): each search reads the PBX's whole window of calls, so a burst shares one."""


class _Watched(NamedTuple):
    """What the search needs of a watched call (not the Call: a storm keeps thousands for minutes)."""

    call_id: str
    since: dt.datetime
    until: dt.datetime
    """The CDR search window that holds the call's start, by the PBX's clock."""

    @classmethod
    def of(cls, call: Call) -> _Watched:
        """The PBX's own times of `call` when its 30012 gave them, else ours with room for clock skew."""
        if call.pbx_times is not None:
            start, end = call.pbx_times
            return cls(call.call_id, start - _PBX_MARGIN, end + _PBX_MARGIN)
        return cls(call.call_id, call.started_at - _MARGIN, (call.ended_at or call.started_at) + _MARGIN)


def search_windows(batch: list[tuple[int, _Watched]]) -> list[list[tuple[int, _Watched]]]:
    """The calls due together, grouped so that calls whose windows overlap share one CDR search.

    Calls due at one moment may have ended minutes apart (one burst's second search beside a later burst's
    first): one window over all of them would read every call the PBX had in between, thousands of rows
    on a busy PBX, to find a few."""
    windows: list[list[tuple[int, _Watched]]] = []
    end = None
    for item in sorted(batch, key=lambda item: item[1].since):
        if end is not None and item[1].since <= end:
            windows[-1].append(item)
            end = max(end, item[1].until)
        else:
            windows.append([item])
            end = item[1].until
    return windows


class LateRecordings:
    """An engine listener: an answered call that ended without a recording file is watched for one.

    One worker asks the CDR for every call due at the same time in one search (a storm of calls costs a
    search per due moment, not one per call), and a watched call costs an entry in a heap, not a task."""

    def __init__(
        self, pbx: PbxClient, call_log: CallLogger, wake: Callable[[], None], delays: Sequence[float] = DELAYS
    ) -> None:
        self._pbx = pbx
        self._call_log = call_log
        self._wake = wake
        self._delays = tuple(delays)
        self._due: list[tuple[float, int, int, _Watched]] = []
        """(when, order, how many searches so far, call): the calls to look for, soonest first."""
        self._watched: set[str] = set()
        self._order = itertools.count()
        self._worker: asyncio.Task[None] | None = None
        self._added = asyncio.Event()

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        """Start watching an answered call that ended with no recording."""
        if (
            call.phase is Phase.ENDED
            and call.outcome is Outcome.ANSWERED
            and not call.recording
            and call.call_id not in self._watched
            and self._delays
        ):
            self._watched.add(call.call_id)
            self._schedule(_Watched.of(call), 0)
            if self._worker is None:
                self._worker = asyncio.get_running_loop().create_task(self._run())

    def on_pop(self, request: PopRequest) -> None:
        """Pops do not concern recordings."""

    async def close(self) -> None:
        """Stop watching (calls still waiting keep their log without the link)."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        self._due.clear()
        self._watched.clear()

    def _schedule(self, call: _Watched, searches: int) -> None:
        when = time.monotonic() + self._delays[searches]
        heapq.heappush(self._due, (when, next(self._order), searches, call))
        self._added.set()

    async def _run(self) -> None:
        while True:
            if not self._due:
                self._added.clear()
                await self._added.wait()
                continue
            wait = self._due[0][0] - time.monotonic()
            if wait > 0:
                self._added.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._added.wait(), wait)  # a sooner call may come meanwhile
                continue
            now = time.monotonic()
            batch = []
            while self._due and self._due[0][0] <= now + min(BATCH, self._delays[self._due[0][2]] / 4):
                _when, _order, searches, call = heapq.heappop(self._due)
                batch.append((searches + 1, call))
            for window in search_windows(batch):
                try:
                    await self._look(window)
                except Exception:  # one bad answer must not end the watching of every later call
                    log.exception("looking for %d call recording(s) failed", len(window))

    async def _look(self, batch: list[tuple[int, _Watched]]) -> None:
        """One CDR search over the calls of `batch`; found ones are patched, the others asked again later."""
        start = min(call.since for _n, call in batch)
        end = max(call.until for _n, call in batch)
        try:
            rows = await self._pbx.search_cdr(start, end, {call.call_id for _n, call in batch})
        except PbxError as exc:
            log.info("could not look for %d call recording(s) yet: %s", len(batch), exc)
            rows = []
        files = {r.uid: r.recording for r in rows if r.recording}
        for searches, call in batch:
            file = files.get(call.call_id, "")
            if file:
                self._watched.discard(call.call_id)
                if self._call_log.recording_ready(call.call_id, file):
                    self._wake()
            elif searches < len(self._delays):
                self._schedule(call, searches)
            else:
                self._watched.discard(call.call_id)
                log.info("call %s has no recording on the PBX", call.call_id)
