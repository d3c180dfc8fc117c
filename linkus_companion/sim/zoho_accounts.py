"""Emulated Zoho Accounts server: consent page, token, refresh, revoke, PKCE, multi-DC, 20-token cap."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from linkus_companion.sim.zoho_data import Org, User
from linkus_companion.sim.zoho_forms import form_params

ACCESS_TOKEN_SECONDS = 3600
CODE_SECONDS = 120
MAX_REFRESH_TOKENS = 20
"""A user holds at most 20 refresh tokens; the 21st silently deletes the oldest."""


@dataclass(frozen=True)
class DataCentre:
    """One Zoho data centre's host names."""

    location: str
    accounts: str
    api: str
    web: str


DATA_CENTRES: Mapping[str, DataCentre] = {
    "com": DataCentre("us", "accounts.zoho.com", "www.zohoapis.com", "crm.zoho.com"),
    "eu": DataCentre("eu", "accounts.zoho.eu", "www.zohoapis.eu", "crm.zoho.eu"),
    "in": DataCentre("in", "accounts.zoho.in", "www.zohoapis.in", "crm.zoho.in"),
    "com.au": DataCentre("au", "accounts.zoho.com.au", "www.zohoapis.com.au", "crm.zoho.com.au"),
    "com.cn": DataCentre("cn", "accounts.zoho.com.cn", "www.zohoapis.com.cn", "crm.zoho.com.cn"),
    "jp": DataCentre("jp", "accounts.zoho.jp", "www.zohoapis.jp", "crm.zoho.jp"),
    "ca": DataCentre("ca", "accounts.zohocloud.ca", "www.zohoapis.ca", "crm.zohocloud.ca"),
    "sa": DataCentre("sa", "accounts.zoho.sa", "www.zohoapis.sa", "crm.zoho.sa"),
}
"""Keyed by domain suffix, as the product's configuration names them."""
START_HOST = DATA_CENTRES["com"].accounts
"""Where multi-DC sign-in starts."""


@dataclass
class Client:
    """A registered OAuth client (server-based application)."""

    client_id: str
    secret: str
    redirect_uris: set[str] = field(default_factory=set)
    phonebridge_provider: bool = True
    """Registered with Zoho as a PhoneBridge telephony provider."""


@dataclass
class Token:
    """An issued access or refresh token."""

    value: str
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    expires_at: float | None = None
    refresh: str | None = None
    """For access tokens: the refresh token they came from."""


@dataclass
class _Code:
    client_id: str
    user_id: str
    scopes: tuple[str, ...]
    redirect_uri: str
    offline: bool
    challenge: str
    method: str
    expires_at: float


