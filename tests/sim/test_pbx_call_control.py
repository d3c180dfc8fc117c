"""PBX call control as a third-party client drives it: plain HTTP and WebSocket requests as api/yeastar.md
documents them (call/dial, call/hold, call/unhold, call/transfer, call/hangup) and the events they cause."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from linkus_companion.sim.pbx import PbxSimulator

UA = {"User-Agent": "ThirdPartyDialer/2.1"}


class Client:
    """What a CTI integrator writes against the manual: a token, POSTs with JSON, events off the socket."""

    def __init__(self, http: httpx.AsyncClient, ws: Any, token: str) -> None:
        self.http, self.ws, self.token = http, ws, token
        self.seen: list[int] = []
        """Every event type read so far."""

    async def post(self, endpoint: str, **body: str) -> dict[str, Any]:
        answer = await self.http.post(
            f"/openapi/v1.0/{endpoint}", params={"access_token": self.token}, json=body
        )
        return dict(answer.json())

    async def members_until(self, wanted: list[str]) -> dict[str, Any]:
        """Read events until a 30011 shows the members `wanted` (as 'ext:STATUS'); returns its msg."""
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 5))
            msg = json.loads(frame["msg"])
            self.seen.append(frame["type"])
            if frame["type"] == 30011 and _members(msg) == wanted:
                return dict(msg)


def _members(msg: dict[str, Any]) -> list[str]:
    return [f"{m['extension']['number']}:{m['extension']['member_status']}" for m in msg["members"]]


def _channel(msg: dict[str, Any], number: str) -> str:
    return next(m["extension"]["channel_id"] for m in msg["members"] if m["extension"]["number"] == number)


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with PbxSimulator(step=0.02) as sim, httpx.AsyncClient(base_url=sim.base_url, headers=UA) as http:
        assert (await http.post("/sim/dial_talk", json={"seconds": 30})).json() == {"dial_talk": 30}
        login = {"username": sim.client_id, "password": sim.client_secret}
        token = (await http.post("/openapi/v1.0/get_token", json=login)).json()["access_token"]
        async with websockets.connect(f"{sim.ws_url}?access_token={token}") as ws:
            await ws.send(json.dumps({"topic_list": [30011, 30012, 30013]}))
            assert json.loads(await ws.recv())["errcode"] == 0
            yield Client(http, ws, token)


async def test_hold_unhold_blind_transfer_and_hangup(client: Client) -> None:
    index = (await client.http.get("/sim")).json()
    assert {
        index["open_api"][f"POST call/{name}"] for name in ("dial", "hold", "unhold", "transfer", "hangup")
    } == {"emulated"}
    assert index["open_api"]["POST call/mute"].startswith("documented, not emulated")
    documented = ["GET extension/query", "POST extension/create", "POST sign/create", "GET cdr/list"]
    assert set(documented) <= set(index["open_api"]), "every endpoint of the manual is listed with its state"
    refused = await client.http.post("/openapi/v1.0/extension/create", params={"access_token": client.token})
    assert refused.json()["errcode"] == 10001 and index["open_api"]["POST extension/create"].endswith(
        "10001 INTERFACE NOT EXISTED"
    )
    call_id = (await client.post("call/dial", caller="1001", callee="1002", auto_answer="yes"))["call_id"]
    talking = await client.members_until(["1001:ANSWERED", "1002:ANSWER"])
    answered = time.monotonic()
    callee = _channel(talking, "1002")
    assert await client.post("call/hold", channel_id=callee) == {
        "errcode": 0,
        "errmsg": "SUCCESS",
        "call_id": call_id,
    }
    await client.members_until(["1001:ANSWERED", "1002:HOLD"])
    assert (await client.post("call/unhold", channel_id=callee))["call_id"] == call_id
    await client.members_until(["1001:ANSWERED", "1002:ANSWER"])
    assert (await client.post("call/unhold", channel_id=callee))["errcode"] == 40002  # not on hold
    await asyncio.sleep(max(0.0, 1.3 - (time.monotonic() - answered)))  # past the old fixed 1 s of talk
    moved = await client.post("call/transfer", type="blind", channel_id=callee, number="1003")
    assert moved["errcode"] == 0 and moved["call_id"] == call_id
    await client.members_until(["1001:ALERT", "1002:BYE", "1003:RING"])
    assert 30013 in client.seen
    handed = await client.members_until(["1001:ANSWERED", "1003:ANSWER"])
    assert (await client.post("call/hangup", channel_id=_channel(handed, "1003")))["call_id"] == call_id
    while (frame := json.loads(await asyncio.wait_for(client.ws.recv(), 5)))["type"] != 30012:
        pass
    cdr = json.loads(frame["msg"])
    assert (cdr["call_id"], cdr["call_to"], cdr["status"]) == (call_id, "1003", "ANSWERED")
    assert cdr["talk_duration"] >= 2


async def test_attended_transfer_consults_then_hands_over(client: Client) -> None:
    call_id = (await client.post("call/dial", caller="1001", callee="1002", auto_answer="yes"))["call_id"]
    callee = _channel(await client.members_until(["1001:ANSWERED", "1002:ANSWER"]), "1002")
    start = await client.post("call/transfer", type="attended", channel_id=callee, number="1003")
    assert start["call_id"] == call_id
    await client.members_until(["1001:HOLD", "1002:ALERT", "1003:RING"])
    await client.members_until(["1001:HOLD", "1002:ANSWERED", "1003:ANSWER"])
    assert 30013 not in client.seen  # consulting is not a transfer yet
    done = await client.post("call/transfer", type="attended", channel_id=callee, attended_operate="complete")
    assert done["call_id"] == call_id
    await client.members_until(["1001:ANSWERED", "1002:BYE", "1003:ANSWER"])
    assert 30013 in client.seen


async def test_bad_call_control_requests_get_the_documented_errors(client: Client) -> None:
    assert (
        await client.post("call/transfer", type="blind", channel_id="PJSIP/1001-00000999", number="1003")
    )["errcode"] == 60001
    assert (await client.post("call/hold", channel_id="PJSIP/1001-00000999"))["errcode"] == 60001
    missing = await client.post("call/transfer", channel_id="x")
    assert missing["errcode"] == 40002 and missing["invalid_param_list"][0]["field"] == "type"
    await client.post("call/dial", caller="1001", callee="1002", auto_answer="yes")
    callee = _channel(await client.members_until(["1001:ANSWERED", "1002:ANSWER"]), "1002")
    wrong = await client.post("call/transfer", type="sideways", channel_id=callee, number="1003")
    assert wrong["invalid_param_list"] == [{"field": "type", "validation_type": "enum"}]
    nobody = await client.post("call/transfer", type="blind", channel_id=callee, number="5599")
    assert nobody["invalid_param_list"] == [{"field": "number", "validation_type": "invalid"}]
    bad_talk = await client.http.post("/sim/dial_talk", json={"seconds": "soon"})
    assert bad_talk.status_code == 400 and "seconds" in bad_talk.json()["error"]
