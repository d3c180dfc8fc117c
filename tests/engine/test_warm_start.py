"""Warm start: the first call after start, after a new sign-in, after the CRM came back or after a quiet
spell sends only its searches, on connections already open (discovery, token and connection set-up
came before it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from benchmarks import _rig


async def _call(w: _rig.World, caller: str) -> tuple[list[str], int]:
    """Ring a known caller: the kinds of the CRM requests sent until the pop, and how many of them came
    on a connection opened since the ring (HEAD requests are the host keeping ready, not the call)."""
    await w.crm.seed_contact(caller, "Ada", "Lovelace")
    mark = await w.wan.mark()
    call_id = await w.pbx.inbound(caller, "1001", talk=0.05, record=False)
    await w.opener.wait(lambda r: r.call_id == call_id and r.trigger == "ringing")
    log = await w.wan.log_since(0)
    before = {port for *_, port, _ in log[:mark]}
    calls = [(m, p, q, port) for m, p, q, port, _ in log[mark:] if m != "HEAD"]
    return [_rig.classify(m, p, q) for m, p, q, _ in calls], sum(port not in before for *_, port in calls)


async def _quiet(w: _rig.World, *, expect: bool = True, patience: float = 15.0) -> None:
    """Wait until the CRM has seen no request for 0.5 s (after at least one, when `expect`)."""
    mark = await w.wan.mark()
    seen = -1
    for _ in range(int(patience / 0.5)):
        await asyncio.sleep(0.5)
        now = len([r for r in await w.wan.since(mark) if r[0] != "HEAD"])
        if now == seen and (now or not expect):
            return
        seen = now
    raise AssertionError("the CRM did not settle")


def _searches_only(kind: str) -> list[str]:
    return ["search"] * (3 if kind == "zoho" else 1)


@pytest.mark.parametrize("kind", _rig.CRM_KINDS)
async def test_the_first_call_after_start_and_after_signing_in_again_sends_only_searches(
    kind: str, tmp_path: Path
) -> None:
    """After the new sign-in the restarted host's grant comes from the keyring: its token is refreshed
    and the discovery done at start, not by the call."""
    async with _rig.world(kind, tmp_path, extensions=("1001",)) as w:
        assert await _call(w, "+14155550143") == (_searches_only(kind), 0)
        await _rig.delivered(w, 1)
        await w.sign_in_again()
        await _quiet(w, expect=False)  # the restarted host's catch-up (the first call from the PBX's CDR)
        assert await _call(w, "+14155550144") == (_searches_only(kind), 0)


async def test_discovery_missed_at_start_is_done_in_the_background_once_the_crm_answers(
    tmp_path: Path,
) -> None:
    """Zoho's org is learnt from its API (HubSpot's account comes with the sign-in, and Salesforce's
    version list answers even while the data API is down)."""
    async with _rig.world("zoho", tmp_path, extensions=("1001",), crm_down_at_start=True) as w:
        await w.crm.set_outage(False)
        await _quiet(w)
        assert await _call(w, "+14155550145") == (_searches_only("zoho"), 0)


@pytest.mark.parametrize("kind", _rig.CRM_KINDS)
async def test_a_call_after_a_quiet_spell_finds_the_connections_kept_open(kind: str, tmp_path: Path) -> None:
    """The client drops a connection idle for 1 s here (55 s in the app): the host's warm-ups every
    0.2 s (50 s in the app) keep them in use, with room for a loaded machine's late timers."""
    async with _rig.world(kind, tmp_path, extensions=("1001",), idle_expiry=1.0, keep_ready_every=0.2) as w:
        await asyncio.sleep(2.2)
        assert await _call(w, "+14155550146") == (_searches_only(kind), 0)


async def test_without_warm_ups_in_a_quiet_spell_the_call_opens_its_own_connection(tmp_path: Path) -> None:
    async with _rig.world(
        "hubspot", tmp_path, extensions=("1001",), idle_expiry=1.0, keep_ready_every=60
    ) as w:
        await asyncio.sleep(2.2)
        assert (await _call(w, "+14155550147"))[1] > 0


@pytest.mark.parametrize("kind", _rig.CRM_KINDS)
async def test_a_caller_ringing_while_the_last_calls_log_is_delivered_finds_a_connection_open(
    kind: str, tmp_path: Path
) -> None:
    """At 50 ms RTT the first call's log is still on its way (one connection) when the next caller rings."""
    async with _rig.world(kind, tmp_path, rtt=0.05, extensions=("1001",)) as w:
        await _call(w, "+14155550148")
        sent, opened = await _call(w, "+14155550149")
        assert [k for k in sent if k not in ("log", "log-check")] == _searches_only(kind) and opened == 0