class Accounts:
    """Clients, codes and tokens of one org's data centre; `app(host)` serves one accounts host."""

    def __init__(
        self, org: Org, dc: DataCentre, clock: Callable[[], float], url_of: Callable[[str], str]
    ) -> None:
        self.org = org
        self.dc = dc
        self.clients: dict[str, Client] = {}
        self.access: dict[str, Token] = {}
        self.refresh: dict[str, Token] = {}
        self._codes: dict[str, _Code] = {}
        self._clock = clock
        self._url_of = url_of

    def add_client(self, client_id: str, secret: str) -> Client:
        """Register an OAuth client."""
        client = Client(client_id, secret)
        self.clients[client_id] = client
        return client

    def issue(
        self,
        client_id: str,
        user: User,
        scopes: tuple[str, ...],
        *,
        value: str | None = None,
        offline: bool = False,
    ) -> tuple[Token, Token | None]:
        """A new access token (and refresh token when `offline`), enforcing the refresh-token cap."""
        refresh = None
        if offline:
            refresh = Token(_token(), client_id, user.id, scopes)
            held = [t for t in self.refresh.values() if t.user_id == user.id]
            for oldest in held[: max(0, len(held) - MAX_REFRESH_TOKENS + 1)]:
                self.revoke(oldest.value)
            self.refresh[refresh.value] = refresh
        access = self._access(client_id, user.id, scopes, refresh.value if refresh else None, value)
        return access, refresh

    def revoke(self, refresh_token: str) -> bool:
        """Delete a refresh token and the access tokens it produced."""
        if self.refresh.pop(refresh_token, None) is None:
            return False
        for value in [v for v, t in self.access.items() if t.refresh == refresh_token]:
            del self.access[value]
        return True

    def check(self, access_token: str) -> Token | None:
        """The live access token, or None when unknown, revoked or expired."""
        token = self.access.get(access_token)
        if token is None or (token.expires_at is not None and token.expires_at <= self._clock()):
            return None
        return token

    def app(self, host: str) -> Starlette:
        """The accounts server at `host` (the start server or this data centre's own)."""

        async def token(request: Request) -> Response:
            return await self._token(request, host)

        return Starlette(
            routes=[
                Route("/oauth/v2/auth", self._authorize, methods=["GET", "POST"]),
                Route("/oauth/v2/token", token, methods=["POST"]),
                Route("/oauth/v2/token/revoke", self._revoke, methods=["POST"]),
            ]
        )

    def _access(
        self,
        client_id: str,
        user_id: str,
        scopes: tuple[str, ...],
        refresh: str | None,
        value: str | None = None,
    ) -> Token:
        token = Token(
            value or _token(), client_id, user_id, scopes, self._clock() + ACCESS_TOKEN_SECONDS, refresh
        )
        self.access[token.value] = token
        return token

    async def _authorize(self, request: Request) -> Response:
        params = await form_params(request)
        client = self.clients.get(params.get("client_id", ""))
        if client is None:
            return _error_page("Invalid Client", "The client_id is not registered.")
        redirect_uri = params.get("redirect_uri", "")
        if not _redirect_allowed(client, redirect_uri):
            return _error_page("Invalid Redirect Uri", "The redirect_uri does not match the client's.")
        scopes = tuple(s for s in params.get("scope", "").split(",") if s)
        if params.get("response_type") != "code" or not scopes:
            return _error_page("Invalid Request", "response_type=code and a scope are required.")
        if request.method == "GET":
            return self._consent_page(params, scopes)
        user = self.org.users.get(params.get("zuid_user", ""))
        if params.get("action") != "accept" or user is None or user.status != "active":
            return _redirect(redirect_uri, {"error": "access_denied", "state": params.get("state", "")})
        code = _token()
        self._codes[code] = _Code(
            client.client_id,
            user.id,
            scopes,
            redirect_uri,
            params.get("access_type") == "offline",
            params.get("code_challenge", ""),
            params.get("code_challenge_method", "plain"),
            self._clock() + CODE_SECONDS,
        )
        accounts_server = self._url_of(self.dc.accounts)
        return _redirect(
            redirect_uri,
            {
                "state": params.get("state", ""),
                "code": code,
                "location": self.dc.location,
                "accounts-server": accounts_server,
            },
        )

    def _consent_page(self, params: Mapping[str, str], scopes: tuple[str, ...]) -> HTMLResponse:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k not in ("action", "zuid_user")
        )
        users = "".join(
            f'<option value="{u.id}">{html.escape(u.email)}</option>'
            for u in self.org.users.values()
            if u.status == "active"
        )
        items = "".join(f"<li>{html.escape(s)}</li>" for s in scopes)
        body = (
            "<!doctype html><html><head><title>Zoho Accounts - Authorize</title></head><body>"
            f"<h1>{html.escape(params.get('client_id', ''))} would like to access</h1><ul>{items}</ul>"
            f'<form method="post" action="/oauth/v2/auth">{hidden}'
            f'<label>Signed in as <select name="zuid_user">{users}</select></label>'
            '<button name="action" value="accept">Accept</button>'
            '<button name="action" value="reject">Reject</button></form></body></html>'
        )
        return HTMLResponse(body)

    async def _token(self, request: Request, host: str) -> Response:
        params = await form_params(request)
        client = self.clients.get(params.get("client_id", ""))
        if client is None or not secrets.compare_digest(client.secret, params.get("client_secret", "")):
            return JSONResponse({"error": "invalid_client"})
        grant = params.get("grant_type")
        if grant == "authorization_code":
            return self._exchange(client, params, host)
        if grant == "refresh_token":
            refresh = self.refresh.get(params.get("refresh_token", ""))
            if refresh is None or refresh.client_id != client.client_id or host != self.dc.accounts:
                return JSONResponse({"error": "invalid_code"})
            access = self._access(client.client_id, refresh.user_id, refresh.scopes, refresh.value)
            return JSONResponse(self._token_body(access, None))
        return JSONResponse({"error": "unsupported_grant_type"})

    def _exchange(self, client: Client, params: Mapping[str, str], host: str) -> Response:
        code = self._codes.pop(params.get("code", ""), None)
        if code is None or code.client_id != client.client_id or code.expires_at <= self._clock():
            return JSONResponse({"error": "invalid_code"})
        if host != self.dc.accounts:  # the code must be exchanged at the `accounts-server` it came with
            return JSONResponse({"error": "invalid_code"})
        if params.get("redirect_uri", "") != code.redirect_uri:
            return JSONResponse({"error": "invalid_redirect_uri"})
        if code.challenge and not _pkce_ok(code.challenge, code.method, params.get("code_verifier", "")):
            return JSONResponse({"error": "invalid_code"})
        access, refresh = self.issue(
            client.client_id, self.org.users[code.user_id], code.scopes, offline=code.offline
        )
        return JSONResponse(self._token_body(access, refresh))

    def _token_body(self, access: Token, refresh: Token | None) -> dict[str, Any]:
        body: dict[str, Any] = {"access_token": access.value}
        if refresh:
            body["refresh_token"] = refresh.value
        body.update(
            scope=" ".join(access.scopes),
            api_domain=self._url_of(self.dc.api),
            token_type="Bearer",  # noqa: S106 - the token type name, not a secret
            expires_in=ACCESS_TOKEN_SECONDS,
        )
        return body

    async def _revoke(self, request: Request) -> Response:
        params = await form_params(request)
        if self.revoke(params.get("token", "")):
            return JSONResponse({"status": "success"})
        return JSONResponse({"status": "failure", "error": "invalid_token"}, status_code=400)


def _token() -> str:
    return "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)


def _redirect_allowed(client: Client, uri: str) -> bool:
    """A registered URI, or an http loopback URI on any port (RFC 8252 style; Zoho's rule is unconfirmed)."""
    if uri in client.redirect_uris:
        return True
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")


def _pkce_ok(challenge: str, method: str, verifier: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return bool(verifier) and secrets.compare_digest(challenge, verifier)


def _redirect(uri: str, params: Mapping[str, str]) -> RedirectResponse:
    joiner = "&" if urlsplit(uri).query else "?"
    return RedirectResponse(uri + joiner + urlencode(params), status_code=302)


def _error_page(title: str, text: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>",
        status_code=400,
    )
