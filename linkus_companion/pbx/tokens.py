"""PBX API tokens: get, refresh ahead of expiry, fall back to a new login, revoke; never a login loop."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from linkus_companion.pbx.errors import (
    PbxAuthFailed,
    PbxError,
    PbxIpBlocked,
    PbxTokenLimit,
    PbxUnavailable,
    from_response,
)
from linkus_companion.pbx.transport import Transport
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

_REVOKE_PATIENCE = 0.75
"""Seconds `close()` waits for del_token: a stop ends within 2 s, and an unrevoked token frees itself."""
_AUTH_FAILED = Text(
    "The PBX refused the API Client ID or Client Secret; copy both again from Integrations > API "
    "on the PBX. Linkus Companion stopped logging in so that the PBX does not block this "
    "computer's IP address (it blocks after 5 failed logins)."
)
_SLOTS_FULL = Text(
    "The PBX refused a new API token: an API application may hold only 8 at a time. Close other "
    "copies of Linkus Companion (or connect them through the gateway), or wait up to 30 minutes."
)


@dataclass(frozen=True)
class Token:
    """An access/refresh token pair with monotonic-clock deadlines; secrets stay out of repr."""

    access: str = field(repr=False)
    refresh: str = field(repr=False)
    expires_at: float
    """`time.monotonic()` when the access token expires."""
    renew_at: float
    """When to replace it: ahead of expiry by the client's refresh margin."""
    refresh_expires_at: float

    def usable(self, now: float) -> bool:
        """Valid and not yet due for renewal."""
        return now < self.renew_at

    def alive(self, now: float) -> bool:
        """Not yet expired (it still occupies one of the PBX's token slots)."""
        return now < self.expires_at


class TokenVault(Protocol):
    """Where the replicas of a site keep their one PBX token pair, so a new leader takes over the pair
    of a leader that died instead of logging in again (a killed leader cannot revoke its token, and
    the PBX allows an application 8 live tokens: eight crashes within 30 minutes would lock it out)."""

    def load(self) -> dict[str, Any] | None:
        """The pair last saved (`access`, `refresh`, wall-clock `expires`, `refresh_expires`), or None."""
        ...

    def save(self, pair: dict[str, Any]) -> None:
        """Keep `pair` for the next replica that leads."""
        ...


class OwnTokenVault(TokenVault, Protocol):
    """Where one desktop keeps its own pair across restarts: a killed app takes it over on its next start,
    a clean stop revokes it and clears the vault."""

    def clear(self) -> None:
        """Forget the pair (it was revoked)."""
        ...


