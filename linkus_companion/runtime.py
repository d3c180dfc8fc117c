"""Builds the engine host from the settings, the keyring and the CRM sign-in: the embedded composition root."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from linkus_companion.config.settings import Settings
from linkus_companion.crm.base import Connector, GrantSource
from linkus_companion.crm.oauth import ClientCredentials, OAuthGrants
from linkus_companion.crm.oauth_providers import Provider, hubspot, salesforce, zoho
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.lookup import LookupPolicy
from linkus_companion.engine.policies import Policies
from linkus_companion.engine.screen_pop import OwnPops, UrlOpener
from linkus_companion.model import RecordKind
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx_token_keyring import KeyringTokenVault
from linkus_companion.secrets import SecretStore
from linkus_companion.store import Store
from linkus_companion.texts import Text, text_of
from linkus_companion.trust import verified_context

if TYPE_CHECKING:
    from linkus_companion.crm.phonebridge import PhoneBridge

PBX_SECRET = "pbx.client_secret"  # noqa: S105 - a keyring entry name, not a secret
"""Keyring entry of the PBX Open API Client Secret."""
CRM_SECRET = "crm.client_secret"  # noqa: S105 - a keyring entry name, not a secret
"""Keyring entry of the CRM OAuth app's client secret (where the CRM needs one)."""


CRM_KEEPALIVE = 55.0
"""Seconds an idle CRM connection stays open (httpx's default is 5): calls minutes apart reuse the TLS
connection instead of paying a new handshake; the CRMs' own idle timeouts are about a minute."""


CRM_CONNECTIONS = 100
"""Connections the CRM client opens at most (httpx's default, stated): lookups use at most 80 of them
(`engine.lookup.SEARCHES_AT_ONCE`), so call-log deliveries always find one free."""


def crm_http_client() -> httpx.AsyncClient:
    """The HTTP client for CRM traffic: kept-alive connections, 15 s timeouts."""
    limits = httpx.Limits(max_connections=CRM_CONNECTIONS, keepalive_expiry=CRM_KEEPALIVE)
    return httpx.AsyncClient(timeout=15, limits=limits, verify=verified_context())


DESKTOP_LOOKUPS = 500
"""Numbers a desktop's lookup cache holds (a gateway's holds LookupPolicy's 5,000): one extension's callers
within the cache's 5 minutes are far fewer, and each kept answer costs a few kB for as long as the app runs."""


DESKTOP_CALLS = 50
"""Calls a desktop's engine remembers (its panel shows the last 5 ended, the tray menu 10): a few hours of one
user's calls; older ones still take note edits through the store."""
DESKTOP_DB_CACHE_KIB = 512
"""SQLite's page cache for the desktop's database (SQLite's default is 2 MB): it reads recent rows only, and
the OS caches the file anyway."""


def desktop_policies(settings: Settings) -> Policies:
    """The engine's policies from the settings, with the lookup cache and call memory sized for one desktop."""
    policies = Policies.from_settings(settings)
    lookup = replace(policies.lookup, max_entries=DESKTOP_LOOKUPS)
    return replace(policies, lookup=lookup, keep_calls=DESKTOP_CALLS)


def desktop_store(database: Path | None = None) -> Store:
    """The desktop's local database (default: in the user data dir), with a small page cache."""
    return Store.open(database, cache_kib=DESKTOP_DB_CACHE_KIB)


class NotConfigured(Exception):
    """A setting or secret the engine needs is missing; the message names it."""


def crm_provider(settings: Settings) -> Provider:
    """The OAuth endpoints of the configured CRM."""
    kind = settings.get("crm.kind")
    if kind == "hubspot":
        return hubspot()
    if kind == "salesforce":
        return salesforce(str(settings.get("crm.salesforce_login")))
    if kind == "zoho":
        return zoho(str(settings.get("crm.zoho_data_centre")))
    raise NotConfigured(Text("Choose the CRM (setting crm.kind: hubspot, salesforce or zoho)."))


def crm_grants(settings: Settings, client: httpx.AsyncClient, secrets: SecretStore) -> OAuthGrants:
    """The CRM sign-in kept in the keyring (authorise first with `OAuthGrants.authorize`)."""
    client_id = str(settings.get("crm.client_id"))
    if not client_id:
        raise NotConfigured(Text("Enter the CRM app's client ID (setting crm.client_id)."))
    credentials = ClientCredentials(client_id, secrets.get(CRM_SECRET) or "")
    return OAuthGrants(crm_provider(settings), credentials, client, secrets)


