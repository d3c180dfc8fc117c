"""One-way contact sync: CRM records that call or are called are kept in a CRM-owned PBX phonebook."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import phonenumbers

from linkus_companion.crm.base import Connector, CrmError
from linkus_companion.engine.lookup import MODULE_KINDS
from linkus_companion.model import Record, RecordKind
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError, PbxNotFound
from linkus_companion.pbx.resources import ContactFields, ContactNumber
from linkus_companion.phone import InvalidNumber, PhoneNumber, parse
from linkus_companion.store import Store
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

MAX_INTERVAL = 1800.0
"""CRM changes must reach the PBX within 30 minutes (Zoho manual)."""
CRM_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce", "zoho": "Zoho CRM"}
REMARK_PREFIX = "CRM-owned: synced from "
"""Start of the remark that marks a synced contact on the PBX (the API has no read-only flag)."""
_MOBILE_SLOTS = ("mobile_number", "mobile_number2")
_OTHER_SLOTS = ("business_number", "business_number2")
_SPARE_SLOTS = ("other_number", "home_number", "home_number2")
_PHONEBOOK_GONE = 70093


class SyncRefused(Exception):
    """The chosen PBX phonebook cannot be the sync target; the message says what to do."""


class Action(StrEnum):
    """What `sync_record` did with one CRM record."""

    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class SyncResult:
    """The outcome for one record; `reason` says why it was skipped."""

    record: Record
    action: Action
    contact_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh did; `ran` is False when the last one was less than an interval ago."""

    ran: bool
    updated: int = 0
    removed: int = 0
    error: str = ""


@dataclass(frozen=True)
class SyncPolicy:
    """The contact-sync settings (`sync.*`, `match.region`)."""

    phonebook: str
    modules: tuple[str, ...] = ("contacts",)
    """Our module names: contacts, leads, accounts, companies."""
    interval: float = MAX_INTERVAL
    """Seconds between refreshes from the CRM, at most 30 minutes."""
    region: str = "US"

    def __post_init__(self) -> None:
        if not self.phonebook.strip():
            raise ValueError("contact sync needs the name of a PBX phonebook")
        if not 0 < self.interval <= MAX_INTERVAL:
            raise ValueError("the contact refresh interval must be between 0 and 30 minutes")
        unknown = [m for m in self.modules if m not in MODULE_KINDS]
        if unknown:
            raise ValueError(f"unknown modules to sync: {', '.join(unknown)}")


@dataclass(frozen=True)
class _Synced:
    contact_id: int
    record_id: str
    kind: RecordKind
    module: str
    display_name: str
    company: str
    url: str
    number: str


