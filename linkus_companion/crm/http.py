"""The one HTTP request helper every CRM connector uses: auth header, refresh, retries, redacted logs."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from linkus_companion import USER_AGENT, redaction
from linkus_companion.crm.base import (
    AccessGrant,
    AuthExpired,
    CrmError,
    GrantSource,
    NotFound,
    QuotaExhausted,
    RateLimited,
    Unavailable,
    ValidationFailed,
    crm_says,
)
from linkus_companion.net_cause import why
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

Classifier = Callable[[httpx.Response], CrmError | None]
"""Maps a CRM response to its typed error, or None when the response is a success."""
AuthHeader = Callable[[str], tuple[str, str]]
"""Builds the (name, value) authorisation header from an access token."""
Sleep = Callable[[float], Awaitable[None]]
Body = Callable[[], AsyncIterator[bytes]]
"""Makes a fresh streamed request body for each attempt (an upload read from disk)."""

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def bearer(token: str) -> tuple[str, str]:
    """`Authorization: Bearer <token>` (HubSpot, Salesforce)."""
    return "Authorization", f"Bearer {token}"


def zoho_oauthtoken(token: str) -> tuple[str, str]:
    """`Authorization: Zoho-oauthtoken <token>` (Zoho CRM)."""
    return "Authorization", f"Zoho-oauthtoken {token}"


def retry_after(response: httpx.Response, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta seconds or HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify_status(crm: str, response: httpx.Response, detail: str = "") -> CrmError | None:
    """The typed error a plain HTTP status means, with `detail` (the CRM's own words) appended."""
    status = response.status_code
    if status < 400:
        return None
    said = crm_says(detail)
    if status == 401:
        return AuthExpired(
            Text("{crm} rejected the sign-in{said}. Connect to {crm} again in Settings.", crm=crm, said=said)
        )
    if status == 429:
        wait = retry_after(response)
        if wait is None:
            message = Text("{crm} is limiting requests{said}; try again in a moment.", crm=crm, said=said)
        else:
            message = Text(
                "{crm} is limiting requests{said}; try again in {wait:.0f} s.", crm=crm, said=said, wait=wait
            )
        return RateLimited(message, retry_after=wait)
    if status == 404:
        return NotFound(Text("{crm} has no such record{said}; it may have been deleted.", crm=crm, said=said))
    if status >= 500:
        return Unavailable(
            Text(
                "{crm} failed with HTTP {status}{said}; try again later.", crm=crm, status=status, said=said
            ),
            retry_after=retry_after(response),
        )
    if status == 403:
        return CrmError(
            Text(
                "{crm} refused access{said}. Check the connected user's permissions and scopes.",
                crm=crm,
                said=said,
            )
        )
    return ValidationFailed(
        Text(
            "{crm} refused the data with HTTP {status}{said}; correct it and try again.",
            crm=crm,
            status=status,
            said=said,
        )
    )


class CrmHttp:
    """Sends a connector's requests with its grant, refreshing once on auth failure and retrying safely.

    Retries follow `Retry-After` (or jittered exponential backoff) for retryable errors (429, 5xx,
    timeouts), but only for idempotent requests: a create is never retried blindly. A connection that
    could not be opened is retried for any request, since nothing reached the CRM.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        grants: GrantSource,
        *,
        crm: str,
        classify: Classifier,
        auth_header: AuthHeader = bearer,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        max_wait: float = 60.0,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._grants = grants
        self._crm = crm
        self._classify = classify
        self._auth_header = auth_header
        self._max_attempts = max(1, max_attempts)
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_wait = max_wait
        self._sleep = sleep
        self._jitter = jitter
        self._abandoned: set[asyncio.Task[httpx.Response]] = set()
        redaction.install()

    async def grant(self) -> AccessGrant:
        """The grant requests are sent with now (for record URLs and provider extras)."""
        return await self._grants.current()

    async def open_connections(self, count: int) -> None:
        """Have `count` kept-alive connections to the API ready for the requests a call sends in
        parallel, and one more for the call log the outbox delivers meanwhile (a caller ringing right
        after the last call ended would otherwise open a connection: 2 RTT and a TLS handshake).

        Unauthenticated HEAD requests, all at once: no token is sent, so the CRM bills nothing; their
        answer is ignored, and a failure only means that call opens its own connection.
        """
        base = (await self._grants.current()).api_base
        headers = {"User-Agent": USER_AGENT}

        async def one() -> None:
            try:
                await self._client.head(base, headers=headers)
            except httpx.TransportError as exc:
                log.debug("%s connection not opened ahead: %s", self._crm, type(exc).__name__)

        await asyncio.gather(*(one() for _ in range(count + 1)))

    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: Body | None = None,
        idempotent: bool | None = None,
        pace: Callable[[], Awaitable[None]] | None = None,
    ) -> httpx.Response:
        """Send one logical request and return the successful response, or raise a typed CrmError.

        `path_or_url` is resolved against the grant's `api_base`; an absolute URL must be on the same
        origin. `idempotent` defaults to True for GET/HEAD/OPTIONS/PUT/DELETE and False otherwise.
        `pace()` is awaited before every attempt, retries included (a client-side rate limiter).
        `content()` streams the body of each attempt (give its length in `headers`).
        """
        method = method.upper()
        safe_to_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        grant = await self._grants.current()
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            url = self._resolve(grant, path_or_url)
            if pace is not None:
                await pace()
            try:
                response = await self._send(grant, method, url, params, json, data, headers, content)
            except httpx.TransportError as exc:
                error: CrmError = self._transport_error(exc)
                nothing_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                repeatable = safe_to_repeat or nothing_sent
            else:
                classified = self._classify(response)
                if classified is None and response.is_success:
                    return response
                error = classified or self._unclassified(response)
                repeatable = safe_to_repeat
                if isinstance(error, AuthExpired) and not refreshed:
                    refreshed = True
                    grant = await self._grants.refreshed(grant)
                    attempt -= 1
                    continue
            error = self._scrub(error, grant)
            delay = self._delay(error, attempt)
            spent = isinstance(error, QuotaExhausted)  # retrying before the reset only spends more
            if (
                spent
                or not (error.retryable and repeatable)
                or attempt >= self._max_attempts
                or delay is None
            ):
                raise error
            log.info(
                "%s request %s failed (%s); retry %d in %.1f s", self._crm, method, error, attempt, delay
            )
            await self._sleep(delay)

    async def _send(
        self,
        grant: AccessGrant,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        content: Body | None = None,
    ) -> httpx.Response:
        name, value = self._auth_header(grant.access_token)
        sent_headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            **(headers or {}),
            name: value,
        }
        started = time.monotonic()
        request = self._client.build_request(
            method,
            url,
            params=params,
            json=json,
            data=data,
            headers=sent_headers,
            content=None if content is None else content(),
        )
        shown = redaction.redact.url(request.url, grant.access_token)
        try:
            response = await self._uncancelled(self._client.send(request))
        except httpx.TransportError as exc:
            log.debug("%s %s -> %s", method, shown, type(exc).__name__)
            raise
        log.debug("%s %s -> %d (%.2f s)", method, shown, response.status_code, time.monotonic() - started)
        return response

    async def _uncancelled(self, sending: Coroutine[Any, Any, httpx.Response]) -> httpx.Response:
        """The response of `sending`; a caller cancelled meanwhile (a call hung up, the app stopping) is
        let go while the request finishes by itself within the client's timeouts. httpcore 1.0.9 leaks a
        pool slot for good when a request is cancelled while it waits for a connection (encode/httpcore
        #1093): enough of them and every later request fails with PoolTimeout on a healthy CRM."""
        task = asyncio.ensure_future(sending)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            self._abandoned.add(task)
            task.add_done_callback(self._let_go)
            raise

    def _let_go(self, task: asyncio.Task[httpx.Response]) -> None:
        self._abandoned.discard(task)
        if not task.cancelled():
            task.exception()  # read in full (or failed) already: nothing is left to close or report

    def _resolve(self, grant: AccessGrant, path_or_url: str) -> str:
        base = grant.api_base.rstrip("/")
        if "://" not in path_or_url:
            return f"{base}/{path_or_url.lstrip('/')}"
        if _origin(path_or_url) != _origin(base):
            raise ValueError(f"refusing to send the {self._crm} token to another origin than {base}")
        return path_or_url

    def _delay(self, error: CrmError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt; None when the CRM asks for longer than max_wait."""
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= self._max_wait else None
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + self._jitter() / 2)

    def _transport_error(self, exc: httpx.TransportError) -> Unavailable:
        """The user's sentence for a request that got no answer (the exception itself is in the debug log)."""
        if isinstance(exc, httpx.TimeoutException):
            return Unavailable(
                Text(
                    "{crm} did not answer in time; check the network connection and try again.", crm=self._crm
                )
            )
        return Unavailable(
            Text(
                "{crm} could not be reached ({why}); check the network connection and try again.",
                crm=self._crm,
                why=why(exc),
            )
        )

    def _unclassified(self, response: httpx.Response) -> CrmError:
        error = classify_status(self._crm, response)
        if error is None:  # a 1xx/3xx the classifier did not accept
            status = response.status_code
            error = Unavailable(
                Text("{crm} answered with unexpected HTTP {status}.", crm=self._crm, status=status)
            )
        return error

    @staticmethod
    def _scrub(error: CrmError, grant: AccessGrant) -> CrmError:
        """The same error with the access token removed from its message, should the CRM echo it."""
        message = text_of(error)
        if redaction.redact(message, grant.access_token) == message:
            return error
        return type(error)(_redacted(message, grant.access_token), retry_after=error.retry_after)


def _redacted(message: str, secret: str) -> str:
    """`message` without `secret`, still a sentence the UI translates when it is one (each field redacted)."""
    if not isinstance(message, Text):
        return redaction.redact(message, secret)
    fields = {k: _redacted(v, secret) if isinstance(v, str) else v for k, v in message.fields.items()}
    return Text(message.template, **fields)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
