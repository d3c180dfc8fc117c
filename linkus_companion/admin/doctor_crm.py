"""Doctor checks of the CRM link: the stored authorisation, a token refresh, and one API call."""

from __future__ import annotations

import httpx

from linkus_companion import USER_AGENT
from linkus_companion.admin.findings import Finding, ok, problem
from linkus_companion.config.settings import Settings
from linkus_companion.crm.base import CrmError
from linkus_companion.runtime import NotConfigured, crm_grants, make_connector
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable

AREA = "crm"


async def crm_findings(settings: Settings, store: SecretStore) -> list[Finding]:
    """Authorisation present and refreshable, and the CRM API answering."""
    kind = str(settings.get("crm.kind"))
    if not kind:
        return [problem(AREA, "no CRM chosen (crm.kind); pick HubSpot, Salesforce or Zoho CRM in Settings")]
    if not settings.get("crm.enabled"):
        return [ok(AREA, f"{kind} integration is disabled (crm.enabled = false); nothing to check")]
    async with httpx.AsyncClient(timeout=15.0, headers={"User-Agent": USER_AGENT}) as client:
        try:
            grants = crm_grants(settings, client, store)
            if not grants.connected():
                return [problem(AREA, f"not signed in to {grants.provider.name}; connect in Settings > CRM")]
            grant = await grants.current()
        except (NotConfigured, SecretStoreUnavailable) as exc:
            return [problem(AREA, str(exc))]
        except CrmError as exc:
            return [problem(AREA, f"authorisation: {exc}")]
        signed_in = ok(AREA, f"signed in to {grants.provider.name}; access token refreshed")
        try:
            connector = await make_connector(kind, client, grants, str(settings.get("match.region")))
            users = await connector.list_users()
        except CrmError as exc:
            return [signed_in, problem(AREA, f"API at {grant.api_base}: {exc}")]
    return [signed_in, ok(AREA, f"API at {grant.api_base} answers ({len(users)} user(s))")]
