"""A local HubSpot: OAuth, CRM objects and search, calls, associations, owners, users and record pages."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from starlette.applications import Starlette

from linkus_companion.crm.base import Connector, GrantSource
from linkus_companion.crm.hubspot import HubSpotConnector
from linkus_companion.crm.oauth import ClientCredentials
from linkus_companion.crm.oauth_providers import Provider, hubspot
from linkus_companion.model import RecordKind
from linkus_companion.serving import RunningServer, start_server
from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.sim.hubspot_api import CrmApi, Fault, call_view
from linkus_companion.sim.hubspot_files import FilesApi
from linkus_companion.sim.hubspot_oauth import OAuthServer
from linkus_companion.sim.hubspot_pages import RecordPages
from linkus_companion.sim.hubspot_store import OBJECT_TYPE_IDS, Owner, Store
from linkus_companion.sim.hubspot_traffic import Exchange, TrafficRecorder
from linkus_companion.tls import TlsFiles, generate

OWNERS = (
    Owner("6166860", 1296619, "admin@example.com", "Avery", "Admin", super_admin=True),
    Owner("6166861", 1296620, "Sam.Sales@example.com", "Sam", "Sales"),
    Owner("6166862", 1296621, "sup@example.com", "Sue", "Support"),
)
SEED_CONTACTS = (
    {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "phone": "+14155550101"},
    {"firstname": "Grace", "lastname": "Hopper", "phone": "(415) 555-0102", "mobilephone": "415.555.0112"},
    {"firstname": "Alan", "lastname": "Turing", "phone": "+44 20 7946 0103", "company": "Bletchley"},
    {"firstname": "Katherine", "lastname": "Johnson", "phone": "415-555-0104 ext. 12"},
    {"firstname": "Tim", "lastname": "Berners-Lee", "phone": "0044 20 7946 0105"},
    {
        "firstname": "Margaret",
        "lastname": "Hamilton",
        "mobilephone": "4155550106",
        "hubspot_owner_id": "6166861",
    },
)
SEED_COMPANIES = (
    {"name": "Initech", "domain": "initech.example", "phone": "+1 415 555 0200"},
    {"name": "Globex", "domain": "globex.example", "phone": "(212) 555-0300"},
)


class HubSpotEmulator:
    """One HubSpot portal on 127.0.0.1 over plain HTTP (the official SDK accepts an http host)."""

    kind = "hubspot"
    ca_file = None
    """No TLS: HubSpot's SDK and our client both work over http against a custom host."""

    def __init__(
        self,
        *,
        token: str | None = None,
        search_lag: float = 0.0,
        seed: bool = True,
        hub_id: int = 62515,
        token_ttl: float = 1800.0,
        search_rate: int = 4,
        burst_limit: int = 100,
        redirect_uris: tuple[str, ...] = ("http://localhost:8765/oauth/callback",),
    ) -> None:
        self.hub_id = hub_id
        self.store = Store()
        for owner in OWNERS:
            self.store.add_owner(owner)
        self.oauth = OAuthServer(
            hub_id=hub_id,
            app_id=3001,
            owners=self.store.owners,
            redirect_uris=redirect_uris,
            token_ttl=token_ttl,
        )
        self.api = CrmApi(
            self.store, self.oauth, search_rate=search_rate, burst_limit=burst_limit, search_lag=search_lag
        )
        pages = RecordPages(self.store, hub_id)
        self.files = FilesApi(self.oauth, hub_id, lambda: self.file_host_url, self.api.faults)
        self._recorder = TrafficRecorder(
            Starlette(routes=self.oauth.routes() + self.api.routes() + self.files.routes() + pages.routes())
        )
        self._tls_dir = Path(tempfile.mkdtemp(prefix="hubspot-files-"))
        weakref.finalize(self, shutil.rmtree, self._tls_dir, True)
        self.file_host_tls: TlsFiles = generate(self._tls_dir)
        """The certificate of the https file host (HubSpot serves hubfs files over https only)."""
        self._file_host: RunningServer | None = None
        self._admin = self.oauth.issue(OWNERS[0], token=token)
        self._server: RunningServer | None = None
        self._owner_ids = itertools.count(7000001)
        self._outage: Fault | None = None
        if seed:
            for contact in SEED_CONTACTS:
                self.seed_record("contacts", contact)
            for company in SEED_COMPANIES:
                self.seed_record("companies", company)

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` for the API, OAuth and record pages alike."""
        if self._server is None:
            raise RuntimeError("the HubSpot emulator is not started")
        return self._server.base_url

    @property
    def admin_token(self) -> str:
        """A ready access token of the seeded super-admin user."""
        return str(self._admin["access_token"])

    @property
    def admin_refresh_token(self) -> str:
        """The refresh token of the admin grant."""
        return str(self._admin["refresh_token"])

    @property
    def oauth_client_id(self) -> str:
        """The portal's OAuth app client id."""
        return self.oauth.client_id

    @property
    def oauth_client_secret(self) -> str:
        """The portal's OAuth app client secret."""
        return self.oauth.client_secret

    @property
    def search_lag(self) -> float:
        """Seconds a new or changed record stays invisible to search."""
        return self.api.search_lag

    @search_lag.setter
    def search_lag(self, seconds: float) -> None:
        self.api.search_lag = seconds

    @property
    def traffic(self) -> list[Exchange]:
        """Recent HTTP exchanges, oldest first."""
        return list(self._recorder.exchanges)

    @property
    def file_host_url(self) -> str:
        """`https://127.0.0.1:PORT`: where uploaded files are served (HubSpot's hubfs CDN)."""
        if self._file_host is None:
            raise RuntimeError("the HubSpot emulator is not started")
        return self._file_host.base_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (0: an ephemeral port), and serve files over https on another port."""
        self._server = await start_server(self._recorder, host, port)
        self._file_host = await start_server(
            Starlette(routes=self.files.host_routes()), host, 0, self.file_host_tls
        )

    async def stop(self) -> None:
        """Stop listening and close connections."""
        for server in (self._server, self._file_host):
            if server is not None:
                await server.stop()
        self._server = self._file_host = None

    async def __aenter__(self) -> HubSpotEmulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def seed_record(self, kind: str, properties: dict[str, str]) -> str:
        """Store a record that search already sees (as if created long ago); returns its id."""
        record = self.store.create(kind, properties)
        written, values = record.versions[0]
        record.versions[0] = (written - self.search_lag - 3600.0, values)
        return record.id

    def record_url(self, kind: str, object_id: str) -> str:
        """The emulator's page for a record, at the web UI's path."""
        return f"{self.base_url}/contacts/{self.hub_id}/record/{OBJECT_TYPE_IDS[kind]}/{object_id}"

    def call_engagements(self) -> list[dict[str, Any]]:
        """Every logged call: id, owner_id, properties and associated contact/company ids."""
        calls = sorted(self.store.objects["calls"].values(), key=lambda r: int(r.id))
        return [call_view(self.store, record) for record in calls]

    def inject_fault(self, fault: Fault) -> None:
        """Fail matching CRM requests (see `Fault`)."""
        self.api.faults.append(fault)

    def issue_tokens(self, email: str | None = None) -> dict[str, Any]:
        """A fresh token response (access + refresh token) for a seeded user, default the admin."""
        wanted = (email or "").casefold()
        owner = next(
            (o for o in self.store.owners.values() if not wanted or o.email.casefold() == wanted), None
        )
        if owner is None:
            raise KeyError(email)
        return self.oauth.issue(owner)

    def expire_token(self, access_token: str) -> None:
        """Make an access token expire now."""
        self.oauth.expire(access_token)

    def register_redirect_uri(self, uri: str) -> None:
        """Add a redirect URL to the OAuth app's auth settings."""
        self.oauth.redirect_uris.append(uri)

    # --- the CrmEmulator surface (sim/crm_emulator.py) -----------------------------------------

    @property
    def web_origin(self) -> str:
        """Record pages are served by the same server."""
        return self.base_url

    def oauth_provider(self) -> Provider:
        """HubSpot's OAuth endpoints on the emulator (date-based token path)."""
        return hubspot(app_base=self.base_url, api_base=self.base_url)

    def oauth_credentials(self) -> ClientCredentials:
        """The portal's OAuth app."""
        return ClientCredentials(self.oauth_client_id, self.oauth_client_secret)

    def allow_redirect(self, uri: str) -> None:
        """Register a redirect URL (HubSpot allows plain http only for localhost)."""
        self.register_redirect_uri(uri)

    def connector(self, client: httpx.AsyncClient, grants: GrantSource, *, region: str = "US") -> Connector:
        """Our HubSpot connector pointed at this portal."""
        return HubSpotConnector(client, grants, region=region, **self.connector_options())

    def connector_options(self) -> dict[str, Any]:
        """What our connector needs to know about this portal beyond the sign-in."""
        return {"hub_id": str(self.hub_id), "web_base": self.base_url}

    def add_user(self, first: str, last: str, email: str) -> str:
        """A new owner (user) of the portal; returns the owner id."""
        owner_id = next(self._owner_ids)
        self.store.add_owner(Owner(str(owner_id), owner_id + 1000000, email, first, last))
        return str(owner_id)

    def seed_contact(
        self, phone: str, first: str, last: str, kind: RecordKind = RecordKind.CONTACT, *, owner: str = ""
    ) -> str:
        """A contact, or for ACCOUNT a company named `first last`, with the phone stored as given."""
        owned = {"hubspot_owner_id": owner} if owner else {}
        if kind is RecordKind.CONTACT:
            return self.seed_record(
                "contacts", {"firstname": first, "lastname": last, "phone": phone, **owned}
            )
        if kind is RecordKind.ACCOUNT:
            return self.seed_record("companies", {"name": f"{first} {last}", "phone": phone, **owned})
        raise ValueError(f"HubSpot has no {kind.value} records")

    def call_logs(self) -> list[LoggedCall]:
        """Every call engagement in the common shape."""
        logs = []
        for call in self.call_engagements():
            props = call["properties"]
            linked = call["associations"]["contacts"] + call["associations"]["companies"]
            logs.append(
                LoggedCall(
                    id=str(call["id"]),
                    owner_id=str(call["owner_id"] or ""),
                    record_id=str(linked[0]) if linked else "",
                    subject=props.get("hs_call_title", ""),
                    description=props.get("hs_call_body", ""),
                    recording_url=props.get("hs_call_recording_url", ""),
                    idempotency_key=props.get("hs_call_external_id", ""),
                    outcome=props.get("hs_call_disposition", ""),
                )
            )
        return logs

    def contact_pages(self, contact_id: str) -> tuple[str, str]:
        """The web UI's record page of a contact and the contacts list view."""
        list_url = (
            f"{self.base_url}/contacts/{self.hub_id}/objects/{OBJECT_TYPE_IDS['contacts']}/views/all/list"
        )
        return self.record_url("contacts", contact_id), list_url

    def record_names(self) -> dict[str, str]:
        """Id -> name of every contact and company."""
        names = {}
        for record in self.store.objects["contacts"].values():
            props = record.properties
            names[record.id] = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
        for record in self.store.objects["companies"].values():
            names[record.id] = record.properties.get("name", "")
        return names

    def set_outage(self, down: bool) -> None:
        """While down every CRM API request (not OAuth, not pages) answers 503."""
        if self._outage is not None and self._outage in self.api.faults:
            self.api.faults.remove(self._outage)
        self._outage = Fault(status=503, remaining=10**9) if down else None
        if self._outage is not None:
            self.api.faults.append(self._outage)
