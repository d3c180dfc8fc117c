"""Warm start: the first call after start, after a new sign-in, or after the CRM came back sends only
its searches, on connections already open (discovery, token and connection set-up came before it)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from benchmarks import _rig

CALLER = "+14155550143"


async def _first_call(w: _rig.World) -> tuple[list[str], int]:
    """Ring a known caller: the kinds of the CRM requests sent until the pop, and connections opened."""
    w.crm.seed_contact(CALLER, "Ada", "Lovelace")
    mark, connections = w.wan.mark(), w.wan.connections()
    call_id = await w.pbx.inbound(CALLER, "1001", talk=0.05, record=False)
    await w.opener.wait(lambda r: r.call_id == call_id and r.trigger == "ringing")
    kinds = [_rig.classify(*request) for request in w.wan.since(mark)]
    return kinds, w.wan.connections() - connections


async def _quiet(w: _rig.World, patience: float = 15.0) -> None:
    """Wait until the CRM has seen an answered request after now and nothing more for 0.5 s."""
    mark = w.wan.mark()
    for _ in range(int(patience / 0.1)):
        await asyncio.sleep(0.1)
        seen = len(w.wan.since(mark))
        if seen:
            await asyncio.sleep(0.5)
            if len(w.wan.since(mark)) == seen:
                return
    raise AssertionError("the CRM saw no request")


@pytest.mark.parametrize("kind", _rig.CRM_KINDS)
async def test_the_first_call_after_start_sends_only_searches_on_open_connections(
    kind: str, tmp_path: Path
) -> None:
    async with _rig.world(kind, tmp_path, extensions=("1001",)) as w:
        kinds, opened = await _first_call(w)
        assert kinds and set(kinds) == {"search"}, kinds
        assert len(kinds) == (3 if kind == "zoho" else 1)
        assert opened == 0


async def test_discovery_missed_at_start_is_done_in_the_background_once_the_crm_answers(
    tmp_path: Path,
) -> None:
    """Zoho's org is learnt from its API (HubSpot's account comes with the sign-in, and Salesforce's
    version list answers even while the data API is down)."""
    async with _rig.world("zoho", tmp_path, extensions=("1001",), crm_down_at_start=True) as w:
        w.crm.set_outage(False)
        await _quiet(w)
        kinds, opened = await _first_call(w)
        assert set(kinds) == {"search"}, kinds
        assert opened == 0


@pytest.mark.parametrize("kind", _rig.CRM_KINDS)
async def test_the_first_call_after_signing_in_again_sends_only_searches(kind: str, tmp_path: Path) -> None:
    """The restarted host's grant comes from the keyring: its token is refreshed at start, not by the call."""
    async with _rig.world(kind, tmp_path, extensions=("1001",)) as w:
        await w.sign_in_again()
        kinds, opened = await _first_call(w)
        assert kinds and set(kinds) == {"search"}, kinds
        assert opened == 0
