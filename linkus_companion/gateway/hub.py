"""Routes the engine's calls, lookups, pops and status to the desktops of each call's extensions, and no others."""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from linkus_companion.backend import CrmState, LinkState, PopNotice, Status
from linkus_companion.engine.contact_sync import CRM_NAMES
from linkus_companion.engine.core import Resolution
from linkus_companion.engine.health import CrmTrouble
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.gateway import protocol
from linkus_companion.gateway.metrics import Metrics
from linkus_companion.local_backend import RECENT, call_view, with_health
from linkus_companion.model import Disposition, Record, RecordKind
from linkus_companion.pacing import Coalesced
from linkus_companion.pbx.calls import Call
from linkus_companion.pbx.events import StreamState, StreamStatus
from linkus_companion.texts import Text

log = logging.getLogger(__name__)

_KEEP_CALLS = 2000
EVERY = "*"
"""The extension of a message for every desktop (the PBX link's status)."""


class Outlet(Protocol):
    """One connected desktop, as the hub sees it."""

    extension: str

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message for the desktop (never blocks)."""
        ...


class DesktopHub:
    """The gateway's engine listener and URL opener: each desktop gets only its own extension's traffic."""

    def __init__(
        self,
        metrics: Metrics,
        crm_origins: tuple[str, ...],
        crm_kind: str = "",
        creatable: tuple[RecordKind, ...] = (),
        dispositions: tuple[Disposition, ...] = (),
    ) -> None:
        self._metrics = metrics
        self._origins = crm_origins
        self._recount = Coalesced(self._publish_status)
        self._desktops: dict[str, set[Outlet]] = {}
        self._recent: dict[str, OrderedDict[str, dict[str, Any]]] = {}
        self._owners: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._pbx = Status(
            LinkState.CONNECTING, CrmState.CONNECTED, "", crm_kind, creatable, dispositions=dispositions
        )
        self._trouble: CrmTrouble | None = None
        self.status = self._pbx
        """The site's status: the PBX link and the CRM's health (each desktop adds its waiting call logs)."""
        self.user_names: Mapping[str, str] = {}
        """CRM users' names by id (the owners on the desktops' call cards)."""
        self.extension_names: Mapping[str, str] = {}
        """The PBX's extensions' names by number (whom a call was transferred to)."""
        self.waiting: Callable[[], Mapping[str, int]] | None = None
        """Counts the call logs not in the CRM yet, per extension."""
        self._waiting: Mapping[str, int] = {}
        self.publish: Callable[[str, dict[str, Any]], None] | None = None
        """Set on a leader replica: every desktop message also goes to the standbys' desktops."""
        self.forward: Callable[[str, str, dict[str, Any]], Awaitable[Any]] | None = None
        """Set on a standby replica: asks the leader's engine (`op`, extension, arguments)."""

    # --- desktops ------------------------------------------------------------------------------

    def attach(self, desktop: Outlet) -> None:
        """Start routing to `desktop`; it first receives the status and its extension's recent calls."""
        self._desktops.setdefault(desktop.extension, set()).add(desktop)
        recent = list(reversed(self._recent.get(desktop.extension, {}).values()))
        desktop.send(
            {
                "type": "hello",
                "extension": desktop.extension,
                "status": protocol.status_json(self._own(desktop.extension, self.status)),
                "origins": list(self._origins),
                "recent": recent,
            }
        )

    def detach(self, desktop: Outlet) -> None:
        """Stop routing to `desktop`."""
        self._desktops.get(desktop.extension, set()).discard(desktop)

    def connected(self) -> int:
        """How many desktops are connected."""
        return sum(len(d) for d in self._desktops.values())

    def owns(self, extension: str, call_id: str) -> bool:
        """Whether `call_id` is a call of `extension` (desktops may only act on their own calls)."""
        return extension in self._owners.get(call_id, frozenset())

    # --- engine callbacks ----------------------------------------------------------------------

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        """Send each extension of the call its own view of it."""
        for extension in sorted(call.extensions):
            view = protocol.call_json(
                call_view(extension, call, resolution, chosen, self.user_names, self.extension_names)
            )
            self._remember(extension, call.call_id, view)
            self._send(extension, {"type": "call", "call": view})

    def relayed(self, extension: str, message: dict[str, Any]) -> None:
        """A message the leader replica sent its desktops: this standby's desktops get it too."""
        if message.get("type") == "call":
            self._remember(extension, str(message["call"]["call_id"]), message["call"])
        elif message.get("type") == "status":
            self.status = dataclasses.replace(protocol.parse_status(message["status"]), waiting_logs=0)
            self._waiting = self.waiting() if self.waiting is not None else {}
        self._deliver(extension, message)

    def _remember(self, extension: str, call_id: str, view: dict[str, Any]) -> None:
        """The call is one of `extension`'s, and among its recent calls shown on (re)connection."""
        self._owners[call_id] = self._owners.get(call_id, frozenset()) | {extension}
        self._owners.move_to_end(call_id)
        while len(self._owners) > _KEEP_CALLS:
            self._owners.popitem(last=False)
        recent = self._recent.setdefault(extension, OrderedDict())
        recent[call_id] = view
        recent.move_to_end(call_id)
        while len(recent) > RECENT:
            recent.popitem(last=False)

    def on_pop(self, request: PopRequest) -> None:
        """Count the pop (the opener already routed it)."""
        self._metrics.count("gateway_pops_total", "Screen pops sent to desktops", trigger=request.trigger)

    def open(self, request: PopRequest) -> None:
        """An automatic pop: the extension's desktops open the page (a manual one goes back in the reply)."""
        if request.trigger == "manual":
            return
        notice = PopNotice(request.call_id, request.extension, request.trigger, request.url)
        message = {"type": "pop", "pop": protocol.pop_json(notice), "latency_ms": request.latency_ms}
        self._send(request.extension, message)

    def pbx_status(self, status: StreamStatus) -> None:
        """The PBX link changed: every desktop's tray follows."""
        link = LinkState.CONNECTING if status.state is StreamState.CLOSED else LinkState(status.state.value)
        retry_in = status.retry_in if link is LinkState.RECONNECTING else None
        self._pbx = dataclasses.replace(self._pbx, link=link, message=status.reason, retry_in=retry_in)
        self._publish_status(force=True)

    def crm_health(self, trouble: CrmTrouble | None) -> None:
        """After each CRM request: the desktops see the CRM failing (or well again) and their waiting logs."""
        self._trouble = trouble
        self._publish_status()

    def recount(self) -> None:
        """Call logs were queued or delivered: desktops whose waiting count changed hear it (counted once the
        event loop is free, once for a burst)."""
        self._recount()

    def _publish_status(self, *, force: bool = False) -> None:
        """Tell every desktop when the site's status changed, else only those whose waiting count did."""
        site = with_health(self._pbx, self._trouble, 0)
        if site.crm is CrmState.AUTH_EXPIRED:  # the desktops' users cannot fix it: say who can
            refused = Text(
                "{crm} rejected the gateway's sign-in: the administrator must authorise it again"
                " (linkus-companion gateway authorize).",
                crm=CRM_NAMES.get(site.crm_kind, "CRM"),
            )
            site = dataclasses.replace(site, crm_problem=refused)
        before, self._waiting = self._waiting, self.waiting() if self.waiting is not None else {}
        message = {"type": "status", "status": protocol.status_json(site)}
        if force or site != self.status:
            self.status = site
            self._send(EVERY, message)
            return
        for extension in sorted(set(before) | set(self._waiting)):
            if before.get(extension, 0) != self._waiting.get(extension, 0):
                self._send(extension, message)

    def _own(self, extension: str, status: Status) -> Status:
        """`status` as `extension`'s desktops see it: with their own call logs waiting."""
        return dataclasses.replace(status, waiting_logs=self._waiting.get(extension, 0))

    def _send(self, extension: str, message: dict[str, Any]) -> None:
        self._deliver(extension, message)
        if self.publish is not None:
            self.publish(extension, message)

    def _deliver(self, extension: str, message: dict[str, Any]) -> None:
        """To the desktops of `extension` connected here (`EVERY`: to all of them)."""
        if extension == EVERY:
            for each in list(self._desktops):
                self._deliver(each, message)
            return
        desktops = list(self._desktops.get(extension, ()))
        if desktops and message["type"] == "status":
            waiting = self._waiting.get(extension, 0)
            message = {**message, "status": {**message["status"], "waiting_logs": waiting}}
        for desktop in desktops:
            desktop.send(message)
            self._metrics.count("gateway_messages_total", "Messages sent to desktops", type=message["type"])
