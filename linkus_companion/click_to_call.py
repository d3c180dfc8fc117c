"""The running app's answers to the browser extension: its status, and dialling a clicked number once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from linkus_companion import phone
from linkus_companion.backend import Backend, BackendError, CallPhase, LinkState
from linkus_companion.config.settings import Settings
from linkus_companion.platform.dial import DialError, OutboundRule, number_from_text
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

REPEAT_SECONDS = 1.0
"""The same number asked again within this time (a double click, two tabs) is dialled once."""
_LIVE = (CallPhase.RINGING, CallPhase.TALKING, CallPhase.HELD)
_NOT_CONFIGURED = Text("Linkus Companion is not set up yet: open its settings and connect your PBX.")
_NOT_CONNECTED = Text("Linkus Companion is not connected to the PBX yet; wait a moment and try again.")
_BUSY = Text("You are already on a call; finish it before dialling another number.")


def dialled_number(text: str, settings: Settings) -> str:
    """The number the PBX is asked to call: E.164 when it parses in the default region, then the prefix rule."""
    number = number_from_text(phone.strip_extension(text))
    try:
        parsed = phone.parse(number, str(settings.get("match.region")))
    except phone.InvalidNumber as exc:
        raise DialError(text_of(exc)) from None
    return OutboundRule(str(settings.get("ui.dial_prefix"))).apply(parsed.e164 or number)


class ClickToCall:
    """Answers the requests the native messaging host relays (see platform/native_host.py).

    An answer's `message` may be a `texts.Text`: the app puts it in the user's language (`spoken`).
    """

    def __init__(
        self, backend: Backend, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.backend = backend
        self._settings = settings
        self._clock = clock
        self._last: tuple[str, float] = ("", -REPEAT_SECONDS)
        self.last_result: dict[str, Any] = {}
        """The latest dial answer, shown again by the popup's status."""

    async def answer(self, request: dict[str, str]) -> dict[str, Any]:
        """The reply to one relayed request (`type` status or dial)."""
        if request.get("type") == "dial":
            self.last_result = await self._dial(request.get("number", ""), request.get("source", ""))
            return self.last_result
        return self.status()

    def status(self) -> dict[str, Any]:
        """The link state the popup shows: PBX link, the user's extension and the last dial's result."""
        status = self.backend.status
        extensions = self._settings.get("pbx.extensions")
        return {
            "ok": True,
            "state": "running",
            "pbx": status.link.value,
            "message": status.message,
            "extension": str(extensions[0]) if isinstance(extensions, tuple) and extensions else "",
            "last": self.last_result,
        }

    async def _dial(self, text: str, source: str) -> dict[str, Any]:
        try:
            number = dialled_number(text, self._settings)
        except DialError as exc:
            return _failed("invalid", text_of(exc))
        now = self._clock()
        last_number, last_at = self._last
        if number == last_number and now - last_at < REPEAT_SECONDS:
            return {"ok": True, "state": "repeated", "number": number, "message": ""}
        link = self.backend.status.link
        if link is LinkState.NOT_CONFIGURED:
            return _failed("not_configured", _NOT_CONFIGURED)
        if link is not LinkState.CONNECTED:
            return _failed("not_connected", _NOT_CONNECTED)
        if any(call.phase in _LIVE for call in self.backend.recent_calls()):
            return _failed("busy", _BUSY)
        self._last = (number, now)
        try:
            await self.backend.dial(number)
        except BackendError as exc:
            return _failed("pbx_error", text_of(exc)) | {"number": number}
        log.info("Dialling a number clicked in %s", source or "the browser")
        return {"ok": True, "state": "dialling", "number": number, "message": ""}


def _failed(state: str, message: str) -> dict[str, Any]:
    return {"ok": False, "state": state, "message": message}


def spoken(answer: dict[str, Any], translate: Callable[[object], str]) -> dict[str, Any]:
    """`answer` with its messages (and its last dial's) in the user's language, as the extension shows them."""
    said = {**answer, "message": translate(answer.get("message", ""))}
    if isinstance(answer.get("last"), dict) and answer["last"]:
        said["last"] = spoken(answer["last"], translate)
    return said