class ContactSync:
    """Copies CRM records into one PBX phonebook that it owns, keeps them fresh, and finds them again.

    Ownership lives in the store (the PBX API has no read-only flag); on the PBX each synced contact
    carries a remark saying it is CRM-owned and that local edits are overwritten, which every write
    and refresh does. `disconnect()` hands the contacts over to the PBX users.
    """

    def __init__(
        self,
        pbx: PbxClient,
        connector: Connector,
        store: Store,
        policy: SyncPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pbx = pbx
        self._connector = connector
        self._store = store
        self._policy = policy
        self._clock = clock
        self._kinds = {MODULE_KINDS[m] for m in policy.modules}
        crm = CRM_NAMES.get(connector.kind, connector.kind)
        self._remark = (
            f"{REMARK_PREFIX}{crm} by Linkus Companion. Edit it in {crm}: changes here are overwritten."
        )
        self._lock = asyncio.Lock()
        self._last_refresh: float | None = None

    async def attach(self) -> int:
        """The target phonebook id: ours already, an empty one adopted, or a new one; else SyncRefused."""
        async with self._lock:
            return await self._attach()

    async def sync_record(self, record: Record) -> SyncResult:
        """Create or update the PBX contact of a CRM record that called or was called.

        Raises SyncRefused when the phonebook cannot be the target, PbxError when the PBX fails.
        """
        async with self._lock:
            return await self._sync(record)

    async def refresh(self) -> RefreshReport:
        """Re-read every synced record from the CRM, at most once per interval."""
        now = self._clock()
        if self._last_refresh is not None and now - self._last_refresh < self._policy.interval:
            return RefreshReport(ran=False)
        self._last_refresh = now
        async with self._lock:
            return await self._refresh()

    async def run(self) -> None:
        """Refresh every interval until cancelled (the host runs this as a task)."""
        while True:
            report = await self.refresh()
            if report.error:
                log.warning("Contact sync refresh stopped early: %s", report.error)
            await asyncio.sleep(self._policy.interval)

    async def match(self, number: PhoneNumber) -> list[Record]:
        """Synced records for `number`, from the PBX phonebook and the store (no CRM request)."""
        group = self._stored_group()
        if group is None:
            return []
        try:
            contacts = await self._pbx.search_company_contacts(number.e164 or number.digits)
        except PbxError as err:
            log.warning("Could not search the PBX phonebook: %s", err)
            return []
        region = self._policy.region
        records: list[Record] = []
        for contact in contacts:
            if group not in contact.phonebook_ids:
                continue
            if not any(number.same_number(n.number, region) for n in contact.numbers):
                continue
            for synced in self._synced(group, contact.id):
                records.append(_record(synced, tuple(n.number for n in contact.numbers), contact.email))
        return records

    async def disconnect(self) -> None:
        """Stop owning the contacts: they stay on the PBX, lose the CRM-owned remark and become editable.

        A PbxError stops it half-way with the rest still owned; calling it again finishes the job.
        """
        async with self._lock:
            with self._store.transaction() as db:
                ids = [int(row[0]) for row in db.execute("SELECT contact_id FROM synced_contacts")]
            for contact_id in ids:
                await self._release(contact_id)
                with self._store.transaction() as db:
                    db.execute("DELETE FROM synced_contacts WHERE contact_id = ?", (contact_id,))
            with self._store.transaction() as db:
                db.execute("DELETE FROM sync_groups")
            self._last_refresh = None

    # --- internals --------------------------------------------------------------------------------

    async def _attach(self) -> int:
        group = self._stored_group()
        if group is not None:
            return group
        name = self._policy.phonebook
        same_name = [book for book in await self._pbx.search_phonebooks(name) if book.name == name]
        if same_name:
            book = await self._pbx.get_phonebook(same_name[0].id)
            if book.member_select == "sel_all" or book.contacts:
                raise SyncRefused(
                    Text(
                        "The PBX phonebook “{name}” already holds contacts, and contact sync only writes into an empty phonebook or one it creates. Choose a new name (it will be created) or empty that phonebook on the PBX.",
                        name=name,
                    )
                )
            group = book.id
        else:
            group = await self._pbx.create_phonebook(name)
        with self._store.transaction() as db:
            db.execute(
                "INSERT INTO sync_groups (phonebook_id, name, attached_at) VALUES (?, ?, ?)",
                (group, name, _now()),
            )
        log.info("Contact sync writes into the PBX phonebook %s (id %s)", name, group)
        return group

    async def _sync(self, record: Record) -> SyncResult:
        reason = self._skip_reason(record)
        if reason:
            log.info("%s", reason)
            return SyncResult(record, Action.SKIPPED, reason=reason)
        try:
            return await self._upsert(await self._attach(), record)
        except PbxNotFound as err:
            if err.errcode != _PHONEBOOK_GONE:
                raise
        log.warning("The contact-sync phonebook was deleted on the PBX; creating it again")
        group = await self._pbx.create_phonebook(self._policy.phonebook)
        with self._store.transaction() as db:
            db.execute(
                "UPDATE sync_groups SET phonebook_id = ? WHERE name = ?", (group, self._policy.phonebook)
            )
        return await self._upsert(group, record)

    async def _upsert(self, group: int, record: Record) -> SyncResult:
        first, last = _names(record)
        numbers = _numbers(record.phones, self._policy.region)
        fields = ContactFields(
            first_name=first,
            last_name=last,
            numbers=numbers,
            company=record.company,
            email=record.email,
            remark=self._remark,
            phonebook_ids=(group,),
        )
        existing = self._synced_record(group, record)
        if existing is not None:
            try:
                await self._pbx.update_company_contact(existing, fields)
            except PbxNotFound as err:
                if err.errcode == _PHONEBOOK_GONE:
                    raise
                existing = None
        if existing is None:
            contact_id, action = await self._pbx.create_company_contact(fields), Action.CREATED
        else:
            contact_id, action = existing, Action.UPDATED
        with self._store.transaction() as db:
            db.execute(
                "DELETE FROM synced_contacts WHERE phonebook_id = ? AND kind = ? AND record_id = ?",
                (group, record.kind.value, record.id),
            )
            db.execute(
                "INSERT INTO synced_contacts (contact_id, phonebook_id, record_id, kind, module, "
                "display_name, company, url, number, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    contact_id,
                    group,
                    record.id,
                    record.kind.value,
                    record.module,
                    record.display_name,
                    record.company,
                    record.url,
                    numbers[0].number,
                    _now(),
                ),
            )
        return SyncResult(record, action, contact_id)

    async def _refresh(self) -> RefreshReport:
        group = self._stored_group()
        if group is None:
            return RefreshReport(ran=True)
        updated = removed = 0
        for synced in self._synced(group):
            try:
                found = await self._connector.search_by_phone(parse(synced.number, self._policy.region))
                current = next((r for r in found if (r.id, r.kind) == (synced.record_id, synced.kind)), None)
                result = await self._sync(current) if current is not None else None
                if result is None or result.action is Action.SKIPPED:
                    await self._remove(group, synced.contact_id)
                    removed += 1
                else:
                    updated += 1
            except (CrmError, PbxError) as err:
                return RefreshReport(True, updated, removed, text_of(err))
        log.info("Contact sync refreshed %d contacts and removed %d", updated, removed)
        return RefreshReport(True, updated, removed)

    async def _remove(self, group: int, contact_id: int) -> None:
        """Take a contact whose CRM record no longer matches out of the phonebook and off the PBX."""
        await self._pbx.update_phonebook(group, remove=(contact_id,))
        try:
            await self._pbx.delete_company_contact(contact_id)
        except PbxNotFound:
            pass
        with self._store.transaction() as db:
            db.execute("DELETE FROM synced_contacts WHERE contact_id = ?", (contact_id,))

    async def _release(self, contact_id: int) -> None:
        """Drop our remark from one contact (left alone when it is gone or someone changed the remark)."""
        try:
            contact = await self._pbx.get_company_contact(contact_id)
        except PbxNotFound:
            return
        if not contact.remark.startswith(REMARK_PREFIX):
            return
        fields = ContactFields(
            first_name=contact.first_name,
            last_name=contact.last_name,
            numbers=contact.numbers,
            company=contact.company,
            email=contact.email,
            phonebook_ids=contact.phonebook_ids,
        )
        await self._pbx.update_company_contact(contact_id, fields)

    def _skip_reason(self, record: Record) -> str:
        label = f"CRM {record.kind.value} {record.id}"
        if record.kind not in self._kinds:
            chosen = ", ".join(self._policy.modules)
            return f"{label} was not synced to the PBX: only {chosen} are synced."
        if not any(_names(record)):
            return (
                f"{label} was not synced to the PBX: it has neither a first nor a last name. "
                "Fill in one of them in the CRM."
            )
        if not _numbers(record.phones, self._policy.region):
            return f"{label} ({record.display_name}) was not synced to the PBX: it has no phone number."
        return ""

    def _stored_group(self) -> int | None:
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT phonebook_id FROM sync_groups WHERE name = ?", (self._policy.phonebook,)
            ).fetchone()
        return int(row[0]) if row else None

    def _synced_record(self, group: int, record: Record) -> int | None:
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT contact_id FROM synced_contacts WHERE phonebook_id = ? AND kind = ? AND record_id = ?",
                (group, record.kind.value, record.id),
            ).fetchone()
        return int(row[0]) if row else None

    def _synced(self, group: int, contact_id: int | None = None) -> list[_Synced]:
        """The group's synced contacts (or the one with `contact_id`), oldest first."""
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT contact_id, record_id, kind, module, display_name, company, url, number "
                "FROM synced_contacts WHERE phonebook_id = ? AND (? IS NULL OR contact_id = ?) "
                "ORDER BY contact_id",
                (group, contact_id, contact_id),
            ).fetchall()
        return [
            _Synced(
                int(r[0]), str(r[1]), RecordKind(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]), str(r[7])
            )
            for r in rows
        ]


