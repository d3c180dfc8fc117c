"""One-shot loopback HTTP listener that receives an OAuth redirect (RFC 8252 §7.3) and answers the browser."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from linkus_companion.os_cause import os_why
from linkus_companion.terminal import say, user_language
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 16_384
_DONE_PAGE = (
    "<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body style='font-family:sans-serif;margin:3em'><h1>{title}</h1><p>{text}</p></body></html>"
)


@dataclass(frozen=True)
class RedirectAnswer:
    """What the browser delivers to the redirect URI, and the page we show in return."""

    title: str
    text: str


class LoopbackRedirect:
    """Listens on a loopback address for exactly one request to the redirect path.

    `redirect_uri` is either None (bind 127.0.0.1 on an ephemeral port, RFC 8252) or the loopback URI
    the admin registered with the CRM, e.g. `http://localhost:53682/callback` (bound on 127.0.0.1).
    """

    def __init__(self, redirect_uri: str | None = None, *, path: str = "/callback") -> None:
        if redirect_uri is None:
            self._host_in_uri, self._port, self._path = "127.0.0.1", 0, path
        else:
            parts = urlsplit(redirect_uri)
            if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
                raise ValueError(
                    Text("the redirect URI must be an http:// loopback address (127.0.0.1 or localhost)")
                )
            self._host_in_uri = parts.hostname
            self._port = parts.port or 80
            self._path = parts.path or "/"
        self._bind = "::1" if self._host_in_uri == "::1" else "127.0.0.1"
        self._server: asyncio.Server | None = None
        self._received: asyncio.Future[dict[str, str]] | None = None
        self._answer: asyncio.Future[RedirectAnswer] | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def redirect_uri(self) -> str:
        """The redirect URI to send to the CRM (with the bound port)."""
        host = f"[{self._host_in_uri}]" if ":" in self._host_in_uri else self._host_in_uri
        return f"http://{host}:{self._port}{self._path}"

    async def __aenter__(self) -> LoopbackRedirect:
        loop = asyncio.get_running_loop()
        self._received = loop.create_future()
        self._answer = loop.create_future()
        try:
            self._server = await self._start()
        except OSError as exc:
            raise OSError(
                Text(
                    "Cannot listen for the sign-in redirect on {bind} port {port} ({why}); close the program using that port or choose another redirect port.",
                    bind=self._bind,
                    port=self._port,
                    why=os_why(exc),
                )
            ) from None
        self._port = self._server.sockets[0].getsockname()[1]
        return self

    async def _start(self) -> asyncio.Server:
        """Listen on 127.0.0.1, and also on ::1 for a fixed-port `localhost` URI (browsers may try either)."""
        if self._host_in_uri == "localhost" and self._port:
            with contextlib.suppress(OSError):
                return await asyncio.start_server(
                    self._handle, ["127.0.0.1", "::1"], self._port, limit=MAX_REQUEST_BYTES
                )
        return await asyncio.start_server(self._handle, self._bind, self._port, limit=MAX_REQUEST_BYTES)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(RedirectAnswer("Sign-in cancelled", "You can close this tab."))
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def received(self) -> bool:
        """Whether the redirect has arrived."""
        return self._received is not None and self._received.done()

    async def wait(self) -> dict[str, str]:
        """The query parameters of the redirect, once it arrives."""
        assert self._received is not None, "use `async with LoopbackRedirect(...)`"
        return await asyncio.shield(self._received)

    def answer(self, title: str, text: str) -> None:
        """Show this page in the browser tab that delivered the redirect."""
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(RedirectAnswer(title, text))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            target = await _read_request_target(reader)
            parts = urlsplit(target or "")
            if target is None or parts.path != self._path or self._received is None or self._received.done():
                await _respond(writer, 404, RedirectAnswer(Text("Not found"), Text("Nothing to see here.")))
                return
            self._received.set_result(dict(parse_qsl(parts.query, keep_blank_values=True)))
            assert self._answer is not None
            await _respond(writer, 200, await self._answer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            log.debug("loopback redirect connection failed: %s", type(exc).__name__)
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _read_request_target(reader: asyncio.StreamReader) -> str | None:
    """The target of a GET request line, after reading the headers; None for anything else."""
    head = await reader.readuntil(b"\r\n\r\n")
    method, _, rest = head.split(b"\r\n", 1)[0].decode("latin-1").partition(" ")
    target = rest.rpartition(" ")[0]
    return target if method == "GET" and target.startswith("/") else None


async def _respond(writer: asyncio.StreamWriter, status: int, page: RedirectAnswer) -> None:
    title, text = say(page.title), say(page.text)  # in the user's language
    lang = "zh-CN" if user_language() == "zh_CN" else "en"
    body = _DONE_PAGE.format(lang=lang, title=html.escape(title), text=html.escape(text)).encode()
    reason = "OK" if status == 200 else "Not Found"
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
