"""Zoho PhoneBridge mode: every call state pushed to Zoho (`callnotify`), and Zoho's click-to-dial served."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Protocol
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from linkus_companion.crm.base import CrmError, CrmUser
from linkus_companion.crm.phonebridge import CallNotification, CallState, CallType, PhoneBridge
from linkus_companion.engine.binding import BindingReport
from linkus_companion.engine.call_log import plan
from linkus_companion.engine.core import Resolution
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.model import Direction, Outcome, Record
from linkus_companion.pbx.calls import Call, Phase
from linkus_companion.pbx.errors import PbxAccessDenied, PbxError, PbxInvalidRequest
from linkus_companion.phone import InvalidNumber, parse
from linkus_companion.platform.dial import DialError, OutboundRule, number_from_text
from linkus_companion.secrets import SecretStore

log = logging.getLogger(__name__)

AUTH_HEADER = "X-Linkus-Click-To-Dial"
"""Header Zoho sends with every click-to-dial request (PhoneBridge `authorizationparam`)."""
KEYRING_ENTRY = "crm.zoho.clicktodial_key"
"""Keyring entry of the key that signs each Zoho user's click-to-dial credential."""
_DIALED_END = {
    Outcome.ANSWERED: CallState.ENDED,
    Outcome.VOICEMAIL: CallState.ENDED,
    Outcome.BUSY: CallState.BUSY,
    Outcome.NO_ANSWER: CallState.NO_ANSWER,
    Outcome.FAILED: CallState.NOT_AVAILABLE,
}
_FINAL = frozenset({CallState.ENDED, CallState.MISSED, *_DIALED_END.values()})
_KEEP_LEGS = 2000


