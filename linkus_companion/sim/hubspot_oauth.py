"""HubSpot OAuth 2.0 as the emulator serves it: authorize page, tokens, refresh, token info, revoke."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from linkus_companion.sim.hubspot_errors import ApiError, error, oauth_error
from linkus_companion.sim.hubspot_store import Owner

APP_SCOPES = (
    "oauth",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "crm.objects.companies.read",
    "crm.objects.companies.write",
    "crm.objects.owners.read",
    "settings.users.read",
    "files",
)
CODE_TTL = 300.0
_NO_CREDENTIALS = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
    "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


@dataclass
class Grant:
    """One installation by one user: its scopes and refresh token."""

    owner: Owner
    scopes: tuple[str, ...]
    refresh_token: str
    revoked: bool = False


@dataclass
class AccessToken:
    """An issued access token and when it stops working (monotonic seconds)."""

    token: str
    grant: Grant
    expires_at: float


@dataclass
class _Pending:
    """An authorize request shown to the user, or an issued code waiting for the token call."""

    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    challenge: str
    owner: Owner | None = None
    expires_at: float = 0.0
    params: dict[str, str] = field(default_factory=dict)


class OAuthServer:
    """The portal's one OAuth app (client id/secret, registered redirect URIs) and its tokens."""

    def __init__(
        self,
        *,
        hub_id: int,
        app_id: int,
        owners: Mapping[str, Owner],
        redirect_uris: tuple[str, ...],
        token_ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hub_id = hub_id
        self.app_id = app_id
        self.client_id = (
            f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        )
        self.client_secret = f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        self.redirect_uris = list(redirect_uris)
        self.token_ttl = token_ttl
        self._owners = owners
        self._clock = clock
        self._requests: dict[str, _Pending] = {}
        self._codes: dict[str, _Pending] = {}
        self._grants: dict[str, Grant] = {}
        self._tokens: dict[str, AccessToken] = {}

    def issue(
        self, owner: Owner, scopes: tuple[str, ...] = APP_SCOPES, token: str | None = None
    ) -> dict[str, Any]:
        """A new grant for `owner` and its token response (`token` fixes the access token)."""
        grant = Grant(owner, scopes, secrets.token_hex(4) + "-" + secrets.token_hex(14))
        self._grants[grant.refresh_token] = grant
        return self._token_response(grant, token)

    def authenticate(self, request: Request, scope: str) -> AccessToken:
        """The valid access token of a CRM request having `scope`, else HubSpot's 401/403."""
        header = request.headers.get("authorization", "")
        kind, _, value = header.partition(" ")
        issued = self._tokens.get(value.strip()) if kind.lower() == "bearer" else None
        if issued is None or issued.grant.revoked:
            raise error(401, "INVALID_AUTHENTICATION", _NO_CREDENTIALS)
        overdue = self._clock() - issued.expires_at
        if overdue >= 0:
            minutes = int(overdue // 60)
            raise error(
                401,
                "EXPIRED_AUTHENTICATION",
                f"The OAuth token used to make this call expired {minutes} minute(s) ago.",
            )
        if scope not in issued.grant.scopes:
            raise error(
                403,
                "MISSING_SCOPES",
                "This app hasn't been granted all required scopes to make this call. "
                "Read more about required scopes here: https://developers.hubspot.com/scopes.",
                errors=[
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredGranularScopes": [scope]},
                    }
                ],
                links={"scopes": "https://developers.hubspot.com/scopes"},
            )
        return issued

    def expire(self, token: str) -> None:
        """Make an access token expire now (tests and the demo)."""
        self._tokens[token].expires_at = self._clock()

    def routes(self) -> list[Route]:
        """The OAuth endpoints, legacy and date-based."""
        routes = [
            Route("/oauth/authorize", self._authorize, methods=["GET"]),
            Route("/oauth/{account_id:int}/authorize", self._authorize, methods=["GET"]),
            Route("/oauth/authorize/decision", self._decide, methods=["POST"]),
            Route("/oauth/v1/access-tokens/{token}", self._access_token_info, methods=["GET"]),
            Route("/oauth/v1/refresh-tokens/{token}", self._refresh_token_info, methods=["GET"]),
            Route("/oauth/v1/refresh-tokens/{token}", self._delete_refresh_token, methods=["DELETE"]),
        ]
        for version in ("v1", "v3", "2026-03"):
            routes.append(Route(f"/oauth/{version}/token", self._token, methods=["POST"]))
        for version in ("v3", "2026-03"):
            routes.append(Route(f"/oauth/{version}/token/introspect", self._introspect, methods=["POST"]))
            routes.append(Route(f"/oauth/{version}/token/revoke", self._revoke, methods=["POST"]))
        return routes

    # --- authorize ---------------------------------------------------------------------------------

    async def _authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        if params.get("client_id") != self.client_id:
            return _page("Authorization failed", "This app's client_id is unknown.", 400)
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris or not _redirect_allowed(redirect_uri):
            return _page(
                "Authorization failed", "The redirect_uri does not match the app's redirect URLs.", 400
            )
        state = params.get("state", "")
        scopes = tuple(params.get("scope", "").split())
        if "oauth" not in scopes or not set(scopes) <= set(APP_SCOPES):
            return _redirect(redirect_uri, error="invalid_scope", state=state)
        method = params.get("code_challenge_method", "S256" if params.get("code_challenge") else "")
        if method not in ("", "S256"):
            return _redirect(redirect_uri, error="invalid_request", state=state)
        request_id = secrets.token_urlsafe(16)
        self._requests[request_id] = _Pending(redirect_uri, scopes, state, params.get("code_challenge", ""))
        options = "".join(
            f'<option value="{html.escape(o.id)}">{html.escape(o.email)}</option>'
            for o in self._owners.values()
        )
        body = (
            f"<p>Hub {self.hub_id}: grant access to {html.escape(', '.join(scopes))}.</p>"
            f'<form id="consent" method="post" action="/oauth/authorize/decision">'
            f'<input type="hidden" name="request_id" value="{request_id}">'
            f'<label>Account <select name="owner_id">{options}</select></label>'
            f'<button type="submit" name="decision" value="approve">Connect app</button>'
            f'<button type="submit" name="decision" value="deny">Cancel</button></form>'
        )
        return _page("Choose an account", body, 200)

    async def _decide(self, request: Request) -> Response:
        form = await _form(request)
        pending = self._requests.pop(form.get("request_id", ""), None)
        if pending is None:
            return _page("Authorization failed", "This authorization request expired; start again.", 400)
        if form.get("decision") != "approve":
            return _redirect(pending.redirect_uri, error="access_denied", state=pending.state)
        pending.owner = self._owners.get(form.get("owner_id", "")) or next(iter(self._owners.values()))
        pending.expires_at = self._clock() + CODE_TTL
        code = secrets.token_hex(4) + "-" + secrets.token_hex(14)
        self._codes[code] = pending
        return _redirect(pending.redirect_uri, code=code, state=pending.state)

    # --- token endpoint ----------------------------------------------------------------------------

    async def _token(self, request: Request) -> Response:
        form = dict(request.query_params) | await _form(request)
        try:
            self._check_client(form)
            grant_type = form.get("grant_type", "")
            if grant_type == "authorization_code":
                return JSONResponse(self._exchange_code(form))
            if grant_type == "refresh_token":
                grant = self._grants.get(form.get("refresh_token", ""))
                if grant is None or grant.revoked:
                    raise oauth_error(
                        400,
                        "invalid_grant",
                        "BAD_REFRESH_TOKEN",
                        "refresh token is invalid, expired or revoked",
                    )
                return JSONResponse(self._token_response(grant))
            raise oauth_error(
                400,
                "unsupported_grant_type",
                "BAD_GRANT_TYPE",
                f"grant_type {grant_type[:40]!r} is not supported",
            )
        except ApiError as exc:
            return exc.response()

    def _exchange_code(self, form: Mapping[str, str]) -> dict[str, Any]:
        pending = self._codes.pop(form.get("code", ""), None)
        if pending is None or pending.owner is None or pending.expires_at < self._clock():
            raise oauth_error(400, "invalid_grant", "BAD_AUTH_CODE", "missing or unknown auth code")
        if form.get("redirect_uri") != pending.redirect_uri:
            raise oauth_error(
                400, "invalid_grant", "BAD_REDIRECT_URI", "redirect_uri does not match the authorize request"
            )
        if pending.challenge:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != pending.challenge:
                raise oauth_error(
                    400,
                    "invalid_grant",
                    "BAD_CODE_VERIFIER",
                    "code_verifier does not match the code_challenge",
                )
        return self.issue(pending.owner, pending.scopes)

    def _check_client(self, form: Mapping[str, str]) -> None:
        if form.get("client_id") != self.client_id:
            raise oauth_error(400, "invalid_client", "BAD_CLIENT_ID", "missing or unknown client id")
        if not secrets.compare_digest(form.get("client_secret", ""), self.client_secret):
            raise oauth_error(400, "invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client secret")

    def _token_response(self, grant: Grant, token: str | None = None) -> dict[str, Any]:
        access = AccessToken(token or "C" + secrets.token_urlsafe(150), grant, self._clock() + self.token_ttl)
        self._tokens[access.token] = access
        return {
            "token_type": "bearer",
            "token_use": "access_token",
            "access_token": access.token,
            "refresh_token": grant.refresh_token,
            "expires_in": int(self.token_ttl),
            "hub_id": self.hub_id,
            "user_id": grant.owner.user_id,
            "scopes": list(grant.scopes),
        }

    # --- token info and revoke ---------------------------------------------------------------------

    async def _access_token_info(self, request: Request) -> Response:
        issued = self._tokens.get(request.path_params["token"])
        if issued is None or issued.grant.revoked:
            return error(404, "OBJECT_NOT_FOUND", "access token not found").response()
        return JSONResponse(self._access_info(issued))

    async def _refresh_token_info(self, request: Request) -> Response:
        grant = self._grants.get(request.path_params["token"])
        if grant is None or grant.revoked:
            return error(404, "OBJECT_NOT_FOUND", "refresh token not found").response()
        return JSONResponse(self._refresh_info(grant))

    async def _delete_refresh_token(self, request: Request) -> Response:
        grant = self._grants.get(request.path_params["token"])
        if grant is None:
            return error(404, "OBJECT_NOT_FOUND", "refresh token not found").response()
        grant.revoked = True
        return Response(status_code=204)

    async def _introspect(self, request: Request) -> Response:
        form = await _form(request)
        try:
            self._check_client(form)
        except ApiError as exc:
            return exc.response()
        token = form.get("token", "")
        issued = self._tokens.get(token)
        if issued is not None:
            return JSONResponse(
                self._access_info(issued) | {"active": self._active(issued), "client_id": self.client_id}
            )
        grant = self._grants.get(token)
        if grant is not None:
            return JSONResponse(
                self._refresh_info(grant) | {"active": not grant.revoked, "app_id": self.app_id}
            )
        return oauth_error(400, "invalid_request", "BAD_TOKEN", "token is unknown").response()

    async def _revoke(self, request: Request) -> Response:
        form = await _form(request)
        try:
            self._check_client(form)
        except ApiError as exc:
            return exc.response()
        token = form.get("token", "")
        issued = self._tokens.get(token)
        grant = issued.grant if issued else self._grants.get(token)
        if grant is not None:
            grant.revoked = True
        return Response(status_code=200)

    def _active(self, issued: AccessToken) -> bool:
        return not issued.grant.revoked and issued.expires_at > self._clock()

    def _access_info(self, issued: AccessToken) -> dict[str, Any]:
        owner = issued.grant.owner
        expires_in = max(0, int(issued.expires_at - self._clock()))
        scopes = list(issued.grant.scopes)
        return {
            "token": issued.token,
            "token_type": "access",
            "token_use": "access_token",
            "user": owner.email,
            "user_id": owner.user_id,
            "hub_id": self.hub_id,
            "hub_domain": f"hub-{self.hub_id}.example.com",
            "app_id": self.app_id,
            "expires_in": expires_in,
            "scopes": scopes,
            "is_private_distribution": False,
            "signed_access_token": {
                "appId": self.app_id,
                "appInstallId": str(self.app_id),
                "audience": "api",
                "expiresAt": int((time.time() + expires_in) * 1000),
                "hubId": self.hub_id,
                "hublet": "na1",
                "installingUserId": owner.user_id,
                "isPrivateDistribution": False,
                "isServiceAccount": False,
                "isUserLevel": False,
                "newSignature": secrets.token_urlsafe(16),
                "scopeToScopeGroupPks": "",
                "scopes": " ".join(scopes),
                "signature": secrets.token_urlsafe(16),
                "trialScopeToScopeGroupPks": "",
                "trialScopes": "",
                "userId": owner.user_id,
            },
        }

    def _refresh_info(self, grant: Grant) -> dict[str, Any]:
        return {
            "token": grant.refresh_token,
            "token_type": "refresh",
            "token_use": "refresh_token",
            "user": grant.owner.email,
            "user_id": grant.owner.user_id,
            "hub_id": self.hub_id,
            "hub_domain": f"hub-{self.hub_id}.example.com",
            "client_id": self.client_id,
            "scopes": list(grant.scopes),
        }


def _redirect_allowed(uri: str) -> bool:
    """HubSpot's rule: https, or http only for `localhost`."""
    parts = urlsplit(uri)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == "localhost")


def _redirect(uri: str, **params: str) -> RedirectResponse:
    joiner = "&" if urlsplit(uri).query else "?"
    return RedirectResponse(uri + joiner + urlencode(params), status_code=302)


async def _form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body (no multipart needed)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def _page(title: str, body: str, status: int) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>HubSpot - {html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )
