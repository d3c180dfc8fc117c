"""CrmHttp against a small local peer that answers 429, 503, 401 and slow responses like CRMs do."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from linkus_companion.crm.base import (
    AccessGrant,
    AuthExpired,
    CrmError,
    NotFound,
    RateLimited,
    Unavailable,
    ValidationFailed,
)
from linkus_companion.crm.http import CrmHttp, classify_status, retry_after, zoho_oauthtoken
from linkus_companion.redaction import redact
from linkus_companion.serving import serving
from linkus_companion.texts import Text, text_of

hits: Counter[str] = Counter()


async def ok(request: Request) -> Response:
    hits["ok"] += 1
    return JSONResponse({"auth": request.headers.get("authorization"), "q": dict(request.query_params)})


async def limited(request: Request) -> Response:
    hits["limited"] += 1
    if hits["limited"] <= int(request.query_params.get("times", "2")):
        return JSONResponse({"message": "You have reached your secondly limit."}, 429, {"Retry-After": "2"})
    return JSONResponse({"done": True})


async def limited_until(request: Request) -> Response:
    hits["limited_until"] += 1
    if hits["limited_until"] == 1:
        when = email.utils.formatdate(time.time() + 30, usegmt=True)
        return JSONResponse({}, 429, {"Retry-After": when})
    return JSONResponse({"done": True})


async def busy(request: Request) -> Response:
    hits[f"busy {request.method}"] += 1
    return JSONResponse({"message": "maintenance"}, 503)


async def session(request: Request) -> Response:
    hits["session"] += 1
    if request.headers.get("authorization") != "Bearer tok-2":
        return JSONResponse([{"errorCode": "INVALID_SESSION_ID", "message": "Session expired"}], 401)
    return JSONResponse({"fresh": True})


async def slow(request: Request) -> Response:
    hits[f"slow {request.method}"] += 1
    await asyncio.sleep(0.3)
    return JSONResponse({})


async def status(request: Request) -> Response:
    code = int(request.path_params["code"])
    return JSONResponse({"message": f"echo {request.headers.get('authorization')}"}, code)


APP = Starlette(
    routes=[
        Mount(
            "/api",
            routes=[
                Route("/ok/{rest:path}", ok),
                Route("/limited", limited),
                Route("/limited-until", limited_until),
                Route("/busy", busy, methods=["GET", "POST"]),
                Route("/session", session, methods=["GET", "POST"]),
                Route("/slow", slow, methods=["GET", "POST"]),
                Route("/status/{code}", status),
            ],
        )
    ]
)


@dataclass
class Grants:
    """A GrantSource whose refresh issues tok-2 (or keeps failing when `revoked`)."""

    api_base: str
    token: str = "tok-1"
    revoked: bool = False
    refreshes: int = 0

    async def current(self) -> AccessGrant:
        return AccessGrant(self.token, self.api_base)

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        self.refreshes += 1
        if self.revoked:
            raise AuthExpired("TestCRM access was revoked. Connect again in Settings.")
        self.token = "tok-2"
        return await self.current()


@dataclass
class Peer:
    grants: Grants
    http: CrmHttp
    client: httpx.AsyncClient
    sleeps: list[float] = field(default_factory=list)


def classify(response: httpx.Response) -> CrmError | None:
    detail = response.text[:200] if response.is_error else ""
    return classify_status("TestCRM", response, detail)


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    hits.clear()
    async with serving(APP) as server, httpx.AsyncClient(timeout=5) as client:
        grants = Grants(server.base_url + "/api/")
        sleeps: list[float] = []

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)

        http = CrmHttp(client, grants, crm="TestCRM", classify=classify, sleep=sleep, jitter=lambda: 1.0)
        yield Peer(grants, http, client, sleeps)


async def test_paths_resolve_against_api_base_with_bearer_token(peer: Peer) -> None:
    response = await peer.http.request("GET", "/ok/x", params={"a": "1"})
    assert response.json() == {"auth": "Bearer tok-1", "q": {"a": "1"}}
    assert str(response.url).startswith(peer.grants.api_base + "ok/x")


async def test_a_request_searches_for_no_module(peer: Peer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing on the request path looks for a module: httpcore imports sniffio per request, and a missing
    one is a search of every import path each time (about a millisecond a request under load)."""
    await peer.http.request("GET", "/ok/first")  # one-time imports of the first request
    searched: list[str] = []

    class Recorder:
        @staticmethod
        def find_spec(name: str, *args: object) -> None:
            searched.append(name)

    monkeypatch.setattr(sys, "meta_path", [Recorder(), *sys.meta_path])
    await peer.http.request("GET", "/ok/again")
    assert searched == []


async def test_zoho_header_and_same_origin_absolute_url(peer: Peer) -> None:
    http = CrmHttp(peer.client, peer.grants, crm="Zoho CRM", classify=classify, auth_header=zoho_oauthtoken)
    response = await http.request("GET", peer.grants.api_base + "ok/abs")
    assert response.json()["auth"] == "Zoho-oauthtoken tok-1"


async def test_token_never_sent_to_another_origin(peer: Peer) -> None:
    with pytest.raises(ValueError, match="another origin"):
        await peer.http.request("GET", "https://attacker.example/ok")
    assert hits["ok"] == 0


async def test_429_is_retried_after_retry_after_seconds(peer: Peer) -> None:
    response = await peer.http.request("GET", "/limited")
    assert response.json() == {"done": True}
    assert hits["limited"] == 3
    assert peer.sleeps == [2.0, 2.0]


