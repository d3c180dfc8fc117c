"""The simulator's ASGI app: Open API dispatch, the subscribe socket, recording files, control API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from linkus_companion.sim.pbx_api import ApiError, ApiRequest, Routes, envelope, invalid
from linkus_companion.sim.pbx_call_control import call_control_routes
from linkus_companion.sim.pbx_control import control_routes
from linkus_companion.sim.pbx_media import long_wav, wav_bytes
from linkus_companion.sim.pbx_rest import core_routes
from linkus_companion.sim.pbx_rest_directory import directory_routes
from linkus_companion.sim.pbx_rest_groups import groups_routes

if TYPE_CHECKING:
    from linkus_companion.sim.pbx import PbxSimulator

API_VERSION = "v1.0"
_NO_TOKEN = {"get_token", "refresh_token"}
_CHUNK = 4096


def _client_ip(request: Request | WebSocket) -> str:
    return request.client.host if request.client else ""


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {k: v for k, v in request.query_params.items() if k != "access_token"}
    if request.method == "POST":
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise ApiError(40001) from None
        if not isinstance(body, dict):
            raise ApiError(40001)
        params.update(body)
    return params


class _Download(StreamingResponse):
    """A streamed recording that reports when it is over, however it ended."""

    def __init__(
        self, body: AsyncIterator[bytes], on_done: Callable[[], None], headers: dict[str, str]
    ) -> None:
        super().__init__(body, media_type="audio/wav", headers=headers)
        self._on_done = on_done

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._on_done()


def _attachment(file: str) -> str:
    """Content-Disposition for a file name made of caller ids (any text): an ASCII fallback, the exact name
    in RFC 5987's `filename*` (no header can break out of it)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in file)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file, safe='')}"


def open_api_routes(sim: PbxSimulator) -> Routes:
    """Every emulated Open API endpoint, keyed by (method, endpoint)."""
    return {
        **core_routes(sim),
        **call_control_routes(sim),
        **directory_routes(sim.directory),
        **groups_routes(sim.directory),
    }


def build_app(sim: PbxSimulator) -> Starlette:
    """One Starlette app serving HTTP(S) and WS(S) on the same port, like the PBX web server."""
    routes: Routes = open_api_routes(sim)
    downloading = False

    def gate(request: Request, needs_token: bool) -> None:
        """The checks every Open API request goes through before its endpoint."""
        if not request.headers.get("user-agent", "").strip():
            raise invalid("User-Agent")
        if sim.guard.is_blocked(_client_ip(request)):
            raise ApiError(70004)
        if needs_token and not sim.tokens.valid(request.query_params.get("access_token")):
            raise ApiError(10004)

    async def openapi(request: Request) -> Response:
        version, endpoint = request.path_params["version"], request.path_params["endpoint"]
        try:
            if not await sim.api_faults.admit(endpoint, request):
                return Response()  # the connection is gone: nobody reads this
            gate(request, endpoint not in _NO_TOKEN)
            if version != API_VERSION:
                raise ApiError(10003)
            handler = routes.get((request.method, endpoint))
            if handler is None:
                raise ApiError(10001)
            token = request.query_params.get("access_token", "")
            body = await handler(ApiRequest(await _params(request), _client_ip(request), token))
        except ApiError as error:
            body = error.body
        return JSONResponse(body)

    async def download(request: Request) -> Response:
        nonlocal downloading
        try:
            gate(request, needs_token=True)
            ticket = sim.tickets.resolve(request.path_params["name"])
            if ticket is None:
                raise ApiError(60001)
            if downloading:
                raise ApiError(70082)
        except ApiError as error:
            return JSONResponse(error.body)
        downloading = True
        if sim.recording_bytes is not None:
            parts: Iterator[bytes] = long_wav(sim.recording_bytes)
        else:
            audio = wav_bytes(ticket.seconds)
            parts = (audio[start : start + _CHUNK] for start in range(0, len(audio), _CHUNK))

        async def chunks() -> AsyncIterator[bytes]:
            for part in parts:
                await sim.downloads_flowing.wait()
                yield part

        def done() -> None:
            nonlocal downloading
            downloading = False

        headers = {"Content-Disposition": _attachment(ticket.file)}
        return _Download(chunks(), done, headers)

    async def subscribe(ws: WebSocket) -> None:
        if sim.guard.is_blocked(_client_ip(ws)):
            await ws.accept()
            await ws.send_text(json.dumps(envelope(70004)))
            await ws.close(1008)
            return
        await sim.hub.serve(ws)

    return Starlette(
        routes=[
            WebSocketRoute(f"/openapi/{API_VERSION}/subscribe", subscribe),
            Route("/openapi/{version}/{endpoint:path}", openapi, methods=["GET", "POST"]),
            Route("/api/download/{name}", download, methods=["GET"]),
            *control_routes(sim, sorted(routes)),
        ]
    )
