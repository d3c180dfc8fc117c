"""The gateway topology end to end: PBX simulator, HubSpot emulator, a gateway and three desktops."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_rig import Seen, Site, until
from websockets.asyncio.client import connect

from linkus_companion.backend import BackendError, CallPhase, LinkState
from linkus_companion.crm import hubspot
from linkus_companion.gateway import protocol
from linkus_companion.gateway.demo import gateway_world
from linkus_companion.model import CallNote, Disposition, NewRecord, RecordKind
from linkus_companion.sim import scenario
from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import Fault

KNOWN = scenario.KNOWN[0][2]


async def test_each_desktop_sees_only_its_own_calls(site: Site) -> None:
    world = site.world
    call_id = await world.pbx.inbound(KNOWN, "1001", talk=0.2)
    await until(lambda: f"{call_id}:1001" in site.keys())
    await until(lambda: any(c.phase is CallPhase.ENDED for c in site.seen["1001"].calls))
    ended = [c for c in site.seen["1001"].calls if c.call_id == call_id][-1]
    assert ended.chosen is not None and ended.chosen.id == world.people.known[KNOWN]
    assert [p.extension for p in site.seen["1001"].pops] == ["1001"]
    assert world.openers["1001"].pops[0].url == site.seen["1001"].pops[0].url
    for other in ("1002", "1003"):
        await world.desktops[other].flush()
        assert site.seen[other].calls == [] and site.seen[other].pops == []
        assert world.desktops[other].recent_calls() == []
    assert [c.call_id for c in world.desktops["1001"].recent_calls()] == [call_id]


async def test_queue_call_creates_one_record_and_logs_by_the_missed_call_rule(site: Site) -> None:
    world = site.world
    caller = "+16285559001"
    missed = await world.pbx.inbound_queue(caller, "6400", answered_by=None, talk=0.2)
    answered = await world.pbx.inbound_queue(caller, "6400", answered_by="1002", talk=0.2)
    await until(lambda: {f"{missed}:1001", f"{answered}:1002"} <= set(site.keys()))
    await world.gateway.host.engine.settled()
    for backend in world.desktops.values():
        await backend.flush()
    created = [n for n in world.crm.record_names().values() if n.startswith("Automatic New Contact")]
    assert created == [f"Automatic New Contact {caller}"]
    assert sorted(k for k in site.keys() if k.split(":")[0] in (missed, answered)) == sorted(
        [f"{missed}:1001", f"{answered}:1002"]
    )
    for extension in scenario.AGENTS:
        assert {missed, answered} <= site.seen[extension].call_ids()
        assert {p.call_id for p in site.seen[extension].pops} == {missed, answered}


async def test_refused_or_revoked_desktops_receive_nothing(site: Site) -> None:
    world = site.world
    revoked = world.desktops["1003"]
    assert world.gateway.authority.revoke(extension="1003") == 1
    await until(lambda: revoked.status.link is LinkState.ERROR)
    assert "revoked" in revoked.status.message
    call_id = await world.pbx.inbound(KNOWN, "1003", talk=0.2)
    await until(lambda: f"{call_id}:1003" in site.keys())
    assert call_id not in site.seen["1003"].call_ids()
    assert world.gateway.metrics.value("gateway_auth_refused_total", reason="revoked") >= 1


async def test_desktop_actions_stay_within_its_extension(site: Site) -> None:
    world = site.world
    one, two = world.desktops["1001"], world.desktops["1002"]
    call = asyncio.create_task(world.pbx.outbound("1001", "+16285559002", talk=1.5))
    await until(lambda: any(c.phase is CallPhase.TALKING for c in site.seen["1001"].calls))
    call_id = site.seen["1001"].calls[-1].call_id
    with pytest.raises(BackendError, match="not one of this extension's calls"):
        await two.open_in_crm(call_id)
    new = NewRecord(RecordKind.CONTACT, "+16285559002", first_name="Nia", last_name="New")
    record = await one.create_record(call_id, new)
    assert world.crm.record_names()[record.id] == "Nia New"
    url = await one.open_in_crm(call_id)
    assert url == record.url and world.openers["1001"].pops[-1].trigger == "manual"
    assert [r.id for r in await one.suggest("+16285559002")] == [record.id]
    await call
    await until(lambda: f"{call_id}:1001" in site.keys())
    log = next(x for x in world.crm.call_logs() if x.idempotency_key == f"{call_id}:1001")
    assert log.record_id == record.id and log.owner_id == world.people.users["1001"]
    await two.dial("+16285559003")
    await until(lambda: any(c.number == "+16285559003" for c in site.seen["1002"].calls))


async def test_a_desktop_note_reaches_its_call_log_through_the_gateway(site: Site) -> None:
    world = site.world
    one, two = world.desktops["1001"], world.desktops["1002"]
    assert Disposition.LEFT_VOICEMAIL in one.status.dispositions  # the picker gets HubSpot's outcomes
    call_id = await world.pbx.outbound("1001", "+16285559004", talk=0.2)
    key = f"{call_id}:1001"
    await until(lambda: key in site.keys())
    with pytest.raises(BackendError, match="not one of this extension's calls"):
        await two.save_note(call_id, CallNote("not mine"))
    await one.save_note(call_id, CallNote("Left the pricing on voicemail", Disposition.LEFT_VOICEMAIL))

    def logged() -> list[LoggedCall]:
        return [x for x in world.crm.call_logs() if x.idempotency_key == key]

    await until(lambda: "pricing" in logged()[0].description)
    assert len(logged()) == 1 and logged()[0].outcome == hubspot.PICKED[Disposition.LEFT_VOICEMAIL]
    assert "not mine" not in logged()[0].description


async def test_restart_mid_call_loses_and_doubles_no_call_log(site: Site) -> None:
    world = site.world
    first = await world.pbx.inbound(KNOWN, "1002", talk=0.2)
    await until(lambda: f"{first}:1002" in site.keys())
    call = asyncio.create_task(world.pbx.inbound(KNOWN, "1002", talk=1.0))
    await until(lambda: any(c.phase is CallPhase.TALKING for c in site.seen["1002"].calls[1:]))

    async def call_ends() -> None:
        await call

    await world.restart(down=call_ends)
    call_id = call.result()
    for backend in world.desktops.values():
        await until(lambda b=backend: b.status.link is LinkState.CONNECTED)  # type: ignore[misc]
        await asyncio.wait_for(backend.connected(), 10)
    await until(lambda: f"{call_id}:1002" in site.keys())
    await asyncio.sleep(0.5)
    assert site.keys().count(f"{call_id}:1002") == 1 and site.keys().count(f"{first}:1002") == 1
    assert any(s.link is LinkState.RECONNECTING for s in site.seen["1002"].statuses)


async def test_health_metrics_and_capability_recordings(site: Site) -> None:
    world = site.world
    call_id = await world.pbx.inbound(KNOWN, "1001", talk=0.2)
    await until(lambda: f"{call_id}:1001" in site.keys())
    link = next(x.recording_url for x in world.crm.call_logs() if x.idempotency_key == f"{call_id}:1001")
    assert link.startswith(world.url + "/recordings/")
    async with httpx.AsyncClient(verify=world.tls.client_context()) as http:
        health = (await http.get(world.url + "/health")).json()
        assert health["status"] == "ok" and health["desktops"] == 3
        metrics = (await http.get(world.url + "/metrics")).text
        assert "gateway_desktops_connected 3" in metrics
        assert 'gateway_pops_total{trigger="ringing"} 1' in metrics
        played = await http.get(link)  # no cookie, no token: the long random link is the credential
        assert played.status_code == 200 and played.headers["content-type"].startswith("audio/")
        assert "set-cookie" not in played.headers
        forged = await http.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
        assert forged.status_code == 404 and "unknown" in forged.text


async def test_the_browser_sign_in_stays_for_the_gateway_ui_and_recordings_need_none(site: Site) -> None:
    world = site.world
    call_id = await world.pbx.inbound(KNOWN, "1002", talk=0.2)
    await until(lambda: f"{call_id}:1002" in site.keys())
    link = next(x.recording_url for x in world.crm.call_logs() if x.idempotency_key == f"{call_id}:1002")
    sign_in = await world.desktops["1002"].browser_sign_in_link()
    page, _, ticket = sign_in.partition("#")
    assert page == world.url + "/browser" and ticket
    async with httpx.AsyncClient(verify=world.tls.client_context()) as browser:
        html = {"accept": "text/html"}
        player = await browser.get(link, headers=html)
        assert player.status_code == 200 and "<audio" in player.text
        assert (await browser.get(link + "/audio")).content[:4] == b"RIFF"
        assert "fetch(" in (await browser.get(page)).text
        signed = await browser.post(page + "/session", json={"ticket": ticket})
        assert signed.status_code == 200 and "httponly" in signed.headers["set-cookie"].lower()
        chinese = {"accept-language": "zh-CN,zh;q=0.9"}
        reused = await browser.post(page + "/session", json={"ticket": ticket}, headers=chinese)
        assert reused.status_code == 401 and "此登录链接已使用或已过期" in reused.json()["error"]
        signing = (await browser.get(page, headers=chinese)).text
        assert '<html lang="zh-CN">' in signing and "正在登录此浏览器" in signing and "Signing" not in signing
        assert "此浏览器现在可以播放此网关的通话录音" in signing
        world.gateway.host.recordings.revoke_call(call_id)  # type: ignore[union-attr]
        assert (await browser.get(link + "/audio")).status_code == 410


async def test_desktops_renew_expiring_tokens_without_missing_calls(tmp_path: Path) -> None:
    lines: list[str] = []
    async with gateway_world("hubspot", tmp_path, lines.append, access_ttl=dt.timedelta(seconds=1)) as world:
        desktop = await world.desktop("1001", lines.append)
        seen = Seen()
        desktop.add_listener(seen)
        await asyncio.sleep(2.5)  # at least two tokens expire and are renewed
        call_id = await world.pbx.inbound(KNOWN, "1001", talk=0.1)
        await until(lambda: call_id in seen.call_ids())
        assert world.gateway.metrics.value("gateway_auth_refused_total", reason="websocket") == 0
        assert len(seen.statuses) >= 2  # each renewal reconnects and greets again
        assert all(s.link is not LinkState.ERROR for s in seen.statuses)


async def test_malformed_requests_are_answered_and_the_desktop_stays_connected(site: Site) -> None:
    world = site.world
    grant = world.gateway.authority.redeem(world.gateway.authority.enroll("1003", "c@example.com").code)
    url = world.url.replace("https", "wss") + protocol.PATH
    headers = {"Authorization": f"Bearer {grant.access_token}"}
    async with connect(url, additional_headers=headers, ssl=world.tls.client_context()) as ws:
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello" and hello["extension"] == "1003"
        await ws.send(json.dumps({"type": "request", "id": 5, "op": "explode", "args": {}}))
        await ws.send("not json")
        replies = [json.loads(await ws.recv()) for _ in range(2)]
        assert sorted((r["id"], r["ok"]) for r in replies) == [(0, False), (5, False)]
        await ws.send(json.dumps(protocol.request(6, "ping")))
        assert json.loads(await ws.recv()) == protocol.reply_ok(6, None)
    assert world.gateway.metrics.value("gateway_requests_total", op="invalid", ok="false") == 2


async def test_health_and_metrics_say_the_crm_quota_is_spent(site: Site) -> None:
    world = site.world
    assert isinstance(world.crm, HubSpotEmulator)
    world.crm.inject_fault(Fault(429, policy="DAILY", remaining=1_000_000))
    call_id = await world.pbx.inbound(KNOWN, "1001", talk=0.1)
    assert call_id
    async with httpx.AsyncClient(verify=world.tls.client_context()) as http:

        async def health() -> Any:
            return (await http.get(world.url + "/health")).json()

        for _ in range(200):
            if (await health())["outbox"]["quota_until"]:
                break
            await asyncio.sleep(0.05)
        body = await health()
        assert body["status"] == "degraded" and body["outbox"]["waiting"] >= 1
        assert "daily API limit is used up" in body["outbox"]["problem"]
        assert "call log(s) wait and go out by themselves" in body["outbox"]["problem"]
        assert "gateway_crm_quota_spent 1" in (await http.get(world.url + "/metrics")).text
