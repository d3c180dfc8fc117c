"""The gateway service: the engine for every bound extension behind one HTTPS/WSS endpoint for desktops."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from linkus_companion.backend import LinkState
from linkus_companion.crm.base import Connector
from linkus_companion.engine.core import EngineError
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.policies import Policies
from linkus_companion.gateway import protocol
from linkus_companion.gateway.desktop import ENGINE_OPS, DesktopConnection, engine_request
from linkus_companion.gateway.hub import DesktopHub
from linkus_companion.gateway.metrics import Metrics
from linkus_companion.gateway.tokens import (
    ACCESS_TTL,
    AuthError,
    Claims,
    Grant,
    TokenAuthority,
)
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError
from linkus_companion.serving import RunningServer, start_server
from linkus_companion.store import Store
from linkus_companion.terminal import say
from linkus_companion.texts import Text, accepted_language, text_of
from linkus_companion.tls import TlsFiles

if TYPE_CHECKING:
    from linkus_companion.gateway.leadership import Leadership

log = logging.getLogger(__name__)

START_RETRY_MAX = 30.0
"""Longest wait, seconds, between a new leader's attempts to reach a PBX that refuses it."""
BROWSER_PATH = "/browser"
"""Where a desktop's one-time link signs the user's browser in (the ticket rides in the URL fragment)."""
COOKIE = "linkus_gateway"
_BROWSER_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Linkus Companion</title></head>
<body style="font-family: sans-serif; margin: 2em"><p id="say">{signing}</p>
<script>
const ticket = location.hash.slice(1);
history.replaceState(null, "", location.pathname);
fetch("session", {{method: "POST", headers: {{"Content-Type": "application/json"}},
                  body: JSON.stringify({{ticket}})}})
  .then(r => r.json())
  .then(b => {{ document.getElementById("say").textContent = b.ok ? {signed} : b.error; }});