async def test_retry_after_http_date_is_honoured(peer: Peer) -> None:
    await peer.http.request("GET", "/limited-until")
    assert len(peer.sleeps) == 1
    assert 28 <= peer.sleeps[0] <= 30


async def test_retry_after_longer_than_max_wait_is_left_to_the_caller(peer: Peer) -> None:
    short = CrmHttp(peer.client, peer.grants, crm="TestCRM", classify=classify, max_wait=1.0, sleep=_no_sleep)
    with pytest.raises(RateLimited, match=r"TestCRM is limiting requests.*try again in 2 s") as caught:
        await short.request("GET", "/limited")
    assert caught.value.retry_after == 2.0
    assert caught.value.retryable
    assert hits["limited"] == 1


async def test_5xx_retried_with_capped_exponential_backoff_then_raised(peer: Peer) -> None:
    with pytest.raises(Unavailable, match="TestCRM failed with HTTP 503"):
        await peer.http.request("GET", "/busy")
    assert hits["busy GET"] == 4
    assert peer.sleeps == [0.5, 1.0, 2.0]


async def test_create_is_never_retried_blindly(peer: Peer) -> None:
    with pytest.raises(Unavailable):
        await peer.http.request("POST", "/busy", json={"name": "Ada"})
    assert hits["busy POST"] == 1
    assert peer.sleeps == []


async def test_idempotent_post_such_as_search_is_retried(peer: Peer) -> None:
    with pytest.raises(Unavailable):
        await peer.http.request("POST", "/busy", json={"q": "x"}, idempotent=True)
    assert hits["busy POST"] == 4


async def test_auth_failure_refreshes_once_and_retries(peer: Peer) -> None:
    response = await peer.http.request("POST", "/session", json={}, idempotent=False)
    assert response.json() == {"fresh": True}
    assert peer.grants.refreshes == 1
    assert hits["session"] == 2


async def test_revoked_grant_raises_auth_expired_without_looping(peer: Peer) -> None:
    peer.grants.revoked = True
    with pytest.raises(AuthExpired, match="Connect again"):
        await peer.http.request("GET", "/session")
    assert peer.grants.refreshes == 1
    assert hits["session"] == 1


async def test_still_rejected_after_refresh_raises_auth_expired(peer: Peer) -> None:
    with pytest.raises(AuthExpired, match="TestCRM rejected the sign-in"):
        await peer.http.request("GET", "/status/401")
    assert peer.grants.refreshes == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [(400, ValidationFailed), (404, NotFound), (403, CrmError), (422, ValidationFailed)],
)
async def test_status_maps_to_typed_error_without_the_token(
    peer: Peer, code: int, error: type[CrmError]
) -> None:
    with pytest.raises(error) as caught:
        await peer.http.request("GET", f"/status/{code}")
    assert type(caught.value) is error
    assert "TestCRM" in str(caught.value)
    assert "tok-1" not in str(caught.value)
    assert not caught.value.retryable
    typed = text_of(caught.value)  # still the sentence the UI translates, the echoed token cut from it
    assert isinstance(typed, Text) and "tok-1" not in typed.translated(lambda _c, source: source)


async def test_connect_failure_is_retried_even_for_a_create(peer: Peer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    grants = Grants(f"http://127.0.0.1:{port}")
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    http = CrmHttp(peer.client, grants, crm="TestCRM", classify=classify, sleep=sleep, max_attempts=2)
    with pytest.raises(Unavailable, match=r"TestCRM could not be reached.*check the network") as failed:
        await http.request("POST", "/contacts", json={})
    assert len(sleeps) == 1
    assert "Error" not in str(failed.value), "no Python exception name in the user's sentence"


async def test_timeout_retried_only_when_idempotent(peer: Peer) -> None:
    async with httpx.AsyncClient(timeout=0.1) as impatient:
        http = CrmHttp(
            impatient, peer.grants, crm="TestCRM", classify=classify, sleep=_no_sleep, max_attempts=2
        )
        with pytest.raises(Unavailable, match="did not answer in time"):
            await http.request("POST", "/slow", json={})
        with pytest.raises(Unavailable):
            await http.request("GET", "/slow")
    assert hits["slow POST"] == 1
    assert hits["slow GET"] == 2


async def test_logs_are_redacted(peer: Peer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="linkus_companion.crm.http")
    caplog.set_level(logging.INFO, logger="httpx")
    await peer.http.request(
        "GET", "/ok/v1/access-tokens/tok-1", params={"access_token": "sekrit", "page": "2"}
    )
    with pytest.raises(Unavailable):
        await peer.http.request("GET", "/busy")
    assert "HTTP Request: GET" in caplog.text
    assert "page=2" in caplog.text
    assert "sekrit" not in caplog.text
    assert "tok-1" not in caplog.text


def test_redacted_url_hides_token_like_query_values() -> None:
    shown = redact.url("https://h/x?refresh_token=r1&client_secret=s2&code=c3&q=ok", "zz")
    assert shown == "https://h/x?refresh_token=***&client_secret=***&code=***&q=ok"
    assert (
        redact.url("https://h/oauth/v1/access-tokens/CJx1?a=1") == "https://h/oauth/v1/access-tokens/***?a=1"
    )


def test_retry_after_forms() -> None:
    def resp(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    assert retry_after(resp("7")) == 7.0
    assert retry_after(resp("-3")) == 0.0
    assert retry_after(resp("soon")) is None
    assert retry_after(httpx.Response(429)) is None
    assert retry_after(resp("Wed, 21 Oct 2015 07:28:10 GMT"), now=1445412480.0) == 10.0


async def _no_sleep(seconds: float) -> None:
    return None
