"""Routes the engine's calls, lookups, pops and status to the desktops of each call's extensions, and no others."""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from linkus_companion.backend import CrmState, LinkState, PopNotice, Status
from linkus_companion.engine.core import Resolution
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.gateway import protocol
from linkus_companion.gateway.metrics import Metrics
from linkus_companion.local_backend import RECENT, call_view
from linkus_companion.model import Disposition, Record, RecordKind
from linkus_companion.pbx.calls import Call
from linkus_companion.pbx.events import StreamState, StreamStatus

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
        self._desktops: dict[str, set[Outlet]] = {}
        self._recent: dict[str, OrderedDict[str, dict[str, Any]]] = {}
        self._owners: OrderedDict[str, frozenset[str]] = OrderedDict()
        self.status = Status(
            LinkState.CONNECTING, CrmState.CONNECTED, "", crm_kind, creatable, dispositions=dispositions
        )
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
                "status": protocol.status_json(self.status),
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
            view = protocol.call_json(call_view(extension, call, resolution, chosen))
            self._remember(extension, call.call_id, view)
            self._send(extension, {"type": "call", "call": view})

    def relayed(self, extension: str, message: dict[str, Any]) -> None:
        """A message the leader replica sent its desktops: this standby's desktops get it too."""
        if message.get("type") == "call":
            self._remember(extension, str(message["call"]["call_id"]), message["call"])
        elif message.get("type") == "status":
            self.status = protocol.parse_status(message["status"])
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
        current = self.status
        self.status = dataclasses.replace(current, link=link, message=status.reason)
        message = {"type": "status", "status": protocol.status_json(self.status)}
        self._send(EVERY, message)

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
        for desktop in list(self._desktops.get(extension, ())):
            desktop.send(message)
            self._metrics.count("gateway_messages_total", "Messages sent to desktops", type=message["type"])
