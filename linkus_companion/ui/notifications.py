"""Incoming-call notifications: once per call, with the matched name and company (setting ui.notifications)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from linkus_companion.backend import CallPhase, CallView
from linkus_companion.model import Direction
from linkus_companion.phone import display
from linkus_companion.ui.i18n import tr_text


class CallNotifier:
    """Decides when an incoming call deserves a toast and what it says.

    A call is announced once, while it rings inbound, as soon as the CRM lookup has an answer (or when
    the lookup fails). `show(title, text)` displays it; `enabled()` reads the user's setting.
    """

    def __init__(
        self,
        show: Callable[[str, str], bool],
        enabled: Callable[[], bool],
        region: Callable[[], str] = lambda: "US",
    ) -> None:
        self._show = show
        self._enabled = enabled
        self._region = region
        """The default region numbers are shown for (national format inside it), read at each toast."""
        self._announced: set[str] = set()
        self.last_call_id: str | None = None

    def on_call(self, call: CallView) -> None:
        """Announce `call` if it is a ringing inbound call not announced yet."""
        if call.phase is CallPhase.ENDED:
            self._announced.discard(call.call_id)
            return
        if (
            call.call_id in self._announced
            or call.direction is not Direction.INBOUND
            or call.phase is not CallPhase.RINGING
            or call.looking_up
        ):
            return
        self._announced.add(call.call_id)
        if self._enabled():
            self.last_call_id = call.call_id
            self._show(*self.message(call, self._region()))

    @staticmethod
    def message(call: CallView, region: str = "US") -> tuple[str, str]:
        """Title and text: `Incoming call: (415) 555-0123` / `Alice Smith — Acme`."""
        number = display(call.number, region)
        title = QCoreApplication.translate("Notifications", "Incoming call: %1").replace("%1", number)
        record = call.chosen or (call.records[0] if len(call.records) == 1 else None)
        if record is not None:
            text = record.display_name + (f" — {record.company}" if record.company else "")
        elif call.records:
            text = QCoreApplication.translate("Notifications", "%1 matching records").replace(
                "%1", str(len(call.records))
            )
        elif call.lookup_error:
            text = QCoreApplication.translate("Notifications", "CRM lookup failed: %1").replace(
                "%1", tr_text(call.lookup_error)
            )
        else:
            text = QCoreApplication.translate("Notifications", "Unknown caller")
        return title, text
