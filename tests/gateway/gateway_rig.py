"""Gateway test rig: what each desktop was told, the site under test, and waiting on a condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from linkus_companion.backend import CallView, PopNotice, Status
from linkus_companion.gateway.demo import GatewayWorld


@dataclass
class Seen:
    """What one desktop's UI was told."""

    calls: list[CallView] = field(default_factory=list)
    pops: list[PopNotice] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)

    def on_status(self, status: Status) -> None:
        self.statuses.append(status)

    def on_call(self, call: CallView) -> None:
        self.calls.append(call)

    def on_pop(self, notice: PopNotice) -> None:
        self.pops.append(notice)

    def call_ids(self) -> set[str]:
        return {c.call_id for c in self.calls}


@dataclass
class Site:
    world: GatewayWorld
    seen: dict[str, Seen]
    lines: list[str]

    def keys(self) -> list[str]:
        """Idempotency keys of every call log in the CRM."""
        return [log.idempotency_key for log in self.world.crm.call_logs()]


async def until(check: Callable[[], object], patience: float = 15) -> None:
    """Wait until `check()` is true."""
    deadline = time.monotonic() + patience
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
