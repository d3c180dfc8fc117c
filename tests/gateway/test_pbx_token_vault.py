"""Gateway replicas share one PBX token pair through the store: leaders that die never use up the PBX's 8 slots."""

from __future__ import annotations

from pathlib import Path

from linkus_companion.gateway.pbx_token_vault import StoreTokenVault
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxTokenLimit
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.store import Store

SECRET = "a-sealing-secret-of-the-site-0123"


async def test_twelve_leaders_killed_in_turn_hold_one_token_between_them(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "site.db")
    async with PbxSimulator() as pbx:
        for _ in range(12):  # each leader dies without revoking (SIGKILL): no close()
            client = PbxClient(pbx.base_url, pbx.client_id, pbx.client_secret)
            client.keep_tokens_in(StoreTokenVault(store, SECRET))
            assert (await client.system_information()).firmware
            await client._transport.aclose()
        assert pbx.tokens.live_tokens() == 1, "each new leader took over the dead one's token"
        with store.transaction() as db:
            (kept,) = db.execute("SELECT value FROM meta WHERE key = 'pbx_token'").fetchone()
        token = (await client.token()).access
        assert token not in kept and kept.startswith("linkus-sealed-v1:"), "sealed at rest"
        for _ in range(8):  # without the vault, dead leaders' tokens pile up until the PBX refuses one
            bare = PbxClient(pbx.base_url, pbx.client_id, pbx.client_secret)
            try:
                await bare.system_information()
            except PbxTokenLimit:
                break
            finally:
                await bare._transport.aclose()
        else:
            raise AssertionError("the simulator allowed more than 8 live tokens")
    store.close()


async def test_a_token_that_does_not_open_means_a_new_login(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "site.db")
    async with PbxSimulator() as pbx:
        first = PbxClient(pbx.base_url, pbx.client_id, pbx.client_secret)
        first.keep_tokens_in(StoreTokenVault(store, SECRET))
        await first.system_information()
        other = PbxClient(pbx.base_url, pbx.client_id, pbx.client_secret)
        other.keep_tokens_in(StoreTokenVault(store, "another-secret-of-16-or-more"))
        assert (await other.system_information()).firmware
        assert (await other.token()).access != (await first.token()).access
        await first.close()
        await other.close()
    store.close()
