"""What every CRM emulator offers besides its HTTP API: the demo, tests and benchmarks drive them through it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from linkus_companion.crm.base import Connector, GrantSource
from linkus_companion.crm.oauth import ClientCredentials
from linkus_companion.crm.oauth_providers import Provider
from linkus_companion.model import RecordKind


@dataclass(frozen=True)
class LoggedCall:
    """A call activity as the emulated CRM stores it, in one shape for every CRM."""

    id: str
    owner_id: str
    record_id: str
    """The contact, lead or account/company it is linked to ("" when unlinked)."""
    subject: str
    description: str
    recording_url: str
    idempotency_key: str
    """Our `<call id>:<extension>` as the connector stored it."""
    outcome: str = ""
    """The CRM's own call outcome value (HubSpot disposition GUID, CallDisposition, Call_Result)."""


class CrmEmulator(Protocol):
    """A running (or startable) local CRM."""

    kind: str
    """`hubspot`, `salesforce` or `zoho`."""

    @property
    def base_url(self) -> str:
        """The API base URL."""
        ...

    @property
    def web_origin(self) -> str:
        """Where record pages are served (the CRM web UI)."""
        ...

    @property
    def ca_file(self) -> Path | None:
        """The CA to trust when the emulator serves TLS."""
        ...

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (0: any free port)."""
        ...

    async def stop(self) -> None:
        """Stop listening."""
        ...

    def oauth_provider(self) -> Provider:
        """The OAuth endpoints of this emulator, for `OAuthGrants`."""
        ...

    def oauth_credentials(self) -> ClientCredentials:
        """The emulator's registered OAuth app."""
        ...

    def allow_redirect(self, uri: str) -> None:
        """Register a redirect URI with the emulator's OAuth app."""
        ...

    def connector(self, client: httpx.AsyncClient, grants: GrantSource, *, region: str = "US") -> Connector:
        """Our connector for this CRM, pointed at the emulator."""
        ...

    def connector_options(self) -> dict[str, Any]:
        """The keyword arguments `connector` adds to the client, grants and region (another process
        builds the same connector from them)."""
        ...

    def add_user(self, first: str, last: str, email: str) -> str:
        """A CRM user who can own call logs; returns the id."""
        ...

    def seed_contact(
        self, phone: str, first: str, last: str, kind: RecordKind = RecordKind.CONTACT, *, owner: str = ""
    ) -> str:
        """A record whose phone is stored exactly as given (accounts/companies are named `first last`),
        owned by the user `owner` (an id from `add_user`; default: the CRM's own default owner)."""
        ...

    def call_logs(self) -> list[LoggedCall]:
        """Every call activity in the CRM."""
        ...

    def record_names(self) -> dict[str, str]:
        """Id -> display name of every contact, lead and account/company."""
        ...

    def contact_pages(self, contact_id: str) -> tuple[str, str]:
        """The web UI's record page of a contact and the contacts list view (where click to call works)."""
        ...

    def set_outage(self, down: bool) -> None:
        """While down, every API request (not OAuth) fails with the CRM's 503 answer."""
        ...
