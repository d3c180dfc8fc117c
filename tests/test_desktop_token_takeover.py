"""A desktop killed without revoking its PBX token takes the pair over from the keyring on its next start."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from linkus_companion import paths
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.engine.screen_pop import PrintingOpener
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx_token_keyring import ENTRY
from linkus_companion.runtime import CRM_SECRET, PBX_SECRET, embedded_host
from linkus_companion.secrets import SecretStore
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.pbx import PbxSimulator


@dataclass
class Desk:
    pbx: PbxSimulator
    settings: Settings
    secrets: SecretStore


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    """The PBX simulator and a HubSpot emulator, the desktop set up for extension 1001."""
    async with PbxSimulator(step=0.02) as pbx, HubSpotEmulator(seed=False) as crm:
        UserFile(paths.settings_file()).save(
            {
                "pbx.url": pbx.base_url,
                "pbx.client_id": pbx.client_id,
                "crm.kind": "hubspot",
                "crm.client_id": crm.oauth_client_id,
                "pbx.extensions": ["1001"],
            }
        )
        grant = {"refresh_token": crm.admin_refresh_token, "api_base": crm.base_url, "extras": {"hub_id": str(crm.hub_id)},
                 "token_url": f"{crm.base_url}/oauth/2026-03/token",
                 "revoke_url": f"{crm.base_url}/oauth/2026-03/token/revoke"}  # fmt: skip
        secrets = SecretStore()
        secrets.set(PBX_SECRET, pbx.client_secret)
        secrets.set(CRM_SECRET, crm.oauth_client_secret)
        secrets.set("crm.hubspot.grant", json.dumps(grant))
        yield Desk(pbx, Settings.open(), secrets)


async def start_and_stop(desk: Desk) -> str:
    """Start the desktop engine until it reads the PBX, then stop; the access token it used."""
    async with embedded_host(desk.settings, PrintingOpener(print), secrets=desk.secrets) as host:
        await host.start()
        assert (await host.pbx.system_information()).firmware
        token = (await host.pbx.token()).access
        await host.stop()
    return token


def abandon_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every PBX client ends like a process killed with SIGKILL: connections gone, no token revoked."""

    async def killed(self: PbxClient) -> None:
        await self._transport.aclose()

    monkeypatch.setattr(PbxClient, "close", killed)


async def test_ten_killed_starts_hold_one_pbx_token(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    abandon_tokens(monkeypatch)
    tokens = [await start_and_stop(desk) for _ in range(10)]
    assert desk.pbx.live_tokens() == 1, "each start took over the killed one's token"
    assert len(set(tokens)) == 1
    kept = desk.secrets.get(ENTRY)
    assert kept is not None and tokens[0] in kept, "the pair is in the keyring"
    monkeypatch.undo()
    await start_and_stop(desk)
    assert desk.pbx.live_tokens() == 0, "a clean stop revokes the token"
    assert desk.secrets.get(ENTRY) is None, "and forgets the revoked pair"


async def test_an_expired_access_token_is_refreshed(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    abandon_tokens(monkeypatch)
    first = await start_and_stop(desk)
    desk.pbx.expire_tokens()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="linkus_companion.pbx.tokens"):
        second = await start_and_stop(desk)
    assert second != first and desk.pbx.live_tokens() == 1
    issued = [r.getMessage() for r in caplog.records if "PBX token obtained" in r.getMessage()]
    assert issued and all("refresh_token" in line for line in issued), issued


async def test_a_pair_the_pbx_no_longer_knows_means_a_login(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    abandon_tokens(monkeypatch)
    first = await start_and_stop(desk)
    desk.pbx.tokens.revoke(first)
    kept = json.loads(desk.secrets.get(ENTRY) or "{}")
    kept["pair"]["refresh"] = "unknown-refresh-token"
    desk.secrets.set(ENTRY, json.dumps(kept))
    second = await start_and_stop(desk)
    assert second != first, "the refused pair was replaced by a new login"
    assert desk.pbx.live_tokens() == 1
