"""Gateway replicas on PostgreSQL share one sealed CRM grant: authorised once, refreshed by the leader, read by the next."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

from linkus_companion.gateway import commands
from linkus_companion.gateway.config import SIGNING_SECRET, GatewayConfig, load
from linkus_companion.gateway.sealed_row import SealedRow
from linkus_companion.gateway.server_secrets import ServerSecrets
from linkus_companion.runtime import CRM_SECRET, crm_grants, make_connector
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim.browser import approving_browser
from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.store import Store

GRANT = "crm.salesforce.grant"


def _replica(
    tmp_path: Path, name: str, emulator: SalesforceEmulator, redirect: str, state: str
) -> GatewayConfig:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'[gateway]\npublic_url = "https://{name}.example.com:8443/"\nstate_dir = "{tmp_path / name}"\n'
        f'state = "{state}"\n'
        f'[settings]\n"crm.kind" = "salesforce"\n"crm.client_id" = "{emulator.oauth_client_id}"\n'
        f'"crm.salesforce_login" = "{emulator.base_url}"\n"crm.redirect_uri" = "{redirect}"\n',
        encoding="utf-8",
    )
    return load(path)


async def test_authorised_on_one_replica_refreshed_by_the_leader_used_by_the_next(
    tmp_path: Path, postgres_url: str
) -> None:
    async with SalesforceEmulator() as emulator:  # Salesforce rotates the refresh token on every refresh
        redirect = f"http://localhost:{free_port()}/callback"
        emulator.allow_redirect(redirect)
        a, b = (_replica(tmp_path, name, emulator, redirect, postgres_url) for name in ("a", "b"))
        SecretStore().set(CRM_SECRET, emulator.oauth_client_secret)
        SecretStore().set(SIGNING_SECRET, "a-sealing-secret-of-the-site-0123")
        trust = ssl.create_default_context(cafile=str(emulator.ca_file))
        async with httpx.AsyncClient(verify=trust, timeout=10) as browser:
            await commands.authorize_crm(a, opener=approving_browser(browser), verify=trust, give_up_after=10)
        assert ServerSecrets(a.state_dir).get(GRANT) is None, "nothing left in replica A's own state dir"
        store = Store.open(postgres_url)
        async with httpx.AsyncClient(verify=trust, timeout=10) as client:
            on_b = crm_grants(
                b.open_settings(), client, commands.grant_keeper(b, store, ServerSecrets(b.state_dir))
            )
            assert on_b.connected(), "replica B sees the grant replica A authorised"
            assert await (await make_connector("salesforce", client, on_b, "US")).list_users()

            on_a = crm_grants(
                a.open_settings(), client, commands.grant_keeper(a, store, ServerSecrets(a.state_dir))
            )
            for _ in range(3):  # A leads and refreshes: each refresh rotates the token and shares the new one
                await on_a.refreshed(await on_a.current())  # the CRM refused the access token in use
            (live,) = emulator.oauth.refresh_grants
            # B, leader again with its old copy in memory, refreshes with the token A rotated last
            fresh = await on_b.refreshed(await on_b.current())
            assert (
                fresh.access_token
                and await (await make_connector("salesforce", client, on_b, "US")).list_users()
            )
            (rotated,) = emulator.oauth.refresh_grants
            assert rotated != live
            with store.transaction() as db:
                (row,) = db.execute("SELECT value FROM meta WHERE key = ?", (GRANT,)).fetchone()
            assert (
                row.startswith("linkus-sealed-v1:") and rotated not in row and fresh.access_token not in row
            )
            assert commands.grant_keeper(a, store, ServerSecrets(a.state_dir)).get(GRANT) is not None
            assert rotated in str(commands.grant_keeper(a, store, ServerSecrets(a.state_dir)).get(GRANT))
        store.close()


def test_a_refresh_that_lost_the_race_does_not_overwrite_the_winner(postgres_url: str) -> None:
    store = Store.open(postgres_url)
    row = SealedRow(store, "a-sealing-secret-of-the-site-0123", GRANT, "CRM grant")
    assert row.replace(None, "first") and row.read() == "first"
    assert row.replace("first", "won")
    assert not row.replace("first", "lost"), "the replica that read 'first' before the winner wrote"
    assert row.read() == "won"
    assert not row.replace(None, "late"), "only one replica creates the row"
    store.close()
