"""A recording the PBX writes after the call ended is found in the CDR and patched into the call log."""

from __future__ import annotations

import asyncio
from pathlib import Path

from linkus_companion.demo import demo_world


async def test_a_late_recording_is_patched_into_the_logged_call(tmp_path: Path) -> None:
    async with demo_world("zoho", tmp_path, lambda _line: None, recording_delays=(1.0, 2.0)) as world:
        world.pbx.cdr_store.late_recordings = True
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        call_id = await world.pbx.inbound("+14155550101", "1001", talk=0.2)
        crm = world.crm

        async def logged_recording() -> str:
            while True:
                logs = [log for log in crm.call_logs() if log.idempotency_key == f"{call_id}:1001"]
                if logs and logs[0].recording_url:
                    return logs[0].recording_url
                await asyncio.sleep(0.05)

        async def logged() -> None:
            while not any(log.idempotency_key == f"{call_id}:1001" for log in crm.call_logs()):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(logged(), 10)
        assert [log.recording_url for log in crm.call_logs()] == [""], "the 30012 named no recording"
        assert world.pbx.cdr_store.publish_recordings() == [call_id]
        link = await asyncio.wait_for(logged_recording(), 10)
        assert link.startswith("http://127.0.0.1:") and "/recordings/" in link
        assert "access_token" not in link
        assert len(crm.call_logs()) == 1
