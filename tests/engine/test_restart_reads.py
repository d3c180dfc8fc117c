"""A restarted app whose first PBX reads fail still logs every leg: transfers, the unanswered queue call, voicemail.

The app is killed while calls of each shape ring, talk, or have ended without their CDR, and more are
placed and ended while it is away (transfers handed over with call/transfer while it is away, too). The PBX's CDR writer lags (the CDRs wait), so every 30012 reaches the
new connection; meanwhile the reads after connecting fail on the wire: the snapshot of calls in progress
answers late (after the calls ended, so it misses them), or its connection drops, or the CDR legs'
reads drop, or both. The logs are counted in the CRM emulator per PBX call id and extension.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks._faults import World, place, until, world
from linkus_companion.pbx.client import PbxClient
from linkus_companion.sim import pbx_scenarios as scenarios
from linkus_companion.sim.pbx_calls import Call
from linkus_companion.texts import Text

SHAPES = ("blind transfer 1003->1004", "attended transfer 1001->1005", "queue unanswered", "voicemail")
ANSWERED = SHAPES[:2] + SHAPES[3:]
SHORT, LONG = 0.2, 0.6
"""Seconds of talk: calls ended before the fault, and calls still talking when it starts."""
LOGS_PER_PHASE = 2 + 2 + 1 + 1
"""Both legs of each transfer, one missed log for the queue call, one for the voicemail."""
SNAPSHOT, LEGS = "call/query", "cdr/search"


async def _when(there: Callable[[], bool], what: str) -> None:
    for _ in range(1000):
        if there():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never {what}")


async def _hand_over(w: World, api: PbxClient, extension: str, target: str, kind: str) -> Call:
    """A customer call `extension` takes and hands over to `target` through call/transfer; it talks on."""
    call, script = scenarios.inbound(w.pbx.calls, w.customer(), extension, talk=600.0)
    w.names[call.call_id] = f"{kind} transfer {extension}->{target} (handed over while the app was away)"
    w.pbx.calls.spawn(call, script)
    await until(w, [call], lambda c: c.answered is not None, "answered")
    channel = call.leg(extension).channel_id
    body = {"type": kind, "channel_id": channel, "number": target}
    await api.call("POST", "call/transfer", Text("transferring a call"), body=body)
    if kind == "attended":
        await until(w, [call], lambda c: c.leg(target).member_status == "ANSWER", "consulted")
        body = {"type": kind, "channel_id": channel, "attended_operate": "complete"}
        await api.call("POST", "call/transfer", Text("transferring a call"), body=body)
    await until(w, [call], lambda c: target in c.talked, "handed over")
    return call


async def _restart_with_failing_reads(w: World, reads: str, caplog: pytest.LogCaptureFixture) -> None:
    """Kill the app with calls in every phase, start it again with `reads` failing, let the CDRs come."""
    w.pbx.stall_cdrs = True
    ended = place(w, "ended before its CDR", SHORT, shapes=SHAPES)
    talking = place(w, "talking", LONG, shapes=SHAPES)
    await until(w, ended.values(), lambda c: c.hung_up, "ended")
    await until(w, [talking[name] for name in ANSWERED], lambda c: c.answered is not None, "talking")
    ringing = place(w, "ringing", SHORT, shapes=SHAPES)
    await until(w, ringing.values(), lambda c: bool(c.legs), "ringing")
    assert w.app is not None
    await w.app.kill()
    away = place(w, "placed while the app was away", SHORT, shapes=SHAPES)
    calls = [*ended.values(), *talking.values(), *ringing.values(), *away.values()]
    await until(w, calls, lambda c: c.hung_up, "all ended")
    faults = w.pbx.api_faults
    if reads == "snapshot late":
        faults.hold(SNAPSHOT)
    if reads in ("snapshot dropped", "both dropped"):
        faults.drop(SNAPSHOT)
    if reads in ("legs dropped", "both dropped"):
        faults.drop(LEGS)
    await w.start_app()
    if reads == "legs dropped":
        await w.connected()
    else:  # subscribed: the snapshot is being read
        await _when(lambda: bool(faults.held[SNAPSHOT] or faults.dropped[SNAPSHOT]), "read the snapshot")
    w.pbx.stall_cdrs = False  # the CDRs come now, on the new connection, the snapshot not read yet
    await until(w, calls, lambda c: c.finished.is_set(), "all CDRs written")
    if "legs" in reads or "both" in reads:
        await _when(lambda: "Could not read the legs of call" in caplog.text, "failed a legs read")
    faults.clear()


@pytest.mark.parametrize("reads", ["snapshot late", "snapshot dropped", "legs dropped", "both dropped"])
async def test_restart_with_failing_reads_loses_no_leg(
    tmp_path: Path, reads: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="linkus_companion.pbx.events")
    async with world(tmp_path, "hubspot") as w:
        await _restart_with_failing_reads(w, reads, caplog)
        result = await w.settled()
        explained = w.explain(result)
    assert result.expected == 4 * LOGS_PER_PHASE, explained
    assert result.clean, explained


async def test_transfers_handed_over_while_away_and_ended_before_the_snapshot_log_both_legs(
    tmp_path: Path,
) -> None:
    """Handed over while the app was away, they end once it has subscribed: their last events and CDR
    come on the new connection before the snapshot answers, which no longer lists them."""
    async with world(tmp_path, "hubspot") as w:
        assert w.app is not None
        await w.app.kill()
        async with PbxClient(w.pbx.base_url, w.pbx.client_id, w.pbx.client_secret) as api:
            handed = [
                await _hand_over(w, api, "1003", "1004", "blind"),
                await _hand_over(w, api, "1001", "1005", "attended"),
            ]
        w.pbx.api_faults.hold(SNAPSHOT)
        await w.start_app()
        await _when(lambda: bool(w.pbx.api_faults.held[SNAPSHOT]), "read the snapshot")
        for call in handed:
            call.hangup.set()
        await until(w, handed, lambda c: c.finished.is_set(), "CDRs written")
        w.pbx.api_faults.clear()
        result = await w.settled()
        explained = w.explain(result)
    assert result.expected == 2 * 2, explained
    assert result.clean, explained
