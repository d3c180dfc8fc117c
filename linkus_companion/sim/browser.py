"""The user's part of an OAuth sign-in against our CRM emulators: open the page, approve, follow redirects."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import httpx

_APPROVE = ("approve", "allow", "accept", "authorize", "authorise", "connect", "grant", "yes")


class _Form(HTMLParser):
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


def approving_browser(
    client: httpx.AsyncClient, *, tamper: Callable[[str], str] | None = None, redirect_uri: str = ""
) -> Callable[[str], Coroutine[Any, Any, None]]:
    """An OAuth opener acting as the user: open the page, approve its consent form, follow to our listener.

    `tamper` may rewrite the final redirect to `redirect_uri` (tests forge `state` this way).
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
            form = _Form()
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
        raise RuntimeError("the sign-in page did not finish in 10 steps")

    return open_url
