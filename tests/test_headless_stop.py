"""`run --headless` stops within 2 s of SIGTERM or SIGINT, right after a storm of malformed frames, and keeps
the call logs it could not deliver yet."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator

import pytest

from linkus_companion import headless, paths
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.runtime import CRM_SECRET, PBX_SECRET
from linkus_companion.secrets import SecretStore
from linkus_companion.sim import scenario
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import Fault
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.store import Store

STORM = ["{", "[]", '{"type": "30011"}', '{"type": 30011, "msg": "{not json"}', "x" * 600_000]


@pytest.fixture
async def world() -> AsyncIterator[tuple[PbxSimulator, HubSpotEmulator]]:
    async with PbxSimulator(step=0.02) as pbx, HubSpotEmulator(seed=False) as crm:
        scenario.cast(crm, pbx)
        UserFile(paths.settings_file()).save(
            {"pbx.url": pbx.base_url, "pbx.client_id": pbx.client_id, "pbx.extensions": ["1001"],
             "crm.kind": "hubspot", "crm.client_id": crm.oauth_client_id}
        )  # fmt: skip
        secrets = SecretStore()
        secrets.set(PBX_SECRET, pbx.client_secret)
        secrets.set(CRM_SECRET, crm.oauth_client_secret)
        grant = {"refresh_token": crm.admin_refresh_token, "api_base": crm.base_url, "extras": {"hub_id": str(crm.hub_id)},
                 "token_url": f"{crm.base_url}/oauth/2026-03/token",
                 "revoke_url": f"{crm.base_url}/oauth/2026-03/token/revoke"}  # fmt: skip
        secrets.set("crm.hubspot.grant", json.dumps(grant))
        yield pbx, crm


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_after_a_frame_storm_stops_it_in_time_keeping_the_outbox(
    world: tuple[PbxSimulator, HubSpotEmulator], sig: signal.Signals, capsys: pytest.CaptureFixture[str]
) -> None:
    pbx, crm = world
    for path in ("/crm/v3/objects/calls", "/crm/objects/2026-03/calls"):  # call logs cannot be written
        crm.inject_fault(Fault(status=503, method="POST", path=path, remaining=10**6))
    running = asyncio.create_task(headless.serve(Settings.open()))
    while pbx.hub.sessions == 0:
        assert not running.done(), capsys.readouterr()
        await asyncio.sleep(0.05)
    await pbx.inbound("+14155550102", "1001", talk=0.1)
    for text in STORM * 40:
        await pbx.hub.send_raw(text)
    for _ in range(200):  # the ended call's log reaches the outbox, whose POSTs fail
        if _waiting_logs():
            break
        await asyncio.sleep(0.05)
    assert _waiting_logs() == 1
    sent = time.monotonic()
    os.kill(os.getpid(), sig)
    assert await asyncio.wait_for(running, 10) == 0
    assert time.monotonic() - sent < 2.0
    assert _waiting_logs() == 1  # kept for the next start


def _waiting_logs() -> int:
    store = Store.open(paths.database_file())
    try:
        with store.transaction() as db:
            sql = "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND kind = 'log_call'"
            return int(db.execute(sql).fetchone()[0])
    finally:
        store.close()
