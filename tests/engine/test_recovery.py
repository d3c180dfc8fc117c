"""Every call shape survives every fault at every phase: SIGKILL, PBX restart, dropped socket, expired PBX
token, CRM outage, CRM rate-limit storm with lost answers, expired CRM token.

Each test makes one fault while calls of every shape stand in each phase (ringing, talking, ended but
without their CDR yet, and placed wholly during the fault), then counts the logs in the CRM emulator.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from benchmarks._faults import CRMS, FAULTS, SHAPES, World, every_phase, world
from linkus_companion.pbx.errors import PbxUnavailable
from linkus_companion.pbx.models import CdrRecord
from linkus_companion.sim.pbx_oracle import Tally


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("crm", CRMS)
async def test_no_call_log_is_lost_or_doubled(tmp_path: Path, crm: str, fault: str) -> None:
    async with world(tmp_path, crm, signed_in=fault == "crm token expiry") as w:
        await every_phase(w, FAULTS[fault])
        result = await w.settled()
    assert result.expected >= 4 * 10, result.summary()
    assert result.clean, w.explain(result)


async def _transfer_across_gap(w: World, shape: str) -> Tally:
    """The first extension answers and hands over while the socket is down; the call ends (and its
    30012 comes) after the app is back, so the live CDR event names only the last leg."""
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
    return await w.settled()


@pytest.mark.parametrize("shape", [name for name in SHAPES if "transfer" in name])
async def test_transfer_whose_first_leg_the_app_missed_logs_both_legs(tmp_path: Path, shape: str) -> None:
    async with world(tmp_path, "hubspot") as w:
        result = await _transfer_across_gap(w, shape)
    assert result.expected == 2, result.summary()
    assert result.clean, w.explain(result)


async def test_transfer_legs_unreadable_at_its_end_come_with_the_backfill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PBX's call records do not answer when the live 30012 comes: the call is recovered later."""
    async with world(tmp_path, "hubspot") as w:
        assert w.app is not None
        search, failures = w.app.pbx.search_cdr, []

        async def flaky(start: dt.datetime, end: dt.datetime, uids: object = None) -> list[CdrRecord]:
            if not failures and end - start < dt.timedelta(minutes=5):  # one call's legs, not a backfill
                failures.append(start)
                raise PbxUnavailable("the call records are not reachable")
            return await search(start, end, uids)  # type: ignore[arg-type]

        monkeypatch.setattr(w.app.pbx, "search_cdr", flaky)
        result = await _transfer_across_gap(w, "blind transfer 1003->1004")
    assert failures
    assert result.expected == 2, result.summary()
    assert result.clean, w.explain(result)
