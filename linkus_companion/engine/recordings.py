"""Stable recording links for call logs, served by streaming the PBX recording on demand."""

from __future__ import annotations

import html
import logging
import re
import secrets
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import PurePosixPath

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError, PbxNotFound
from linkus_companion.store import Store

log = logging.getLogger(__name__)

PREFIX = "/recordings"
"""Path under `public_base` where the links live (the gateway mounts the same routes)."""
MEDIA_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}
_LINK_ID = re.compile(r"[A-Za-z0-9_-]{32}")
_UNKNOWN = (
    "This recording link is unknown. A link served by a desktop's Linkus Companion only plays on "
    "that desktop; ask the person who made the call, or the administrator of the gateway."
)
_DELETED = "This recording was deleted on the PBX, so it can no longer be played."
_PLAYER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Call recording</title></head>
<body style="font-family: sans-serif; margin: 2em">
<h1>Call recording</h1>
<audio controls preload="none" src="{audio}"></audio>
<p><a href="{audio}">Download the recording</a></p>
</body></html>
"""


class RecordingLinks:
    """Hands out `{public_base}/recordings/<id>` links for PBX recordings and serves them.

    The id is random and unguessable; the store maps it to the PBX call and recording file. Each
    play asks the PBX for a fresh download URL (those expire after 30 minutes and need a PBX token)
    and streams the audio through us, so a link carries neither a token nor a file name and keeps
    working for as long as the PBX keeps the recording. An embedded desktop serves the routes on
    127.0.0.1: its links only play in a browser on that desktop, while the app runs. The gateway
    mounts the same routes behind its authentication so every CRM user can play them.
    """

    def __init__(self, store: Store, pbx: PbxClient, public_base: str) -> None:
        self._store = store
        self._pbx = pbx
        self._base = public_base.rstrip("/")

    def link_for(self, call_id: str, file: str) -> str:
        """The link for one recording of a call; the same call and file always get the same link."""
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO recording_links (link_id, call_id, file, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (secrets.token_urlsafe(24), call_id, file, datetime.now(UTC).isoformat()),
            )
            row = db.execute(
                "SELECT link_id FROM recording_links WHERE call_id = ? AND file = ?", (call_id, file)
            ).fetchone()
        return f"{self._base}{PREFIX}/{row[0]}"

    def routes(self) -> list[Route]:
        """GET /recordings/<id> (player page for browsers, else audio) and /recordings/<id>/audio."""
        return [
            Route(PREFIX + "/{link_id}", self._open, methods=["GET"]),
            Route(PREFIX + "/{link_id}/audio", self._audio, methods=["GET"]),
        ]

    def app(self) -> Starlette:
        """The routes as an ASGI app, for an embedded desktop to serve on 127.0.0.1."""
        return Starlette(routes=self.routes())

    async def _open(self, request: Request) -> Response:
        if "text/html" not in request.headers.get("accept", ""):
            return await self._audio(request)
        link_id = request.path_params["link_id"]
        file = self._file(link_id)
        if file is None:
            return _problem(404, _UNKNOWN, html_page=True)
        try:
            await self._pbx.recording_url(file)
        except PbxError as err:
            return _pbx_problem(link_id, err, html_page=True)
        return HTMLResponse(_PLAYER.format(audio=html.escape(f"{link_id}/audio")), headers=_NO_STORE)

    async def _audio(self, request: Request) -> Response:
        link_id = request.path_params["link_id"]
        file = self._file(link_id)
        if file is None:
            return _problem(404, _UNKNOWN, html_page=False)
        download = AsyncExitStack()
        try:
            chunks = await download.enter_async_context(self._pbx.stream_recording(file))
        except PbxError as err:
            await download.aclose()
            return _pbx_problem(link_id, err, html_page=False)
        media_type = MEDIA_TYPES.get(PurePosixPath(file).suffix.lower(), "application/octet-stream")
        return _Playback(download, _relay(download, chunks, link_id), media_type)

    def _file(self, link_id: str) -> str | None:
        if not _LINK_ID.fullmatch(link_id):
            return None
        with self._store.transaction() as db:
            row = db.execute("SELECT file FROM recording_links WHERE link_id = ?", (link_id,)).fetchone()
        return str(row[0]) if row else None


_NO_STORE = {"Cache-Control": "no-store"}


class _Playback(StreamingResponse):
    """The audio streamed from the PBX; the PBX download is released however the response ends."""

    def __init__(self, download: AsyncExitStack, body: AsyncGenerator[bytes, None], media_type: str) -> None:
        super().__init__(body, media_type=media_type, headers={**_NO_STORE, "Content-Disposition": "inline"})
        self._download = download
        self._body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._body.aclose()
            await self._download.aclose()


async def _relay(
    download: AsyncExitStack, chunks: AsyncIterator[bytes], link_id: str
) -> AsyncGenerator[bytes, None]:
    """Pass the PBX's chunks on; a failure half-way ends the response (headers are already sent)."""
    try:
        async with download:
            async for chunk in chunks:
                yield chunk
    except PbxError as err:
        log.warning("Recording link %s stopped half-way: %s", link_id, err)


def _pbx_problem(link_id: str, err: PbxError, *, html_page: bool) -> Response:
    if isinstance(err, PbxNotFound):
        log.info("Recording link %s: the recording was deleted on the PBX", link_id)
        return _problem(410, _DELETED, html_page=html_page)
    log.warning("Recording link %s could not be served: %s", link_id, err)
    return _problem(502, f"The recording could not be fetched from the PBX. {err}", html_page=html_page)


def _problem(status: int, sentence: str, *, html_page: bool) -> Response:
    if not html_page:
        return PlainTextResponse(sentence + "\n", status_code=status, headers=_NO_STORE)
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Call recording</title>'
        f'</head>\n<body style="font-family: sans-serif; margin: 2em">\n<p>{html.escape(sentence)}</p>\n'
        "</body></html>\n"
    )
    return HTMLResponse(page, status_code=status, headers=_NO_STORE)
