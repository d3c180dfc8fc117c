"""The one Connector protocol every CRM implements, its data types and its typed errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from linkus_companion.model import Direction, Disposition, NewRecord, Outcome, Record, RecordKind
from linkus_companion.phone import PhoneNumber
from linkus_companion.texts import Text


def kind_word(kind: RecordKind) -> Text:
    """A record kind as the word a sentence puts in (`a {kind}`), shown in the user's language."""
    return {
        RecordKind.CONTACT: Text("contact"),
        RecordKind.LEAD: Text("lead"),
        RecordKind.ACCOUNT: Text("account"),
    }[kind]


@dataclass(frozen=True)
class CallLog:
    """One call activity to write into the CRM."""

    idempotency_key: str
    """`<PBX call_id>:<extension>`; stored with the activity so a retried write is found, not doubled."""
    direction: Direction
    outcome: Outcome
    started_at: dt.datetime
    talk_seconds: int
    ring_seconds: int
    from_number: str
    to_number: str
    subject: str
    description: str
    owner_id: str = ""
    record: Record | None = None
    recording_url: str = ""
    disposition: Disposition | None = None
    """The outcome the user picked on the call's card (None: the one the PBX outcome implies)."""


@dataclass(frozen=True)
class RecordingFile:
    """A call recording spooled on disk, ready to store in the CRM next to its call log."""

    path: Path
    name: str
    """The file name the CRM shows; unique per call log, so an earlier upload is found by it."""
    size: int
    content_type: str
    """`audio/wav` or `audio/mpeg`."""


@dataclass(frozen=True)
class CrmUser:
    """A CRM user who can own call logs, bound to an extension by e-mail."""

    id: str
    email: str
    name: str
    active: bool = True


@dataclass(frozen=True)
class AccessGrant:
    """A usable access token and where to use it."""

    access_token: str
    api_base: str
    """Base URL of the CRM's API for this grant (Salesforce `instance_url`, Zoho `api_domain`)."""
    extras: Mapping[str, str] = field(default_factory=dict)
    """Provider details, e.g. HubSpot `hub_id` for record URLs."""


class GrantSource(Protocol):
    """Where a connector gets its access token; `crm/oauth.py` implements it with refresh."""

    async def current(self) -> AccessGrant:
        """The grant to use now (refreshed ahead of expiry where the expiry is known)."""
        ...

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        """A new grant after the CRM rejected `stale`; refreshes once however many callers ask."""
        ...


class CrmError(Exception):
    """A CRM request failed; `str(err)` is a sentence a user can act on, with no secret in it."""

    retryable: bool = False

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def crm_says(detail: object) -> str:
    """The CRM's own words about a failure, labelled as the CRM's (they stay in its language), or ""."""
    words = " ".join(str(detail).split())[:300]
    return Text(" (CRM says: {words})", words=words) if words else ""


class AuthExpired(CrmError):
    """The grant was rejected and could not be refreshed: the user must authorise again."""


class RateLimited(CrmError):
    """The CRM asked us to slow down; `retry_after` seconds when it said."""

    retryable = True


class QuotaExhausted(RateLimited):
    """The CRM's daily API limit or credit pool is spent; `retry_after` is the reset it announced (None:
    it announces none, so the caller checks back now and then)."""


class ValidationFailed(CrmError):
    """The CRM refused the data (e.g. a bad e-mail); fix the input, retrying will not help."""


class NotFound(CrmError):
    """The record or activity does not exist (any more)."""


class Unavailable(CrmError):
    """The CRM could not be reached or failed (5xx, timeout); retrying later can help."""

    retryable = True


class Connector(Protocol):
    """Everything the engine needs from one CRM."""

    kind: str
    """`hubspot`, `salesforce` or `zoho`."""
    creatable: tuple[RecordKind, ...]
    """Kinds `create_record` accepts (HubSpot: contacts only)."""
    dispositions: tuple[Disposition, ...]
    """The call outcomes the user may pick on a call's card, as this CRM has them."""

    async def warm_up(self) -> None:
        """One-time discovery (API version, org, account) and the connections a call uses, done before
        the first call; called again between calls to keep those connections open and the token fresh."""
        ...

    async def search_by_phone(self, number: PhoneNumber) -> list[Record]:
        """Every contact, lead and account/company whose phone matches `number`, fewest requests."""
        ...

    async def create_record(self, new: NewRecord) -> Record:
        """Create a contact or lead; never blindly retried (search again first)."""
        ...

    async def log_call(self, log: CallLog) -> str:
        """Write the call activity (with its key) and return its CRM id.

        One request when all goes well; after an ambiguous failure the connector looks for the key
        before sending again. The outbox calls `find_call` first when an earlier attempt may have
        reached the CRM, so a log is never written twice.
        """
        ...

    async def update_call(self, crm_call_id: str, log: CallLog) -> None:
        """Rewrite a logged call (e.g. the recording link arrived late)."""
        ...

    async def find_call(self, idempotency_key: str) -> str | None:
        """The CRM id of a call activity logged with this key, if any."""
        ...

    async def list_users(self) -> list[CrmUser]:
        """Active CRM users with their e-mails."""
        ...

    async def attach_recording(self, crm_call_id: str, recording: RecordingFile) -> str:
        """Store the recording in the CRM with the call so whoever may see the call can play it.

        Exactly once: a file of that name already with the call is reused. Returns the CRM's file id;
        a file over the CRM's size limit or of a type it does not play raises `ValidationFailed`.
        """
        ...

    async def delete_recording(self, crm_call_id: str, file_id: str) -> None:
        """Delete a recording `attach_recording` stored with the call (a deletion on request); gone already is fine."""
        ...

    def record_url(self, record_id: str, kind: RecordKind) -> str:
        """The https page of a record in the CRM web UI."""
        ...