def _names(record: Record) -> tuple[str, str]:
    """First and last name from the display name; an account's whole name is its first name.

    A display name that is only the e-mail, or one word and the record id (`Contact 123`), is a
    connector's stand-in for a record without a name, not a name.
    """
    name = record.display_name.strip()
    if not name or name == record.email or re.fullmatch(rf"\w+ {re.escape(record.id)}", name):
        return "", ""
    if record.kind is RecordKind.ACCOUNT:
        return name, ""
    first, _, last = name.rpartition(" ")
    return (first.strip(), last) if first.strip() else (last, "")


def _numbers(phones: Iterable[str], region: str) -> tuple[ContactNumber, ...]:
    """Distinct external numbers in E.164 where possible, typed mobile or business, then spare slots."""
    mobiles: list[str] = []
    others: list[str] = []
    seen: set[str] = set()
    for text in phones:
        try:
            number = parse(text, region)
        except InvalidNumber:
            continue
        key = number.e164 or number.digits
        if number.internal or key in seen:
            continue
        seen.add(key)
        (mobiles if _is_mobile(number) else others).append(number.e164 or number.raw)
    typed = list(zip(_MOBILE_SLOTS, mobiles, strict=False)) + list(zip(_OTHER_SLOTS, others, strict=False))
    spare = mobiles[len(_MOBILE_SLOTS) :] + others[len(_OTHER_SLOTS) :]
    typed += zip(_SPARE_SLOTS, spare, strict=False)
    return tuple(ContactNumber(num_type, value) for num_type, value in typed)


def _is_mobile(number: PhoneNumber) -> bool:
    if number.e164 is None:
        return False
    kind = phonenumbers.number_type(phonenumbers.parse(number.e164))
    return bool(kind == phonenumbers.PhoneNumberType.MOBILE)


def _record(synced: _Synced, phones: tuple[str, ...], email: str) -> Record:
    return Record(
        id=synced.record_id,
        kind=synced.kind,
        module=synced.module,
        display_name=synced.display_name,
        url=synced.url,
        company=synced.company,
        phones=phones,
        email=email,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()
