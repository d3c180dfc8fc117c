"""Every call shape survives every fault at every phase: SIGKILL, PBX restart, dropped socket, expired token.

Each test makes one fault while calls of every shape stand in each phase (ringing, talking, ended but
without their CDR yet, and placed wholly during the fault), then counts the logs in the CRM emulator.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from benchmarks._faults import CRMS, FAULTS, SHAPES, every_phase, world


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("crm", CRMS)
async def test_no_call_log_is_lost_or_doubled(tmp_path: Path, crm: str, fault: str) -> None:
    async with world(tmp_path, crm) as w:
        await every_phase(w, FAULTS[fault])
        result = await w.settled()
    assert result.expected >= 4 * 10, result.summary()
    assert result.clean, w.explain(result)


@pytest.mark.parametrize("shape", [name for name in SHAPES if "transfer" in name])
async def test_transfer_whose_first_leg_the_app_missed_logs_both_legs(tmp_path: Path, shape: str) -> None:
    """The first extension answers and hands over while the socket is down; the call ends (and its
    30012 comes) after the app is back, so the live CDR event names only the last leg."""
    async with world(tmp_path, "hubspot") as w:
        await w.pbx.disconnect()
        call, script = SHAPES[shape](w.pbx.calls, w.customer(), 2.0)
        first = call.call_to
        w.pbx.calls.spawn(call, script)
        w.names[call.call_id] = shape
        for _ in range(400):
            if call.call_to != first:
                break
            await asyncio.sleep(0.01)
        await w.pbx.reconnect()
        await w.connected()
        result = await w.settled()
    assert result.expected == 2, result.summary()
    assert result.clean, w.explain(result)
