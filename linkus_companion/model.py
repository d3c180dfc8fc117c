"""The words both protocol sides and the UI share: directions, outcomes and CRM records."""

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
