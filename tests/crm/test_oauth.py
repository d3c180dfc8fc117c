"""OAuth end to end against each CRM emulator: browser sign-in to our loopback listener, refresh, revoke.

The harness interface (including `oauth_provider`, `oauth_credentials`, `allow_redirect`,
`expire_access_token`, `connector_for`) is written down in tests/crm/test_contract.py.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from linkus_companion.crm.base import AccessGrant, AuthExpired
from linkus_companion.crm.oauth import ClientCredentials, OAuthGrants, SignInFailed
from linkus_companion.crm.oauth_loopback import LoopbackRedirect
from linkus_companion.crm.oauth_providers import HubSpotVersion, RevokeStyle, hubspot, salesforce, zoho
from linkus_companion.secrets import SecretStore
from linkus_companion.serving import free_port
from linkus_companion.sim.memory_keyring import MemoryKeyring
from linkus_companion.sim.zoho import ZohoEmulator
from tests.crm.conftest import browser, emulator_client, open_harness


@dataclass
class Flow:
    """A harness, an OAuth grant source for its emulator, and the client its 'browser' uses."""

    harness: Any
    grants: OAuthGrants
    client: httpx.AsyncClient
    redirect_uri: str
    token_posts: list[str]

    @property
    def secret_name(self) -> str:
        return f"crm.{self.harness.oauth_provider.kind}.grant"

    def restarted(self) -> OAuthGrants:
        """The same grant as a freshly started app would restore it from the keyring."""
        return OAuthGrants(
            self.harness.oauth_provider, self.harness.oauth_credentials, self.client, SecretStore()
        )

    async def sign_in(self) -> AccessGrant:
        return await self.grants.authorize(
            browser(self.client), redirect_uri=self.redirect_uri, give_up_after=10
        )


@pytest.fixture
async def flow(harness: Any) -> AsyncIterator[Flow]:
    token_posts: list[str] = []

    async def spy(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path.endswith("/token"):
            token_posts.append(dict(parse_qsl(request.content.decode())).get("grant_type", ""))

    redirect_uri = f"http://localhost:{free_port()}/oauth/callback"
    harness.allow_redirect(redirect_uri)
    async with emulator_client(harness.emulator, event_hooks={"request": [spy]}) as client:
        grants = OAuthGrants(harness.oauth_provider, harness.oauth_credentials, client, SecretStore())
        yield Flow(harness, grants, client, redirect_uri, token_posts)


async def test_sign_in_stores_only_the_refresh_token_and_works(
    flow: Flow, memory_keyring: MemoryKeyring
) -> None:
    grant = await flow.sign_in()
    stored = json.loads(SecretStore().get(flow.secret_name) or "{}")
    assert stored["refresh_token"]
    assert all(grant.access_token not in value for value in memory_keyring.entries.values())
    assert grant.api_base.startswith(("http://127.0.0.1", "https://127.0.0.1"))
    assert flow.token_posts == ["authorization_code"]
    users = await flow.harness.connector_for(flow.grants).list_users()
    assert users


async def test_expired_token_is_refreshed_and_the_request_succeeds(flow: Flow) -> None:
    first = await flow.sign_in()
    flow.harness.expire_access_token(first.access_token)
    assert await flow.harness.connector_for(flow.grants).list_users()
    assert (await flow.grants.current()).access_token != first.access_token
    assert flow.token_posts == ["authorization_code", "refresh_token"]


async def test_token_is_refreshed_ahead_of_its_known_expiry(flow: Flow) -> None:
    now = [1000.0]
    grants = OAuthGrants(
        flow.harness.oauth_provider,
        flow.harness.oauth_credentials,
        flow.client,
        SecretStore(),
        clock=lambda: now[0],
    )
    first = await grants.authorize(browser(flow.client), redirect_uri=flow.redirect_uri, give_up_after=10)
    now[0] += 600  # HubSpot tokens live 30 min, Zoho's 1 h
    assert (await grants.current()).access_token == first.access_token
    now[0] += 86400
    later = await grants.current()
    if flow.harness.oauth_provider.kind == "salesforce":  # no expires_in: refreshed when the API says so
        assert later.access_token == first.access_token
    else:
        assert later.access_token != first.access_token
        assert flow.token_posts == ["authorization_code", "refresh_token"]


async def test_parallel_requests_after_expiry_refresh_once(flow: Flow) -> None:
    first = await flow.sign_in()
    flow.harness.expire_access_token(first.access_token)
    connector = flow.harness.connector_for(flow.grants)
    results = await asyncio.gather(*(connector.list_users() for _ in range(5)))
    assert all(results)
    assert flow.token_posts.count("refresh_token") == 1


async def test_restart_restores_the_grant_from_the_keyring(flow: Flow) -> None:
    await flow.sign_in()
    restored = flow.restarted()
    assert restored.connected()
    assert await flow.harness.connector_for(restored).list_users()
    assert flow.token_posts == ["authorization_code", "refresh_token"]


async def test_refresh_tokens_rotated_by_the_crm_survive_a_restart(flow: Flow) -> None:
    first = await flow.sign_in()
    flow.harness.expire_access_token(first.access_token)
    assert await flow.harness.connector_for(flow.grants).list_users()
    assert await flow.harness.connector_for(flow.restarted()).list_users()
    assert flow.token_posts == ["authorization_code", "refresh_token", "refresh_token"]


async def test_disconnect_revokes_at_the_crm_and_forgets_the_grant(flow: Flow) -> None:
    await flow.sign_in()
    kept = SecretStore().get(flow.secret_name)
    assert await flow.grants.disconnect() is True
    assert SecretStore().get(flow.secret_name) is None
    with pytest.raises(AuthExpired, match="Not connected"):
        await flow.grants.current()
    SecretStore().set(flow.secret_name, kept or "")
    with pytest.raises(AuthExpired, match=r"Connect to .* again"):
        await flow.restarted().current()


async def test_mismatched_state_is_refused(flow: Flow) -> None:
    def forge(url: str) -> str:
        return _with_query(url, state="forged")

    opener = browser(flow.client, tamper=forge, redirect_uri=flow.redirect_uri)
    with pytest.raises(SignInFailed, match="state mismatch"):
        await flow.grants.authorize(opener, redirect_uri=flow.redirect_uri, give_up_after=10)
    assert SecretStore().get(flow.secret_name) is None
    assert flow.token_posts == []


@pytest.mark.parametrize("version", ["v1", "v3"])
async def test_hubspot_legacy_and_v3_endpoints(tmp_path: Path, version: HubSpotVersion) -> None:
    async with open_harness("hubspot", tmp_path) as harness, emulator_client(harness.emulator) as client:
        base = harness.emulator.base_url
        redirect_uri = f"http://localhost:{free_port()}/oauth/callback"
        harness.allow_redirect(redirect_uri)
        provider = hubspot(version=version, app_base=base, api_base=base)
        grants = OAuthGrants(provider, harness.oauth_credentials, client, SecretStore())
        grant = await grants.authorize(browser(client), redirect_uri=redirect_uri, give_up_after=10)
        assert grant.extras["hub_id"] == str(harness.emulator.hub_id)
        assert (await grants.refreshed(grant)).access_token != grant.access_token
        assert await grants.disconnect() is True
        assert SecretStore().get("crm.hubspot.grant") is None


async def test_zoho_redirect_to_an_unknown_accounts_server_is_refused(tmp_path: Path) -> None:
    async with open_harness("zoho", tmp_path) as harness:
        redirect_uri = f"http://localhost:{free_port()}/oauth/callback"
        harness.allow_redirect(redirect_uri)
        async with emulator_client(harness.emulator) as client:
            grants = OAuthGrants(harness.oauth_provider, harness.oauth_credentials, client, SecretStore())

            def elsewhere(url: str) -> str:
                return _with_query(url, **{"accounts-server": "https://accounts.evil.example"})

            opener = browser(client, tamper=elsewhere, redirect_uri=redirect_uri)
            with pytest.raises(SignInFailed, match="unknown accounts server"):
                await grants.authorize(opener, redirect_uri=redirect_uri, give_up_after=10)


async def test_zoho_sign_in_follows_the_redirect_to_the_orgs_data_centre() -> None:
    emulator = ZohoEmulator(data_centre="eu", seed=False)
    await emulator.start()
    try:
        also = {emulator.accounts_server: emulator.web_url}
        provider = zoho(accounts=emulator.accounts_url, web=emulator.web_url, also=also)
        credentials = ClientCredentials(emulator.oauth_client_id, emulator.oauth_client_secret)
        async with httpx.AsyncClient() as client:
            grants = OAuthGrants(provider, credentials, client, SecretStore())
            grant = await grants.authorize(browser(client), give_up_after=10)
            assert grant.api_base == emulator.base_url
            assert grant.extras["location"] == "eu"
            assert grant.extras["accounts_server"] == emulator.accounts_server != emulator.accounts_url
            assert (await grants.refreshed(grant)).access_token != grant.access_token
    finally:
        await emulator.stop()


async def test_loopback_listener_answers_once_on_an_ephemeral_port() -> None:
    async with LoopbackRedirect() as listener, httpx.AsyncClient() as client:
        uri = listener.redirect_uri
        assert urlsplit(uri).hostname == "127.0.0.1" and urlsplit(uri).port
        assert (await client.get(uri.replace("/callback", "/favicon.ico"))).status_code == 404
        visit = asyncio.create_task(client.get(uri, params={"code": "c1", "state": "s1"}))
        assert await listener.wait() == {"code": "c1", "state": "s1"}
        listener.answer("Connected to Test", "You can close this tab.")
        page = await visit
        assert page.status_code == 200 and "You can close this tab." in page.text
        assert (await client.get(uri, params={"code": "again"})).status_code == 404


@pytest.fixture
async def offline() -> AsyncIterator[OAuthGrants]:
    """HubSpot grants that never reach a server."""
    async with httpx.AsyncClient() as client:
        yield OAuthGrants(hubspot(), ClientCredentials("id", "secret"), client, SecretStore())


async def test_registered_localhost_redirect_is_served_on_ipv4_and_ipv6() -> None:
    port = free_port()
    async with LoopbackRedirect(f"http://localhost:{port}/cb") as listener, httpx.AsyncClient() as client:
        assert listener.redirect_uri == f"http://localhost:{port}/cb"
        assert (await client.get(f"http://127.0.0.1:{port}/other")).status_code == 404
        if _ipv6_loopback():
            assert (await client.get(f"http://[::1]:{port}/other")).status_code == 404


async def test_sign_in_gives_up_when_the_browser_never_comes_back(offline: OAuthGrants) -> None:
    async def ignore(url: str) -> None:
        return None

    with pytest.raises(SignInFailed, match="No answer from the HubSpot sign-in page"):
        await offline.authorize(ignore, give_up_after=0.1)


async def test_sign_in_fails_fast_when_no_browser_opens(offline: OAuthGrants) -> None:
    async def broken(url: str) -> None:
        raise OSError("no display")

    with pytest.raises(SignInFailed, match="Could not open the HubSpot sign-in page"):
        await offline.authorize(broken, give_up_after=30)


async def test_closing_the_sign_in_dialog_cancels_cleanly(offline: OAuthGrants) -> None:
    opened: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def hang(url: str) -> None:
        opened.set_result(url)
        await asyncio.Event().wait()

    signing_in = asyncio.create_task(offline.authorize(hang))
    redirect_uri = dict(parse_qsl(urlsplit(await opened).query))["redirect_uri"]
    signing_in.cancel()
    with pytest.raises(asyncio.CancelledError):
        await signing_in
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(redirect_uri)


async def test_busy_or_non_loopback_redirect_is_a_clear_sign_in_failure(offline: OAuthGrants) -> None:
    async def never(url: str) -> None:
        raise AssertionError("the browser must not open")

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = f"http://localhost:{taken.getsockname()[1]}/callback"
        with pytest.raises(SignInFailed, match="Cannot listen for the sign-in redirect"):
            await offline.authorize(never, redirect_uri=busy)
    with pytest.raises(SignInFailed, match="loopback address"):
        await offline.authorize(never, redirect_uri="http://example.com/callback")


async def test_not_connected_until_signed_in(offline: OAuthGrants) -> None:
    grants = offline
    assert not grants.connected()
    with pytest.raises(AuthExpired, match="Not connected to HubSpot; connect in Settings"):
        await grants.current()


def test_provider_endpoints() -> None:
    eu = zoho("eu")
    assert eu.authorize_url == "https://accounts.zoho.eu/oauth/v2/auth"
    assert eu.scope_separator == "," and eu.authorize_params["access_type"] == "offline"
    assert "https://accounts.zoho.com.au" in eu.accounts_servers
    assert eu.accounts_servers["https://accounts.zoho.jp"] == "https://crm.zoho.jp"
    assert zoho("com.au").token_url == zoho("au").token_url == "https://accounts.zoho.com.au/oauth/v2/token"
    with pytest.raises(ValueError, match="unknown Zoho data centre"):
        zoho("uk")
    assert hubspot(version="v1").revoke_style is RevokeStyle.PATH
    assert hubspot().token_url == "https://api.hubapi.com/oauth/2026-03/token"
    assert salesforce("test").authorize_url == "https://test.salesforce.com/services/oauth2/authorize"
    with pytest.raises(ValueError, match="https"):
        salesforce("http://login.example.com")


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True
