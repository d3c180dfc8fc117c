"""Scripted Open API failures, real on the wire: a dropped request's connection closes unanswered, a held one waits."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from starlette.requests import Request


class ApiFaults:
    """Endpoints (`cdr/search`, `call/query`...) that fail until cleared: `drop` closes the TCP connection
    without an answer (the client reads "server disconnected"), `hold` keeps the request waiting (a busy
    PBX) and answers it once cleared."""

    def __init__(self) -> None:
        self._dropping: set[str] = set()
        self._holding: dict[str, asyncio.Event] = {}
        self.dropped: Counter[str] = Counter()
        """Requests dropped so far, per endpoint."""
        self.held: Counter[str] = Counter()
        """Requests that were held so far (waiting or answered since), per endpoint."""

    def drop(self, *endpoints: str) -> None:
        """Drop every request to `endpoints` until `clear()`."""
        self._dropping.update(endpoints)

    def hold(self, *endpoints: str) -> None:
        """Hold every request to `endpoints` until `clear()`."""
        for endpoint in endpoints:
            self._holding.setdefault(endpoint, asyncio.Event())

    def clear(self, *endpoints: str) -> None:
        """Stop failing `endpoints` (none: all); held requests are answered now."""
        for endpoint in endpoints or (*self._dropping, *self._holding):
            self._dropping.discard(endpoint)
            released = self._holding.pop(endpoint, None)
            if released is not None:
                released.set()

    def state(self) -> dict[str, Any]:
        """What fails now and what failed so far, for `GET /sim/state`."""
        return {
            "dropping": sorted(self._dropping),
            "holding": sorted(self._holding),
            "dropped": dict(self.dropped),
            "held": dict(self.held),
        }

    async def admit(self, endpoint: str, request: Request) -> bool:
        """Let a request to `endpoint` through (after any hold); False when its connection was dropped."""
        released = self._holding.get(endpoint)
        if released is not None:
            self.held[endpoint] += 1
            await released.wait()
        if endpoint not in self._dropping:
            return True
        self.dropped[endpoint] += 1
        transport = getattr(getattr(request.receive, "__self__", None), "transport", None)
        if isinstance(transport, asyncio.Transport):
            transport.abort()
            await asyncio.sleep(0)  # the server sees the connection gone: nothing is written to it
        return False
