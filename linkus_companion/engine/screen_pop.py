"""Screen-pop rules: which extension sees which CRM page, at which moment, at most once."""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from linkus_companion.model import Direction
from linkus_companion.pbx.calls import Call, UpdateKind

log = logging.getLogger(__name__)


class Trigger(StrEnum):
    """When an automatic pop opens the page (the manuals' 响铃 / 应答 / 通话结束)."""

    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"


class PopMode(StrEnum):
    """Auto (incoming calls only) or Manual (the Open in CRM button)."""

    AUTO = "auto"
    MANUAL = "manual"


@dataclass(frozen=True)
class PopPolicy:
    """One extension's screen-pop settings."""

    enabled: bool = True
    mode: PopMode = PopMode.AUTO
    trigger: Trigger = Trigger.RINGING


@dataclass(frozen=True)
class PopRequest:
    """Open `url` for `extension`'s call; `latency_ms` counts from the PBX frame's arrival."""

    call_id: str
    extension: str
    trigger: str
    url: str
    latency_ms: float


class UrlOpener(Protocol):
    """Hands a URL to the system browser (a recorder in tests and headless runs)."""

    def open(self, request: PopRequest) -> None:
        """Open the page."""
        ...


@dataclass
class PrintingOpener:
    """The headless runs' browser: one JSON line per pop on `say`, and the pops remembered."""

    say: Callable[[str], None]
    pops: list[PopRequest] = field(default_factory=list)

    def open(self, request: PopRequest) -> None:
        """Print the pop instead of opening a browser."""
        self.pops.append(request)
        self.say(json.dumps({"pop": request.url, **{k: v for k, v in asdict(request).items() if k != "url"}}))


@dataclass(frozen=True)
class OwnPops:
    """A desktop's browser: opens the pages of its own user's extensions only.

    A host may follow more extensions than its user's (the demo follows the whole office to log
    every call); the pops of the others belong on their own desktops, never in this browser.
    """

    browser: UrlOpener
    extensions: frozenset[str]

    def open(self, request: PopRequest) -> None:
        """Open the page when the pop is for one of our extensions."""
        if request.extension in self.extensions:
            self.browser.open(request)


_UPDATE_TRIGGER = {
    UpdateKind.RINGING: Trigger.RINGING,
    UpdateKind.ANSWERED: Trigger.ANSWERED,
    UpdateKind.ENDED: Trigger.ENDED,
}


def due_extensions(
    kind: UpdateKind, call: Call, extensions: Iterable[str]
) -> tuple[Trigger, set[str]] | None:
    """The trigger an update fires and the extensions it fires for, or None.

    Ringing fires for the extensions that started ringing; answered for those that took the call; ended
    for those that talked, or, when nobody answered, those that rang. Auto pops are for inbound calls only.
    """
    trigger = _UPDATE_TRIGGER.get(kind)
    if trigger is None or call.direction is not Direction.INBOUND:
        return None
    mine = set(extensions)
    if trigger is Trigger.RINGING:
        return trigger, mine & set(call.rang)
    if trigger is Trigger.ANSWERED:
        return trigger, mine & set(call.talked)
    return trigger, mine & (set(call.talked) or set(call.rang))


class PopGuard:
    """Only pages of the configured CRM ever reach the browser.

    A URL passes when its origin (scheme, host, port) is one of the CRM's web origins. Those must be
    https; plain http is accepted only for loopback origins (the offline emulators).
    """

    def __init__(self, origins: Iterable[str]) -> None:
        self._origins = {_origin(url) for url in origins if _allowed_origin(url)}

    def allows(self, url: str) -> bool:
        """Whether `url` may be opened."""
        allowed = _allowed_origin(url) and _origin(url) in self._origins
        if not allowed:
            log.warning("refused to open a page outside the configured CRM: %s", urlsplit(url).netloc)
        return allowed


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    default = {"https": 443, "http": 80}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port or default


def _allowed_origin(url: str) -> bool:
    scheme, host, port = _origin(url)
    if port == -1 or not host:
        return False
    if scheme == "https":
        return True
    return scheme == "http" and _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