async def make_connector(
    kind: str,
    client: httpx.AsyncClient,
    grants: GrantSource,
    region: str,
    matching: LookupPolicy | None = None,
) -> Connector:
    """Our connector for `kind` on the signed-in account; only that CRM's module is imported.

    `matching` (the admin's module order and rule) lets the connector skip searches that cannot
    change the answer.
    """
    matching = matching or LookupPolicy(region=region)
    if kind == "hubspot":
        from linkus_companion.crm.hubspot import HubSpotConnector

        return HubSpotConnector(client, grants, region=region, companies_first=matching.companies_first())
    if kind == "salesforce":
        from linkus_companion.crm.salesforce import SalesforceConnector

        grant = await grants.current()
        return SalesforceConnector(client, grants, instance_url=grant.api_base, region=region)
    from linkus_companion.crm.zoho import ZohoConnector

    return ZohoConnector(client, grants, region=region, priority=matching.deciding_kinds())


async def web_origins(connector: Connector, grants: GrantSource) -> tuple[str, ...]:
    """The origins of the CRM's record pages: the only pages a screen pop may open."""
    await grants.current()
    await connector.warm_up()  # the record pages' account (HubSpot's hub id) comes from the sign-in
    url = connector.record_url("0", RecordKind.CONTACT)
    parts = urlsplit(url)
    return (f"{parts.scheme}://{parts.netloc}",)


def _phonebridge(client: httpx.AsyncClient, grants: GrantSource) -> PhoneBridge:
    """Zoho PhoneBridge on the signed-in account (its module loads only when the mode is on)."""
    from linkus_companion.crm.phonebridge import PhoneBridge

    return PhoneBridge(client, grants)


def pbx_client(settings: Settings, secrets: SecretStore) -> PbxClient:
    """The PBX Open API client from the settings and the keyring."""
    url, client_id = str(settings.get("pbx.url")), str(settings.get("pbx.client_id"))
    secret = secrets.get(PBX_SECRET)
    if not url or not client_id or not secret:
        raise NotConfigured(
            Text(
                "Enter the PBX address, the Open API Client ID and Client Secret (Integrations > API on the PBX)."
            )
        )
    ca_file = str(settings.get("pbx.ca_file"))
    try:
        return PbxClient(
            url,
            client_id,
            secret,
            ca_file=Path(ca_file) if ca_file else None,
            fingerprint=str(settings.get("pbx.cert_fingerprint")) or None,
        )
    except ValueError as exc:  # an address or CA file that cannot be used: the user must change it
        raise NotConfigured(text_of(exc)) from None


@contextlib.asynccontextmanager
async def embedded_host(
    settings: Settings, opener: UrlOpener, *, secrets: SecretStore | None = None, database: Path | None = None
) -> AsyncIterator[EngineHost]:
    """The engine host for the configured extension(s), with its clients; closed on exit."""
    secrets = secrets or SecretStore()
    extensions = tuple(str(e) for e in settings.get("pbx.extensions"))  # type: ignore[union-attr]
    if not extensions:
        raise NotConfigured(Text("Enter your extension number (setting pbx.extensions)."))
    policies = desktop_policies(settings)
    store = desktop_store(database)
    try:
        async with crm_http_client() as client, pbx_client(settings, secrets) as pbx:
            pbx.keep_own_tokens_in(
                KeyringTokenVault(secrets, pbx.base_url, str(settings.get("pbx.client_id")))
            )
            grants = crm_grants(settings, client, secrets)
            if not grants.connected():
                raise NotConfigured(Text("Sign in to the CRM first (Settings > CRM > Authorise)."))
            connector = await make_connector(
                str(settings.get("crm.kind")), client, grants, policies.lookup.region, policies.lookup
            )
            yield EngineHost(
                phonebridge=_phonebridge(client, grants) if policies.phonebridge else None,
                pbx=pbx,
                connector=connector,
                store=store,
                policies=policies,
                opener=OwnPops(opener, frozenset(extensions)),
                crm_web_origins=await web_origins(connector, grants),
                extensions=extensions,
                recording_base=str(settings.get("calllog.recording_base"))
                if settings.get("calllog.recording_link")
                else "",
            )
    finally:
        store.close()
