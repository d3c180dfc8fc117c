"""Capability links for call recordings: long random, revocable, optionally expiring, served with ranges."""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from linkus_companion import paths
from linkus_companion.engine.recording_spool import RecordingSpool
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError, PbxNotFound
from linkus_companion.store import Store
from linkus_companion.terminal import say
from linkus_companion.texts import Text, accepted_language, text_of

log = logging.getLogger(__name__)

PREFIX = "/recordings"
"""Path under `public_base` where the links live (the gateway mounts the same routes)."""
CACHE_SECONDS = 600.0
"""How long a played recording stays in the link server's cache (players ask for ranges of it)."""
_LINK_ID = re.compile(r"[A-Za-z0-9_-]{32}")
_UNKNOWN = Text(
    "This recording link is unknown. A link served by a desktop's Linkus Companion only plays on "
    "that desktop; ask the person who made the call, or the administrator of the gateway."
)
_DELETED = Text("This recording was deleted on the PBX, so it can no longer be played.")
_REVOKED = Text("This recording link was withdrawn by the administrator or has expired.")
_TITLE = Text("Call recording")
_DOWNLOAD = Text("Download the recording")
_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; margin: 2em">
{body}
</body></html>
"""
_PLAYER = """<h1>{title}</h1>
<audio controls preload="none" src="{audio}"></audio>
<p><a href="{audio}">{download}</a></p>"""


class RecordingLinks:
    """Hands out `{public_base}/recordings/<id>` links for PBX recordings and serves them.

    The id is 192 random bits and is the only credential: the CRM's player (HubSpot's servers, a
    Lightning or Zoho page in any browser) fetches it without a cookie. The store maps it to the PBX
    call and recording file; a link can be revoked (`revoke_call`) and expires after `link_days`
    when set. Each play asks the PBX for a fresh download URL (those expire after 30 minutes and
    need a PBX token), keeps the audio in a short-lived private cache and serves it with its type,
    length and HTTP range requests. Logs name a link by a hash, never by its id.
    """

    def __init__(
        self,
        store: Store,
        pbx: PbxClient,
        public_base: str,
        *,
        link_days: int = 0,
        cache_dir: Path | None = None,
    ) -> None:
        self._store = store
        self._pbx = pbx
        self._base = public_base.rstrip("/")
        self._days = link_days
        self._cache_dir = cache_dir or paths.cache_dir() / "recording-cache"
        self._cache = RecordingSpool(pbx, self._cache_dir)
        self._fetching = asyncio.Lock()

    def link_for(self, call_id: str, file: str) -> str:
        """The link for one recording of a call; the same call and file always get the same link."""
        now = datetime.now(UTC)
        expires = (now + timedelta(days=self._days)).isoformat() if self._days else None
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO recording_links (link_id, call_id, file, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (secrets.token_urlsafe(24), call_id, file, now.isoformat(), expires),
            )
            row = db.execute(
                "SELECT link_id FROM recording_links WHERE call_id = ? AND file = ?", (call_id, file)
            ).fetchone()
        return f"{self._base}{PREFIX}/{row[0]}"

    def revoke_call(self, call_id: str) -> int:
        """Withdraw every link of a call and drop its cached audio; how many links were withdrawn."""
        with self._store.transaction() as db:
            count = db.execute(
                "UPDATE recording_links SET revoked_at = ? WHERE call_id = ? AND revoked_at IS NULL",
                (datetime.now(UTC).isoformat(), call_id),
            ).rowcount
        self._cache.discard_call(call_id)
        return int(count)

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
        found = self._file(link_id)
        language = accepted_language(request.headers.get("accept-language", ""))
        if isinstance(found, int):
            return _problem(found, _REASONS[found], language)
        try:
            await self._pbx.recording_url(found[1])
        except PbxError as err:
            return _pbx_problem(link_id, err, language)
        player = _PLAYER.format(
            title=html.escape(say(_TITLE, language)),
            audio=html.escape(f"{link_id}/audio"),
            download=html.escape(say(_DOWNLOAD, language)),
        )
        return _page(200, player, language)

    async def _audio(self, request: Request) -> Response:
        link_id = request.path_params["link_id"]
        found = self._file(link_id)
        language = accepted_language(request.headers.get("accept-language", ""))
        if isinstance(found, int):
            return _problem(found, _REASONS[found], language, page=False)
        call_id, file = found
        try:
            async with self._fetching:  # one writer per cache file
                self._sweep()
                cached = await self._cache.fetch(f"{call_id}:link", file, "")
        except PbxError as err:
            return _pbx_problem(link_id, err, language, page=False)
        return FileResponse(
            cached.path,
            media_type=cached.content_type,
            headers={**_PRIVATE, "Accept-Ranges": "bytes"},
            content_disposition_type="inline",
        )

    def _file(self, link_id: str) -> tuple[str, str] | int:
        """The call id and PBX file of a live link, or the HTTP status of a dead one (404, 410)."""
        if not _LINK_ID.fullmatch(link_id):
            return 404
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT call_id, file, expires_at, revoked_at FROM recording_links WHERE link_id = ?",
                (link_id,),
            ).fetchone()
        if row is None:
            return 404
        call_id, file, expires, revoked = row
        if revoked or (expires and datetime.fromisoformat(expires) <= datetime.now(UTC)):
            return 410
        return str(call_id), str(file)

    def _sweep(self) -> None:
        """Drop cached recordings older than CACHE_SECONDS."""
        if not self._cache_dir.exists():
            return
        horizon = time.time() - CACHE_SECONDS
        for path in self._cache_dir.iterdir():
            if path.stat().st_mtime < horizon:
                path.unlink(missing_ok=True)


_PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
_REASONS = {404: _UNKNOWN, 410: _REVOKED}


def shown(link_id: str) -> str:
    """How logs name a link: a short hash, since the id itself is the credential."""
    return "#" + hashlib.sha256(link_id.encode()).hexdigest()[:10]


def _pbx_problem(link_id: str, err: PbxError, language: str, *, page: bool = True) -> Response:
    if isinstance(err, PbxNotFound):
        log.info("Recording link %s: the recording was deleted on the PBX", shown(link_id))
        return _problem(410, _DELETED, language, page=page)
    log.warning("Recording link %s could not be served: %s", shown(link_id), err)
    sentence = Text("The recording could not be fetched from the PBX. {reason}", reason=text_of(err))
    return _problem(502, sentence, language, page=page)


def _problem(status: int, sentence: str, language: str, *, page: bool = True) -> Response:
    """The refusal in `language`: a page for a browser, plain text for a player (`page=False`)."""
    if not page:
        return PlainTextResponse(
            say(sentence, language) + "\n", status_code=status, headers=_headers(language)
        )
    return _page(status, f"<p>{html.escape(say(sentence, language))}</p>", language)


def _headers(language: str) -> dict[str, str]:
    """No caching, and the language the answer is in (it depends on the request's Accept-Language)."""
    return _PRIVATE | {
        "Content-Language": "zh-CN" if language == "zh_CN" else "en",
        "Vary": "Accept-Language",
    }


def _page(status: int, body: str, language: str) -> Response:
    page = _PAGE.format(
        lang="zh-CN" if language == "zh_CN" else "en", title=html.escape(say(_TITLE, language)), body=body
    )
    return HTMLResponse(page, status_code=status, headers=_headers(language))
