"""Tests of the Yeastar P-Series PBX simulator over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import re
import string
import sys
import wave
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.pbx_auth import TokenStore, TooManyTokens
from linkus_companion.sim.pbx_cli import banner
from linkus_companion.sim.pbx_clock import PbxClock
from linkus_companion.tls import generate

UA = {"User-Agent": "LinkusCompanionTests/1.0"}


class Api:
    """A small Open API client: token handling and the errcode envelope left visible."""

    def __init__(self, sim: PbxSimulator, client: httpx.AsyncClient) -> None:
        self.sim = sim
        self.client = client
        self.token = ""

    async def login(self) -> str:
        body = await self.post(
            "get_token", {"username": self.sim.client_id, "password": self.sim.client_secret}
        )
        assert body["errcode"] == 0, body
        self.token = body["access_token"]
        return self.token

    async def get(self, endpoint: str, **params: Any) -> dict[str, Any]:
        response = await self.client.get(
            f"/openapi/v1.0/{endpoint}", params={"access_token": self.token, **params}
        )
        assert response.status_code == 200
        return dict(response.json())

    async def post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            f"/openapi/v1.0/{endpoint}", params={"access_token": self.token}, json=body
        )
        assert response.status_code == 200
        return dict(response.json())


class Listener:
    """A subscribed WebSocket that collects decoded event frames."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws

    async def subscribe(self, topics: list[int]) -> None:
        await self.ws.send(json.dumps({"topic_list": topics}))
        assert json.loads(await self.ws.recv()) == {"errcode": 0, "errmsg": "SUCCESS"}

    async def next(self) -> dict[str, Any]:
        frame = json.loads(await self.ws.recv())
        if isinstance(frame.get("msg"), str):
            frame["msg"] = json.loads(frame["msg"])
        return dict(frame)

    async def until_cdr(self, call_id: str) -> list[dict[str, Any]]:
        """Every event up to and including the 30012 of `call_id`."""
        events = []
        while True:
            event = await self.next()
            events.append(event)
            if event["type"] == 30012 and event["msg"]["call_id"] == call_id:
                return events


@pytest.fixture
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[PbxSimulator]:
    """A running simulator; parametrize `sim` indirectly with a dict to change its options."""
    options: dict[str, Any] = {"step": 0.01, "idle_timeout": 30, **getattr(request, "param", {})}
    simulator = PbxSimulator(**options)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def api(sim: PbxSimulator) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=sim.base_url, headers=UA) as client:
        client_api = Api(sim, client)
        await client_api.login()
        yield client_api


@pytest.fixture
async def listener(sim: PbxSimulator, api: Api) -> AsyncIterator[Listener]:
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        events = Listener(ws)
        await events.subscribe([30008, 30011, 30012, 30013, 30015, 30035])
        yield events


RECORDING = re.compile(r"^\d{14}-(?P<call_id>\d+\.\d+)-(?P<from>[^-]+)-(?P<to>[^-]+)-(?P<type>\w+)\.wav$")


def legs(msg: dict[str, Any]) -> list[str]:
    """30011 members as 'who:STATUS' (who = extension number or the trunk leg kind)."""
    out = []
    for member in msg["members"]:
        assert len(member) == 1
        ((kind, leg),) = member.items()
        assert all(isinstance(v, str) for v in leg.values())
        out.append(f"{leg['number'] if kind == 'extension' else kind}:{leg['member_status']}")
    return out


def of_type(events: list[dict[str, Any]], event_type: int) -> list[dict[str, Any]]:
    return [e["msg"] for e in events if e["type"] == event_type]


def sequence(events: list[dict[str, Any]]) -> list[list[str]]:
    return [legs(msg) for msg in of_type(events, 30011)]


def cdr_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    (cdr,) = of_type(events, 30012)
    return cdr


# -- envelope and errors --------------------------------------------------------------------------


async def test_envelope_errors(sim: PbxSimulator, api: Api) -> None:
    assert (await api.get("no/such_endpoint"))["errcode"] == 10001
    assert (await api.get("get_token"))["errcode"] == 10001  # wrong method
    missing = await api.post("company_contact/create", {"last_name": "X"})
    assert missing["errcode"] == 40002 and missing["errmsg"] == "PARAMETER ERROR"
    assert {p["field"] for p in missing["invalid_param_list"]} == {"first_name", "number_list"}
    assert all(p["validation_type"] == "required" for p in missing["invalid_param_list"])
    assert await api.get("company_contact/get", id=99999) == {"errcode": 60001, "errmsg": "DATA NOT FOUND"}
    assert (await api.get("phonebook/get", id=99999))["errcode"] == 70093
    response = await api.client.post(
        "/openapi/v1.0/call/dial", params={"access_token": api.token}, content=b"{not json"
    )
    assert response.status_code == 200 and response.json()["errcode"] == 40001
    v2 = await api.client.get("/openapi/v2.0/cdr/search", params={"access_token": api.token})
    assert v2.json()["errcode"] == 10003


