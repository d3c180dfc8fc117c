"""OAuth endpoints and quirks of HubSpot, Salesforce and Zoho CRM (every Zoho data centre)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from linkus_companion.texts import Text


class RevokeStyle(StrEnum):
    """How a provider's revoke endpoint takes the refresh token."""

    PATH = "path"
    """`DELETE .../refresh-tokens/{token}` (HubSpot v1)."""
    FORM = "form"
    """Form field `token` (Salesforce)."""
    FORM_WITH_CLIENT = "form_with_client"
    """Form fields `token`, `token_type_hint`, `client_id`, `client_secret` (HubSpot v3, 2026-03)."""
    QUERY = "query"
    """Query parameter `token` (Zoho)."""


class Extras(StrEnum):
    """How a provider's grant extras (record-URL details) are found at authorisation."""

    NONE = "none"
    HUBSPOT_V1_INFO = "hubspot_v1_info"
    """`GET /oauth/v1/access-tokens/{token}`."""
    HUBSPOT_INTROSPECT = "hubspot_introspect"
    """`POST /oauth/{version}/token/introspect`."""
    SALESFORCE_ID = "salesforce_id"
    """Org and user ids from the token response's identity URL."""
    ZOHO_DC = "zoho_dc"
    """Data centre, accounts server and CRM web address."""


@dataclass(frozen=True)
class DataCentre:
    """One Zoho data centre: its accounts server, API domain and CRM web UI."""

    location: str
    """Zoho's code, as in the redirect's `location` parameter."""
    domain: str
    """The domain suffix the product's settings use (`com`, `com.au`, ...)."""
    accounts: str
    api: str
    web: str


def _data_centre(location: str, domain: str, site: str = "zoho") -> DataCentre:
    """A data centre whose accounts and web hosts live under `site.domain` and API under zohoapis."""
    return DataCentre(
        location,
        domain,
        f"https://accounts.{site}.{domain}",
        f"https://www.zohoapis.{domain}",
        f"https://crm.{site}.{domain}",
    )


ZOHO_DATA_CENTRES: Mapping[str, DataCentre] = {
    dc.location: dc
    for dc in (
        _data_centre("us", "com"),
        _data_centre("eu", "eu"),
        _data_centre("in", "in"),
        _data_centre("au", "com.au"),
        _data_centre("cn", "com.cn"),
        _data_centre("jp", "jp"),
        _data_centre("ca", "ca", site="zohocloud"),
        _data_centre("sa", "sa"),
    )
}

HUBSPOT_SCOPES = (
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.owners.read",
    "settings.users.read",
    "files",
)
SALESFORCE_SCOPES = ("api", "refresh_token")
ZOHO_SCOPES = (
    "ZohoCRM.modules.ALL",
    "ZohoCRM.users.READ",
    "ZohoCRM.org.READ",
    "ZohoSearch.securesearch.READ",
    "PhoneBridge.call.log",
    "PhoneBridge.zohoone.search",
)
HubSpotVersion = Literal["v1", "v3", "2026-03"]


@dataclass(frozen=True)
class Provider:
    """Everything the OAuth flow needs to know about one CRM's authorisation server."""

    kind: str
    """`hubspot`, `salesforce` or `zoho` (also the keyring entry suffix)."""
    name: str
    """Display name used in messages."""
    authorize_url: str
    token_url: str
    revoke_url: str
    """May contain `{token}` (RevokeStyle.PATH)."""
    revoke_style: RevokeStyle
    scopes: tuple[str, ...]
    scope_separator: str = " "
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    api_base: str = ""
    """Fixed API base; empty when the token response names it (`api_base_field`)."""
    api_base_field: str = ""
    web_base: str = ""
    """The CRM web UI for record pages (default when the token response does not decide it)."""
    extras: Extras = Extras.NONE
    accounts_servers: Mapping[str, str] = field(default_factory=dict)
    """Zoho: accounts servers the redirect may switch to, each with its CRM web UI."""


