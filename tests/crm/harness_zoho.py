"""Zoho CRM harness for the shared connector and OAuth suites (see tests/crm/test_contract.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from linkus_companion.crm.base import AccessGrant, AuthExpired, Connector, GrantSource
from linkus_companion.crm.oauth import ClientCredentials
from linkus_companion.crm.oauth_providers import zoho
from linkus_companion.crm.zoho import ZohoConnector
from linkus_companion.model import RecordKind
from linkus_companion.sim.zoho import ZohoEmulator

MODULES = {RecordKind.CONTACT: "Contacts", RecordKind.LEAD: "Leads", RecordKind.ACCOUNT: "Accounts"}


class AdminGrant:
    """The emulator's ready admin token; a rejected token cannot be refreshed."""

    def __init__(self, emulator: ZohoEmulator) -> None:
        self._grant = AccessGrant(emulator.admin_token, emulator.base_url, {"web_base": emulator.web_url})

    async def current(self) -> AccessGrant:
        return self._grant

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        raise AuthExpired("The emulator's admin token was rejected.")


class ZohoHarness:
    """A running Zoho emulator and a connector on it."""

    def __init__(self, emulator: ZohoEmulator, client: httpx.AsyncClient) -> None:
        self.emulator = emulator
        self.client = client
        self.connector = self.connector_for(AdminGrant(emulator))
        self.oauth_provider = zoho(accounts=emulator.accounts_url, web=emulator.web_url)
        self.oauth_credentials = ClientCredentials(emulator.oauth_client_id, emulator.oauth_client_secret)

    async def seed_contact(
        self, phone_as_stored: str, first: str, last: str, kind: RecordKind = RecordKind.CONTACT
    ) -> str:
        if kind is RecordKind.ACCOUNT:
            fields = {"Account_Name": f"{first} {last}", "Phone": phone_as_stored}
        else:
            fields = {"First_Name": first, "Last_Name": last, "Phone": phone_as_stored}
        return self.emulator.add_record(MODULES[kind], fields)

    def call_logs(self) -> list[dict[str, Any]]:
        return [
            {
                "id": call["id"],
                "owner_id": call["Owner"]["id"],
                "record_id": (call.get("Who_Id") or call.get("What_Id") or {}).get("id", ""),
                "subject": call.get("Subject") or "",
                "description": call.get("Description") or "",
                "recording_url": call.get("Voice_Recording__s") or "",
                "idempotency_key": call.get("Call_Agenda") or "",
            }
            for call in self.emulator.records("Calls")
        ]

    def allow_redirect(self, uri: str) -> None:
        self.emulator.accounts.clients[self.emulator.oauth_client_id].redirect_uris.add(uri)

    def expire_access_token(self, token: str) -> None:
        self.emulator.expire_access_token(token)

    def connector_for(self, grants: GrantSource) -> Connector:
        return ZohoConnector(self.client, grants)


@contextlib.asynccontextmanager
async def make_harness(tmp_path: Path) -> AsyncIterator[ZohoHarness]:
    emulator = ZohoEmulator()
    await emulator.start()
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            yield ZohoHarness(emulator, client)
    finally:
        await emulator.stop()