</script></body></html>
"""


class Gateway:
    """Hosts the engine and serves desktops, enrollment, recordings, health and metrics.

    The host must have been built with `hub` as its URL opener; its recording links point here.
    """

    def __init__(
        self,
        host: EngineHost,
        hub: DesktopHub,
        authority: TokenAuthority,
        metrics: Metrics,
        *,
        public_url: str,
        revocation_check: float = 5.0,
    ) -> None:
        self.host = host
        self.hub = hub
        self.authority = authority
        self.metrics = metrics
        self.public_url = public_url.rstrip("/")
        self._check = revocation_check
        self._server: RunningServer | None = None
        self.role = "single"
        """`single` (no election), `standby` or `leader` (see `run_replica`)."""
        self.leadership: Leadership | None = None
        self._relaying: list[asyncio.Task[None]] = []
        host.engine.add_listener(hub)
        host.watch_status(hub.pbx_status)
        hub.user_names = host.user_names
        hub.extension_names = host.extension_names
        hub.waiting = host.outbox.waiting_logs
        host.health.add_listener(hub.crm_health, each_request=True)
        host.outbox.add_listener(hub.recount)
        metrics.gauge("gateway_desktops_connected", "Desktops connected now", hub.connected)
        metrics.gauge(
            "gateway_pbx_connected", "1 while the PBX event stream is subscribed", self._pbx_connected
        )
        metrics.gauge(
            "gateway_outbox_waiting", "Call logs waiting for the CRM", lambda: host.outbox.status().waiting
        )
        metrics.gauge(
            "gateway_outbox_parked", "Call logs the CRM refused", lambda: host.outbox.status().parked
        )
        metrics.gauge(
            "gateway_crm_quota_spent",
            "1 while the CRM's daily API limit or credit pool is spent (call logs wait for its reset)",
            lambda: float(host.outbox.status().quota_until is not None),
        )
        metrics.gauge("gateway_leader_epoch", "Fencing epoch of the site's current leader", self._epoch)
        metrics.gauge(
            "gateway_seconds_since_handover", "Seconds since the last leader hand-over", self._since_handover
        )
        metrics.gauge(
            "gateway_is_leader", "1 while this replica leads the site", lambda: float(self.role != "standby")
        )
        metrics.gauge(
            "gateway_outbox_delivered",
            "Call logs delivered to the CRM",
            lambda: host.outbox.status().delivered,
        )

    @classmethod
    def assemble(
        cls,
        *,
        pbx: PbxClient,
        connector: Connector,
        crm_web_origins: tuple[str, ...],
        store: Store,
        policies: Policies,
        signing_key: Ed25519PrivateKey,
        public_url: str,
        extensions: tuple[str, ...] | None = None,
        host_options: dict[str, Any] | None = None,
        access_ttl: dt.timedelta = ACCESS_TTL,
        revocation_check: float = 5.0,
    ) -> Gateway:
        """The gateway around a new engine host for `extensions` (None: all) on these clients."""
        metrics = Metrics()
        hub = DesktopHub(
            metrics, crm_web_origins, connector.kind, connector.creatable, connector.dispositions
        )
        host = EngineHost(
            pbx=pbx,
            connector=connector,
            store=store,
            policies=policies,
            opener=hub,
            crm_web_origins=crm_web_origins,
            extensions=extensions,
            recording_base=public_url.rstrip("/"),
            serve_recordings=False,
            **(host_options or {}),
        )
        authority = TokenAuthority(store, signing_key, public_url.rstrip("/"), access_ttl)
        return cls(host, hub, authority, metrics, public_url=public_url, revocation_check=revocation_check)

    async def start(
        self, bind: str = "127.0.0.1", port: int | None = None, tls: TlsFiles | None = None
    ) -> None:
        """Connect to the PBX and the CRM, then accept desktops on `bind`:`port` (default: the public URL's)."""
        await self.host.start()
        await self.listen(bind, port, tls)

    async def listen(
        self, bind: str = "127.0.0.1", port: int | None = None, tls: TlsFiles | None = None
    ) -> None:
        """Accept desktops (and serve health and metrics) on `bind`:`port`."""
        public = urlsplit(self.public_url)
        listen = port if port is not None else public.port or (443 if public.scheme == "https" else 80)
        self._server = await start_server(self.app(), bind, listen, tls)
        log.info("gateway listening on %s", self._server.base_url)

    async def lead(self, leadership: Leadership) -> None:
        """Wait to win the election (serving as `standby`), then run the engine fenced by the new epoch."""
        from linkus_companion.gateway import relay  # psycopg loads only on replicas

        self.leadership, self.role = leadership, "standby"
        requests = relay.Requests(self.host.store)
        self.hub.forward = requests.ask
        listening = asyncio.Event()
        following = asyncio.create_task(
            relay.follow(
                leadership.url, leadership.password, self.hub.relayed, requests.replied, listening.set
            )
        )
        try:
            await asyncio.wait_for(listening.wait(), 10)
            epoch = await leadership.acquire()
        finally:
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
        self.hub.forward = None
        publisher = relay.Publisher(leadership.url, leadership.password)
        self.hub.publish = publisher
        self._relaying = [
            asyncio.create_task(
                relay.serve(leadership.url, leadership.password, self.host.store, self._answer)
            ),
            asyncio.create_task(publisher.run()),
        ]
        self.host.outbox.fence(epoch)
        self.role = "leader"
        await self._start_leading(leadership)

    async def _start_leading(self, leadership: Leadership) -> None:
        """Start the engine, retrying (and keeping the lead) while the PBX refuses; returns if the lead is lost."""
        delay = 1.0
        while True:
            try:
                await self.host.start()
                return
            except PbxError as exc:
                log.warning("cannot start leading: %s; retrying in %.0f s", exc, delay)
                await self.host.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(leadership.lost(), delay)
                return  # the caller sees the lead lost
            delay = min(START_RETRY_MAX, delay * 2)

    async def stop(self) -> None:
        """Close every desktop, stop following the PBX (queued call logs stay in the store), give up the lead."""
        if self._server is not None:
            await self._server.stop()
            self._server = None
        for task in self._relaying:
            task.cancel()
        await asyncio.gather(*self._relaying, return_exceptions=True)
        await self.host.stop()
        if self.leadership is not None:
            await self.leadership.release()

    def app(self) -> Starlette:
        """The ASGI app."""
        routes: list[BaseRoute] = [
            Route("/health", self._health, methods=["GET"]),
            Route("/metrics", self._metrics, methods=["GET"]),
            Route("/enroll", self._enroll, methods=["POST"]),
            Route("/session/refresh", self._refresh, methods=["POST"]),
            Route(BROWSER_PATH, self._browser_page, methods=["GET"]),
            Route(BROWSER_PATH + "/session", self._browser_session, methods=["POST"]),
            WebSocketRoute(protocol.PATH, self._desktop),
        ]
        if self.host.recordings is not None:  # capability links: the CRM's player sends no cookie
            routes += self.host.recordings.routes()
        return Starlette(routes=routes)

    async def _answer(self, op: str, extension: str, args: dict[str, Any]) -> Any:
        """A standby's desktop request, checked again here: the call must be one of `extension`'s."""
        call_id = args.get("call_id")
        if op not in ENGINE_OPS or (call_id is not None and not self.hub.owns(extension, str(call_id))):
            raise EngineError(Text("That call is not one of this extension's calls."))
        return await engine_request(self.host, op, extension, args)

    def _leader_row(self) -> tuple[Any, ...] | None:
        with self.host.store.transaction() as db:
            row: tuple[Any, ...] | None = db.execute(
                "SELECT epoch, since FROM leader WHERE id = 1"
            ).fetchone()
        return row

    def _epoch(self) -> float:
        row = self._leader_row()
        return float(row[0]) if row else 0.0

    def _since_handover(self) -> float:
        row = self._leader_row()
        if row is None:
            return 0.0
        return (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(str(row[1]))).total_seconds()

    def _pbx_connected(self) -> float:
        return 1.0 if self.hub.status.link is LinkState.CONNECTED else 0.0

    async def _health(self, _request: Request) -> Response:
        outbox = self.host.outbox.status()
        healthy = self.role == "standby" or (self._pbx_connected() == 1.0 and not outbox.problem)
        body = {
            "status": "ok" if healthy else "degraded",
            "role": self.role,
            "pbx": self.hub.status.link.value,
            "pbx_message": self.hub.status.message,
            "desktops": self.hub.connected(),
            "outbox": {
                **asdict(outbox),
                "quota_until": outbox.quota_until.isoformat() if outbox.quota_until else None,
            },
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    async def _metrics(self, _request: Request) -> Response:
        return PlainTextResponse(self.metrics.render(), media_type="text/plain; version=0.0.4")

    async def _enroll(self, request: Request) -> Response:
        return await self._exchange(request, "code", self.authority.redeem)

    async def _refresh(self, request: Request) -> Response:
        return await self._exchange(request, "refresh_token", self.authority.refresh)

    async def _exchange(self, request: Request, field: str, exchange: Callable[[str], Grant]) -> Response:
        try:
            secret = str((await request.json())[field])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": f"Send JSON with {field!r}."}, status_code=400)
        try:
            grant = exchange(secret)
        except AuthError as exc:
            self.metrics.count("gateway_auth_refused_total", "Refused desktop credentials", reason=field)
            return JSONResponse(protocol.sentence("error", text_of(exc)), status_code=401)
        log.info("issued a session grant through %s", request.url.path)
        return JSONResponse(asdict(grant), headers={"Cache-Control": "no-store"})

    def _claims(self, authorization: str) -> Claims:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthError(Text("Send the access token as `Authorization: Bearer ...`."))
        return self.authority.verify(token.strip())

    async def _browser_page(self, request: Request) -> Response:
        language = accepted_language(request.headers.get("accept-language", ""))
        page = _BROWSER_PAGE.format(
            lang="zh-CN" if language == "zh_CN" else "en",
            signing=html.escape(say(Text("Signing this browser in…"), language)),
            signed=_script_string(
                say(Text("This browser can now play the call recordings of this gateway."), language)
            ),
        )
        return HTMLResponse(
            page,
            headers={
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "Vary": "Accept-Language",
            },
        )

    async def _browser_session(self, request: Request) -> Response:
        try:
            ticket = str((await request.json())["ticket"])
            token, lifetime = self.authority.browser_session(ticket)
        except (ValueError, KeyError, TypeError, AuthError) as exc:
            self.metrics.count("gateway_auth_refused_total", "Refused desktop credentials", reason="browser")
            message = text_of(exc) if isinstance(exc, AuthError) else Text("Send JSON with 'ticket'.")
            language = accepted_language(request.headers.get("accept-language", ""))
            return JSONResponse({"error": say(message, language)}, status_code=401)
        response = JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})
        secure = self.public_url.startswith("https:")
        response.set_cookie(COOKIE, token, max_age=lifetime, httponly=True, secure=secure, samesite="lax")
        return response

    async def _desktop(self, websocket: WebSocket) -> None:
        try:
            claims = self._claims(websocket.headers.get("authorization", ""))
        except AuthError as exc:
            self.metrics.count(
                "gateway_auth_refused_total", "Refused desktop credentials", reason="websocket"
            )
            log.info("refused a desktop connection: %s", exc)
            await websocket.close(code=1008)
            return
        await websocket.accept()
        connection = DesktopConnection(
            websocket,
            claims,
            host=self.host,
            hub=self.hub,
            authority=self.authority,
            metrics=self.metrics,
            revocation_check=self._check,
            browser_url=self.public_url + BROWSER_PATH,
        )
        await connection.serve()


def _script_string(text: str) -> str:
    """`text` as a JavaScript string literal that is safe inside a `<script>` element."""
    return json.dumps(text, ensure_ascii=False).replace("<", "\\u003c")
