"""Every call shape survives every fault at every phase: SIGKILL, PBX restart, dropped socket, expired token.

Each test makes one fault while calls of every shape stand in each phase (ringing, talking, ended but
without their CDR yet, and placed wholly during the fault), then counts the logs in the CRM emulator.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from recovery_rig import CRMS, World, world

from linkus_companion.sim import pbx_scenarios as scenarios
from linkus_companion.sim.pbx_calls import Call, CallEngine, Script

SHORT, LONG, CDR_LAG, GAP = 0.2, 1.0, 1.0, 0.4
"""Seconds: a short and a long talk, how late the CDR of an 'ended before its CDR' call comes, and how
long a fault lasts at least."""

Shape = Callable[[CallEngine, str, float], tuple[Call, Script]]
SHAPES: dict[str, Shape] = {
    "inbound answered": lambda e, c, t: scenarios.inbound(e, c, "1001", talk=t),
    "inbound missed": lambda e, c, t: scenarios.inbound(e, c, "1002", answer=False),
    "outbound": lambda e, c, t: scenarios.outbound(e, "1003", c, talk=t),
    "queue answered": lambda e, c, t: scenarios.inbound_queue(e, c, "6400", answered_by="1002", talk=t),
    "queue unanswered": lambda e, c, t: scenarios.inbound_queue(e, c, "6400", answered_by=None),
    "ring group answered": lambda e, c, t: scenarios.inbound_ring_group(
        e, c, "6300", answered_by="1005", talk=t
    ),
    "ring group unanswered": lambda e, c, t: scenarios.inbound_ring_group(e, c, "6300", answered_by=None),
    "blind transfer 1003->1004": lambda e, c, t: scenarios.blind_transfer(e, c, "1003", "1004", talk=t),
    "attended transfer 1001->1005": lambda e, c, t: scenarios.attended_transfer(e, c, "1001", "1005", talk=t),
    "voicemail": lambda e, c, t: scenarios.voicemail(e, c, "1005", talk=t),
    "internal": lambda e, c, t: scenarios.internal(e, "1002", "1004", talk=t),
}
ANSWERED = {"inbound answered", "outbound", "queue answered", "ring group answered", "voicemail"} | {
    name for name in SHAPES if "transfer" in name
}
"""Shapes whose call is answered (the 'talking' phase applies to them)."""


async def _kill(w: World) -> Callable[[], Awaitable[None]]:
    assert w.app is not None
    await w.app.kill()
    return w.start_app


async def _pbx_restart(w: World) -> Callable[[], Awaitable[None]]:
    await w.pbx.shut_down()
    return w.pbx.reconnect


async def _ws_drop(w: World) -> Callable[[], Awaitable[None]]:
    await w.pbx.disconnect()
    return w.pbx.reconnect


async def _token_expiry(w: World) -> Callable[[], Awaitable[None]]:
    w.pbx.expire_tokens()
    await w.pbx.disconnect()
    return w.pbx.reconnect


Fault = Callable[[World], Awaitable[Callable[[], Awaitable[None]]]]
"""Starts a fault; returns what ends it."""
FAULTS: dict[str, Fault] = {
    "sigkill": _kill,
    "pbx restart": _pbx_restart,
    "websocket drop": _ws_drop,
    "token expiry": _token_expiry,
}


async def _until(done: Callable[[], bool], what: str) -> None:
    for _ in range(400):
        if done():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"the calls never reached the phase: {what}")


def _place(w: World, phase: str, talk: float, cdr_delay: float | None = None) -> dict[str, Call]:
    """One call of every shape, each from a new customer who is a contact in the CRM."""
    calls = {}
    for name, shape in SHAPES.items():
        call, script = shape(w.pbx.calls, w.customer(), talk)
        call.cdr_delay = cdr_delay
        w.pbx.calls.spawn(call, script)
        calls[name] = call
        w.names[call.call_id] = f"{name} ({phase})"
    return calls


async def _every_phase(w: World, fault: Fault) -> None:
    """Calls ended before their CDR, talking and ringing when the fault starts; more during it."""
    live = w.pbx.calls.live
    ended = _place(w, "ended before its CDR", SHORT, cdr_delay=CDR_LAG)
    talking = _place(w, "talking", LONG)
    await _until(lambda: all(c.call_id in live and not c.legs for c in ended.values()), "ended before CDR")
    await _until(lambda: all(talking[name].answered for name in ANSWERED), "talking")
    ringing = _place(w, "ringing", SHORT)
    await _until(lambda: all(c.legs for c in ringing.values()), "ringing")
    end = await fault(w)
    during = _place(w, "CDR only", SHORT)
    await asyncio.gather(asyncio.sleep(GAP), *(c.finished.wait() for c in during.values()))
    await end()


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("crm", CRMS)
async def test_no_call_log_is_lost_or_doubled(tmp_path: Path, crm: str, fault: str) -> None:
    async with world(tmp_path, crm) as w:
        await _every_phase(w, FAULTS[fault])
        result = await w.settled()
    assert result.expected >= 4 * 10, result.summary()
    assert result.clean, w.explain(result)