class TokenKeeper:
    """Holds at most one live token pair for an API application and renews it."""

    def __init__(
        self, transport: Transport, client_id: str, client_secret: str, refresh_margin: float
    ) -> None:
        self._transport = transport
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_margin = refresh_margin
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self._login_error: PbxError | None = None
        self.vault: TokenVault | None = None
        """Set by a gateway replica: the pair is taken from and saved to it, and never revoked here."""
        self.own_vault: OwnTokenVault | None = None
        """Set with `vault` by a desktop: the pair is revoked on a clean stop and the vault cleared."""

    def __repr__(self) -> str:
        return "TokenKeeper()"

    async def token(self) -> Token:
        """A valid access token, renewed ahead of expiry; concurrent callers share one renewal."""
        async with self._lock:
            if self._token is None and self.vault is not None:
                self._token = self._taken_over()
            current = self._token
            if current is not None and current.usable(time.monotonic()):
                return current
            return await self._renew()

    async def token_rejected(self, stale: Token) -> Token:
        """A new token after the PBX answered 10004 for `stale`; renews once however many ask."""
        async with self._lock:
            current = self._token
            if current is not None and current.access != stale.access:
                return current
            if current is not None:
                self._token = dataclasses.replace(current, expires_at=0.0, renew_at=0.0)
            return await self._renew()

    async def close(self) -> None:
        """Revoke the live token (frees one of the PBX's 8 slots), unless a shared vault keeps it for the next."""
        async with self._lock:
            token, self._token = self._token, None
            revokes = self.vault is None or self.own_vault is not None
            if token is not None and token.alive(time.monotonic()) and revokes:
                try:
                    async with asyncio.timeout(_REVOKE_PATIENCE):
                        await self._revoke(token)
                except TimeoutError:
                    log.warning("Could not revoke a PBX token: the PBX did not answer in time")
                    return  # still live: the next start takes it over
            if self.own_vault is not None:
                self.own_vault.clear()

    async def _renew(self) -> Token:
        """Refresh the pair; fall back to a new login when the refresh is refused. Lock held."""
        old = self._token
        now = time.monotonic()
        if old is not None and now < old.refresh_expires_at:
            try:
                new = await self._issue("refresh_token", {"refresh_token": old.refresh})
            except PbxUnavailable:
                raise
            except PbxError as err:
                log.info("The PBX refused the token refresh (error %s); logging in again", err.errcode)
            else:
                self._token = new
                self._keep(new)
                if old.alive(now):
                    await self._revoke(old)
                return new
        if old is not None and old.alive(now):
            await self._revoke(old)
        self._token = None
        self._token = await self._login()
        self._keep(self._token)
        return self._token

    def _taken_over(self) -> Token | None:
        """The vault's pair while it can be used or refreshed (monotonic deadlines from its wall-clock ones)."""
        assert self.vault is not None
        pair = self.vault.load()
        if pair is None:
            return None
        try:
            left, refresh_left = (
                float(pair["expires"]) - time.time(),
                float(pair["refresh_expires"]) - time.time(),
            )
            access, refresh = str(pair["access"]), str(pair["refresh"])
        except (KeyError, TypeError, ValueError):
            log.warning("the PBX token kept for the site is unreadable; logging in again")
            return None
        if left <= 0 and refresh_left <= 0:
            return None
        now = time.monotonic()
        left = max(left, 0.0)  # an expired access token is refreshed before use
        margin = min(self._refresh_margin, left / 5)
        log.info("took over the saved PBX token (valid %.0f s more)", left)
        return Token(access, refresh, now + left, now + left - margin, now + refresh_left)

    def _keep(self, token: Token) -> None:
        if self.vault is not None:
            now, wall = time.monotonic(), time.time()
            self.vault.save(
                {
                    "access": token.access,
                    "refresh": token.refresh,
                    "expires": wall + token.expires_at - now,
                    "refresh_expires": wall + token.refresh_expires_at - now,
                }
            )

    async def _login(self) -> Token:
        """get_token, at most once after a credential or IP-block error (then that error again)."""
        if self._login_error is not None:
            raise self._login_error
        body = {"username": self._client_id, "password": self._client_secret}
        try:
            return await self._issue("get_token", body)
        except (PbxAuthFailed, PbxIpBlocked) as err:
            self._login_error = err
            log.error("PBX login stopped: %s", err)
            raise

    async def _issue(self, endpoint: str, body: Mapping[str, str]) -> Token:
        issued = time.monotonic()
        reply = await self._transport.send("POST", endpoint, {}, dict(body))
        if reply.get("errcode") != 0:
            raise _token_error(reply, endpoint)
        try:
            access, refresh = str(reply["access_token"]), str(reply["refresh_token"])
            ttl, refresh_ttl = (
                float(reply["access_token_expire_time"]),
                float(reply["refresh_token_expire_time"]),
            )
        except (KeyError, TypeError, ValueError):
            raise PbxUnavailable(
                Text(
                    "The PBX at {host} sent an unreadable token answer; check the address is the PBX.",
                    host=self._transport.host,
                )
            ) from None
        margin = min(self._refresh_margin, ttl / 5)
        log.info("PBX token obtained by %s, valid %.0f s", endpoint, ttl)
        return Token(access, refresh, issued + ttl, issued + ttl - margin, issued + refresh_ttl)

    async def _revoke(self, token: Token) -> None:
        """del_token, best effort: a failure only means the slot frees itself at expiry."""
        try:
            reply = await self._transport.send("GET", "del_token", {"access_token": token.access}, None)
        except PbxError as err:
            log.warning("Could not revoke a PBX token: %s", err)
            return
        if reply.get("errcode") != 0:
            log.info("The PBX did not revoke a token (error %s)", reply.get("errcode"))


def _token_error(reply: Mapping[str, Any], endpoint: str) -> PbxError:
    """get_token/refresh_token failures: -1 with `invalid_param_list` is a credential error."""
    if reply.get("errcode") == -1:
        if endpoint == "get_token" and reply.get("invalid_param_list"):
            return PbxAuthFailed(_AUTH_FAILED, errcode=-1)
        if endpoint == "get_token":
            return PbxTokenLimit(_SLOTS_FULL, errcode=-1)
    return from_response(reply, Text("the login"))
