"""OAuth 2.0 authorisation-code flow for the desktop (PKCE, state, loopback) and the grant it keeps fresh."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx

from linkus_companion import USER_AGENT, redaction
from linkus_companion.crm.base import AccessGrant, AuthExpired, CrmError, RateLimited, Unavailable, crm_says
from linkus_companion.crm.http import retry_after
from linkus_companion.crm.oauth_providers import Extras, Provider, RevokeStyle, rebase
from linkus_companion.os_cause import os_why
from linkus_companion.secrets import SecretStore
from linkus_companion.texts import Text, text_of

if TYPE_CHECKING:  # the sign-in's modules load when a sign-in starts
    from linkus_companion.crm.oauth_loopback import LoopbackRedirect

log = logging.getLogger(__name__)

Opener = Callable[[str], Coroutine[Any, Any, None]]
"""Shows the authorisation URL to the user (the system browser; an HTTP client in tests)."""

REFRESH_LEEWAY = 60.0
"""Seconds before the known expiry at which the access token is refreshed ahead of use."""
_REFRESH_REJECTED = frozenset(
    {"invalid_grant", "invalid_token", "invalid_client", "invalid_client_id", "invalid_code",
     "unauthorized_client", "inactive_user", "inactive_org", "invalid_client_credentials"}
)  # fmt: skip
_SAFE_CODE = re.compile(r"[^A-Za-z0-9_.\-]")


class SignInFailed(CrmError):
    """The browser sign-in did not complete (declined, timed out, forged or refused); try again."""


@dataclass(frozen=True)
class ClientCredentials:
    """The OAuth app the admin registered with the CRM; the secret is empty for public PKCE clients."""

    client_id: str
    client_secret: str = field(default="", repr=False)


@dataclass
class _Session:
    """The live grant: the access token in memory, the rest also in the keyring."""

    refresh_token: str
    api_base: str
    token_url: str
    revoke_url: str
    extras: dict[str, str]
    access_token: str = ""
    expires_at: float | None = None

    def stored(self) -> str:
        keep = ("refresh_token", "api_base", "token_url", "revoke_url", "extras")
        return json.dumps({name: getattr(self, name) for name in keep})

    def grant(self) -> AccessGrant:
        return AccessGrant(self.access_token, self.api_base, dict(self.extras))


async def open_in_browser(url: str) -> None:
    """Open `url` in the system browser (RFC 8252: never an embedded web view)."""
    import webbrowser

    if not await asyncio.to_thread(webbrowser.open, url):
        raise SignInFailed(
            Text("No web browser could be opened for the sign-in; set a default browser and try again.")
        )


class OAuthGrants:
    """A CRM grant obtained through the browser and refreshed as needed; implements GrantSource."""

    def __init__(
        self,
        provider: Provider,
        credentials: ClientCredentials,
        client: httpx.AsyncClient,
        store: SecretStore,
        *,
        secret_name: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._provider = provider
        self._credentials = credentials
        self._client = client
        self._store = store
        self._secret_name = secret_name or f"crm.{provider.kind}.grant"
        self._clock = clock
        self._lock = asyncio.Lock()
        self._session: _Session | None = None
        self._rejected = False
        redaction.install()

    @property
    def provider(self) -> Provider:
        """The CRM this grant is for."""
        return self._provider

    def connected(self) -> bool:
        """True when a refresh token is stored (the CRM may still have revoked it)."""
        return self._load() is not None

    async def authorize(
        self,
        opener: Opener = open_in_browser,
        *,
        redirect_uri: str | None = None,
        give_up_after: float = 300.0,
    ) -> AccessGrant:
        """Run the browser sign-in and store the new grant; `redirect_uri` is the registered loopback URI."""
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        async with contextlib.AsyncExitStack() as stack:
            listener = await _listen(stack, redirect_uri)
            url = self._authorize_url(listener.redirect_uri, state, verifier)
            opening = asyncio.create_task(opener(url))
            try:
                params = await _redirect(listener, opening, give_up_after, self._provider.name)
                session = await self._exchange(params, state, verifier, listener.redirect_uri)
            except CrmError as exc:
                listener.answer(Text("Sign-in failed"), text_of(exc))
                raise
            else:
                listener.answer(
                    Text("Connected to {name}", name=self._provider.name),
                    Text("You can close this tab and return to Linkus Companion."),
                )
            finally:
                listener.answer(Text("Sign-in cancelled"), Text("You can close this tab."))
                if not listener.received:
                    opening.cancel()
                await _settle(opening)
        async with self._lock:
            self._store.set(self._secret_name, session.stored())
            self._session, self._rejected = session, False
        log.info("connected to %s", self._provider.name)
        return session.grant()

    async def current(self) -> AccessGrant:
        """The grant to use now, refreshed first when it is missing or about to expire."""
        async with self._lock:
            session = self._require()
            due = session.expires_at is not None and self._clock() >= session.expires_at - REFRESH_LEEWAY
            if not session.access_token or due:
                await self._refresh(session)
            return session.grant()

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        """A new grant after the CRM rejected `stale`; concurrent callers share one refresh."""
        async with self._lock:
            session = self._require()
            if session.access_token and session.access_token != stale.access_token:
                return session.grant()
            await self._refresh(session)
            return session.grant()

    async def disconnect(self) -> bool:
        """Revoke the grant at the CRM and delete it from the keyring; True when the CRM confirmed."""
        async with self._lock:
            session = self._load()
            self._store.delete(self._secret_name)
            self._session = None
            if session is None:
                return False
            try:
                response = await self._revoke(session)
            except httpx.TransportError as exc:
                log.warning(
                    "could not reach %s to revoke the grant (%s)", self._provider.name, type(exc).__name__
                )
                return False
        log.info("disconnected from %s (revoke HTTP %d)", self._provider.name, response.status_code)
        return response.is_success

    def _authorize_url(self, redirect_uri: str, state: str, verifier: str) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {
            "response_type": "code",
            "client_id": self._credentials.client_id,
            "redirect_uri": redirect_uri,
            "scope": self._provider.scope_separator.join(self._provider.scopes),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **self._provider.authorize_params,
        }
        return f"{self._provider.authorize_url}?{urlencode(query)}"

    async def _exchange(
        self, params: Mapping[str, str], state: str, verifier: str, redirect_uri: str
    ) -> _Session:
        """Check the redirect and swap its code for tokens."""
        name = self._provider.name
        if not secrets.compare_digest(params.get("state", ""), state):
            raise SignInFailed(
                Text(
                    "The {name} sign-in answer did not match this request (state mismatch) and was refused; start connecting again.",
                    name=name,
                )
            )
        if "error" in params or not params.get("code"):
            raise SignInFailed(
                Text(
                    "{name} did not grant access{said}; approve the request to connect.",
                    name=name,
                    said=crm_says(_safe(params.get("error", ""))),
                )
            )
        token_url, revoke_url, web_base = self._accounts_server(params.get("accounts-server", ""))
        form = {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        tokens = await self._token_request(token_url, form, refreshing=False)
        api_base = self._provider.api_base or str(tokens.get(self._provider.api_base_field, ""))
        if not api_base.startswith(("https://", "http://")):
            raise SignInFailed(Text("{name} did not say where its API is; try connecting again.", name=name))
        session = _Session(
            refresh_token=str(tokens.get("refresh_token", "")),
            api_base=api_base.rstrip("/"),
            token_url=token_url,
            revoke_url=revoke_url,
            extras={"web_base": web_base or api_base.rstrip("/")},
        )
        if not session.refresh_token:
            raise SignInFailed(
                Text("{name} gave no refresh token; allow offline access and connect again.", name=name)
            )
        self._apply(session, tokens)
        session.extras.update(await self._extras(tokens, params, token_url))
        return session

    def _accounts_server(self, named: str) -> tuple[str, str, str]:
        """Token URL, revoke URL and web UI, moved to the Zoho accounts server the redirect named."""
        provider = self._provider
        server = named.rstrip("/")
        if not server or not provider.accounts_servers:
            return provider.token_url, provider.revoke_url, provider.web_base
        if server not in provider.accounts_servers:
            raise SignInFailed(
                Text(
                    "{name} sent the sign-in to an unknown accounts server and it was refused; check the data centre in Settings.",
                    name=provider.name,
                )
            )
        return (
            rebase(provider.token_url, server),
            rebase(provider.revoke_url, server),
            provider.accounts_servers[server],
        )

    async def _extras(
        self, tokens: Mapping[str, Any], params: Mapping[str, str], token_url: str
    ) -> dict[str, str]:
        """Provider details for record URLs, found once at sign-in."""
        kind = self._provider.extras
        if kind is Extras.SALESFORCE_ID:
            org, _, user = urlsplit(str(tokens.get("id", ""))).path.removeprefix("/id/").partition("/")
            return {"org_id": org, "user_id": user}
        if kind is Extras.ZOHO_DC:
            return {"location": params.get("location", ""), "accounts_server": _origin(token_url)}
        if kind in (Extras.HUBSPOT_V1_INFO, Extras.HUBSPOT_INTROSPECT):
            return await self._hubspot_info(str(tokens["access_token"]), tokens)
        return {}

    async def _hubspot_info(self, access_token: str, tokens: Mapping[str, Any]) -> dict[str, str]:
        """Portal (hub) id, user and hublet from HubSpot's token information."""
        api = self._provider.api_base
        try:
            if self._provider.extras is Extras.HUBSPOT_V1_INFO:
                response = await self._client.get(f"{api}/oauth/v1/access-tokens/{access_token}")
            else:
                response = await self._client.post(
                    f"{self._provider.token_url}/introspect",
                    data={**self._client_form(), "token": access_token, "token_type_hint": "access_token"},
                )
            info = response.json() if response.is_success else {}
        except (httpx.TransportError, ValueError):
            info = {}
        if not isinstance(info, dict):
            info = {}
        hub_id = info.get("hub_id", tokens.get("hub_id"))
        if hub_id is None:
            raise SignInFailed(Text("HubSpot did not say which account was connected; try connecting again."))
        extras = {"hub_id": str(hub_id), "user_id": str(info.get("user_id", tokens.get("user_id", "")))}
        if info.get("user"):
            extras["user"] = str(info["user"])
        hublet = str((info.get("signed_access_token") or {}).get("hublet", ""))
        if hublet:
            extras["hublet"] = hublet
            if hublet != "na1" and self._provider.web_base == "https://app.hubspot.com":
                extras["web_base"] = f"https://app-{hublet}.hubspot.com"
        return extras

    async def _refresh(self, session: _Session) -> None:
        """Swap the refresh token for a new access token; the caller holds the lock."""
        kept = self._adopt_latest(session)
        if self._rejected:
            raise self._expired(Text("was refused before"))
        form = {"grant_type": "refresh_token", "refresh_token": session.refresh_token}
        try:
            tokens = await self._token_request(session.token_url, form, refreshing=True)
        except AuthExpired:
            self._rejected = True
            raise
        self._apply(session, tokens)
        field_name = self._provider.api_base_field
        if field_name and tokens.get(field_name):
            session.api_base = str(tokens[field_name]).rstrip("/")
        session.refresh_token = str(tokens.get("refresh_token") or session.refresh_token)
        if session.stored() != kept and not self._store.replace(self._secret_name, kept, session.stored()):
            self._adopt_latest(session)  # another gateway replica stored a newer grant meanwhile: keep theirs
        log.info("refreshed the %s access token", self._provider.name)

    def _adopt_latest(self, session: _Session) -> str | None:
        """Take the grant as stored now (another gateway replica may have refreshed or re-authorised it)."""
        stored = self._store.get(self._secret_name)
        latest = _parsed(stored)
        if latest is not None and latest.stored() != session.stored():
            session.refresh_token, session.api_base = latest.refresh_token, latest.api_base
            session.token_url, session.revoke_url, session.extras = (
                latest.token_url,
                latest.revoke_url,
                latest.extras,
            )
            self._rejected = False
        return stored

    def _apply(self, session: _Session, tokens: Mapping[str, Any]) -> None:
        session.access_token = str(tokens["access_token"])
        session.expires_at = None
        lifetime = _lifetime(tokens)
        if lifetime is not None:
            session.expires_at = self._clock() + lifetime

    async def _token_request(self, url: str, form: Mapping[str, str], *, refreshing: bool) -> dict[str, Any]:
        name = self._provider.name
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        try:
            response = await self._client.post(url, data={**form, **self._client_form()}, headers=headers)
        except httpx.TransportError as exc:
            log.debug("%s sign-in server unreachable: %r", name, exc)
            raise Unavailable(
                Text(
                    "{name} sign-in server could not be reached; check the network connection and try again.",
                    name=name,
                )
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        if response.is_success and body.get("access_token"):
            return body
        error = _safe(str(body.get("error") or body.get("status") or ""))
        said = crm_says(error) or Text(" (HTTP {status})", status=response.status_code)
        if response.status_code == 429 or error == "rate_limit_exceeded":
            raise RateLimited(
                Text("{name} is limiting sign-in requests; try again shortly.", name=name),
                retry_after=retry_after(response),
            )
        if response.status_code >= 500:
            raise Unavailable(
                Text("{name} sign-in server failed{said}; try again later.", name=name, said=said)
            )
        if refreshing and (error in _REFRESH_REJECTED or response.status_code in (400, 401)):
            raise self._expired(Text("was refused{said}", said=said))
        if refreshing:
            raise Unavailable(
                Text("{name} did not refresh the sign-in{said}; try again later.", name=name, said=said)
            )
        raise SignInFailed(
            Text(
                "{name} refused the sign-in{said}; check the Client ID, Client Secret and registered redirect URI, then connect again.",
                name=name,
                said=said,
            )
        )

    async def _revoke(self, session: _Session) -> httpx.Response:
        token = session.refresh_token
        style = self._provider.revoke_style
        headers = {"User-Agent": USER_AGENT}
        if style is RevokeStyle.PATH:
            return await self._client.delete(session.revoke_url.format(token=token), headers=headers)
        if style is RevokeStyle.QUERY:
            return await self._client.post(session.revoke_url, params={"token": token}, headers=headers)
        form = {"token": token}
        if style is RevokeStyle.FORM_WITH_CLIENT:
            form |= self._client_form() | {"token_type_hint": "refresh_token"}
        return await self._client.post(session.revoke_url, data=form, headers=headers)

    def _client_form(self) -> dict[str, str]:
        creds = self._credentials
        return {"client_id": creds.client_id} | (
            {"client_secret": creds.client_secret} if creds.client_secret else {}
        )

    def _require(self) -> _Session:
        session = self._load()
        if session is None:
            raise AuthExpired(Text("Not connected to {name}; connect in Settings.", name=self._provider.name))
        return session

    def _load(self) -> _Session | None:
        if self._session is None:
            self._session = _parsed(self._store.get(self._secret_name))
        return self._session

    def _expired(self, what: Text) -> AuthExpired:
        name = self._provider.name
        return AuthExpired(
            Text(
                "The saved {name} sign-in {what}. Connect to {name} again in Settings.", name=name, what=what
            )
        )


def _parsed(stored: str | None) -> _Session | None:
    """The grant kept as `stored`, or None (also when it is unreadable)."""
    try:
        return _Session(**json.loads(stored)) if stored else None
    except (ValueError, TypeError):
        log.warning("the stored CRM grant is unreadable; connect again")
        return None


async def _listen(stack: contextlib.AsyncExitStack, redirect_uri: str | None) -> LoopbackRedirect:
    """A started loopback listener; a busy port or a bad redirect URI is a sign-in failure."""
    from linkus_companion.crm.oauth_loopback import LoopbackRedirect

    try:
        return await stack.enter_async_context(LoopbackRedirect(redirect_uri))
    except (OSError, ValueError) as exc:
        raise SignInFailed(os_why(exc)) from None


async def _redirect(
    listener: LoopbackRedirect, opening: asyncio.Task[None], seconds: float, name: str
) -> dict[str, str]:
    """The redirect's parameters; fails early when the browser could not be opened."""
    waiting = asyncio.ensure_future(asyncio.wait_for(listener.wait(), seconds))
    try:
        await asyncio.wait({waiting, opening}, return_when=asyncio.FIRST_COMPLETED)
        if not waiting.done():
            error = None if opening.cancelled() else opening.exception()
            if opening.cancelled() or error is not None:
                raise (
                    error
                    if isinstance(error, CrmError)
                    else SignInFailed(Text("Could not open the {name} sign-in page.", name=name))
                )
        return await waiting
    except TimeoutError:
        raise SignInFailed(
            Text(
                "No answer from the {name} sign-in page within {minutes:.0f} min; start connecting again.",
                name=name,
                minutes=seconds / 60,
            )
        ) from None
    finally:
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)


async def _settle(opening: asyncio.Task[None]) -> None:
    """Wait for the opener (it may be showing our answer page); its failures are only logged."""
    (outcome,) = await asyncio.gather(opening, return_exceptions=True)
    if isinstance(outcome, BaseException):
        log.debug("the sign-in page opener ended with %s", type(outcome).__name__)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _lifetime(tokens: Mapping[str, Any]) -> float | None:
    """Access-token lifetime in seconds (Zoho: `expires_in_sec` when present), None when unknown."""
    value = tokens.get("expires_in_sec", tokens.get("expires_in"))
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _safe(text: str) -> str:
    """An error code from a server, cut down to harmless characters for messages."""
    return _SAFE_CODE.sub("", text)[:64]
