"""What every emulated Zoho API request passes first: token, scopes, credits, concurrency, injected faults."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from linkus_companion.sim.zoho_accounts import Accounts, Token

Handler = Callable[[Request, Token], Awaitable[Response]]


def zoho_error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> JSONResponse:
    """A request-level error in Zoho's documented shape."""
    body = {"code": code, "details": details or {}, "message": message, "status": "error"}
    return JSONResponse(body, status_code=status)


@dataclass(frozen=True)
class Fault:
    """A response to give instead of serving the next request (tests of retries and outages)."""

    status: int
    code: str
    message: str
    retry_after: float | None = None
    after: bool = False
    """Serve the request first, then lose its answer (a write that happened but looks failed)."""
    method: str = ""
    """Only for requests with this HTTP method (any when empty)."""

    def response(self) -> Response:
        """The injected response."""
        response = zoho_error(self.status, self.code, self.message)
        if self.retry_after is not None:
            response.headers["Retry-After"] = f"{self.retry_after:g}"
        return response


class Guard:
    """Authenticates and meters API requests the way Zoho does."""

    def __init__(self, accounts: Accounts, *, credits: int, concurrency: int, latency: float) -> None:
        self.accounts = accounts
        self.credits = credits
        """API credits left in the rolling 24 h window (one per call)."""
        self.concurrency = concurrency
        self.latency = latency
        """Seconds each request takes (lets tests exceed the concurrency limit)."""
        self.faults: deque[Fault] = deque()
        self.down = False
        """While True every API request answers 503 (a Zoho outage)."""
        self.requests = 0
        self.peak_in_flight = 0
        """Most requests served at once (shows clients' concurrency)."""
        self._in_flight = 0

    async def run(self, request: Request, scopes: tuple[str, ...], handler: Handler) -> Response:
        """Serve `handler` if the token is valid, holds every one of `scopes` and the limits allow it."""
        self.requests += 1
        header = request.headers.get("authorization", "")
        if not header.startswith("Zoho-oauthtoken "):
            return zoho_error(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        token = self.accounts.check(header.removeprefix("Zoho-oauthtoken ").strip())
        if token is None:
            return zoho_error(401, "INVALID_TOKEN", "invalid oauth token")
        if not all(_granted(token.scopes, scope) for scope in scopes):
            return zoho_error(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")
        if self.down:
            return zoho_error(
                503, "INTERNAL_ERROR", "Internal server error occurred while performing this operation"
            )
        fault = next((f for f in self.faults if f.method in ("", request.method)), None)
        if fault is not None:
            self.faults.remove(fault)
        if fault is not None and not fault.after:
            return fault.response()
        if self.credits <= 0:
            return zoho_error(429, "TOO_MANY_REQUESTS", "you have exhausted the API credits for the day")
        if self._in_flight >= self.concurrency:
            return zoho_error(429, "TOO_MANY_REQUESTS", "you have exceeded the concurrency limit")
        self.credits -= 1
        self._in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            response = await handler(request, token)
            return fault.response() if fault is not None else response
        finally:
            self._in_flight -= 1


def _granted(held: tuple[str, ...], needed: str) -> bool:
    """Whether a held scope covers `needed` (`Service.area.ALL` covers `Service.area.X.READ` and the like)."""
    wanted = needed.lower().split(".")
    for scope in held:
        parts = scope.lower().split(".")
        if parts == wanted:
            return True
        if parts[-1] == "all" and wanted[: len(parts) - 1] == parts[:-1]:
            return True
    return False
