"""Zoho PhoneBridge mode over the PBX simulator and the Zoho emulator: call states, Zoho's logs, click-to-dial."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from engine_rig import FixedGrant, Recorder
from starlette.applications import Starlette

from linkus_companion.crm.base import AccessGrant
from linkus_companion.crm.phonebridge import PhoneBridge
from linkus_companion.crm.zoho import ZohoConnector
from linkus_companion.engine.call_log import LogPolicy
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.phonebridge_mode import (
    AUTH_HEADER,
    ClickToDial,
    PhoneBridgeMode,
    click_to_dial_key,
)
from linkus_companion.engine.policies import Policies
from linkus_companion.engine.screen_pop import PopPolicy
from linkus_companion.pbx.calls import Call
from linkus_companion.pbx.client import PbxClient
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import serving
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.zoho import ZohoEmulator
from linkus_companion.store import Store

GRACE = "+14155550102"
"""Grace Hopper, a seeded Zoho contact stored as (415) 555-0102."""
UNKNOWN = "+14155550199"


@dataclass
class Rig:
    pbx: PbxSimulator
    zoho: ZohoEmulator
    host: EngineHost
    mode: PhoneBridgeMode
    opener: Recorder
    users: dict[str, str]
    """Extension -> Zoho user id bound to it (1003's user lacks the PhoneBridge permission)."""

    def states(self, call_id: str, extension: str) -> list[str]:
        leg = f"{call_id}:{extension}"
        return [n["state"] for n in self.zoho.phonebridge.notifications if n["id"] == leg]

    async def until(self, done: Callable[[], bool]) -> None:
        for _ in range(200):
            if done():
                return
            await asyncio.sleep(0.025)
        raise AssertionError("PhoneBridge notifications did not arrive in time")


def recording(call: Call) -> str:
    return f"https://gateway.example/recordings/{call.call_id}"


@contextlib.asynccontextmanager
async def phonebridge_rig(tmp_path: Path) -> AsyncIterator[Rig]:
    zoho = ZohoEmulator()
    await zoho.start()
    users = {u.email: u.id for u in zoho.org.users.values()}
    bound = {
        "1001": users["john.smith@example.com"],
        "1002": users["amy.lee@example.com"],
        "1003": users["mia.chen@example.com"],
    }
    # PhoneBridge mode: no pops and no call logs of our own (Zoho pops and logs)
    policies = Policies(pop=PopPolicy(enabled=False), log=LogPolicy(enabled=False), manual_binding=bound)
    store = Store.open(tmp_path / "engine.db")
    try:
        async with (
            PbxSimulator(step=0.02) as pbx_sim,
            httpx.AsyncClient(timeout=10) as http,
            PbxClient(pbx_sim.base_url, pbx_sim.client_id, pbx_sim.client_secret) as pbx,
        ):
            grants = FixedGrant(AccessGrant(zoho.admin_token, zoho.base_url, {"web_base": zoho.web_url}))
            opener = Recorder()
            host = EngineHost(
                pbx=pbx,
                connector=ZohoConnector(http, grants),
                store=store,
                policies=policies,
                opener=opener,
                crm_web_origins=(zoho.web_origin,),
                extensions=("1001", "1002", "1003"),
            )
            mode = PhoneBridgeMode(
                PhoneBridge(http, grants),
                lambda: host.bindings,
                recording_link=recording,
                closed_before=lambda call_id: bool(host.call_log.states(call_id)),
            )
            host.engine.add_listener(mode)
            await host.start()
            await mode.start()
            await asyncio.wait_for(host.connected(), 10)
            try:
                yield Rig(pbx_sim, zoho, host, mode, opener, bound)
            finally:
                await mode.close()
                await host.stop()
    finally:
        store.close()
        await zoho.stop()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with phonebridge_rig(tmp_path) as running:
        yield running


async def test_an_answered_call_is_pushed_state_by_state_and_zoho_logs_it(rig: Rig) -> None:
    assert rig.zoho.phonebridge.enabled_by == rig.zoho.oauth_client_id
    call_id = await rig.pbx.inbound(GRACE, "1001", talk=0.05)
    await rig.until(lambda: "ended" in rig.states(call_id, "1001"))
    assert rig.states(call_id, "1001") == ["ringing", "answered", "ended"]
    ended = rig.zoho.phonebridge.notifications[-1]
    assert ended["type"] == "received" and (ended["from"], ended["to"]) == (GRACE, "1001")
    assert ended["zohouser"] == rig.users["1001"]
    assert ended["voiceuri"] == f"https://gateway.example/recordings/{call_id}"
    assert int(ended["duration"]) >= 1 and ended["start_time"]
    [logged] = rig.zoho.records("Calls")
    grace = next(c for c in rig.zoho.records("Contacts") if c["Last_Name"] == "Hopper")
    assert (logged["Call_Type"], logged["Who_Id"]["id"], logged["Owner"]["id"]) == (
        "Inbound",
        grace["id"],
        rig.users["1001"],
    )
    await rig.host.engine.settled()
    assert rig.opener.pops == [] and rig.host.outbox.pending() == []


async def test_a_missed_call_is_missed_and_the_queue_rule_decides_who_hears_the_end(rig: Rig) -> None:
    missed = await rig.pbx.inbound(UNKNOWN, "1002", answer=False)
    answered = await rig.pbx.inbound_queue(UNKNOWN, "6400", answered_by="1002", talk=0.05)
    nobody = await rig.pbx.inbound_queue(UNKNOWN, "6400", answered_by=None)
    await rig.until(lambda: "missed" in rig.states(nobody, "1001"))
    assert rig.states(missed, "1002") == ["ringing", "missed"]
    assert rig.states(answered, "1002") == ["ringing", "answered", "ended"]
    assert rig.states(answered, "1001") == ["ringing"]  # did not answer: no missed log for the agent
    assert rig.states(nobody, "1001") == ["ringing", "missed"]  # one missed log for the queue call
    assert rig.states(nobody, "1002") == ["ringing"]
    assert all(rig.states(c, "1003") == [] for c in (answered, nobody))  # no PhoneBridge permission
    kinds = sorted(c["Call_Type"] for c in rig.zoho.records("Calls"))
    assert kinds == ["Inbound", "Missed", "Missed"]


async def test_dialed_calls_report_their_outcome(rig: Rig) -> None:
    answered = await rig.pbx.outbound("1001", GRACE, talk=0.05)
    busy = await rig.pbx.outbound("1001", "+14155550123", result="busy")
    unanswered = await rig.pbx.outbound("1002", "+14155550124", result="no_answer")
    await rig.until(lambda: "noanswer" in rig.states(unanswered, "1002"))
    assert rig.states(answered, "1001") == ["ringing", "answered", "ended"]
    assert rig.states(busy, "1001") == ["ringing", "busy"]
    assert rig.states(unanswered, "1002") == ["ringing", "noanswer"]
    first = next(n for n in rig.zoho.phonebridge.notifications if n["id"] == f"{answered}:1001")
    assert (first["type"], first["from"], first["to"]) == ("dialed", "1001", GRACE)


async def test_a_transfer_names_the_call_it_came_from(rig: Rig) -> None:
    call_id = await rig.pbx.attended_transfer(GRACE, "1001", "1002", talk=0.05)
    await rig.until(lambda: "ended" in rig.states(call_id, "1002"))
    assert rig.states(call_id, "1001")[-1] == "ended"
    ended = [n for n in rig.zoho.phonebridge.notifications if n["id"] == f"{call_id}:1002"][-1]
    assert ended["transferredcallid"] == f"{call_id}:1001"


async def test_click_to_dial_from_zoho_rings_the_bound_extension(rig: Rig) -> None:
    dialer = ClickToDial(rig.mode, rig.host.pbx, click_to_dial_key(SecretStore()))
    async with serving(_app(dialer)) as gateway:
        uri = f"{gateway.base_url}/phonebridge/clicktodial"
        assert await dialer.register(uri) == sorted([rig.users["1001"], rig.users["1002"]])
        response = await rig.zoho.click_to_dial(rig.users["1001"], GRACE)
        assert response.status_code == 200, response.text
        await rig.until(
            lambda: any(
                n["type"] == "dialed" and n["state"] == "ended" for n in rig.zoho.phonebridge.notifications
            )
        )
        dialed = [n for n in rig.zoho.phonebridge.notifications if n["type"] == "dialed"]
        assert {(n["from"], n["to"]) for n in dialed} == {("1001", GRACE)}

        refused = await rig.zoho.click_to_dial(rig.users["1002"], "not a number")
        assert refused.status_code == 400
        rig.pbx.directory.extensions.pop("1002")  # the PBX now refuses to ring it
        failed = await rig.zoho.click_to_dial(rig.users["1002"], GRACE)
        assert failed.status_code == 502
        errors = [(e["code"], e["from"], e["to"], e["zohouser"]) for e in rig.zoho.phonebridge.dial_errors]
        assert errors == [
            ("invalid", "1002", "not a number", rig.users["1002"]),
            ("invalid", "1002", GRACE, rig.users["1002"]),
        ]


async def test_click_to_dial_refuses_forged_credentials_unbound_users_and_a_disabled_integration(
    rig: Rig,
) -> None:
    dialer = ClickToDial(rig.mode, rig.host.pbx, click_to_dial_key(SecretStore()))
    async with serving(_app(dialer)) as gateway, httpx.AsyncClient() as client:
        url = f"{gateway.base_url}/phonebridge/clicktodial"
        amy, john = rig.users["1002"], rig.users["1001"]
        forms = [
            ({"zohouser": john, "tonumber": GRACE}, {}),
            ({"zohouser": john, "tonumber": GRACE}, {AUTH_HEADER: dialer.credential(amy)}),
            ({"zohouser": john, "tonumber": GRACE}, {AUTH_HEADER: "0" * 64}),
        ]
        for form, headers in forms:
            assert (await client.post(url, data=form, headers=headers)).status_code == 401
        mia = rig.users["1003"]  # bound, but without the PhoneBridge permission
        form = {"zohouser": mia, "tonumber": GRACE}
        denied = await client.post(url, data=form, headers={AUTH_HEADER: dialer.credential(mia)})
        assert denied.status_code == 403
        await rig.mode.close()  # the integration was disabled
        form, headers = {"zohouser": john, "tonumber": GRACE}, {AUTH_HEADER: dialer.credential(john)}
        assert (await client.post(url, data=form, headers=headers)).status_code == 503
    assert rig.pbx.calls.live == {} and rig.zoho.phonebridge.notifications == []


async def test_the_disabled_integration_or_an_unbound_user_is_not_notified(tmp_path: Path) -> None:
    async with phonebridge_rig(tmp_path) as rig:
        await rig.mode.detach()
        assert rig.zoho.phonebridge.enabled_by is None
        await rig.pbx.inbound(GRACE, "1001", talk=0.05)
        await rig.pbx.inbound(GRACE, "1003", talk=0.05)
        await rig.host.engine.settled()
        await rig.mode.close()
    assert rig.zoho.phonebridge.notifications == [] and rig.zoho.records("Calls") == []


def _app(dialer: ClickToDial) -> Starlette:
    return Starlette(routes=dialer.routes())
