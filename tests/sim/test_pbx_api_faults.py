"""The simulator's scripted failures over its control API: dropped and held Open API requests, stalled CDRs."""

from __future__ import annotations

import asyncio

import httpx

from linkus_companion.sim import pbx_scenarios as scenarios
from linkus_companion.sim.pbx import PbxSimulator

UA = {"User-Agent": "LinkusCompanionTests/1.0"}


async def _token(client: httpx.AsyncClient, sim: PbxSimulator) -> str:
    reply = await client.post(
        "/openapi/v1.0/get_token", json={"username": sim.client_id, "password": sim.client_secret}
    )
    return str(reply.json()["access_token"])


async def test_dropped_and_held_requests_fail_on_the_wire_until_cleared() -> None:
    async with PbxSimulator() as sim, httpx.AsyncClient(base_url=sim.base_url, headers=UA) as client:
        query = {"access_token": await _token(client, sim), "type": "inbound"}
        fault = await client.post("/sim/api_faults", json={"endpoint": "call/query", "fault": "drop"})
        assert fault.json()["dropping"] == ["call/query"]
        try:
            await client.get("/openapi/v1.0/call/query", params=query)
        except httpx.RemoteProtocolError as err:
            assert "without sending a response" in str(err)
        else:
            raise AssertionError("a dropped request was answered")
        assert (await client.get("/openapi/v1.0/system/information", params=query)).json()["errcode"] == 0

        await client.post("/sim/api_faults", json={"endpoint": "call/query", "fault": "hold"})
        held = asyncio.create_task(client.get("/openapi/v1.0/call/query", params=query))
        await asyncio.sleep(0.2)
        assert not held.done()
        state = (await client.get("/sim/state")).json()["api_faults"]
        assert state["holding"] == ["call/query"] and state["dropped"] == {"call/query": 1}
        await client.post("/sim/api_faults", json={"endpoint": "call/query", "fault": "none"})
        assert (await held).json() == {"errcode": 0, "errmsg": "SUCCESS", "data": []}
        bad = await client.post("/sim/api_faults", json={"endpoint": "call/query", "fault": "slow"})
        assert bad.status_code == 400


async def test_stalled_cdrs_wait_until_released() -> None:
    async with PbxSimulator(step=0.01) as sim, httpx.AsyncClient(base_url=sim.base_url, headers=UA) as client:
        assert (await client.post("/sim/stall_cdrs", json={"enabled": True})).json() == {"stall_cdrs": True}
        call, script = scenarios.inbound(sim.calls, "+14155550100", "1001", talk=0.05)
        sim.calls.spawn(call, script)
        for _ in range(100):
            if call.hung_up:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        assert call.hung_up and not call.finished.is_set() and sim.cdr() == []
        await client.post("/sim/stall_cdrs", json={"enabled": False})
        await asyncio.wait_for(call.finished.wait(), 2)
        assert [row["uid"] for row in sim.cdr()] == [call.call_id]