def hubspot(
    *,
    version: HubSpotVersion = "2026-03",
    app_base: str = "https://app.hubspot.com",
    api_base: str = "https://api.hubapi.com",
    scopes: tuple[str, ...] = HUBSPOT_SCOPES,
) -> Provider:
    """HubSpot with the legacy v1 or a date-versioned token endpoint."""
    api = api_base.rstrip("/")
    if version == "v1":
        revoke, style, extras = (
            f"{api}/oauth/v1/refresh-tokens/{{token}}",
            RevokeStyle.PATH,
            Extras.HUBSPOT_V1_INFO,
        )
    else:
        revoke, style, extras = (
            f"{api}/oauth/{version}/token/revoke",
            RevokeStyle.FORM_WITH_CLIENT,
            Extras.HUBSPOT_INTROSPECT,
        )
    return Provider(
        kind="hubspot",
        name="HubSpot",
        authorize_url=f"{app_base.rstrip('/')}/oauth/authorize",
        token_url=f"{api}/oauth/{version}/token",
        revoke_url=revoke,
        revoke_style=style,
        scopes=scopes,
        api_base=api,
        web_base=app_base.rstrip("/"),
        extras=extras,
    )


def salesforce(host: str = "login", *, scopes: tuple[str, ...] = SALESFORCE_SCOPES) -> Provider:
    """Salesforce on `login` (production), `test` (sandbox) or a My Domain / emulator base URL."""
    base = {"login": "https://login.salesforce.com", "test": "https://test.salesforce.com"}.get(host, host)
    base = base.rstrip("/")
    if not base.startswith("https://"):
        raise ValueError(Text("the Salesforce login host must be an https:// address"))
    return Provider(
        kind="salesforce",
        name="Salesforce",
        authorize_url=f"{base}/services/oauth2/authorize",
        token_url=f"{base}/services/oauth2/token",
        revoke_url=f"{base}/services/oauth2/revoke",
        revoke_style=RevokeStyle.FORM,
        scopes=scopes,
        api_base_field="instance_url",
        extras=Extras.SALESFORCE_ID,
    )


def zoho(
    location: str = "us",
    *,
    accounts: str | None = None,
    web: str | None = None,
    also: Mapping[str, str] | None = None,
    scopes: tuple[str, ...] = ZOHO_SCOPES,
) -> Provider:
    """Zoho CRM at a data centre (`location` code or settings domain such as `com.au`), or at overrides.

    `accounts`/`web` replace the data centre's addresses (an emulator); `also` adds accounts servers (each with its CRM web UI) the redirect may name besides Zoho's own.
    """
    dc = next((d for d in ZOHO_DATA_CENTRES.values() if location in (d.location, d.domain)), None)
    if dc is None:
        raise ValueError(Text("unknown Zoho data centre {location}", location=repr(location)))
    accounts_base = (accounts or dc.accounts).rstrip("/")
    web_base = (web or dc.web).rstrip("/")
    known = {d.accounts: d.web for d in ZOHO_DATA_CENTRES.values()}
    return Provider(
        kind="zoho",
        name="Zoho CRM",
        authorize_url=f"{accounts_base}/oauth/v2/auth",
        token_url=f"{accounts_base}/oauth/v2/token",
        revoke_url=f"{accounts_base}/oauth/v2/token/revoke",
        revoke_style=RevokeStyle.QUERY,
        scopes=scopes,
        scope_separator=",",
        authorize_params={"access_type": "offline", "prompt": "consent"},
        api_base_field="api_domain",
        web_base=web_base,
        extras=Extras.ZOHO_DC,
        accounts_servers={
            **known,
            accounts_base: web_base,
            **{k.rstrip("/"): v for k, v in (also or {}).items()},
        },
    )


def rebase(url: str, origin: str) -> str:
    """`url` moved to another scheme://host[:port] (Zoho: the accounts server named by the redirect)."""
    target = urlsplit(origin)
    return urlunsplit(urlsplit(url)._replace(scheme=target.scheme, netloc=target.netloc))
