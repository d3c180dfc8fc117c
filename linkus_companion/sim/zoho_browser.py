"""The user's browser step of Zoho's consent page, done over HTTP (tests and the offline demo)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx


class _ConsentForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.users: dict[str, str] = {}
        """E-mail -> option value."""
        self._option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values.get("name", "")] = values.get("value", "")
        elif tag == "option":
            self._option = values.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self.users[data.strip()] = self._option
            self._option = None


async def consent(authorize_url: str, *, user_email: str | None = None, accept: bool = True) -> str:
    """Open the consent page, sign in as `user_email` (default: the first user), accept or reject.

    Returns the redirect Location Zoho sends the browser to (the app's redirect URI with the code).
    """
    async with httpx.AsyncClient(timeout=10) as client:
        page = await client.get(authorize_url)
        if page.status_code != 200:
            raise ValueError(f"the consent page refused the request: HTTP {page.status_code}")
        form = _ConsentForm()
        form.feed(page.text)
        if not form.users:
            raise ValueError("the consent page offers no user to sign in as")
        user = form.users[user_email] if user_email else next(iter(form.users.values()))
        data = {**form.fields, "zuid_user": user, "action": "accept" if accept else "reject"}
        answer = await client.post(urljoin(str(page.url), form.action), data=data)
    if answer.status_code != 302:
        raise ValueError(f"the consent page did not redirect: HTTP {answer.status_code}")
    return answer.headers["location"]