class PhoneBridgeMode:
    """An engine listener that tells Zoho about each bound extension's calls instead of popping and logging.

    Each extension's part of a call is one PhoneBridge call (`<call_id>:<extension>`, like our call-log
    key): `ringing`, `answered`, then one final state (`ended`, `missed`, or `busy`/`noanswer`/
    `notavailable` for dialed calls). Who gets a final state follows the call-log rules (`plan`),
    queue/ring-group rule included, so Zoho logs what our own call log would. Only extensions bound
    to a Zoho user holding the PhoneBridge permission are notified. Notifications go out in order
    from one queue; they are not persisted (Zoho does not backfill either), but calls recovered from
    the PBX CDR after a stream gap are sent their final state unless `closed_before(call_id)` says an
    earlier run handled them.
    """

    def __init__(
        self,
        bridge: PhoneBridge,
        bindings: Callable[[], BindingReport],
        *,
        region: str = "US",
        skip_unanswered_agents: bool = True,
        recording_link: Callable[[Call], str] | None = None,
        closed_before: Callable[[str], bool] | None = None,
        attempts: int = 3,
    ) -> None:
        self.bridge = bridge
        self._bindings = bindings
        self._region = region
        self._skip_unanswered = skip_unanswered_agents
        self._recording_link = recording_link
        self._closed_before = closed_before
        self._attempts = attempts
        self._allowed: frozenset[str] = frozenset()
        self._sent: OrderedDict[str, set[CallState]] = OrderedDict()
        self._queue: asyncio.Queue[CallNotification] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Enable PhoneBridge with us as the provider, read its users, and start sending."""
        await self.bridge.enable()
        await self.refresh_users()
        if self._worker is None:
            self._worker = asyncio.create_task(self._deliver())

    async def refresh_users(self) -> None:
        """Re-read which Zoho users hold the PhoneBridge permission (after the bindings changed)."""
        self._allowed = frozenset(user.zohouser for user in await self.bridge.users())
        for extension, binding in self._bindings().bound.items():
            if binding.user.id not in self._allowed:
                log.warning(
                    "extension %s is bound to a Zoho user without the PhoneBridge permission; "
                    "Zoho will not show or log its calls",
                    extension,
                )

    async def close(self, patience: float = 10.0) -> None:
        """Send what is queued (for at most `patience` seconds), then stop; the rest is dropped."""
        if self._worker is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), patience)
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker
        self._worker = None
        if dropped := self._queue.qsize():
            self._queue = asyncio.Queue()
            log.warning("%d Zoho PhoneBridge notification(s) were not sent before stopping", dropped)

    async def detach(self) -> None:
        """Stop being Zoho's telephony provider: click-to-dial registrations removed, PhoneBridge off."""
        for zohouser in sorted(self.bound_users()):
            await self.bridge.unregister_click_to_dial(zohouser=zohouser)
        await self.bridge.disable()

    @property
    def active(self) -> bool:
        """Started and not closed (the integration is on)."""
        return self._worker is not None

    def bound_users(self) -> dict[str, str]:
        """Zoho user id -> extension, for the extensions whose Zoho user may use PhoneBridge."""
        return {
            binding.user.id: extension
            for extension, binding in self._bindings().bound.items()
            if binding.user.id in self._allowed
        }

    # --- engine listener --------------------------------------------------------------------

    def on_call(self, call: Call, resolution: Resolution | None, chosen: Record | None) -> None:
        """Queue the states this change of `call` brings (each at most once per extension)."""
        if call.direction is Direction.INTERNAL:
            return
        if call.phase is not Phase.ENDED:
            for extension, state in self._progress(call):
                self._queue_state(call, extension, state)
            return
        if call.recovered and self._closed_before is not None and self._closed_before(call.call_id):
            return
        for decision in plan(call, self._owner, skip_unanswered_agents=self._skip_unanswered):
            if decision.owner is not None:
                self._queue_state(call, decision.extension, _final_state(call, decision.outcome))

    def on_pop(self, request: PopRequest) -> None:
        """Pops are Zoho's own in this mode; nothing to do."""

    # --- internals ----------------------------------------------------------------------------

    def _owner(self, extension: str) -> CrmUser | None:
        owner = self._bindings().owner_of(extension)
        return owner if owner is not None and owner.id in self._allowed else None

    def _progress(self, call: Call) -> list[tuple[str, CallState]]:
        if call.direction is Direction.OUTBOUND:
            legs = [call.caller.number] if call.caller.number in call.extensions else []
            answered = set(legs) if call.answered_at is not None else set()
        else:
            legs = sorted((call.rang | set(call.talked)) - call.consulted)
            answered = set(call.talked)
        states = [(ext, CallState.RINGING) for ext in legs]
        return states + [(ext, CallState.ANSWERED) for ext in legs if ext in answered]

    def _queue_state(self, call: Call, extension: str, state: CallState) -> None:
        owner = self._owner(extension)
        leg = f"{call.call_id}:{extension}"
        sent = self._sent.setdefault(leg, set())
        self._sent.move_to_end(leg)
        while len(self._sent) > _KEEP_LEGS:
            self._sent.popitem(last=False)
        if owner is None or state in sent or sent & _FINAL:
            return
        sent.add(state)
        self._queue.put_nowait(self._notification(call, extension, state, leg, owner.id))

    def _notification(
        self, call: Call, extension: str, state: CallState, leg: str, zohouser: str
    ) -> CallNotification:
        customer = _e164(call.remote.number, self._region)
        received = call.direction is Direction.INBOUND
        ended = state is CallState.ENDED
        talked = list(call.talked)
        earlier = talked[talked.index(extension) - 1] if extension in talked[1:] else ""
        link = ""
        if ended and call.recording and self._recording_link is not None:
            link = self._recording_link(call)
        return CallNotification(
            type=CallType.RECEIVED if received else CallType.DIALED,
            state=state,
            call_id=leg,
            from_number=customer if received else extension,
            to_number=extension if received else customer,
            zohouser=zohouser,
            started_at=call.started_at,
            duration_seconds=call.talk_seconds if ended else None,
            recording_url=link,
            transferred_from=f"{call.call_id}:{earlier}" if earlier else "",
        )

    async def _deliver(self) -> None:
        while True:
            notification = await self._queue.get()
            try:
                await self._push(notification)
            except Exception:  # one bad notification must not stop the ones after it
                log.exception("could not send a call notification to Zoho PhoneBridge")
            finally:
                self._queue.task_done()

    async def _push(self, notification: CallNotification) -> None:
        for attempt in range(1, self._attempts + 1):
            try:
                await self.bridge.notify(notification)
                return
            except CrmError as exc:
                if not exc.retryable or attempt == self._attempts:
                    log.warning(
                        "Zoho PhoneBridge did not take the %s state of call %s: %s",
                        notification.state,
                        notification.call_id,
                        exc,
                    )
                    return
                await asyncio.sleep(exc.retry_after or 2.0 ** (attempt - 1))


def _final_state(call: Call, outcome: Outcome) -> CallState:
    if call.direction is Direction.INBOUND:
        return CallState.ENDED if outcome is Outcome.ANSWERED else CallState.MISSED
    return _DIALED_END[outcome]


def _e164(number: str, region: str) -> str:
    """The customer's number in E.164 where it has one, else as the PBX gave it."""
    try:
        return parse(number, region).e164 or number
    except InvalidNumber:
        return number


