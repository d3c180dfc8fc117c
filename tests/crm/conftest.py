"""CRM test helpers: load each CRM's harness (skipping a missing one), and approve OAuth in a 'browser'."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

KINDS = ("hubspot", "salesforce", "zoho")
HERE = Path(__file__).parent


def load_harness(kind: str) -> ModuleType:
    """`tests/crm/harness_<kind>.py`, or a skip naming who owes it."""
    path = HERE / f"harness_{kind}.py"
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet: the {kind} connector engineer provides it")
    spec = importlib.util.spec_from_file_location(f"crm_harness_{kind}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.asynccontextmanager
async def open_harness(kind: str, tmp_path: Path) -> AsyncIterator[Any]:
    """Enter `make_harness(tmp_path)` whether it is an async context manager or a coroutine returning one."""
    made = load_harness(kind).make_harness(tmp_path)
    if inspect.isawaitable(made):
        made = await made
    async with made as harness:
        yield harness


@pytest.fixture(params=KINDS)
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """One running emulator with its connector, for each CRM."""
    async with open_harness(request.param, tmp_path) as running:
        yield running


def emulator_client(emulator: Any, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client that trusts the emulator's CA when it serves TLS (verification stays on)."""
    ca_file = getattr(emulator, "ca_file", None)
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
    return httpx.AsyncClient(verify=verify, timeout=10, **kwargs)


def free_port() -> int:
    """A loopback port that was free a moment ago (for a 'registered' redirect URI)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Forms(HTMLParser):
    """The first form of a page: its action, method and the fields a browser would submit."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self._in_form, self.action, self.method = (
                True,
                a.get("action", ""),
                a.get("method", "get").lower(),
            )
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type", "text") in ("submit", "button"):
                self.buttons.append((a["name"], a.get("value", "")))
            elif a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("name"):
            self.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and self._select not in self.fields:
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None


_APPROVE = ("approve", "allow", "accept", "authorize", "authorise", "connect", "grant", "yes")


def browser(
    client: httpx.AsyncClient, *, tamper: Callable[[str], str] | None = None, redirect_uri: str = ""
) -> Callable[[str], Coroutine[Any, Any, None]]:
    """An OAuth opener acting as the user's browser: open the page, approve its consent form, follow.

    `tamper` may rewrite the redirect to `redirect_uri` (our loopback listener), e.g. to forge `state`.
    """

    async def open_url(url: str) -> None:
        response = await client.get(url)
        for _ in range(10):
            if response.is_redirect:
                target = urljoin(str(response.url), response.headers["location"])
                if tamper is not None and redirect_uri and target.startswith(redirect_uri):
                    target = tamper(target)
                response = await client.get(target)
                continue
            form = _Forms()
            form.feed(response.text)
            if form.action is None:
                return
            fields = dict(form.fields)
            approve = next((b for b in form.buttons if b[1].lower() in _APPROVE), None)
            if approve is not None:
                fields[approve[0]] = approve[1]
            action = urljoin(str(response.url), form.action)
            if form.method == "post":
                response = await client.post(action, data=fields)
            else:
                response = await client.get(action, params=fields)
        raise AssertionError("the authorize page did not finish in 10 steps")

    return open_url
