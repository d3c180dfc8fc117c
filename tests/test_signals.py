"""The simulators and the demo exit cleanly within 2 s of SIGINT or SIGTERM: right after a storm of malformed
frames from clients that stay connected, and (the demo) while its CRM is down and lookups are retrying."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from signal_rig import assert_stopped_cleanly, launched

SIGNALS = pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
GARBAGE = [
    b"\x16\x03\x01\x02\x00\x01" + bytes(range(256)) * 4,  # a TLS hello to a plain-HTTP port
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\nonly the start of the body",
    b"GET /openapi/v1.0/subscribe HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
    b"\x00" * 70_000,
]
FRAMES = ["{", "[]", '{"type": "30011"}', '{"type": 30011, "msg": "{not json"}', "x" * 600_000]


@contextlib.asynccontextmanager
async def garbage_clients(base_url: str) -> AsyncIterator[None]:
    """Connections that sent malformed bytes (a half request, a binary blob) and stay open."""
    host, port = re.fullmatch(r"https?://([^:/]+):(\d+).*", base_url).groups()  # type: ignore[union-attr]
    writers = []
    for blob in GARBAGE:
        _reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(blob)
        await writer.drain()
        writers.append(writer)
    try:
        yield
    finally:
        for writer in writers:
            writer.close()


@SIGNALS
async def test_sim_pbx_stops_in_time_after_a_storm_from_a_subscribed_client(sig: signal.Signals) -> None:
    async with launched("sim", "pbx", "--port", "0") as child:
        await child.line("Press Ctrl-C to stop.")
        api, ws = child.field("API base URL"), child.field("WebSocket URL").split("?")[0]
        login = {"username": child.field("Client ID"), "password": child.field("Client Secret")}
        async with httpx.AsyncClient(headers={"User-Agent": "storm"}) as http:
            token = (await http.post(f"{api}/get_token", json=login)).json()["access_token"]
        async with websockets.connect(
            f"{ws}?access_token={token}", max_size=None, close_timeout=0.1
        ) as socket:
            await socket.send('{"topic_list":[30011,30012]}')
            await socket.recv()
            for frame in FRAMES * 40:
                await socket.send(frame)
            async with garbage_clients(api):
                took = await child.stop(sig)
    assert_stopped_cleanly(child, took, sig)


@SIGNALS
@pytest.mark.parametrize("kind", ["hubspot", "salesforce"])
async def test_sim_crm_stops_in_time_after_a_storm_of_malformed_requests(
    kind: str, sig: signal.Signals
) -> None:
    async with launched("sim", "crm", "--kind", kind) as child:
        await child.line("Press Ctrl-C to stop.")
        base = child.field("emulator running at")
        async with garbage_clients(base):
            took = await child.stop(sig)
    assert_stopped_cleanly(child, took, sig)


@SIGNALS
async def test_the_demo_stops_in_time_while_its_crm_is_down(sig: signal.Signals) -> None:
    """Lookups retrying against the CRM emulator's outage do not hold the stop up (2-3 s before)."""
    async with launched("demo", "--headless", "--calls", "3") as child:
        await child.line("-- the CRM goes down --")
        await asyncio.sleep(0.3)  # the next call rings: its lookup now retries against the outage
        took = await child.stop(sig)
    assert_stopped_cleanly(child, took, sig, status=130)
    assert child.out[-1].strip() == "demo stopped"


async def test_the_desktop_demo_stops_in_time_while_its_crm_is_down() -> None:
    async with launched("demo", "--calls", "2") as child:
        await child.line("-- the CRM goes down --")
        await asyncio.sleep(0.3)
        took = await child.stop(signal.SIGTERM)
    assert_stopped_cleanly(child, took, signal.SIGTERM)
