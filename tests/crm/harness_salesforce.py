"""Salesforce harness for the shared connector suites: the emulator, a connector on it, seeding, call logs."""

from __future__ import annotations

import contextlib
import re
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from linkus_companion.crm.base import AccessGrant, GrantSource
from linkus_companion.crm.oauth import ClientCredentials
from linkus_companion.crm.oauth_providers import Provider, salesforce
from linkus_companion.crm.salesforce import RECORDING_LABEL, SalesforceConnector
from linkus_companion.model import RecordKind
from linkus_companion.sim.salesforce import SalesforceEmulator

_RECORDING = re.compile(re.escape(RECORDING_LABEL) + r"(\S+)")


class EmulatorGrants:
    """A GrantSource holding the admin's session; a refresh signs the admin in again."""

    def __init__(self, emulator: SalesforceEmulator, token: str) -> None:
        self.emulator = emulator
        self.token = token
        self.refreshes = 0

    async def current(self) -> AccessGrant:
        return AccessGrant(self.token, self.emulator.base_url)

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        if stale.access_token == self.token:
            self.refreshes += 1
            self.token = self.emulator.session_for(self.emulator.admin_user_id)
        return await self.current()


class SalesforceHarness:
    """What the shared suites need from the Salesforce emulator and connector.

    (Plain classes, not dataclasses: the suites load this file without registering it as a module.)
    """

    def __init__(
        self, emulator: SalesforceEmulator, client: httpx.AsyncClient, grants: EmulatorGrants
    ) -> None:
        self.emulator = emulator
        self.client = client
        self.grants = grants
        self.connector = self.connector_for(grants)

    def connector_for(self, grants: GrantSource) -> SalesforceConnector:
        """A connector on the emulator using another grant source."""
        return SalesforceConnector(self.client, grants, instance_url=self.emulator.base_url)

    async def seed_contact(
        self, phone_as_stored: str, first: str, last: str, kind: RecordKind = RecordKind.CONTACT
    ) -> str:
        """Store a Contact, Lead or Account directly in the emulator, the phone exactly as given."""
        if kind is RecordKind.ACCOUNT:
            return self.emulator.add_record("Account", Name=f"{first} {last}", Phone=phone_as_stored)
        extra = {"Company": f"{last} Ltd"} if kind is RecordKind.LEAD else {}
        module = "Lead" if kind is RecordKind.LEAD else "Contact"
        return self.emulator.add_record(
            module, FirstName=first, LastName=last, Phone=phone_as_stored, **extra
        )

    def call_logs(self) -> list[dict[str, Any]]:
        """The emulator's call Tasks in the shared suites' shape."""
        logs = []
        for task in self.emulator.tasks():
            if task.get("TaskSubtype") != "Call":
                continue
            description = str(task.get("Description") or "")
            recording = _RECORDING.search(description)
            logs.append(
                {
                    "id": task["Id"],
                    "owner_id": task.get("OwnerId") or "",
                    "record_id": task.get("WhoId") or task.get("WhatId") or "",
                    "subject": task.get("Subject") or "",
                    "description": description,
                    "recording_url": recording.group(1) if recording else "",
                    "idempotency_key": task.get("CallObject") or "",
                }
            )
        return logs

    @property
    def oauth_provider(self) -> Provider:
        """The Salesforce provider with the emulator as login host."""
        return salesforce(self.emulator.base_url)

    @property
    def oauth_credentials(self) -> ClientCredentials:
        """The emulator's connected app."""
        return ClientCredentials(self.emulator.oauth_client_id, self.emulator.oauth_client_secret)

    def allow_redirect(self, uri: str) -> None:
        """Register a callback URL with the emulator's connected app."""
        self.emulator.allow_redirect(uri)

    def expire_access_token(self, token: str) -> None:
        """The emulator treats this access token as timed out from now on."""
        self.emulator.expire_sessions(token)


@contextlib.asynccontextmanager
async def make_harness(tmp_path: Path) -> AsyncIterator[SalesforceHarness]:
    """A running emulator (TLS with its own CA) and a connector signed in as its admin."""
    emulator = SalesforceEmulator(tls_dir=tmp_path / "salesforce-tls")
    async with emulator:
        context = ssl.create_default_context(cafile=str(emulator.ca_file))
        async with httpx.AsyncClient(verify=context, timeout=10, trust_env=False) as client:
            yield SalesforceHarness(emulator, client, EmulatorGrants(emulator, emulator.admin_token))