# --- click-to-dial ------------------------------------------------------------------------------


class Dialer(Protocol):
    """The part of the PBX client click-to-dial uses."""

    async def dial(
        self, caller: str, callee: str, *, dial_permission: str = "", auto_answer: bool = False
    ) -> str: ...


def click_to_dial_key(store: SecretStore) -> bytes:
    """The key behind every click-to-dial credential, created in the keyring on first use."""
    stored = store.get(KEYRING_ENTRY)
    if not stored:
        stored = secrets.token_hex(32)
        store.set(KEYRING_ENTRY, stored)
    return bytes.fromhex(stored)


class ClickToDial:
    """Zoho's click-to-dial: registered per Zoho user, served as a route that rings the user's extension.

    Zoho calls the registered URL from its own servers, so it must be a public https address of
    the gateway (a desktop is not reachable). Each Zoho user gets their own credential (an HMAC of
    their user id), sent by Zoho in the `X-Linkus-Click-To-Dial` header; a request can therefore only
    dial from the extension bound to that user. A dial the PBX refuses is reported to Zoho with
    `clicktodialerror`; a call that starts and then fails reaches Zoho as a dialed call state.
    """

    def __init__(
        self, mode: PhoneBridgeMode, pbx: Dialer, key: bytes, *, rule: OutboundRule | None = None
    ) -> None:
        self._mode = mode
        self._pbx = pbx
        self._key = key
        self._rule = rule or OutboundRule()

    def credential(self, zohouser: str) -> str:
        """What Zoho must send in the header for `zohouser`."""
        return hmac.new(self._key, zohouser.encode(), hashlib.sha256).hexdigest()

    async def register(self, uri: str) -> list[str]:
        """Register `uri` for every bound PhoneBridge user; the Zoho user ids registered."""
        users = sorted(self._mode.bound_users())
        for zohouser in users:
            await self._mode.bridge.register_click_to_dial(
                uri,
                zohouser=zohouser,
                authorization=(AUTH_HEADER, self.credential(zohouser)),
                params={"zohouser": zohouser},
            )
        return users

    def routes(self, path: str = "/phonebridge/clicktodial") -> list[BaseRoute]:
        """The Starlette route Zoho calls (mount it on the gateway at the registered URL)."""
        return [Route(path, self._dial, methods=["POST"])]

    async def _dial(self, request: Request) -> Response:
        form = dict(request.query_params)
        form.update(parse_qsl((await request.body()).decode("utf-8", errors="replace")))
        zohouser = form.get("zohouser", "")
        supplied = request.headers.get(AUTH_HEADER, "")
        if not zohouser or not hmac.compare_digest(supplied.encode(), self.credential(zohouser).encode()):
            return _answer(401, "UNAUTHORIZED", "missing or wrong click-to-dial credential")
        if not self._mode.active:
            return _answer(503, "DISABLED", "the CRM integration is disabled")
        extension = self._mode.bound_users().get(zohouser)
        if extension is None:
            return _answer(403, "NOT_BOUND", "this Zoho user is not bound to an extension")
        try:
            callee = self._rule.apply(number_from_text(form.get("tonumber", "")))
        except DialError as exc:
            await self._report("invalid", extension, form.get("tonumber", ""), zohouser, str(exc))
            return _answer(400, "INVALID_NUMBER", str(exc))
        try:
            await self._pbx.dial(extension, callee)
        except PbxError as exc:
            await self._report(_dial_error(exc), extension, callee, zohouser, str(exc))
            return _answer(502, "DIAL_FAILED", str(exc))
        log.info("click-to-dial from Zoho: extension %s is calling", extension)
        return _answer(200, "SUCCESS", "")

    async def _report(self, code: str, extension: str, number: str, zohouser: str, message: str) -> None:
        try:
            await self._mode.bridge.click_to_dial_failed(
                code, from_number=extension, to_number=number, zohouser=zohouser, message=message
            )
        except CrmError as exc:
            log.warning("could not tell Zoho PhoneBridge that a click-to-dial failed: %s", exc)


def _dial_error(exc: PbxError) -> str:
    if isinstance(exc, PbxInvalidRequest):
        return "invalid"
    if isinstance(exc, PbxAccessDenied):
        return "blocked"
    return "notavailable"


def _answer(status: int, code: str, message: str) -> Response:
    body: Mapping[str, str] = {"status": "success" if status == 200 else "error", "code": code}
    if message:
        body = {**body, "message": message}
    return JSONResponse(body, status_code=status)