@pytest.mark.parametrize("agent", [None, ""])
async def test_user_agent_is_required(sim: PbxSimulator, agent: str | None) -> None:
    headers = {} if agent is None else {"User-Agent": agent}
    async with httpx.AsyncClient(base_url=sim.api_url) as client:
        client.headers.pop("User-Agent")
        response = await client.post(
            "/get_token", json={"username": sim.client_id, "password": sim.client_secret}, headers=headers
        )
    body = response.json()
    assert response.status_code == 200 and body["errcode"] == 40002
    assert body["invalid_param_list"] == [{"field": "User-Agent", "validation_type": "required"}]
    assert sim.live_tokens() == 0


async def test_unknown_or_missing_token(sim: PbxSimulator, api: Api) -> None:
    api.token = "x" * 32
    assert await api.get("extension/list") == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
    api.token = ""
    assert (await api.get("extension/list"))["errcode"] == 10004


# -- tokens -----------------------------------------------------------------------------------------


async def test_token_lifecycle(sim: PbxSimulator, api: Api) -> None:
    body = await api.post("get_token", {"username": sim.client_id, "password": sim.client_secret})
    assert body["access_token_expire_time"] == 1800 and body["refresh_token_expire_time"] == 86400
    alnum = set(string.ascii_letters + string.digits)
    for key in ("access_token", "refresh_token"):
        assert len(body[key]) == 32 and set(body[key]) <= alnum
    refreshed = await api.post("refresh_token", {"refresh_token": body["refresh_token"]})
    assert refreshed["errcode"] == 0
    assert refreshed["access_token"] != body["access_token"]
    assert refreshed["refresh_token"] != body["refresh_token"]
    assert (await api.post("refresh_token", {"refresh_token": body["refresh_token"]}))["errcode"] == 10004
    api.token = refreshed["access_token"]
    assert (await api.get("system/information"))["errcode"] == 0
    assert await api.get("del_token") == {"errcode": 0, "errmsg": "SUCCESS"}
    assert (await api.get("system/information"))["errcode"] == 10004
    sim.expire_tokens()
    api.token = body["access_token"]
    assert (await api.get("system/information"))["errcode"] == 10004
    assert sim.live_tokens() == 0


async def test_wrong_credentials(sim: PbxSimulator, api: Api) -> None:
    body = await api.post("get_token", {"username": sim.client_id, "password": "wrong"})
    assert body == {
        "errcode": -1,
        "errmsg": "FAILURE",
        "invalid_param_list": [{"field": "username or password", "value": "error"}],
    }


async def test_eight_token_limit(sim: PbxSimulator, api: Api) -> None:
    tokens = [api.token] + [await api.login() for _ in range(7)]
    assert sim.live_tokens() == 8
    ninth = await api.post("get_token", {"username": sim.client_id, "password": sim.client_secret})
    assert ninth == {"errcode": -1, "errmsg": "FAILURE"}
    api.token = tokens[0]
    await api.get("del_token")
    assert sim.live_tokens() == 7
    await api.login()
    assert sim.live_tokens() == 8


def test_token_lifetimes_with_a_fake_clock() -> None:
    now = [dt.datetime(2025, 1, 1, tzinfo=dt.UTC)]
    store = TokenStore(lambda: now[0], access_ttl=1800, refresh_ttl=86400)
    pair = store.issue()
    now[0] += dt.timedelta(seconds=1799)
    assert store.valid(pair.access_token)
    now[0] += dt.timedelta(seconds=1)
    assert not store.valid(pair.access_token) and store.live_tokens() == 0
    for _ in range(8):
        store.issue()
    with pytest.raises(TooManyTokens):
        store.issue()
    now[0] += dt.timedelta(seconds=86400)
    assert store.refresh(pair.refresh_token) is None
    assert store.issue().access_token


async def test_ip_blocked_after_five_failed_logins(sim: PbxSimulator, api: Api, listener: Listener) -> None:
    bad = {"username": sim.client_id, "password": "nope"}
    for _ in range(4):
        assert (await api.post("get_token", bad))["errcode"] == -1
    await api.login()  # a success resets the count
    for _ in range(5):
        assert (await api.post("get_token", bad))["errcode"] == -1
    assert sim.blocked_ips == {"127.0.0.1"}
    good = {"username": sim.client_id, "password": sim.client_secret}
    assert await api.post("get_token", good) == {"errcode": 70004, "errmsg": "ACCOUNT IP BLOCKED"}
    assert (await api.get("extension/list"))["errcode"] == 70004
    event = await listener.next()
    assert event["type"] == 30035 and isinstance(event["msg"], dict)
    assert event["msg"]["event_name"] == "API Authentication Blocked Out"
    assert event["msg"]["event_type"] == "security"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d", event["msg"]["create_time"])
    sim.blocked_ips.discard("127.0.0.1")
    assert (await api.post("get_token", good))["errcode"] == 0


# -- WebSocket channel ----------------------------------------------------------------------------


