"""Faithful local Zoho CRM: Accounts (OAuth), CRM API v8, PhoneBridge v3 and the web UI's record pages.

Data centres: every real Zoho host the org's data centre uses (the sign-in start `accounts.zoho.com`,
the DC's own accounts server, its API domain and its CRM web UI) gets its own listener on 127.0.0.1,
so each host is a distinct origin exactly as in production: `url_of("www.zohoapis.eu")` is where that
host lives here. `api_domain` in token responses and `accounts-server` in redirects name these
origins, so the official SDK and our connector follow them without knowing about the emulator.
Plain HTTP only: the official SDK cannot be given a CA file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import secrets
import time
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from linkus_companion.crm.base import Connector, GrantSource
from linkus_companion.crm.oauth import ClientCredentials
from linkus_companion.crm.oauth_providers import Provider, zoho
from linkus_companion.crm.zoho import ZohoConnector
from linkus_companion.model import RecordKind
from linkus_companion.serving import RunningServer, start_server
from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.sim.zoho_accounts import DATA_CENTRES, START_HOST, Accounts, Token
from linkus_companion.sim.zoho_api import CrmApi
from linkus_companion.sim.zoho_browser import consent
from linkus_companion.sim.zoho_data import Org, User
from linkus_companion.sim.zoho_guard import Fault, Guard
from linkus_companion.sim.zoho_phonebridge import PhoneBridge
from linkus_companion.sim.zoho_schema import MODULES, display_name, phone_fields
from linkus_companion.sim.zoho_seed import seed_org

ADMIN_SCOPES = (
    "ZohoCRM.modules.ALL",
    "ZohoCRM.users.ALL",
    "ZohoCRM.org.ALL",
    "ZohoCRM.settings.ALL",
    "ZohoSearch.securesearch.ALL",
    "PhoneBridge.call.log",
    "PhoneBridge.zohoone.search",
)
STANDARD_EDITION = {"credits": 50_000, "concurrency": 10}


_MODULE_OF = {RecordKind.CONTACT: "Contacts", RecordKind.LEAD: "Leads", RecordKind.ACCOUNT: "Accounts"}


class ZohoEmulator:
    """A Zoho CRM org in one data centre, served on 127.0.0.1, with an inspection API for tests."""

    kind = "zoho"
    ca_file = None
    """Zoho is served over plain HTTP (see the module docstring)."""

    def __init__(
        self,
        *,
        token: str | None = None,
        seed: bool = True,
        data_centre: str = "com",
        credits: int = STANDARD_EDITION["credits"],
        concurrency: int = STANDARD_EDITION["concurrency"],
        latency: float = 0.0,
    ) -> None:
        if data_centre not in DATA_CENTRES:
            raise ValueError(f"unknown Zoho data centre {data_centre!r}; one of {', '.join(DATA_CENTRES)}")
        self.dc = DATA_CENTRES[data_centre]
        self._offset = 0.0
        self.org = Org("771234567", "Zylker Traders", self.now)
        self.admin: User = self.org.add_user(
            "John", "Smith", "john.smith@example.com", role="CEO", profile="Administrator"
        )
        self.accounts = Accounts(self.org, self.dc, self._time, self.url_of)
        self.oauth_client_id = "1000." + secrets.token_hex(12).upper()
        self.oauth_client_secret = secrets.token_hex(20)
        self.accounts.add_client(self.oauth_client_id, self.oauth_client_secret)
        access, refresh = self.accounts.issue(
            self.oauth_client_id, self.admin, ADMIN_SCOPES, value=token, offline=True
        )
        self.admin_token = access.value
        self.admin_refresh_token = refresh.value if refresh else ""
        self.guard = Guard(self.accounts, credits=credits, concurrency=concurrency, latency=latency)
        self.api = CrmApi(self.org, self.guard)
        self.phonebridge = PhoneBridge(self.org, self.guard, self.now)
        if seed:
            seed_org(self.org)
        self._servers: dict[str, RunningServer] = {}

    # --- lifecycle and addresses -------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen for every host of the data centre; `port` is the API domain's."""
        apps = {
            START_HOST: self.accounts.app(START_HOST),
            self.dc.accounts: self.accounts.app(self.dc.accounts),
            self.dc.web: self._web_app(),
        }
        self._servers[self.dc.api] = await start_server(
            Starlette(routes=[*self.api.routes(), *self.phonebridge.routes()]), host, port
        )
        for name, app in apps.items():
            self._servers[name] = await start_server(app, host, 0)

    async def stop(self) -> None:
        """Stop every listener."""
        await asyncio.gather(*(server.stop() for server in self._servers.values()))
        self._servers.clear()

    def url_of(self, real_host: str) -> str:
        """Where the real Zoho host `real_host` (e.g. `www.zohoapis.com`) is served here."""
        server = self._servers.get(real_host)
        if server is None:
            raise LookupError(f"{real_host} is not served by this emulator (data centre {self.dc.location})")
        return server.base_url

    @property
    def base_url(self) -> str:
        """The API domain (`api_domain` of every token), e.g. `http://127.0.0.1:8086`."""
        return self.url_of(self.dc.api)

    @property
    def accounts_url(self) -> str:
        """The accounts server sign-in starts at (`accounts.zoho.com`, multi-DC)."""
        return self.url_of(START_HOST)

    @property
    def accounts_server(self) -> str:
        """The org's own data centre's accounts server (token, refresh, revoke)."""
        return self.url_of(self.dc.accounts)

    @property
    def web_url(self) -> str:
        """The CRM web UI (`crm.zoho.<tld>`)."""
        return self.url_of(self.dc.web)

    # --- inspection and control ---------------------------------------------------------------

    def now(self) -> dt.datetime:
        """The emulator's clock (real time plus `advance`)."""
        return dt.datetime.fromtimestamp(self._time(), dt.UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (access tokens live one hour, codes two minutes)."""
        self._offset += seconds

    def record_url(self, module: str, record_id: str) -> str:
        """The web UI page of a record."""
        return f"{self.web_url}/crm/{self.org.domain_name}/tab/{module}/{record_id}"

    def add_record(self, module: str, fields: dict[str, Any], owner: User | None = None) -> str:
        """Store a record directly (seed data); raises ValueError when Zoho would refuse it."""
        result = self.org.insert(module, fields, owner or self.admin)
        if not isinstance(result, dict):
            raise ValueError(f"{module} record refused: {result.code} {dict(result.details)}")
        return str(result["id"])

    def records(self, module: str) -> list[dict[str, Any]]:
        """Every record of `module` (copies)."""
        return [dict(r) for r in self.org.records[module].values()]

    def issue_token(self, user: User, scopes: tuple[str, ...] = ADMIN_SCOPES) -> Token:
        """A ready access token for `user` (without a refresh token)."""
        return self.accounts.issue(self.oauth_client_id, user, scopes)[0]

    def expire_access_token(self, token: str) -> None:
        """Treat `token` as expired from now on (as if its hour had passed)."""
        self.accounts.access[token].expires_at = self._time()

    def inject(
        self,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
        count: int = 1,
        after: bool = False,
        method: str = "",
    ) -> None:
        """Answer the next `count` API requests (of `method`) with this error instead of serving them.

        `after`: serve them first, then answer with the error, as when a response is lost.
        """
        self.guard.faults.extend([Fault(status, code, message, retry_after, after, method)] * count)

    async def consent(self, authorize_url: str, *, user_email: str | None = None, accept: bool = True) -> str:
        """The browser step: approve (or reject) on the consent page; returns the redirect location."""
        return await consent(authorize_url, user_email=user_email, accept=accept)

    async def click_to_dial(self, zohouser: str, number: str) -> httpx.Response:
        """A user clicks `number` in the CRM: Zoho calls the registered provider URL."""
        return await self.phonebridge.dial(zohouser, number)

    # --- the CrmEmulator surface (sim/crm_emulator.py) -----------------------------------------

    @property
    def web_origin(self) -> str:
        """The CRM web UI, where record pages are."""
        return self.web_url

    def oauth_provider(self) -> Provider:
        """Zoho's OAuth endpoints on the emulator: sign-in starts at `accounts_url`."""
        return zoho(accounts=self.accounts_url, web=self.web_url, also={self.accounts_server: self.web_url})

    def oauth_credentials(self) -> ClientCredentials:
        """The org's registered OAuth client."""
        return ClientCredentials(self.oauth_client_id, self.oauth_client_secret)

    def allow_redirect(self, uri: str) -> None:
        """Register a redirect URI with the OAuth client."""
        self.accounts.clients[self.oauth_client_id].redirect_uris.add(uri)

    def connector(self, client: httpx.AsyncClient, grants: GrantSource, *, region: str = "US") -> Connector:
        """Our Zoho connector; the API domain and web UI come from the grant."""
        return ZohoConnector(client, grants, region=region, **self.connector_options())

    def connector_options(self) -> dict[str, Any]:
        """What our connector needs to know beyond the sign-in: where the web UI is served."""
        return {"web_base": self.web_url}

    def add_user(self, first: str, last: str, email: str) -> str:
        """An active CRM user; returns the id."""
        return self.org.add_user(first, last, email).id

    def seed_contact(
        self, phone: str, first: str, last: str, kind: RecordKind = RecordKind.CONTACT, *, owner: str = ""
    ) -> str:
        """A contact or lead, or for ACCOUNT an account named `first last`, with the phone as given."""
        user = self.org.users[owner] if owner else None
        if kind is RecordKind.ACCOUNT:
            return self.add_record("Accounts", {"Account_Name": f"{first} {last}", "Phone": phone}, user)
        fields = {"First_Name": first, "Last_Name": last, "Phone": phone}
        return self.add_record(_MODULE_OF[kind], fields, user)

    def call_logs(self) -> list[LoggedCall]:
        """Every record of the Calls module in the common shape (the recording: its attachment's
        download URL, else the recording field)."""
        attached = {
            a["Parent_Id"]["id"]: f"{self.base_url}/crm/v8/Calls/{a['Parent_Id']['id']}/Attachments/{a['id']}"
            for a in self.api.attachments.values()
            if a["$se_module"] == "Calls"
        }
        return [
            LoggedCall(
                id=str(call["id"]),
                owner_id=str(call["Owner"]["id"]),
                record_id=str((call.get("Who_Id") or call.get("What_Id") or {}).get("id", "")),
                subject=str(call.get("Subject") or ""),
                description=str(call.get("Description") or ""),
                recording_url=attached.get(str(call["id"])) or str(call.get("Voice_Recording__s") or ""),
                idempotency_key=str(call.get("Call_Agenda") or ""),
                outcome=str(call.get("Call_Result") or ""),
            )
            for call in self.records("Calls")
        ]

    def contact_pages(self, contact_id: str) -> tuple[str, str]:
        """The web UI's record page of a contact and the Contacts list view."""
        return self.record_url(
            "Contacts", contact_id
        ), f"{self.web_url}/crm/{self.org.domain_name}/tab/Contacts"

    def record_names(self) -> dict[str, str]:
        """Id -> name of every contact, lead and account."""
        return {
            str(record["id"]): display_name(module, record)
            for module in _MODULE_OF.values()
            for record in self.records(module)
        }

    def set_outage(self, down: bool) -> None:
        """While down every API request answers 503 (OAuth and pages keep working)."""
        self.guard.down = down

    def _time(self) -> float:
        return time.time() + self._offset

    # --- web UI ---------------------------------------------------------------------------------

    def _web_app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/crm/{domain}/tab/{module}/{record_id}", self._record_page),
                Route("/crm/tab/{module}/{record_id}", self._record_page),
                Route("/crm/{domain}/tab/{module}", self._list_page),
            ]
        )

    async def _list_page(self, request: Request) -> Response:
        module = request.path_params["module"]
        if (
            request.path_params["domain"] != self.org.domain_name
            or module not in MODULES
            or module == "Calls"
        ):
            return HTMLResponse("<!doctype html><title>Zoho CRM</title><h1>Page not found</h1>", 404)
        phones = phone_fields(module)
        head = "".join(f"<th>{html.escape(name.replace('_', ' '))}</th>" for name in phones)
        base = f"/crm/{self.org.domain_name}/tab/{module}"
        rows = "".join(
            f'<tr><td><a href="{base}/{html.escape(str(r["id"]))}">{html.escape(display_name(module, r))}</a></td>'
            + "".join(f"<td>{html.escape(_shown(r.get(name) or ''))}</td>" for name in phones)
            + "</tr>"
            for r in self.org.records[module].values()
        )
        return HTMLResponse(
            f"<!doctype html><html><head><title>{module} - Zoho CRM</title></head><body><h1>{module}</h1>"
            f"<table><thead><tr><th>Name</th>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>"
        )

    async def _record_page(self, request: Request) -> Response:
        domain = request.path_params.get("domain", self.org.domain_name)
        module = request.path_params["module"]
        record = self.org.find(module, request.path_params["record_id"]) if module in MODULES else None
        if domain != self.org.domain_name or record is None:
            return HTMLResponse("<!doctype html><title>Zoho CRM</title><h1>Record not found</h1>", 404)
        rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(_shown(v))}</td></tr>"
            for k, v in record.items()
            if v not in (None, "")
        )
        title = html.escape(display_name(module, record))
        return HTMLResponse(
            f"<!doctype html><html><head><title>{title} - {module} - Zoho CRM</title></head>"
            f"<body><h1>{title}</h1><table>{rows}</table></body></html>"
        )


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    return str(value)
