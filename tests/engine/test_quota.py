"""A spent daily API limit or credit pool is a state: call logs wait with a count and a reason, then go out by themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks._faults import CRMS, SHAPES, World, world
from linkus_companion.crm.base import QuotaExhausted
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import Fault
from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.sim.zoho import ZohoEmulator

SPENT = {"hubspot": "daily API limit", "salesforce": "daily API request limit", "zoho": "API credits"}


def spend(w: World) -> Callable[[], None]:
    """Spend the CRM's allowance the way each one counts it; returns what resets it."""
    crm = w.crm
    if isinstance(crm, HubSpotEmulator):
        crm.inject_fault(Fault(429, policy="DAILY", remaining=1_000_000))
        return crm.api.faults.clear
    if isinstance(crm, SalesforceEmulator):
        limit = crm.api_limit
        crm.api_limit = crm.api_usage

        def reset_salesforce() -> None:
            crm.api_limit = limit

        return reset_salesforce
    assert isinstance(crm, ZohoEmulator)
    credits = crm.guard.credits
    crm.guard.credits = 0

    def reset_zoho() -> None:
        crm.guard.credits = credits

    return reset_zoho


async def _until(done: Callable[[], bool]) -> None:
    for _ in range(400):
        if done():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("never happened")


@pytest.mark.parametrize("crm", CRMS)
async def test_call_logs_wait_for_the_reset_and_then_go_out(tmp_path: Path, crm: str) -> None:
    async with world(tmp_path, crm) as w:
        assert w.app is not None
        host = w.app.host
        reset = spend(w)
        calls = []
        for name in ("inbound answered", "outbound", "queue unanswered"):
            call, script = SHAPES[name](w.pbx.calls, w.customer(), 0.1)
            w.pbx.calls.spawn(call, script)
            calls.append(call)
        await asyncio.gather(*(c.finished.wait() for c in calls))
        await _until(
            lambda: host.outbox.status().waiting == 3 and host.outbox.status().quota_until is not None
        )

        status = host.outbox.status()
        assert SPENT[crm] in status.problem and "3 call log(s) wait" in status.problem, status.problem
        assert isinstance(host.health.trouble.error if host.health.trouble else None, QuotaExhausted)
        await asyncio.sleep(
            0.5
        )  # several checks against the spent allowance: nothing goes out, nothing is lost
        assert host.outbox.status().waiting == 3 and not w.crm.call_logs()

        reset()
        result = await w.settled()
        assert result.expected == 3 and result.clean, w.explain(result)
        assert host.outbox.status().quota_until is None and not host.outbox.status().problem
