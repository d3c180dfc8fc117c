"""HubSpot harness for the shared connector suites: the emulator, a connector with a live grant, helpers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from linkus_companion.crm.base import AccessGrant, GrantSource
from linkus_companion.crm.hubspot import HubSpotConnector
from linkus_companion.crm.oauth import ClientCredentials
from linkus_companion.crm.oauth_providers import Provider, hubspot
from linkus_companion.model import RecordKind
from linkus_companion.sim.hubspot import HubSpotEmulator


class EmulatorGrants:
    """A GrantSource holding the emulator's admin grant, refreshed through its real token endpoint."""

    def __init__(self, emulator: HubSpotEmulator, client: httpx.AsyncClient) -> None:
        self._emulator = emulator
        self._client = client
        self._lock = asyncio.Lock()
        self.refreshes = 0
        self._grant = self._make(emulator.admin_token)

    def _make(self, token: str) -> AccessGrant:
        extras = {"hub_id": str(self._emulator.hub_id), "web_base": self._emulator.base_url}
        return AccessGrant(token, self._emulator.base_url, extras)

    async def current(self) -> AccessGrant:
        """The grant in use."""
        return self._grant

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        """Swap the refresh token for a new access token, once however many callers ask."""
        async with self._lock:
            if stale.access_token == self._grant.access_token:
                form = {
                    "grant_type": "refresh_token",
                    "refresh_token": self._emulator.admin_refresh_token,
                    "client_id": self._emulator.oauth_client_id,
                    "client_secret": self._emulator.oauth_client_secret,
                }
                response = await self._client.post(f"{self._emulator.base_url}/oauth/v1/token", data=form)
                response.raise_for_status()
                self._grant = self._make(response.json()["access_token"])
                self.refreshes += 1
            return self._grant


class HubSpotHarness:
    """What tests/crm/test_contract.py and test_oauth.py drive."""

    def __init__(self, emulator: HubSpotEmulator, client: httpx.AsyncClient, grants: EmulatorGrants) -> None:
        self.emulator = emulator
        self.client = client
        self.grants = grants
        self.connector = self.connector_for(grants)

    @property
    def oauth_provider(self) -> Provider:
        """HubSpot's OAuth endpoints on the emulator (date-based token path)."""
        return hubspot(app_base=self.emulator.base_url, api_base=self.emulator.base_url)

    @property
    def oauth_credentials(self) -> ClientCredentials:
        """The emulator's OAuth app."""
        return ClientCredentials(self.emulator.oauth_client_id, self.emulator.oauth_client_secret)

    def allow_redirect(self, uri: str) -> None:
        """Register a loopback redirect URI with the emulator's OAuth app."""
        self.emulator.register_redirect_uri(uri)

    def expire_access_token(self, token: str) -> None:
        """The emulator treats `token` as expired from now on."""
        self.emulator.expire_token(token)

    def connector_for(self, grants: GrantSource) -> HubSpotConnector:
        """A connector on the shared client using `grants`."""
        return HubSpotConnector(self.client, grants, recheck_window=2.0, recheck_interval=0.1)

    async def seed_contact(
        self, phone: str, first: str, last: str, kind: RecordKind = RecordKind.CONTACT
    ) -> str:
        """A contact (or, for ACCOUNT, a company named `first last`) with the number stored as given."""
        if kind is RecordKind.CONTACT:
            return self.emulator.seed_record(
                "contacts", {"firstname": first, "lastname": last, "phone": phone}
            )
        if kind is RecordKind.ACCOUNT:
            return self.emulator.seed_record("companies", {"name": f"{first} {last}", "phone": phone})
        raise ValueError(f"HubSpot has no {kind} records")

    def call_logs(self) -> list[dict[str, Any]]:
        """The emulator's call engagements in the suite's shape."""
        logs = []
        for call in self.emulator.call_engagements():
            props = call["properties"]
            linked = call["associations"]["contacts"] + call["associations"]["companies"]
            logs.append(
                {
                    "id": call["id"],
                    "owner_id": call["owner_id"],
                    "record_id": linked[0] if linked else "",
                    "subject": props.get("hs_call_title", ""),
                    "description": props.get("hs_call_body", ""),
                    "recording_url": props.get("hs_call_recording_url", ""),
                    "idempotency_key": props.get("hs_call_external_id", ""),
                }
            )
        return logs


@contextlib.asynccontextmanager
async def make_harness(tmp_path: Path, **emulator_options: Any) -> AsyncIterator[HubSpotHarness]:
    """A running emulator (no seed data, no search lag unless asked) and a connector with a live grant."""
    options: dict[str, Any] = {"seed": False} | emulator_options
    async with (
        HubSpotEmulator(**options) as emulator,
        httpx.AsyncClient(timeout=10) as client,
    ):
        yield HubSpotHarness(emulator, client, EmulatorGrants(emulator, client))
