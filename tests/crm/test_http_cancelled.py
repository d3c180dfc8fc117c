"""Requests cancelled while the connection pool is busy leave no pool slot behind (httpcore#1093)."""

from __future__ import annotations

import asyncio
import random

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from linkus_companion.crm.base import AccessGrant, CrmError
from linkus_companion.crm.http import CrmHttp, classify_status
from linkus_companion.serving import serving


async def _slow(request: Request) -> JSONResponse:
    await asyncio.sleep(0.01)
    return JSONResponse({}, headers={"Connection": "close"})  # each freed slot is a new connection


APP = Starlette(routes=[Route("/api/slow", _slow)])


class _Grants:
    def __init__(self, api_base: str) -> None:
        self.api_base = api_base

    async def current(self) -> AccessGrant:
        return AccessGrant("tok", self.api_base)

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        return stale


def _classify(response: httpx.Response) -> CrmError | None:
    return classify_status("TestCRM", response, "")


async def test_lookups_cancelled_under_contention_do_not_wedge_the_pool() -> None:
    limits = httpx.Limits(max_connections=2)
    async with serving(APP) as server, httpx.AsyncClient(timeout=2, limits=limits) as client:
        http = CrmHttp(client, _Grants(server.base_url + "/api/"), crm="TestCRM", classify=_classify)
        rng = random.Random(7)
        for _ in range(40):  # calls hung up while their lookups wait for a connection
            tasks = [asyncio.ensure_future(http.request("GET", "slow")) for _ in range(6)]
            await asyncio.sleep(0.005 + rng.random() * 0.02)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.3)  # requests that were on the wire finish
        answers = await asyncio.gather(*(http.request("GET", "slow") for _ in range(4)))
        assert all(a.status_code == 200 for a in answers)
