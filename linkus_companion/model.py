"""The words both protocol sides and the UI share: directions, outcomes, notes and CRM records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class RecordKind(StrEnum):
    """What a CRM record is, independent of the CRM's own module names."""

    CONTACT = "contact"
    LEAD = "lead"
    ACCOUNT = "account"  # Salesforce/Zoho Accounts, HubSpot companies


class Direction(StrEnum):
    """Direction of a call from our extension's point of view."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class Outcome(StrEnum):
    """How a call ended."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    FAILED = "failed"


class Disposition(StrEnum):
    """What the user says came of a call; each CRM maps the ones it has to its own outcome values."""

    CONNECTED = "connected"
    LEFT_MESSAGE = "left_message"
    LEFT_VOICEMAIL = "left_voicemail"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    INTERESTED = "interested"
    NOT_INTERESTED = "not_interested"
    MORE_INFO = "more_info"
    CALL_BACK = "call_back"


@dataclass(frozen=True)
class CallNote:
    """What the user typed on a call: a note and, where the CRM has one, a disposition.

    `keep_disposition`: only the note is new (the call history's Edit note); the outcome picked
    before on the call card stays in the log.
    """

    text: str = ""
    disposition: Disposition | None = None
    keep_disposition: bool = False

    @property
    def empty(self) -> bool:
        """Nothing typed or picked: the call log stays exactly as the templates make it."""
        return not self.text.strip() and self.disposition is None


@dataclass(frozen=True)
class Record:
    """A CRM record found by phone or created by us."""

    id: str
    kind: RecordKind
    module: str
    """The CRM's own module/object name: `contacts`, `Lead`, `Accounts`, ..."""
    display_name: str
    url: str
    """The record's page in the CRM web UI (https), for the screen pop."""
    company: str = ""
    phones: tuple[str, ...] = ()
    email: str = ""
    owner_id: str = ""
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class NewRecord:
    """What the user (or auto-creation) asks the CRM to create."""

    kind: RecordKind
    phone: str
    """E.164 where known, else the number as received."""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    company: str = ""
    note: str = ""
    owner_id: str = ""
