"""A subscriber that stops reading never slows the PBX's calls for the others, and is dropped."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from linkus_companion.sim import pbx_events
from linkus_companion.sim.pbx import PbxSimulator

UA = {"User-Agent": "LinkusCompanionTests/1.0"}


@pytest.fixture
async def sim() -> AsyncIterator[PbxSimulator]:
    simulator = PbxSimulator(step=0.01, idle_timeout=30)
    await simulator.start()
    yield simulator
    await simulator.stop()


async def _socket(sim: PbxSimulator, **options: object) -> websockets.ClientConnection:
    async with httpx.AsyncClient(base_url=sim.base_url, headers=UA) as client:
        body = {"username": sim.client_id, "password": sim.client_secret}
        token = (await client.post("/openapi/v1.0/get_token", json=body)).json()["access_token"]
    # No compression: the frames below weigh on the wire what they weigh in memory.
    ws = await websockets.connect(
        f"{sim.ws_url}?access_token={token}", max_size=None, compression=None, **options
    )
    await ws.send(json.dumps({"topic_list": [30011, 30012]}))
    assert json.loads(await ws.recv()) == {"errcode": 0, "errmsg": "SUCCESS"}
    return ws


async def test_a_stalled_subscriber_does_not_hold_up_calls_and_is_dropped(sim: PbxSimulator) -> None:
    reader = await _socket(sim)
    stalled = await _socket(sim, max_queue=1)  # stops taking frames off the wire once one waits
    backlog: list[int] = []
    flood = "x" * 32_768
    received = 0

    async def read_all() -> None:
        nonlocal received
        while received < 400:
            frame = json.loads(await reader.recv())
            assert frame["type"] == 30011 and json.loads(frame["msg"]) == {"n": received, "pad": flood}
            received += 1

    reading = asyncio.ensure_future(read_all())
    try:
        # Far more than the socket buffers and the PBX's per-client backlog can hold for the stalled one.
        for n in range(400):
            await sim.hub.publish(30011, {"n": n, "pad": flood})
            backlog.append(sim.hub.backlog)
            await asyncio.sleep(0)
        call_id = await asyncio.wait_for(sim.inbound("+15551234567", "1001", talk=0.05), 20)
        events = []
        while not events or events[-1]["type"] != 30012:
            events.append(json.loads(await asyncio.wait_for(reader.recv(), 20)))
        assert received == 400  # the reader saw every frame, in order, before the call's events
        assert json.loads(events[-1]["msg"])["uid"] == call_id
    finally:
        reading.cancel()
        await reader.close()
    assert max(backlog) <= pbx_events.BACKLOG  # the stalled client's frames never piled up past the bound
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(stalled.recv(), 20)
    assert closed.value.rcvd is None  # dropped, as a server drops a client that cannot keep up
    await asyncio.wait_for(sim.hub.wait_empty(), 5)
