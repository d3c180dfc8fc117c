"""Doctor checks of the CRM link: the stored authorisation, a token refresh, and one API call."""

from __future__ import annotations

from typing import Protocol

import httpx

from linkus_companion import USER_AGENT
from linkus_companion.admin.credentials import CRM_SECRET
from linkus_companion.admin.findings import Finding, ok, problem
from linkus_companion.config.settings import Settings
from linkus_companion.crm import oauth_providers
from linkus_companion.crm.base import AccessGrant, CrmError, CrmUser
from linkus_companion.crm.hubspot import HubSpotConnector
from linkus_companion.crm.oauth import ClientCredentials, OAuthGrants
from linkus_companion.crm.oauth_providers import Provider
from linkus_companion.crm.salesforce import SalesforceConnector
from linkus_companion.crm.zoho import ZohoConnector
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable

AREA = "crm"
ZOHO_LOCATIONS = {"com": "us", "com.au": "au", "com.cn": "cn"}
"""Our setting names a Zoho data centre by its domain ending; the provider table by location."""


class UserLister(Protocol):
    """The one connector call the doctor makes."""

    async def list_users(self) -> list[CrmUser]:
        """Active CRM users."""
        ...


def provider(settings: Settings) -> Provider:
    """The OAuth provider the settings choose."""
    kind = settings.get("crm.kind")
    if kind == "salesforce":
        return oauth_providers.salesforce(str(settings.get("crm.salesforce_login")))
    if kind == "zoho":
        centre = str(settings.get("crm.zoho_data_centre"))
        return oauth_providers.zoho(ZOHO_LOCATIONS.get(centre, centre))
    return oauth_providers.hubspot()


def connector(kind: str, client: httpx.AsyncClient, grants: OAuthGrants, grant: AccessGrant) -> UserLister:
    """The connector for `kind`, enough to make one API call."""
    if kind == "salesforce":
        return SalesforceConnector(client, grants, instance_url=grant.api_base)
    if kind == "zoho":
        return ZohoConnector(client, grants)
    return HubSpotConnector(client, grants, hub_id=grant.extras.get("hub_id", ""))


async def crm_findings(settings: Settings, store: SecretStore) -> list[Finding]:
    """Authorisation present and refreshable, and the CRM API answering."""
    kind = str(settings.get("crm.kind"))
    if not kind:
        return [problem(AREA, "no CRM chosen (crm.kind); pick HubSpot, Salesforce or Zoho CRM in Settings")]
    if not settings.get("crm.enabled"):
        return [ok(AREA, f"{kind} integration is disabled (crm.enabled = false); nothing to check")]
    chosen = provider(settings)
    try:
        credentials = ClientCredentials(str(settings.get("crm.client_id")), store.get(CRM_SECRET) or "")
    except SecretStoreUnavailable as exc:
        return [problem(AREA, f"cannot read the CRM sign-in: {exc}")]
    async with httpx.AsyncClient(timeout=15.0, headers={"User-Agent": USER_AGENT}) as client:
        grants = OAuthGrants(chosen, credentials, client, store)
        try:
            if not grants.connected():
                return [problem(AREA, f"not signed in to {chosen.name}; connect in Settings > CRM")]
            grant = await grants.current()
        except SecretStoreUnavailable as exc:
            return [problem(AREA, f"cannot read the CRM sign-in: {exc}")]
        except CrmError as exc:
            return [problem(AREA, f"authorisation: {exc}")]
        found = [ok(AREA, f"signed in to {chosen.name}; access token refreshed")]
        try:
            users = await connector(kind, client, grants, grant).list_users()
        except CrmError as exc:
            return [*found, problem(AREA, f"API at {grant.api_base}: {exc}")]
    return [*found, ok(AREA, f"API at {grant.api_base} answers ({len(users)} user(s))")]
