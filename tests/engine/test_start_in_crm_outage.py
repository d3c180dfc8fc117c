"""A start while the CRM is down binds the extensions from the CRM users last read: no call goes unlogged."""

from __future__ import annotations

import asyncio
from pathlib import Path

from benchmarks._faults import SHAPES, world


async def test_calls_ended_after_a_start_in_a_crm_outage_are_logged_for_their_owners(tmp_path: Path) -> None:
    async with world(tmp_path, "hubspot") as w:
        assert w.app is not None
        await w.app.kill()
        w.crm.set_outage(True)
        await w.start_app()  # reads no CRM user: the users kept from the first start bind the extensions
        await w.connected()
        for shape in ("inbound answered", "outbound", "queue answered"):
            call, script = SHAPES[shape](w.pbx.calls, w.customer(), 0.2)
            w.names[call.call_id] = shape
            w.pbx.calls.spawn(call, script)
        while w.pbx.calls.live:  # noqa: ASYNC110 (the simulator has no event for it)
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # the call ends are taken in while the CRM is still down
        w.crm.set_outage(False)
        result = await w.settled()
    assert result.expected >= 3, result.summary()
    assert result.clean, w.explain(result)
