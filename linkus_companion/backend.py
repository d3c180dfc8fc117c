"""What the desktop UI talks to: the `Backend` protocol and the views it receives.

The engine in process (LocalBackend, embedded topology) and the gateway client (GatewayBackend) both
implement it, so the UI never knows which host runs the integration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from linkus_companion.engine.history import Delivery
from linkus_companion.model import CallNote, Direction, Disposition, NewRecord, Outcome, Record, RecordKind


class LinkState(StrEnum):
    """The state the tray icon shows."""

    NOT_CONFIGURED = "not_configured"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    ERROR = "error"


class CrmState(StrEnum):
    """The CRM connection as the manuals name it: Connected / Disabled / Error."""

    NONE = "none"
    CONNECTED = "connected"
    DISABLED = "disabled"
    ERROR = "error"
    FAILING = "failing"
    """Requests fail (unreachable, 5xx, refused): see `Status.crm_problem` and `crm_since`."""
    RATE_LIMITED = "rate_limited"
    AUTH_EXPIRED = "auth_expired"
    """The sign-in was rejected: the user must authorise again."""


@dataclass(frozen=True)
class Status:
    """Connection status for the tray icon, tooltip and status line."""

    link: LinkState
    crm: CrmState
    message: str = ""
    """A sentence for the user, e.g. why the PBX is unreachable and what to do."""
    crm_kind: str = ""
    creatable: tuple[RecordKind, ...] = ()
    crm_problem: str = ""
    """Why the CRM is failing, rate-limited or rejecting the sign-in (a `texts.Text` where typed)."""
    crm_since: dt.datetime | None = None
    """When the CRM started failing (None while it answers)."""
    waiting_logs: int = 0
    """Call logs in the outbox not yet in the CRM."""
    retry_in: float | None = None
    """Seconds until the next PBX connection attempt while reconnecting."""
    dispositions: tuple[Disposition, ...] = ()
    """Call outcomes the user may pick on a call's card (the CRM's own list)."""
    crm_by_gateway: bool = False
    """The site's gateway holds the CRM sign-in: its administrator, not the user, authorises it again."""
    gateway_down: bool = False
    """A gateway desktop has not (or no longer) heard from its gateway: it knows no PBX or CRM state
    (`retry_in`: seconds to the next attempt)."""


class CallPhase(StrEnum):
    """Where a call is, for the in-call window."""

    RINGING = "ringing"
    TALKING = "talking"
    HELD = "held"
    ENDED = "ended"


@dataclass(frozen=True)
class CallView:
    """One call of the user's extension, with what the CRM knows about the other party."""

    call_id: str
    extension: str
    direction: Direction
    phase: CallPhase
    number: str
    """The other party's number as the PBX gave it."""
    started_at: dt.datetime
    records: tuple[Record, ...] = ()
    """Every matching CRM record (several: the user may pick)."""
    chosen: Record | None = None
    """The record the pop and the call log use."""
    looking_up: bool = False
    lookup_error: str = ""
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    outcome: Outcome | None = None
    transferred_to: str = ""
    """The extension our extension handed the call on to, if it did."""
    transferred_to_name: str = ""
    """That extension's name on the PBX, when the PBX gave one."""
    owner_name: str = ""
    """The CRM user who owns the chosen record, when the CRM told us."""
    state_unknown: bool = False
    """A gateway desktop lost its gateway during the call: the phase is the last one it heard of."""

    @property
    def needs_choice(self) -> bool:
        """Several records match and none is chosen yet."""
        return self.chosen is None and len(self.records) > 1

    @property
    def unknown(self) -> bool:
        """The lookup finished and found nothing (offer Add to CRM)."""
        return not self.looking_up and not self.records and not self.lookup_error


@dataclass(frozen=True)
class HistoryItem:
    """One ended call in the call history."""

    call: CallView
    log: Delivery
    log_error: str = ""
    looked_up: bool = True
    """False: the CRM could not be asked about the number when the call ended (no record is not known)."""


@dataclass(frozen=True)
class PopNotice:
    """A CRM page was opened for a call (for the recent-calls list and tests)."""

    call_id: str
    extension: str
    trigger: str
    url: str


def matches(call: CallView, text: str) -> bool:
    """Whether `text` (case-insensitive) is in the call's number or one of its record names."""
    wanted = text.strip().casefold()
    names = [r.display_name for r in (*call.records, *((call.chosen,) if call.chosen else ()))]
    return not wanted or any(wanted in n.casefold() for n in (call.number, *names))


class BackendListener(Protocol):
    """Receives what the UI shows; called on the event loop's thread."""

    def on_status(self, status: Status) -> None:
        """The connection status changed."""
        ...

    def on_call(self, call: CallView) -> None:
        """A call of the user's extension appeared or changed."""
        ...

    def on_pop(self, notice: PopNotice) -> None:
        """A CRM page was opened."""
        ...


class BackendError(Exception):
    """An action failed; `str(err)` tells the user what to fix. `retryable` says whether to try again."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class Backend(Protocol):
    """The integration as the desktop UI sees it."""

    @property
    def status(self) -> Status:
        """The current connection status."""
        ...

    def add_listener(self, listener: BackendListener) -> Callable[[], None]:
        """Start receiving updates; returns a function that stops them."""
        ...

    async def start(self) -> None:
        """Connect and start handling calls."""
        ...

    async def stop(self) -> None:
        """Disconnect cleanly (PBX token released, pending call logs kept for the next start)."""
        ...

    def recent_calls(self) -> list[CallView]:
        """The last calls of the user's extension, newest first (at most 10)."""
        ...

    def history(self, text: str = "", days: int = 30) -> list[HistoryItem]:
        """The ended calls of the last `days`, newest first; `text` filters by name or number."""
        ...

    async def open_in_crm(self, call_id: str) -> str:
        """Open the chosen record of a call in the browser (manual pop); returns the URL opened."""
        ...

    async def choose_record(self, call_id: str, record_id: str) -> None:
        """The user picked one of several matching records for this call (pop and log use it)."""
        ...

    async def create_record(self, call_id: str | None, new: NewRecord) -> Record:
        """Create a contact or lead (linked to the call when given); raises BackendError."""
        ...

    async def dial(self, number: str) -> None:
        """Call `number` from the user's extension (click-to-call); raises BackendError."""
        ...

    async def retry_lookup(self, call_id: str) -> None:
        """Ask the CRM again about a call's number (after a failed lookup); the call updates follow."""
        ...

    async def save_note(self, call_id: str, note: CallNote) -> None:
        """Put the user's note and disposition into the call's CRM log (exactly once); raises BackendError."""
        ...

    async def suggest(self, text: str) -> list[Record]:
        """CRM records matching what the user types in the dial box ("always query CRM" on)."""
        ...

    def set_pops_paused(self, paused: bool) -> None:
        """Pause or resume automatic screen pops."""
        ...
