"""Disable, Enable and Disconnect over the PBX simulator and the Zoho emulator, signed in through OAuth."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from engine_rig import Recorder

from linkus_companion.config.errors import SettingLocked
from linkus_companion.config.settings import Settings
from linkus_companion.config.sources import JsonDirSource, Layer
from linkus_companion.config.userfile import UserFile
from linkus_companion.crm.oauth import OAuthGrants
from linkus_companion.demo import emulated_host
from linkus_companion.engine.contact_sync import REMARK_PREFIX
from linkus_companion.engine.crm_switch import CrmStatus, CrmSwitch
from linkus_companion.engine.host import EngineHost
from linkus_companion.pbx.client import PbxClient
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.zoho import ZohoEmulator
from linkus_companion.store import Store

GRACE = "+14155550102"
"""Grace Hopper, a seeded Zoho contact."""
CLIENT_SECRET = "crm.client_secret"
USER_SETTINGS: dict[str, object] = {
    "crm.kind": "zoho",
    "crm.client_id": "1000.ABC",
    "binding": {"1001": ""},
    "calllog.subject": "Phone call",
    "sync.enabled": True,
    "sync.phonebook": "Zoho contacts",
    "pop.trigger": "answered",
}


@dataclass
class Rig:
    pbx: PbxSimulator
    zoho: ZohoEmulator
    settings: Settings
    host: EngineHost
    switch: CrmSwitch
    opener: Recorder

    async def until(self, done: Callable[[], bool], what: str) -> None:
        for _ in range(300):
            if done():
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"{what} did not happen in time")

    async def logged(self, count: int) -> None:
        await self.until(lambda: len(self.zoho.records("Calls")) >= count, f"{count} call log(s)")


@contextlib.asynccontextmanager
async def switch_rig(tmp_path: Path, policy: dict[str, object] | None = None) -> AsyncIterator[Rig]:
    zoho = ZohoEmulator()
    await zoho.start()
    john = next(u.id for u in zoho.org.users.values() if u.email == "john.smith@example.com")
    managed = tmp_path / "managed"
    managed.mkdir()
    (managed / "policy.json").write_text(json.dumps(policy or {}), encoding="utf-8")
    settings = Settings(UserFile(tmp_path / "settings.json"), [JsonDirSource(managed, Layer.LOCKED)])
    for key, value in {**USER_SETTINGS, "binding": {"1001": john}}.items():
        settings.set_user(key, value)
    secrets = SecretStore()
    secrets.set(CLIENT_SECRET, zoho.oauth_client_secret)
    store = Store.open(tmp_path / "engine.db")
    try:
        async with (
            PbxSimulator(step=0.02) as pbx_sim,
            httpx.AsyncClient(timeout=10) as http,
            PbxClient(pbx_sim.base_url, pbx_sim.client_id, pbx_sim.client_secret) as pbx,
        ):
            grants = OAuthGrants(zoho.oauth_provider(), zoho.oauth_credentials(), http, secrets)
            redirect = f"http://localhost:{free_port()}/oauth/callback"
            zoho.allow_redirect(redirect)
            await grants.authorize(approving_browser(http), redirect_uri=redirect, give_up_after=10)
            opener = Recorder()
            host = emulated_host(
                zoho,
                settings,
                pbx=pbx,
                connector=zoho.connector(http, grants),
                store=store,
                opener=opener,
                extensions=("1001",),
            )
            switch = CrmSwitch(settings, grants, host, secrets=secrets, secret_names=(CLIENT_SECRET,))
            try:
                yield Rig(pbx_sim, zoho, settings, host, switch, opener)
            finally:
                await switch.stop()
    finally:
        store.close()
        await zoho.stop()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with switch_rig(tmp_path) as running:
        await running.switch.start()
        await asyncio.wait_for(running.host.connected(), 10)
        yield running


async def test_disable_keeps_every_setting_and_stops_all_crm_traffic_until_enabled(rig: Rig) -> None:
    statuses = [rig.switch.status]
    await rig.pbx.inbound(GRACE, "1001", talk=0.05)
    await rig.logged(1)
    kept = {key: rig.settings.get(key) for key in USER_SETTINGS}

    await rig.switch.disable()
    statuses.append(rig.switch.status)
    assert {key: rig.settings.get(key) for key in USER_SETTINGS} == kept
    requests, pops = rig.zoho.guard.requests, len(rig.opener.pops)
    during = [
        await rig.pbx.inbound(GRACE, "1001", talk=0.05),
        await rig.pbx.inbound("+14155550177", "1001", answer=False),
    ]
    await asyncio.sleep(0.3)
    assert rig.zoho.guard.requests == requests and len(rig.opener.pops) == pops

    await rig.switch.enable()
    await asyncio.wait_for(rig.host.connected(), 10)
    statuses += [rig.switch.status, await rig.switch.check()]
    assert statuses == [CrmStatus.CONNECTED, CrmStatus.DISABLED, CrmStatus.CONNECTED, CrmStatus.CONNECTED]
    await rig.pbx.inbound(GRACE, "1001", talk=0.05)
    await rig.logged(2)
    await asyncio.sleep(0.3)
    assert len(rig.zoho.records("Calls")) == 2, "calls made while disabled are never logged"
    for call_id in during:
        assert rig.host.call_log.states(call_id) == {"1001": "call logging is off"}


async def test_a_disabled_integration_stays_off_across_a_restart(tmp_path: Path) -> None:
    async with switch_rig(tmp_path) as rig:
        rig.settings.set_user("crm.enabled", False)
        await rig.switch.start()
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        statuses = [rig.switch.status]
        assert rig.zoho.guard.requests == 0 and rig.pbx.live_tokens() == 0
        await rig.switch.enable()
        await asyncio.wait_for(rig.host.connected(), 10)
        assert [*statuses, rig.switch.status] == [CrmStatus.DISABLED, CrmStatus.CONNECTED]


async def test_an_admin_lock_refuses_disable(tmp_path: Path) -> None:
    async with switch_rig(tmp_path, {"crm.enabled": True}) as rig:
        with pytest.raises(SettingLocked):
            await rig.switch.disable()
        assert rig.switch.status is CrmStatus.CONNECTED


async def test_a_revoked_sign_in_shows_error(rig: Rig) -> None:
    for token in set(rig.zoho.accounts.refresh) - {rig.zoho.admin_refresh_token}:
        rig.zoho.accounts.revoke(token)
    assert await rig.switch.check() is CrmStatus.ERROR
    assert "Zoho" in rig.switch.problem and "again" in rig.switch.problem


async def test_disconnect_revokes_clears_the_crm_settings_and_hands_contacts_to_the_pbx(rig: Rig) -> None:
    await rig.pbx.inbound(GRACE, "1001", talk=0.05)
    await rig.logged(1)

    def synced() -> list[int]:
        contacts = rig.pbx.directory.contacts.values()
        return [c.id for c in contacts if c.remark.startswith(REMARK_PREFIX)]

    await rig.until(lambda: bool(synced()), "contact sync")
    [grace] = synced()
    await rig.until(lambda: not rig.host.outbox.pending(), "the first call's recording upload")
    rig.zoho.inject(400, "INVALID_DATA", "refused", count=2, method="POST")  # the log, then its retry
    stuck = await rig.pbx.inbound("+14155550177", "1001", talk=0.05)
    await rig.until(lambda: bool(rig.host.outbox.pending()), "a queued call log")

    report = await rig.switch.disconnect()
    assert report.revoked and set(rig.zoho.accounts.refresh) == {rig.zoho.admin_refresh_token}
    assert [log.idempotency_key for log in report.undelivered] == [f"{stuck}:1001"]
    assert rig.host.outbox.pending() == [], "dropped: they must not reach a CRM connected later"
    assert report.contacts_error == ""
    assert {"crm.kind", "crm.client_id", "binding", "calllog.subject", "sync.enabled"} <= set(report.cleared)
    assert rig.settings.get("crm.kind") == "" and rig.settings.get("pop.trigger") == "answered"
    assert SecretStore().get("crm.zoho.grant") is None and SecretStore().get(CLIENT_SECRET) is None
    assert rig.switch.status is CrmStatus.NONE
    contact = rig.pbx.directory.contacts[grace]
    assert contact.first_name == "Grace" and not contact.remark.startswith(REMARK_PREFIX)