async def test_heartbeat_and_subscribe_replies(sim: PbxSimulator, api: Api) -> None:
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        await ws.send("heartbeat")
        assert await ws.recv() == "heartbeat response"
        await ws.send("{not json")
        assert json.loads(await ws.recv())["errcode"] == 40001
        await ws.send(json.dumps({"topics": [30011]}))
        reply = json.loads(await ws.recv())
        assert reply["errcode"] == 40002 and reply["invalid_param_list"][0]["field"] == "topic_list"
        await ws.send(json.dumps({"topic_list": [30012]}))
        assert json.loads(await ws.recv()) == {"errcode": 0, "errmsg": "SUCCESS"}


SHORT_IDLE = pytest.mark.parametrize("sim", [{"idle_timeout": 0.3}], indirect=True)


@SHORT_IDLE
async def test_idle_socket_is_closed(sim: PbxSimulator, api: Api) -> None:
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        await ws.send("heartbeat")
        assert await ws.recv() == "heartbeat response"
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


@SHORT_IDLE
async def test_stalled_heartbeat_gets_no_answer(sim: PbxSimulator, api: Api) -> None:
    sim.stall_heartbeats = True
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        await ws.send("heartbeat")
        with pytest.raises(ConnectionClosed):
            await ws.recv()  # no answer; the idle close comes instead


@pytest.mark.parametrize("sim", [{"access_ttl": 0.5}], indirect=True)
async def test_access_token_runs_out_on_an_open_socket(sim: PbxSimulator, api: Api) -> None:
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        await ws.send("heartbeat")
        assert await ws.recv() == "heartbeat response"
        assert json.loads(await ws.recv()) == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert (await api.get("system/information"))["errcode"] == 10004


async def test_only_subscribed_types_are_delivered(sim: PbxSimulator, api: Api) -> None:
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        listener = Listener(ws)
        await listener.subscribe([30012])
        call_id = await sim.inbound("+15551230000", "1001", talk=0.01)
        event = await listener.next()
        assert event["type"] == 30012 and event["msg"]["call_id"] == call_id
        await listener.subscribe([])
        await sim.inbound("+15551230000", "1001", talk=0.01)
        await ws.send("heartbeat")
        assert await ws.recv() == "heartbeat response"


async def test_msg_is_a_string_for_call_events(sim: PbxSimulator, api: Api) -> None:
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        await Listener(ws).subscribe([30011, 30034])
        await sim.system_event(30034, "Test", "system", "info", "hello")
        system = json.loads(await ws.recv())
        assert system["type"] == 30034 and system["msg"]["event_content"] == "hello"
        task = asyncio.create_task(sim.inbound("+15551230000", "1001", answer=False))
        raw = json.loads(await ws.recv())
        assert raw["sn"] == sim.sn and raw["type"] == 30011 and isinstance(raw["msg"], str)
        assert json.loads(raw["msg"])["call_id"] == await task


async def test_token_expiry_on_an_open_socket(sim: PbxSimulator, api: Api, listener: Listener) -> None:
    sim.expire_tokens()
    assert json.loads(await listener.ws.recv()) == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
    with pytest.raises(ConnectionClosed):
        await listener.ws.recv()
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        assert json.loads(await ws.recv())["errcode"] == 10004


async def test_del_token_closes_its_socket(sim: PbxSimulator, api: Api, listener: Listener) -> None:
    await api.get("del_token")
    assert json.loads(await listener.ws.recv())["errcode"] == 10004


async def test_drop_connections(sim: PbxSimulator, api: Api, listener: Listener) -> None:
    await sim.drop_connections()
    with pytest.raises(ConnectionClosed) as closed:
        await listener.ws.recv()
    assert closed.value.rcvd is None  # no close frame: an abrupt drop
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        await ws.send("heartbeat")
        assert await ws.recv() == "heartbeat response"


async def test_calls_without_listener_land_in_the_cdr_only(sim: PbxSimulator, api: Api) -> None:
    call_id = await sim.inbound("+15551230000", "1002", talk=0.01)
    async with websockets.connect(f"{sim.ws_url}?access_token={api.token}") as ws:
        listener = Listener(ws)
        await listener.subscribe([30011, 30012])
        second = await sim.inbound("+15551230001", "1002", talk=0.01)
        events = await listener.until_cdr(second)
    assert all(e["msg"]["call_id"] == second for e in events)
    assert [r["uid"] for r in (await api.get("cdr/search"))["data"]] == [call_id, second]


# -- call scenarios -------------------------------------------------------------------------------


