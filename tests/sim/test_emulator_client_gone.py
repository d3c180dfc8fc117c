"""A client that goes away in the middle of its request body leaves no traceback on the emulator's console."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from linkus_companion.sim.hubspot import HubSpotEmulator


async def _cut_mid_body(base_url: str, path: str, token: str) -> None:
    """POST headers announcing 1000 bytes, send 10, then close the connection."""
    url = httpx.URL(base_url)
    _, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: {url.host}\r\nAuthorization: Bearer {token}\r\n"
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"filterGr'.encode()
    )
    await writer.drain()
    await asyncio.sleep(0.2)  # the handler is waiting for the rest of the body
    writer.close()
    await writer.wait_closed()


async def test_hubspot_client_gone_mid_body_is_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    async with HubSpotEmulator() as emu:
        for _ in range(3):
            await _cut_mid_body(emu.base_url, "/crm/v3/objects/contacts/search", emu.admin_token)
        await asyncio.sleep(0.3)
        async with httpx.AsyncClient(base_url=emu.base_url) as api:  # and it still serves
            response = await api.post(
                "/crm/v3/objects/contacts/search",
                json={},
                headers={"Authorization": f"Bearer {emu.admin_token}"},
            )
        assert response.status_code == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ClientDisconnect" not in err, err
