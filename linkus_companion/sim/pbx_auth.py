"""API credentials, access/refresh tokens with their limits, and the failed-login IP blocklist."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass

MAX_LIVE_TOKENS = 8
MAX_LOGIN_FAILURES = 5
_ALPHABET = string.ascii_letters + string.digits


def random_token(length: int = 32) -> str:
    """An opaque alphanumeric string like the PBX's tokens."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass
class TokenPair:
    """One issued access token and its refresh token, with their expiry instants."""

    access_token: str
    access_expires: dt.datetime
    refresh_token: str
    refresh_expires: dt.datetime


class TooManyTokens(Exception):
    """The application already holds the maximum number of live access tokens."""


class TokenStore:
    """Issues, refreshes, validates and revokes tokens; enforces the live-token limit."""

    def __init__(self, now: Callable[[], dt.datetime], access_ttl: float, refresh_ttl: float) -> None:
        self._now = now
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self._by_access: dict[str, TokenPair] = {}
        self._by_refresh: dict[str, TokenPair] = {}

    def live_tokens(self) -> int:
        """How many access tokens are currently valid."""
        now = self._now()
        return sum(1 for pair in self._by_access.values() if pair.access_expires > now)

    def issue(self) -> TokenPair:
        """A new token pair; raises TooManyTokens at the limit."""
        self._forget_dead()
        if self.live_tokens() >= MAX_LIVE_TOKENS:
            raise TooManyTokens
        now = self._now()
        pair = TokenPair(
            random_token(),
            now + dt.timedelta(seconds=self.access_ttl),
            random_token(),
            now + dt.timedelta(seconds=self.refresh_ttl),
        )
        self._by_access[pair.access_token] = pair
        self._by_refresh[pair.refresh_token] = pair
        return pair

    def refresh(self, refresh_token: str) -> TokenPair | None:
        """Rotate: a new pair for a valid refresh token (which is consumed); None if unknown/expired."""
        pair = self._by_refresh.get(refresh_token)
        if pair is None or pair.refresh_expires <= self._now():
            return None
        new = self.issue()
        del self._by_refresh[refresh_token]
        return new

    def valid(self, access_token: str | None) -> bool:
        """Whether `access_token` is known and not expired."""
        pair = self._by_access.get(access_token or "")
        return pair is not None and pair.access_expires > self._now()

    def expires_at(self, access_token: str) -> dt.datetime | None:
        """When `access_token` expires (None when unknown or revoked)."""
        pair = self._by_access.get(access_token)
        return pair.access_expires if pair else None

    def revoke(self, access_token: str) -> None:
        """Invalidate an access token (del_token)."""
        self._by_access.pop(access_token, None)

    def expire_all(self) -> None:
        """Every access token becomes expired now (test hook)."""
        now = self._now()
        for pair in self._by_access.values():
            pair.access_expires = min(pair.access_expires, now)

    def _forget_dead(self) -> None:
        now = self._now()
        self._by_access = {k: p for k, p in self._by_access.items() if p.access_expires > now}
        self._by_refresh = {k: p for k, p in self._by_refresh.items() if p.refresh_expires > now}


class LoginGuard:
    """Counts consecutive failed logins per IP and blocks an IP at the fifth."""

    def __init__(self) -> None:
        self.blocked_ips: set[str] = set()
        self._failures: dict[str, int] = {}

    def is_blocked(self, ip: str) -> bool:
        """Whether requests from `ip` are refused."""
        return ip in self.blocked_ips

    def failed(self, ip: str) -> bool:
        """Record a failed login; True when this failure blocked the IP."""
        count = self._failures.get(ip, 0) + 1
        self._failures[ip] = count
        if count >= MAX_LOGIN_FAILURES:
            self.blocked_ips.add(ip)
            self._failures.pop(ip)
            return True
        return False

    def succeeded(self, ip: str) -> None:
        """A good login resets the consecutive-failure count."""
        self._failures.pop(ip, None)

    def unblock(self, ip: str) -> None:
        """Remove `ip` from the blocklist (Security > Blocked IPs)."""
        self.blocked_ips.discard(ip)
