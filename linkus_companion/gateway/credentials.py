"""The desktop's side of a gateway session: enroll once, keep the refresh token in the keyring, refresh access."""

from __future__ import annotations

import datetime as dt
import logging
import ssl

import httpx

from linkus_companion.backend import BackendError
from linkus_companion.gateway import protocol
from linkus_companion.gateway.tokens import code_from
from linkus_companion.gateway.unreachable import unreachable
from linkus_companion.secrets import SecretStore
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

REFRESH_SECRET = "gateway.refresh_token"  # noqa: S105 (a keyring entry name)
"""Keyring entry of this desktop's gateway refresh token."""
_MARGIN = dt.timedelta(seconds=30)


class GatewayCredentials:
    """Hands out a valid access token for the gateway at `base_url`, refreshing it when it nears expiry."""

    def __init__(
        self,
        base_url: str,
        secrets: SecretStore,
        *,
        tls: ssl.SSLContext | None = None,
        timeout: float = 10,
    ) -> None:
        """`tls`: trust for a gateway whose certificate the system does not trust (its CA file)."""
        self.base_url = base_url.rstrip("/")
        self.tls = tls
        self._secrets = secrets
        self._timeout = timeout
        self._access = ""
        self._expires = dt.datetime.min.replace(tzinfo=dt.UTC)

    @property
    def enrolled(self) -> bool:
        """Whether this desktop holds a session (it may still have been revoked)."""
        return bool(self._secrets.get(REFRESH_SECRET))

    async def enroll(self, code_or_link: str) -> str:
        """Exchange the administrator's one-time code (or link) for a session; returns the extension."""
        return await self._exchange("/enroll", {"code": code_from(code_or_link)})

    async def access_token(self, *, fresh: bool = False) -> str:
        """A valid access token (`fresh`: the gateway refused the current one)."""
        if fresh or not self._access or dt.datetime.now(dt.UTC) + _MARGIN >= self._expires:
            refresh = self._secrets.get(REFRESH_SECRET)
            if not refresh:
                raise BackendError(
                    Text("This desktop is not enrolled with the gateway: enter the code from your admin.")
                )
            await self._exchange("/session/refresh", {"refresh_token": refresh})
        return self._access

    def forget(self) -> None:
        """Drop the session (sign out of the gateway)."""
        self._secrets.delete(REFRESH_SECRET)
        self._access = ""

    async def _exchange(self, path: str, body: dict[str, str]) -> str:
        try:
            async with httpx.AsyncClient(verify=self.tls or True, timeout=self._timeout) as client:
                response = await client.post(self.base_url + path, json=body)
        except httpx.HTTPError as exc:
            log.debug("gateway request failed: %r", exc)
            raise BackendError(unreachable(self.base_url, exc), retryable=True) from None
        if response.status_code in (400, 401):
            self._access = ""
            refused = protocol.parse_sentence(response.json(), "error")
            raise BackendError(refused or Text("The gateway refused this desktop."))
        if response.status_code != 200:
            raise BackendError(
                Text("The gateway answered HTTP {status}; try again later.", status=response.status_code),
                retryable=True,
            )
        grant = response.json()
        self._secrets.set(REFRESH_SECRET, str(grant["refresh_token"]))
        self._access = str(grant["access_token"])
        self._expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(grant["expires_in"]))
        return str(grant["extension"])