async def test_inbound_answered(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.inbound("+15551234567", "1001", talk=0.05)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [
        ["inbound:ALERT", "1001:RING"],
        ["inbound:ANSWERED", "1001:ANSWER"],
        ["inbound:BYE", "1001:BYE"],
    ]
    first = of_type(events, 30011)[0]
    trunk = first["members"][0]["inbound"]
    assert (
        trunk["from"] == "+15551234567" and trunk["to"] == "+15550100" and trunk["trunk_name"] == "SIPTrunk1"
    )
    assert trunk["channel_id"].startswith("PJSIP/trunk-SIPTrunk1-endpoint-")
    assert re.fullmatch(r"PJSIP/1001-[0-9a-f]{8}", first["members"][1]["extension"]["channel_id"])
    assert first["members"][1]["extension"]["call_path"].strip() == ""
    assert re.fullmatch(r"\d{10}\.\d+", call_id)
    assert [m["status"] for m in of_type(events, 30008)] == ["Ringing", "Busy", "Idle"]
    cdr = cdr_event(events)
    assert cdr["uid"] == call_id and cdr["status"] == "ANSWERED" and cdr["type"] == "Inbound"
    assert (cdr["call_from"], cdr["call_to"], cdr["did_number"]) == ("+15551234567", "1001", "+15550100")
    assert cdr["src_trunk_name"] == "SIPTrunk1" and cdr["talk_duration"] >= 1
    assert cdr["call_duration"] >= cdr["talk_duration"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cdr["time_start"])
    match = RECORDING.fullmatch(cdr["recording"])
    assert match and match.group("call_id") == call_id and match.group("type") == "Inbound"
    assert (match.group("from"), match.group("to")) == ("+15551234567", "1001")


async def test_inbound_with_hold(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.inbound("+15551234567", "1003", hold=True, talk=0.02)
    assert sequence(await listener.until_cdr(call_id)) == [
        ["inbound:ALERT", "1003:RING"],
        ["inbound:ANSWERED", "1003:ANSWER"],
        ["inbound:HOLD", "1003:ANSWER"],
        ["inbound:ANSWERED", "1003:ANSWER"],
        ["inbound:BYE", "1003:BYE"],
    ]


async def test_inbound_not_answered(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.inbound("+15551234567", "1001", answer=False)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [["inbound:ALERT", "1001:RING"], ["inbound:BYE", "1001:BYE"]]
    cdr = cdr_event(events)
    assert cdr["status"] == "NO ANSWER" and cdr["talk_duration"] == 0 and cdr["recording"].strip() == ""


async def test_queue_answered_by_one_agent(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.inbound_queue("+15559876543", answered_by="1002", talk=0.01)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [
        ["inbound:ALERT", "1001:RING", "1002:RING", "1003:RING"],
        ["inbound:ANSWERED", "1001:BYE", "1002:ANSWER", "1003:BYE"],
        ["inbound:BYE", "1002:BYE"],
    ]
    for msg in of_type(events, 30011):
        assert all(next(iter(m.values()))["call_path"] == "6400" for m in msg["members"])
    cdr = cdr_event(events)
    assert cdr["call_to"] == "1002" and cdr["status"] == "ANSWERED"
    ringing = {m["extension"] for m in of_type(events, 30008) if m["status"] == "Ringing"}
    assert ringing == {"1001", "1002", "1003"}


async def test_queue_not_answered(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.inbound_queue("+15559876543", "6400", answered_by=None)
    events = await listener.until_cdr(call_id)
    assert sequence(events)[-1] == ["inbound:BYE", "1001:BYE", "1002:BYE", "1003:BYE"]
    cdr = cdr_event(events)
    assert (cdr["call_to"], cdr["status"], cdr["talk_duration"]) == ("6400", "NO ANSWER", 0)


async def test_ring_group(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.inbound_ring_group("+15559876543", answered_by="1005", talk=0.01)
    events = await listener.until_cdr(call_id)
    assert sequence(events)[:2] == [
        ["inbound:ALERT", "1004:RING", "1005:RING"],
        ["inbound:ANSWERED", "1004:BYE", "1005:ANSWER"],
    ]
    assert of_type(events, 30011)[0]["members"][1]["extension"]["call_path"] == "6300"
    assert cdr_event(events)["call_to"] == "1005"
    with pytest.raises(ValueError, match="not a member"):
        await sim.inbound_ring_group("+15559876543", answered_by="1001")
    with pytest.raises(ValueError, match="unknown queue"):
        await sim.inbound_queue("+15559876543", "6300", answered_by=None)


async def test_outbound_answered(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.outbound("1004", "+442071234567", talk=0.01)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [
        ["1004:ALERT", "outbound:RING"],
        ["1004:ALERT", "outbound:EARLYMEDIA"],
        ["1004:ANSWERED", "outbound:ANSWER"],
        ["1004:BYE", "outbound:BYE"],
    ]
    trunk = of_type(events, 30011)[0]["members"][1]["outbound"]
    assert (trunk["from"], trunk["to"]) == ("1004", "+442071234567")
    cdr = cdr_event(events)
    assert (cdr["type"], cdr["status"], cdr["dst_trunk_name"]) == ("Outbound", "ANSWERED", "SIPTrunk1")
    assert cdr["recording"].endswith("-1004-+442071234567-Outbound.wav")


@pytest.mark.parametrize(
    ("result", "status", "reason"),
    [
        ("busy", "BUSY", "486 Busy here"),
        ("failed", "FAILED", "Circuit/channel congestion"),
        ("no_answer", "NO ANSWER", None),
    ],
)
async def test_outbound_not_answered(
    sim: PbxSimulator, listener: Listener, result: str, status: str, reason: str | None
) -> None:
    call_id = await sim.outbound("1004", "+15550199", result=result)
    events = await listener.until_cdr(call_id)
    failures = of_type(events, 30015)
    assert [f["reason"] for f in failures] == ([reason] if reason else [])
    if failures:
        assert failures[0]["call_id"] == call_id and legs(failures[0]) == ["1004:ALERT", "outbound:RING"]
    assert sequence(events)[-1] == ["1004:BYE", "outbound:BYE"]
    cdr = cdr_event(events)
    assert cdr["status"] == status and cdr["talk_duration"] == 0 and cdr["recording"].strip() == ""


async def test_internal(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.internal("1001", "1005", talk=0.01)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [
        ["1001:ALERT", "1005:RING"],
        ["1001:ANSWERED", "1005:ANSWER"],
        ["1001:BYE", "1005:BYE"],
    ]
    cdr = cdr_event(events)
    assert (cdr["type"], cdr["call_from"], cdr["call_to"]) == ("Internal", "1001", "1005")
    assert cdr["src_trunk_name"].strip() == "" and cdr["did_number"].strip() == ""
    missed = await sim.internal("1001", "1005", answer=False)
    assert cdr_event(await listener.until_cdr(missed))["status"] == "NO ANSWER"


async def test_blind_transfer_keeps_the_call_id(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.blind_transfer("+15551112222", "1001", "1002", talk=0.02)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [
        ["inbound:ALERT", "1001:RING"],
        ["inbound:ANSWERED", "1001:ANSWER"],
        ["inbound:ALERT", "1001:BYE", "1002:RING"],
        ["inbound:ANSWERED", "1002:ANSWER"],
        ["inbound:BYE", "1002:BYE"],
    ]
    (transfer,) = of_type(events, 30013)
    assert transfer["call_id"] == call_id and "1002:RING" in legs(transfer)
    assert {e["msg"]["call_id"] for e in events if e["type"] != 30008} == {call_id}
    cdr = cdr_event(events)
    assert (cdr["call_to"], cdr["status"]) == ("1002", "ANSWERED")


async def test_attended_transfer(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.attended_transfer("+15551112222", "1001", "1003", talk=0.03)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [
        ["inbound:ALERT", "1001:RING"],
        ["inbound:ANSWERED", "1001:ANSWER"],
        ["inbound:HOLD", "1001:ALERT", "1003:RING"],
        ["inbound:HOLD", "1001:ANSWERED", "1003:ANSWER"],
        ["inbound:ANSWERED", "1001:BYE", "1003:ANSWER"],
        ["inbound:BYE", "1003:BYE"],
    ]
    assert len(of_type(events, 30013)) == 1
    assert cdr_event(events)["call_to"] == "1003"


async def test_voicemail(sim: PbxSimulator, listener: Listener) -> None:
    call_id = await sim.voicemail("+15551112222", "1004", talk=0.01)
    events = await listener.until_cdr(call_id)
    assert sequence(events) == [
        ["inbound:ALERT", "1004:RING"],
        ["inbound:ANSWERED", "1004:BYE"],
        ["inbound:BYE"],
    ]
    cdr = cdr_event(events)
    assert (cdr["status"], cdr["call_to"], cdr["recording"].strip()) == ("VOICEMAIL", "1004", "")


async def test_concurrent_calls_each_get_one_cdr(sim: PbxSimulator, listener: Listener) -> None:
    ids = await asyncio.gather(
        sim.inbound("+15550000001", "1001", talk=0.02),
        sim.outbound("1002", "+15550000002", talk=0.02),
        sim.internal("1003", "1004", talk=0.02),
    )
    assert len(set(ids)) == 3
    cdrs: list[str] = []
    while len(cdrs) < 3:
        event = await listener.next()
        if event["type"] == 30012:
            cdrs.append(event["msg"]["call_id"])
    assert sorted(cdrs) == sorted(ids)
    assert sorted(row["uid"] for row in sim.cdr()) == sorted(ids)


# -- call control ----------------------------------------------------------------------------------


async def test_call_dial_rings_the_extension_first(sim: PbxSimulator, api: Api, listener: Listener) -> None:
    body = await api.post("call/dial", {"caller": "1001", "callee": "+15553334444"})
    assert body["errcode"] == 0
    events = await listener.until_cdr(body["call_id"])
    assert sequence(events)[:3] == [
        ["1001:RING"],
        ["1001:ALERT", "outbound:RING"],
        ["1001:ALERT", "outbound:EARLYMEDIA"],
    ]
    assert cdr_event(events)["type"] == "Outbound"
    assert (await api.post("call/dial", {"caller": "1001"}))["invalid_param_list"][0]["field"] == "callee"


async def test_call_dial_failure_is_a_30015(sim: PbxSimulator, api: Api, listener: Listener) -> None:
    sim.dial_results["1002"] = "busy"
    body = await api.post("call/dial", {"caller": "1001", "callee": "1002", "auto_answer": "yes"})
    events = await listener.until_cdr(body["call_id"])
    assert sequence(events)[0] == ["1001:ALERT", "1002:RING"]
    assert [f["reason"] for f in of_type(events, 30015)] == ["User Busy"]
    assert cdr_event(events)["status"] == "BUSY"


async def test_call_query_and_hangup(sim: PbxSimulator, api: Api, listener: Listener) -> None:
    sim.dial_talk = 60
    call_id = (await api.post("call/dial", {"caller": "1001", "callee": "1002"}))["call_id"]
    while sequence([await listener.next()]) != [["1001:ANSWERED", "1002:ANSWER"]]:
        pass
    queried = await api.get("call/query", call_id=call_id)
    (info,) = queried["data"]
    assert legs(info) == ["1001:ANSWERED", "1002:ANSWER"]
    assert (await api.get("call/query", extension="1002"))["data"] == [info]
    assert (await api.get("call/query", type="inbound"))["data"] == []
    channel = info["members"][1]["extension"]["channel_id"]
    assert await api.post("call/hangup", {"channel_id": channel}) == {
        "errcode": 0,
        "errmsg": "SUCCESS",
        "call_id": call_id,
    }
    events = await listener.until_cdr(call_id)
    assert sequence(events)[-1] == ["1001:BYE", "1002:BYE"]
    assert cdr_event(events)["status"] == "ANSWERED"
    assert (await api.post("call/hangup", {"channel_id": channel}))["errcode"] == 60001
    assert (await api.get("call/query"))["errcode"] == 40002


# -- directory --------------------------------------------------------------------------------------


async def test_system_information(sim: PbxSimulator, api: Api) -> None:
    data = (await api.get("system/information"))["data"]
    assert data["firmware_version"] == "83.21.0.66" and data["sn"] == sim.sn
    assert (data["system_date_format"], data["system_time_format"]) == ("YYYY/MM/DD", "hh:mm:ss")
    assert re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d", data["system_time"])


async def test_extensions(sim: PbxSimulator, api: Api) -> None:
    listed = await api.get("extension/list")
    assert listed["total_number"] == 5
    alice = listed["data"][0]
    assert (alice["number"], alice["caller_id_name"], alice["email_addr"]) == (
        "1001",
        "Alice Anders",
        "alice@example.com",
    )
    assert set(alice["online_status"]) == {"sip_phone", "linkus_desktop", "linkus_mobile", "linkus_web"}
    found = await api.get("extension/search", search_value="bob@")
    assert [r["number"] for r in found["data"]] == ["1002"]
    page = await api.get("extension/list", page=2, page_size=2, sort_by="number", order_by="desc")
    assert [r["number"] for r in page["data"]] == ["1003", "1002"] and page["total_number"] == 5
    assert (await api.get("extension/get", id=alice["id"]))["data"]["email_addr"] == "alice@example.com"
    assert (await api.get("extension/list", sort_by="nope"))["errcode"] == 40002


async def test_company_contacts_and_phonebooks(sim: PbxSimulator, api: Api) -> None:
    created = await api.post(
        "company_contact/create",
        {
            "first_name": "Ada",
            "last_name": "Byron",
            "company": "Engines",
            "number_list": [{"num_type": "mobile_number", "number": "+447700900999"}],
        },
    )
    contact_id = created["id"]
    assert created["errcode"] == 0
    found = (await api.get("company_contact/search", search_value="+447700900999"))["data"]
    assert [(r["id"], r["mobile"], r["contact_name"]) for r in found] == [
        (contact_id, "+447700900999", "Ada Byron")
    ]
    book = await api.post("phonebook/create", {"name": "CRM", "add_contacts_id_list": [contact_id]})
    assert (await api.post("phonebook/create", {"name": "CRM"}))["errcode"] == 40003
    got = (await api.get("phonebook/get", id=book["id"]))["data"]
    assert got["name"] == "CRM" and [c["id"] for c in got["contacts_list"]] == [contact_id]
    assert (await api.get("company_contact/get", id=contact_id))["data"]["phonebook_list"] == [
        {"id": book["id"], "name": "CRM"}
    ]
    update = {
        "id": contact_id,
        "email": "ada@x.example",
        "number_list": [{"num_type": "business_number", "number": "+441000"}],
    }
    assert (await api.post("company_contact/update", update))["errcode"] == 0
    data = (await api.get("company_contact/get", id=contact_id))["data"]
    assert data["email"] == "ada@x.example" and data["number_list"] == update["number_list"]
    assert (await api.get("company_contact/delete", id=contact_id))["errcode"] == 70091
    assert (await api.post("phonebook/update", {"id": book["id"], "del_contacts_id_list": [contact_id]}))[
        "errcode"
    ] == 0
    assert (await api.get("company_contact/delete", id=contact_id))["errcode"] == 0
    assert (await api.post("phonebook/update", {"id": 424242, "name": "x"}))["errcode"] == 70093
    assert (
        await api.post(
            "company_contact/create",
            {
                "first_name": "X",
                "phonebook_id_list": [424242],
                "number_list": [{"num_type": "other_number", "number": "1"}],
            },
        )
    )["errcode"] == 70093
    assert [b["name"] for b in (await api.get("phonebook/search", search_value="cr"))["data"]] == ["CRM"]
    assert (await api.get("phonebook/delete", id=book["id"]))["errcode"] == 0
    assert (await api.get("phonebook/list"))["total_number"] == 1
    assert (await api.get("company_contact/list"))["total_number"] == 3


# -- CDR and recordings ----------------------------------------------------------------------------


EASTERN = dt.timezone(dt.timedelta(hours=-5))


@pytest.mark.parametrize(
    "sim", [{"date_format": "MM/DD/YYYY", "time_format": "hh:mm:ss A", "tz": EASTERN}], indirect=True
)
async def test_cdr_search_time_window_in_display_format(sim: PbxSimulator, api: Api) -> None:
    info = (await api.get("system/information"))["data"]
    assert (info["system_date_format"], info["system_time_format"]) == ("MM/DD/YYYY", "hh:mm:ss A")
    call_id = await sim.inbound("+15551234567", "1001", talk=0.01)
    missed = await sim.inbound("+15557654321", "1002", answer=False)
    (row,) = [r for r in sim.cdr() if r["uid"] == call_id]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d [AP]M", row["time"])
    assert row["call_to"] == "Alice Anders<1001>" and row["disposition"] == "ANSWERED"
    fmt = "%m/%d/%Y %I:%M:%S %p"
    started = dt.datetime.strptime(row["time"], fmt)
    assert started.replace(tzinfo=EASTERN).timestamp() == row["timestamp"]
    window = {
        "start_time": started.strftime(fmt),
        "end_time": (started + dt.timedelta(minutes=5)).strftime(fmt),
    }
    uids = [r["uid"] for r in (await api.get("cdr/search", **window))["data"]]
    assert uids == [call_id, missed]
    before = {"end_time": (started - dt.timedelta(seconds=1)).strftime(fmt)}
    assert (await api.get("cdr/search", **before))["total_number"] == 0
    by_status = await api.get("cdr/search", status="NO ANSWER", **window)
    assert [r["uid"] for r in by_status["data"]] == [missed]
    by_from = await api.get("cdr/search", call_from="+15557654321")
    assert [r["uid"] for r in by_from["data"]] == [missed]
    fuzzy = await api.get("cdr/search", call_to="alice", enable_fuzzy_search=1)
    assert [r["uid"] for r in fuzzy["data"]] == [call_id]
    bad = await api.get("cdr/search", start_time="2025-01-01 10:00:00")
    assert bad["invalid_param_list"] == [{"field": "start_time", "validation_type": "format"}]
    assert (await api.get("cdr/search", did="+15550100:SIPTrunk1"))["total_number"] == 2
    assert (await api.get("cdr/search", did="+15559999999"))["total_number"] == 0
    newest_first = await api.get("cdr/search", sort_by="time", order_by="desc", **window)
    assert [r["uid"] for r in newest_first["data"]] == [missed, call_id]
    listed = await api.get("cdr/list", sort_by="id", order_by="desc", page_size=1)
    assert listed["total_number"] == 2 and listed["data"][0]["uid"] == missed


async def test_recording_download(sim: PbxSimulator, api: Api) -> None:
    call_id = await sim.inbound("+15551234567", "1001", talk=0.01)
    (rec,) = (await api.get("recording/list"))["data"]
    assert rec["uid"] == call_id and rec["file"] == sim.cdr()[0]["record_file"]
    step1 = await api.get("recording/download", file=rec["file"])
    assert step1["file"] == rec["file"] and step1["download_resource_url"].startswith("/api/download/")
    assert (await api.get("recording/download", id=rec["id"]))["file"] == rec["file"]
    url = step1["download_resource_url"]
    audio = await api.client.get(url, params={"access_token": api.token})
    assert audio.headers["content-type"] == "audio/wav" and len(audio.content) == rec["size"]
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert wav.getframerate() == 8000 and wav.getnframes() > 0
    assert (await api.client.get(url, params={"access_token": "bad"})).json()["errcode"] == 10004
    assert (await api.client.get("/api/download/nope.wav", params={"access_token": api.token})).json()[
        "errcode"
    ] == 60001
    assert (await api.get("recording/download"))["errcode"] == 40002
    assert (await api.get("recording/download", file="missing.wav"))["errcode"] == 60001


async def test_a_recording_named_after_a_hostile_caller_id_downloads(sim: PbxSimulator, api: Api) -> None:
    caller = '\u202e\u4f60\u597d"; x=1\r\nX-Injected: 1'
    call_id = await sim.inbound(caller, "1001", talk=0.01)
    (rec,) = (await api.get("recording/list"))["data"]
    url = (await api.get("recording/download", id=rec["id"]))["download_resource_url"]
    audio = await api.client.get(url, params={"access_token": api.token})
    assert (
        audio.status_code == 200 and len(audio.content) == rec["size"] and "x-injected" not in audio.headers
    )
    disposition = audio.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == rec["file"] and call_id in rec["file"]


async def test_only_one_concurrent_download(sim: PbxSimulator, api: Api) -> None:
    await sim.inbound("+15551234567", "1001", talk=0.01)
    (rec,) = (await api.get("recording/list"))["data"]
    first = (await api.get("recording/download", id=rec["id"]))["download_resource_url"]
    second = (await api.get("recording/download", id=rec["id"]))["download_resource_url"]
    sim.stall_downloads = True
    async with api.client.stream("GET", first, params={"access_token": api.token}) as stream:
        assert stream.headers["content-type"] == "audio/wav"
        busy = await api.client.get(second, params={"access_token": api.token})
        assert busy.json() == {"errcode": 70082, "errmsg": "OVERLOAD_TASK_RUNNING"}
        sim.stall_downloads = False
        assert len(await stream.aread()) == rec["size"]
    assert len((await api.client.get(second, params={"access_token": api.token})).content) == rec["size"]


# -- control API, TLS, CLI --------------------------------------------------------------------------


async def test_control_api(sim: PbxSimulator, listener: Listener) -> None:
    async with httpx.AsyncClient(base_url=sim.base_url) as control:
        index = (await control.get("/sim")).json()
        assert index["scenarios"]["inbound"]["caller"] == "required"
        started = await control.post(
            "/sim/calls/inbound_queue", json={"caller": "+15550001111", "answered_by": "1003", "talk": 0.01}
        )
        call_id = started.json()["call_id"]
        events = await listener.until_cdr(call_id)
        assert cdr_event(events)["call_to"] == "1003"
        assert (await control.get("/sim/cdr")).json()["data"][0]["uid"] == call_id
        assert (await control.post("/sim/calls/nope", json={})).status_code == 404
        assert (await control.post("/sim/calls/inbound", json={"caller": "1"})).status_code == 400
        assert (
            await control.post("/sim/calls/inbound", json={"caller": "1", "extension": "999"})
        ).status_code == 400
        await control.post("/sim/stall_heartbeats", json={"enabled": True})
        assert sim.stall_heartbeats
        assert (
            await control.post("/sim/dial_results", json={"callee": "1002", "result": "failed"})
        ).status_code == 200
        assert sim.dial_results == {"1002": "failed"}
        state = (await control.get("/sim/state")).json()
        assert state["live_tokens"] == 1 and state["websockets"] == 1
        await control.post("/sim/expire_tokens")
        assert json.loads(await listener.ws.recv())["errcode"] == 10004


async def test_tls_mode(tmp_path: Any) -> None:
    tls = generate(tmp_path)
    sim = PbxSimulator(tls=tls, step=0.01, client_id="id", client_secret="secret")
    await sim.start()
    try:
        assert sim.base_url.startswith("https://127.0.0.1:") and sim.ws_url.startswith("wss://")
        async with httpx.AsyncClient(base_url=sim.api_url, headers=UA, verify=tls.client_context()) as client:
            token = (await client.post("/get_token", json={"username": "id", "password": "secret"})).json()[
                "access_token"
            ]
        async with websockets.connect(f"{sim.ws_url}?access_token={token}", ssl=tls.client_context()) as ws:
            await ws.send("heartbeat")
            assert await ws.recv() == "heartbeat response"
        async with httpx.AsyncClient(base_url=sim.api_url, headers=UA) as untrusting:
            with pytest.raises(httpx.ConnectError):
                await untrusting.get("/system/information")
        assert str(tls.ca_file) in banner(sim)
    finally:
        await sim.stop()


def test_clock_formats() -> None:
    when = dt.datetime(2025, 8, 22, 16, 44, 40, tzinfo=dt.UTC)
    assert PbxClock().display(when) == "2025/08/22 16:44:40"
    assert PbxClock(date_format="DD/MM/YYYY", time_format="HH:mm:ss").display(when) == "22/08/2025 16:44:40"
    twelve = PbxClock(date_format="MM/DD/YYYY", time_format="hh:mm:ss A")
    assert twelve.display(when) == "08/22/2025 04:44:40 PM"
    assert twelve.parse_display("08/22/2025 04:44:40 PM") == when
    assert PbxClock().compact(when) == "20250822164440"
    with pytest.raises(ValueError):
        PbxClock(date_format="YY")


async def test_cli_runs_until_interrupted() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "linkus_companion",
        "sim",
        "pbx",
        "--port",
        "0",
        "--client-id",
        "cli-id",
        "--client-secret",
        "cli-secret",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        lines: list[str] = []
        while not lines or "Ctrl-C" not in lines[-1]:
            lines.append((await process.stdout.readline()).decode())
        printed = "".join(lines)
        assert "cli-id" in printed and "cli-secret" in printed and "python -m websockets" in printed
        api_url = re.search(r"API base URL\s+(\S+)", printed)
        assert api_url
        async with httpx.AsyncClient(base_url=api_url.group(1), headers=UA) as client:
            body = (
                await client.post("/get_token", json={"username": "cli-id", "password": "cli-secret"})
            ).json()
        assert body["errcode"] == 0
    finally:
        process.send_signal(2)
        assert await process.wait() == 0
