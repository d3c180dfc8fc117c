"""Doctor checks of the CRM link: the stored authorisation, a token refresh, and one API call."""

from __future__ import annotations

import httpx

from linkus_companion import USER_AGENT
from linkus_companion.admin.findings import Finding, ok, problem
from linkus_companion.config.settings import Settings
from linkus_companion.crm.base import CrmError
from linkus_companion.runtime import NotConfigured, crm_grants, make_connector
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable
from linkus_companion.texts import Text, text_of

AREA = "crm"


async def crm_findings(settings: Settings, store: SecretStore) -> list[Finding]:
    """Authorisation present and refreshable, and the CRM API answering."""
    kind = str(settings.get("crm.kind"))
    if not kind:
        return [
            problem(AREA, Text("no CRM chosen (crm.kind); pick HubSpot, Salesforce or Zoho CRM in Settings"))
        ]
    if not settings.get("crm.enabled"):
        return [
            ok(AREA, Text("{crm} integration is disabled (crm.enabled = false); nothing to check", crm=kind))
        ]
    async with httpx.AsyncClient(timeout=15.0, headers={"User-Agent": USER_AGENT}) as client:
        try:
            grants = crm_grants(settings, client, store)
            if not grants.connected():
                return [
                    problem(
                        AREA,
                        Text("not signed in to {crm}; connect in Settings > CRM", crm=grants.provider.name),
                    )
                ]
            grant = await grants.current()
        except (NotConfigured, SecretStoreUnavailable) as exc:
            return [problem(AREA, text_of(exc))]
        except CrmError as exc:
            return [problem(AREA, Text("authorisation: {why}", why=text_of(exc)))]
        signed_in = ok(AREA, Text("signed in to {crm}; access token refreshed", crm=grants.provider.name))
        try:
            connector = await make_connector(kind, client, grants, str(settings.get("match.region")))
            users = await connector.list_users()
        except CrmError as exc:
            return [
                signed_in,
                problem(AREA, Text("API at {url}: {why}", url=grant.api_base, why=text_of(exc))),
            ]
    return [
        signed_in,
        ok(AREA, Text("API at {url} answers ({count} user(s))", url=grant.api_base, count=len(users))),
    ]
