"""LocalBackend with its CrmSwitch: Disable / Enable / Disconnect from the settings' actions, over the
PBX simulator and the Zoho emulator signed in through OAuth; paused pops remembered before start."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from linkus_companion.app import EmbeddedActions
from linkus_companion.backend import BackendError, CallView, CrmState, PopNotice, Status
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.crm.oauth import OAuthGrants
from linkus_companion.demo import emulated_host
from linkus_companion.engine.crm_switch import CrmSwitch
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.local_backend import LocalBackend
from linkus_companion.pbx.client import PbxClient
from linkus_companion.runtime import CRM_SECRET
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.zoho import ZohoEmulator
from linkus_companion.store import Store
from linkus_companion.texts import Text

GRACE = "+14155550102"
"""Grace Hopper, a seeded Zoho contact."""


@dataclass
class Opened:
    pops: list[PopRequest] = field(default_factory=list)

    def open(self, request: PopRequest) -> None:
        self.pops.append(request)


@dataclass
class Seen:
    statuses: list[Status] = field(default_factory=list)

    def on_status(self, status: Status) -> None:
        self.statuses.append(status)

    def on_call(self, call: CallView) -> None:
        pass

    def on_pop(self, notice: PopNotice) -> None:
        pass


@dataclass
class Rig:
    pbx: PbxSimulator
    zoho: ZohoEmulator
    settings: Settings
    backend: LocalBackend
    actions: EmbeddedActions
    opened: Opened
    seen: Seen
    hosts: list[EngineHost]

    async def until(self, done: Callable[[], bool], what: str) -> None:
        for _ in range(300):
            if done():
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"{what} did not happen in time")

    async def logged(self, count: int) -> None:
        await self.until(lambda: len(self.zoho.records("Calls")) >= count, f"{count} call log(s)")


@contextlib.asynccontextmanager
async def desktop(tmp_path: Path, *, enabled: bool = True, paused: bool = False) -> AsyncIterator[Rig]:
    """A LocalBackend for 1001 whose host and switch are built as the app builds them, on the emulators."""
    zoho = ZohoEmulator()
    await zoho.start()
    john = next(u.id for u in zoho.org.users.values() if u.email == "john.smith@example.com")
    settings = Settings(UserFile(tmp_path / "settings.json"))
    for key, value in {
        "crm.kind": "zoho",
        "crm.client_id": "1000.ABC",
        "crm.enabled": enabled,
        "binding": {"1001": john},
        "calllog.subject": "Phone call",
        "pop.trigger": "answered",
    }.items():
        settings.set_user(key, value)
    secrets = SecretStore()
    secrets.set(CRM_SECRET, zoho.oauth_client_secret)
    opened, hosts = Opened(), []
    try:
        async with PbxSimulator(step=0.02) as pbx_sim, httpx.AsyncClient(timeout=10) as http:
            grants = OAuthGrants(zoho.oauth_provider(), zoho.oauth_credentials(), http, secrets)
            redirect = f"http://localhost:{free_port()}/oauth/callback"
            zoho.allow_redirect(redirect)
            await grants.authorize(approving_browser(http), redirect_uri=redirect, give_up_after=10)

            @contextlib.asynccontextmanager
            async def open_host() -> AsyncIterator[EngineHost]:
                store = Store.open(tmp_path / "engine.db")
                try:
                    async with PbxClient(pbx_sim.base_url, pbx_sim.client_id, pbx_sim.client_secret) as pbx:
                        host = emulated_host(
                            zoho,
                            settings,
                            pbx=pbx,
                            connector=zoho.connector(http, grants),
                            store=store,
                            opener=opened,
                            extensions=("1001",),
                        )
                        hosts.append(host)
                        yield host
                finally:
                    store.close()

            @contextlib.asynccontextmanager
            async def open_switch(host: EngineHost) -> AsyncIterator[CrmSwitch]:
                yield CrmSwitch(settings, grants, host, secrets=secrets, secret_names=(CRM_SECRET,))

            backend = LocalBackend(open_host, "1001", open_switch=open_switch)
            backend.set_pops_paused(paused)
            seen = Seen()
            backend.add_listener(seen)
            actions = EmbeddedActions(settings, secrets, lambda: None, lambda: backend)
            try:
                yield Rig(pbx_sim, zoho, settings, backend, actions, opened, seen, hosts)
            finally:
                await backend.stop()
    finally:
        await zoho.stop()


async def test_disable_from_the_settings_stops_all_crm_traffic_and_enable_resumes(tmp_path: Path) -> None:
    async with desktop(tmp_path) as rig:
        await rig.backend.start()
        await asyncio.wait_for(rig.hosts[0].connected(), 10)
        assert rig.backend.status.crm is CrmState.CONNECTED
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await rig.logged(1)
        assert len(rig.opened.pops) == 1

        await rig.actions.set_crm_enabled(False)
        assert rig.backend.status.crm is CrmState.DISABLED
        assert rig.seen.statuses[-1].crm is CrmState.DISABLED and "disabled" in rig.seen.statuses[-1].message
        assert rig.settings.get("crm.kind") == "zoho", "Disable keeps every setting"
        requests = rig.zoho.guard.requests
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await asyncio.sleep(0.4)
        assert rig.zoho.guard.requests == requests, "no CRM request while disabled"
        assert len(rig.opened.pops) == 1 and len(rig.zoho.records("Calls")) == 1

        await rig.actions.set_crm_enabled(True)
        await asyncio.wait_for(rig.hosts[0].connected(), 10)
        assert rig.backend.status.crm is CrmState.CONNECTED and rig.backend.status.message == ""
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await rig.logged(2)
        await asyncio.sleep(0.3)
        assert len(rig.zoho.records("Calls")) == 2, "the call made while disabled is never logged"


async def test_disconnect_from_the_settings_clears_the_crm_settings_and_the_sign_in(tmp_path: Path) -> None:
    async with desktop(tmp_path) as rig:
        await rig.backend.start()
        await asyncio.wait_for(rig.hosts[0].connected(), 10)
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await rig.logged(1)

        await rig.actions.disconnect_crm()
        assert rig.backend.status.crm is CrmState.NONE
        assert rig.seen.statuses[-1].crm is CrmState.NONE
        assert rig.settings.get("crm.kind") == "" and rig.settings.get("crm.client_id") == ""
        assert rig.settings.get("pop.trigger") == "answered", "pop settings stay"
        assert SecretStore().get("crm.zoho.grant") is None and SecretStore().get(CRM_SECRET) is None
        assert set(rig.zoho.accounts.refresh) == {rig.zoho.admin_refresh_token}, "the grant was revoked"
        requests = rig.zoho.guard.requests
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await asyncio.sleep(0.4)
        assert rig.zoho.guard.requests == requests and len(rig.zoho.records("Calls")) == 1


async def test_a_disabled_integration_starts_nothing_and_shows_disabled(tmp_path: Path) -> None:
    async with desktop(tmp_path, enabled=False) as rig:
        await rig.backend.start()
        assert rig.backend.status.crm is CrmState.DISABLED
        assert rig.pbx.live_tokens() == 0 and rig.zoho.guard.requests == 0


async def test_actions_without_a_running_backend_say_what_to_do(tmp_path: Path) -> None:
    actions = EmbeddedActions(Settings(UserFile(tmp_path / "s.json")), SecretStore(), lambda: None)
    with pytest.raises(BackendError, match="PBX"):
        await actions.set_crm_enabled(False)
    with pytest.raises(BackendError, match="PBX"):
        await actions.disconnect_crm()


async def test_pops_paused_before_start_apply_at_start(tmp_path: Path) -> None:
    async with desktop(tmp_path, paused=True) as rig:
        await rig.backend.start()
        await asyncio.wait_for(rig.hosts[0].connected(), 10)
        assert rig.hosts[0].engine.pops_paused
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await rig.logged(1)
        assert rig.opened.pops == []
        rig.backend.set_pops_paused(False)
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await rig.logged(2)
        await rig.until(lambda: len(rig.opened.pops) == 1, "a pop once resumed")


async def test_a_crm_outage_shows_within_one_failed_request_and_clears_on_the_next_success(
    tmp_path: Path,
) -> None:
    async with desktop(tmp_path) as rig:
        await rig.backend.start()
        await asyncio.wait_for(rig.hosts[0].connected(), 10)
        assert rig.backend.status.crm is CrmState.CONNECTED
        rig.zoho.set_outage(True)
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await rig.until(lambda: rig.backend.status.crm is CrmState.FAILING, "the CRM shown failing")
        failing = rig.backend.status
        assert "503" in failing.crm_problem and isinstance(failing.crm_problem, Text)
        assert failing.crm_since is not None
        assert rig.seen.statuses[-1].crm is CrmState.FAILING, "the listeners heard it"
        await rig.until(lambda: rig.backend.status.waiting_logs == 1, "the call log counted as waiting")
        chinese = failing.crm_problem.translated(lambda _c, t: t.replace("failed with", "失败"))
        assert "失败" in chinese

        rig.zoho.set_outage(False)
        await rig.logged(1)
        await rig.until(lambda: rig.backend.status.crm is CrmState.CONNECTED, "the CRM shown connected")
        assert rig.backend.status.crm_problem == ""
        await rig.until(lambda: rig.seen.statuses[-1].waiting_logs == 0, "the listeners heard it delivered")
        assert rig.seen.statuses[-1].crm is CrmState.CONNECTED
