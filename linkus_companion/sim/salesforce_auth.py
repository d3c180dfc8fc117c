"""The emulated org's OAuth 2.0 server (web-server flow, PKCE, refresh rotation, revoke) and its sessions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from linkus_companion.sim.salesforce_data import ApiError

CODE_LIFETIME = 15 * 60.0
"""Seconds an authorization code stays valid."""
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


@dataclass
class Session:
    """One access token: whose it is, which refresh token issued it, and when it was last used."""

    user_id: str
    last_used: float
    refresh_token: str = ""


@dataclass
class RefreshGrant:
    """A refresh token issued to a user through the connected app."""

    user_id: str
    scope: str


@dataclass
class _Pending:
    """An authorize request waiting for the user's decision, then its code."""

    redirect_uri: str
    state: str | None
    scope: str
    challenge: str | None
    user_id: str = ""
    issued: float = 0.0


@dataclass
class OAuthServer:
    """Authorize page, token, revoke and identity endpoints, and the session table REST calls check."""

    base_url: Callable[[], str]
    org_id: str
    client_id: str
    client_secret: str
    users: Callable[[], Mapping[str, Mapping[str, Any]]]
    """Active and inactive users by id (the org's User records)."""
    default_user: str
    redirect_uris: list[str] = field(default_factory=list)
    """Registered callback URLs (exact match)."""
    any_loopback: bool = True
    """Also accept any http loopback callback (RFC 8252), for when no URL is registered."""
    rotate_refresh_tokens: bool = True
    require_pkce: bool = False
    session_seconds: float = 7200.0
    clock: Callable[[], float] = time.time
    sessions: dict[str, Session] = field(default_factory=dict)
    refresh_grants: dict[str, RefreshGrant] = field(default_factory=dict)
    _pending: dict[str, _Pending] = field(default_factory=dict)
    _codes: dict[str, _Pending] = field(default_factory=dict)

    # --- sessions -------------------------------------------------------------------------------------

    def new_session(self, user_id: str, token: str | None = None, refresh_token: str = "") -> str:
        """Issue an access token for `user_id` (optionally with a fixed value)."""
        access = token or f"{self.org_id[:15]}!{secrets.token_urlsafe(72)}"
        self.sessions[access] = Session(user_id, self.clock(), refresh_token)
        return access

    def authenticate(self, request: Request) -> str:
        """The user id of the request's bearer token, or 401 INVALID_SESSION_ID."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        session = self.sessions.get(token.strip()) if scheme.lower() in ("bearer", "oauth") else None
        now = self.clock()
        if session is None or now - session.last_used > self.session_seconds:
            raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if not self.users().get(session.user_id, {}).get("IsActive"):
            raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        session.last_used = now
        return session.user_id

    def expire_sessions(self, *tokens: str) -> None:
        """Make these access tokens (default: all) time out, as after the org's session timeout."""
        for token in tokens or tuple(self.sessions):
            if token in self.sessions:
                self.sessions[token].last_used = -1e12

    # --- authorize ------------------------------------------------------------------------------------

    async def authorize(self, request: Request) -> Response:
        """GET: the consent page; POST: the user's decision, answered with a redirect to the callback."""
        if request.method == "POST":
            form = await _form(request)
            return self._decide(form.get("request_id", ""), form.get("decision", ""), form.get("user_id", ""))
        params = request.query_params
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id:
            return _error_page("invalid_client_id", "client identifier invalid")
        if not self._callback_ok(redirect_uri):
            return _error_page("redirect_uri_mismatch", "redirect_uri must match configuration")
        state = params.get("state")
        if params.get("response_type") != "code":
            return _redirect(
                redirect_uri,
                state,
                error="unsupported_response_type",
                error_description="response type not supported",
            )
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method", "S256")
        if (self.require_pkce and not challenge) or (challenge and method != "S256"):
            return _redirect(
                redirect_uri,
                state,
                error="invalid_request",
                error_description="missing or unsupported code challenge",
            )
        request_id = secrets.token_urlsafe(24)
        self._pending[request_id] = _Pending(redirect_uri, state, params.get("scope", "api"), challenge)
        return HTMLResponse(self._consent_page(request_id, params.get("login_hint", "")))

    def _decide(self, request_id: str, decision: str, user_id: str) -> Response:
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return _error_page("invalid_request", "the authorization request expired; start again")
        if decision != "allow":
            return _redirect(
                pending.redirect_uri,
                pending.state,
                error="access_denied",
                error_description="end-user denied authorization",
            )
        pending.user_id = user_id if self.users().get(user_id, {}).get("IsActive") else self.default_user
        pending.issued = self.clock()
        code = secrets.token_urlsafe(48)
        self._codes[code] = pending
        return _redirect(pending.redirect_uri, pending.state, code=code)

    def _callback_ok(self, uri: str) -> bool:
        if uri in self.redirect_uris:
            return True
        parts = urlsplit(uri)
        loopback = parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS
        return self.any_loopback and loopback and not parts.fragment

    def _consent_page(self, request_id: str, login_hint: str) -> str:
        users = [(uid, u) for uid, u in self.users().items() if u.get("IsActive")]
        hint = login_hint.casefold()
        chosen = next(
            (
                uid
                for uid, u in users
                if hint and hint in (str(u["Username"]).casefold(), str(u["Email"]).casefold())
            ),
            self.default_user,
        )
        options = "".join(
            f'<option value="{html.escape(uid)}"{" selected" if uid == chosen else ""}>'
            f"{html.escape(str(u['Name']))} ({html.escape(str(u['Username']))})</option>"
            for uid, u in users
        )
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            "<title>Allow Access? | Salesforce</title></head>"
            "<body><h1>Allow Access?</h1><p>Linkus Companion is asking to access your data "
            "(Manage user data via APIs; Perform requests at any time).</p>"
            '<form method="post" action="/services/oauth2/authorize">'
            f'<input type="hidden" name="request_id" value="{html.escape(request_id)}">'
            f'<label>Log in as <select name="user_id">{options}</select></label> '
            '<button type="submit" name="decision" value="allow" id="oaapprove">Allow</button> '
            '<button type="submit" name="decision" value="deny" id="oadeny">Deny</button>'
            "</form></body></html>"
        )

    # --- token, revoke, identity ----------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        """`grant_type=authorization_code` or `refresh_token`; no `expires_in` in the answer."""
        form = await _form(request)
        grant_type = form.get("grant_type", "")
        if grant_type not in ("authorization_code", "refresh_token"):
            return _token_error("unsupported_grant_type", "grant type not supported")
        if form.get("client_id") != self.client_id:
            return _token_error("invalid_client_id", "client identifier invalid")
        secret = form.get("client_secret")
        if secret is not None and not hmac.compare_digest(secret, self.client_secret):
            return _token_error("invalid_client", "invalid client credentials")
        if grant_type == "authorization_code":
            return self._exchange_code(form, has_secret=secret is not None)
        return self._refresh(form.get("refresh_token", ""))

    def _exchange_code(self, form: Mapping[str, str], *, has_secret: bool) -> Response:
        pending = self._codes.pop(form.get("code", ""), None)
        if pending is None or self.clock() - pending.issued > CODE_LIFETIME:
            return _token_error("invalid_grant", "expired authorization code")
        if form.get("redirect_uri") != pending.redirect_uri:
            return _token_error("invalid_grant", "redirect_uri must match configuration")
        verifier = form.get("code_verifier")
        if pending.challenge:
            if not verifier:
                return _token_error("invalid_grant", "invalid code verifier")
            digest = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if not hmac.compare_digest(digest, pending.challenge):
                return _token_error("invalid_request", "invalid code verifier")
        elif not has_secret:
            return _token_error("invalid_client", "invalid client credentials")
        refresh = secrets.token_urlsafe(60) if "refresh_token" in pending.scope.split() else ""
        if refresh:
            self.refresh_grants[refresh] = RefreshGrant(pending.user_id, pending.scope)
        return self._token_response(pending.user_id, pending.scope, refresh, include_refresh=bool(refresh))

    def _refresh(self, refresh_token: str) -> Response:
        grant = self.refresh_grants.get(refresh_token)
        if grant is None or not self.users().get(grant.user_id, {}).get("IsActive"):
            return _token_error("invalid_grant", "expired access/refresh token")
        current = refresh_token
        if self.rotate_refresh_tokens:
            del self.refresh_grants[refresh_token]
            current = secrets.token_urlsafe(60)
            self.refresh_grants[current] = grant
            for session in self.sessions.values():
                if session.refresh_token == refresh_token:
                    session.refresh_token = current
        return self._token_response(
            grant.user_id, grant.scope, current, include_refresh=self.rotate_refresh_tokens
        )

    def _token_response(self, user_id: str, scope: str, refresh: str, *, include_refresh: bool) -> Response:
        issued_at = str(int(self.clock() * 1000))
        identity = f"{self.base_url()}/id/{self.org_id}/{user_id}"
        signature = base64.b64encode(
            hmac.new(self.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
        ).decode()
        body: dict[str, str] = {"access_token": self.new_session(user_id, refresh_token=refresh)}
        if include_refresh:
            body["refresh_token"] = refresh
        body |= {
            "signature": signature,
            "scope": scope,
            "instance_url": self.base_url(),
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }
        return JSONResponse(
            body, headers={"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private"}
        )

    async def revoke(self, request: Request) -> Response:
        """Revoke an access token, or a refresh token and every access token it issued."""
        token = request.query_params.get("token", "")
        if request.method == "POST":
            token = (await _form(request)).get("token", token)
        if token in self.refresh_grants:
            del self.refresh_grants[token]
            self.sessions = {k: s for k, s in self.sessions.items() if s.refresh_token != token}
        elif self.sessions.pop(token, None) is None:
            return _token_error("unsupported_token_type", "this token type is not supported")
        return Response(status_code=200)

    def identity(self, request: Request, org_id: str, user_id: str) -> Response:
        """The identity URL from the token response: who the token belongs to."""
        caller = self.authenticate(request)
        if org_id != self.org_id or user_id != caller:
            raise ApiError(403, "Bad_Id", "Bad_Id")
        user = self.users()[caller]
        base = self.base_url()
        return JSONResponse(
            {
                "id": f"{base}/id/{self.org_id}/{caller}",
                "asserted_user": True,
                "user_id": caller,
                "organization_id": self.org_id,
                "username": user["Username"],
                "nick_name": str(user["Username"]).split("@")[0],
                "display_name": user["Name"],
                "email": user["Email"],
                "email_verified": True,
                "first_name": user.get("FirstName"),
                "last_name": user["LastName"],
                "active": bool(user["IsActive"]),
                "user_type": "STANDARD",
                "language": "en_US",
                "locale": "en_US",
                "urls": {
                    "rest": f"{base}/services/data/v{{version}}/",
                    "query": f"{base}/services/data/v{{version}}/query/",
                    "search": f"{base}/services/data/v{{version}}/search/",
                    "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
                },
            }
        )


async def _form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body (the first value of each field)."""
    fields: dict[str, str] = {}
    for name, value in parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, value)
    return fields


def _redirect(redirect_uri: str, state: str | None, **params: str) -> Response:
    query = {**params, **({"state": state} if state is not None else {})}
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(query)}", status_code=302)


def _error_page(error: str, description: str) -> Response:
    return HTMLResponse(
        "<!doctype html><html><head><title>Error | Salesforce</title></head><body>"
        f"<h1>OAuth Error</h1><p>error={html.escape(error)}&amp;"
        f"error_description={html.escape(description)}</p>"
        "</body></html>",
        status_code=400,
    )


def _token_error(error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)
