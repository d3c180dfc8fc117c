"""Contact sync CRM -> PBX phonebook: ownership, skipped records, refresh, matching, disconnect."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from linkus_companion.crm.base import Connector
from linkus_companion.engine.contact_sync import REMARK_PREFIX, Action, ContactSync, SyncPolicy, SyncRefused
from linkus_companion.engine.lookup import Lookup, LookupPolicy, Source
from linkus_companion.model import Record, RecordKind
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.resources import CompanyContact, ContactFields, ContactNumber
from linkus_companion.phone import parse
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.store import Store
from tests.crm.conftest import KINDS, open_harness

if TYPE_CHECKING:
    from tests.engine.conftest import Crm

BOOK = "CRM Contacts"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Pbx:
    sim: PbxSimulator
    client: PbxClient
    store: Store

    def sync(self, connector: Connector, clock: Clock | None = None, **policy: Any) -> ContactSync:
        """A sync into BOOK (policy fields may be overridden)."""
        settings = dataclasses.replace(SyncPolicy(BOOK), **policy)
        return ContactSync(self.client, connector, self.store, settings, clock=clock or Clock())

    async def contact(self, contact_id: int) -> CompanyContact:
        return await self.client.get_company_contact(contact_id)

    async def members(self, name: str = BOOK) -> list[int]:
        books = [b for b in await self.client.list_phonebooks() if b.name == name]
        assert len(books) == 1
        return [c.id for c in (await self.client.get_phonebook(books[0].id)).contacts]


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Pbx]:
    store = Store.open(tmp_path / "store.db")
    async with (
        PbxSimulator(step=0.02) as sim,
        PbxClient(sim.base_url, sim.client_id, sim.client_secret) as client,
    ):
        yield Pbx(sim, client, store)
    store.close()


async def found(crm: Crm, number: str, region: str = "US") -> Record:
    """The CRM record for a number, as the lookup hands it to the sync."""
    (record,) = await crm.connector.search_by_phone(parse(number, region))
    return record


async def test_a_crm_contact_who_calls_is_copied_into_a_new_crm_owned_phonebook(crm: Crm, pbx: Pbx) -> None:
    crm.emulator.seed_record(
        "contacts",
        {
            "firstname": "Ada",
            "lastname": "Lovelace",
            "phone": "020 7123 4567",
            "mobilephone": "+44 7911 123456",
            "email": "ada@engines.example",
            "company": "Analytical Engines",
        },
    )
    sync = pbx.sync(crm.connector, region="GB")
    record = await found(crm, "+442071234567", "GB")
    result = await sync.sync_record(record)
    assert result.action is Action.CREATED and result.contact_id is not None
    contact = await pbx.contact(result.contact_id)
    assert (contact.first_name, contact.last_name) == ("Ada", "Lovelace")
    assert (contact.company, contact.email) == ("Analytical Engines", "ada@engines.example")
    assert set(contact.numbers) == {
        ContactNumber("business_number", "+442071234567"),
        ContactNumber("mobile_number", "+447911123456"),
    }
    assert contact.remark.startswith(REMARK_PREFIX + "HubSpot")
    assert await pbx.members() == [result.contact_id]

    again = await sync.sync_record(record)
    assert (again.action, again.contact_id) == (Action.UPDATED, result.contact_id)
    assert await pbx.members() == [result.contact_id]


async def test_a_phonebook_that_already_holds_contacts_is_refused(crm: Crm, pbx: Pbx) -> None:
    with pytest.raises(SyncRefused, match="already holds contacts"):
        await pbx.sync(crm.connector, phonebook="Customers").attach()
    empty = await pbx.client.create_phonebook("Empty")
    sync = pbx.sync(crm.connector, phonebook="Empty")
    assert await sync.attach() == empty
    crm.emulator.seed_record("contacts", {"firstname": "Bo", "lastname": "Yang", "phone": "+14155550132"})
    await sync.sync_record(await found(crm, "+14155550132"))
    assert await pbx.sync(crm.connector, phonebook="Empty").attach() == empty, "ours, though not empty"


async def test_incomplete_or_unchosen_records_are_skipped_with_a_reason(crm: Crm, pbx: Pbx) -> None:
    crm.emulator.seed_record("contacts", {"email": "who@nowhere.example", "phone": "+14155550140"})
    crm.emulator.seed_record("companies", {"name": "Acme", "phone": "+14155550141"})
    crm.emulator.seed_record("contacts", {"firstname": "Nora", "phone": "+14155550142"})
    sync = pbx.sync(crm.connector)
    nameless = await sync.sync_record(await found(crm, "+14155550140"))
    company = await sync.sync_record(await found(crm, "+14155550141"))
    numberless = await sync.sync_record(dataclasses.replace(await found(crm, "+14155550142"), phones=()))
    assert [r.action for r in (nameless, company, numberless)] == [Action.SKIPPED] * 3
    assert "neither a first nor a last name" in nameless.reason
    assert "only contacts are synced" in company.reason
    assert "no phone number" in numberless.reason
    assert not [b for b in await pbx.client.list_phonebooks() if b.name == BOOK], "nothing written"
    accounts = pbx.sync(crm.connector, modules=("companies",))
    synced = await accounts.sync_record(await found(crm, "+14155550141"))
    assert synced.action is Action.CREATED and synced.contact_id is not None
    assert (await pbx.contact(synced.contact_id)).first_name == "Acme"


async def test_match_answers_from_the_pbx_phonebook_without_asking_the_crm(crm: Crm, pbx: Pbx) -> None:
    crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "Lovelace", "phone": "(415) 555-0132"}
    )
    sync = pbx.sync(crm.connector)
    record = await found(crm, "+14155550132")
    await sync.sync_record(record)
    searches = crm.searches()
    (match,) = await sync.match(parse("415-555-0132"))
    assert (match.id, match.kind, match.url, match.display_name) == (
        record.id,
        record.kind,
        record.url,
        "Ada Lovelace",
    )
    assert await sync.match(parse("+15550123456")) == [], "a PBX contact outside our phonebook"
    lookup = Lookup(crm.connector, LookupPolicy(), phonebook=sync)
    answer = await lookup.find("+14155550132")
    assert answer.source is Source.PBX and answer.chosen == match
    assert crm.searches() == searches


async def test_refresh_applies_crm_changes_reverts_pbx_edits_and_drops_records_that_no_longer_match(
    crm: Crm, pbx: Pbx
) -> None:
    ada = crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "Lovelace", "phone": "+14155550132"}
    )
    bob = crm.emulator.seed_record(
        "contacts", {"firstname": "Bob", "lastname": "Moved", "phone": "+14155550133"}
    )
    clock = Clock()
    sync = pbx.sync(crm.connector, clock, interval=600)
    kept = await sync.sync_record(await found(crm, "+14155550132"))
    gone = await sync.sync_record(await found(crm, "+14155550133"))
    assert kept.contact_id is not None and gone.contact_id is not None
    edited = await pbx.contact(kept.contact_id)
    await pbx.client.update_company_contact(
        kept.contact_id,
        dataclasses.replace(_fields(edited), first_name="Edited", remark="changed on the PBX"),
    )
    crm.emulator.store.update("contacts", ada, {"lastname": "King"})
    crm.emulator.store.update("contacts", bob, {"phone": "+14155550199"})

    report = await sync.refresh()
    assert (report.ran, report.updated, report.removed, report.error) == (True, 1, 1, "")
    refreshed = await pbx.contact(kept.contact_id)
    assert (refreshed.first_name, refreshed.last_name) == ("Ada", "King")
    assert refreshed.remark.startswith(REMARK_PREFIX)
    assert await pbx.members() == [kept.contact_id]
    assert gone.contact_id not in {c.id for c in await pbx.client.list_company_contacts()}

    assert not (await sync.refresh()).ran, "at most once per interval"
    clock.now += 600
    assert (await sync.refresh()).ran


async def test_run_brings_crm_changes_to_the_pbx_within_the_interval(crm: Crm, pbx: Pbx) -> None:
    ada = crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "Lovelace", "phone": "+14155550132"}
    )
    sync = pbx.sync(crm.connector, interval=0.05)
    synced = await sync.sync_record(await found(crm, "+14155550132"))
    assert synced.contact_id is not None
    crm.emulator.store.update("contacts", ada, {"lastname": "King"})
    task = asyncio.create_task(sync.run())
    try:
        async with asyncio.timeout(10):
            while True:
                if (await pbx.contact(synced.contact_id)).last_name == "King":
                    break
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_phonebook_deleted_on_the_pbx_is_created_again(crm: Crm, pbx: Pbx) -> None:
    crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "Lovelace", "phone": "+14155550132"}
    )
    sync = pbx.sync(crm.connector)
    record = await found(crm, "+14155550132")
    first = await sync.sync_record(record)
    await pbx.client.delete_phonebook(await sync.attach())
    again = await sync.sync_record(record)
    assert (again.action, again.contact_id) == (Action.UPDATED, first.contact_id), "no duplicate"
    assert await pbx.members() == [first.contact_id]
    assert (await sync.match(parse("+14155550132")))[0].id == record.id


async def test_disconnect_leaves_the_contacts_on_the_pbx_and_makes_them_editable(crm: Crm, pbx: Pbx) -> None:
    crm.emulator.seed_record(
        "contacts", {"firstname": "Ada", "lastname": "Lovelace", "phone": "+14155550132"}
    )
    sync = pbx.sync(crm.connector)
    result = await sync.sync_record(await found(crm, "+14155550132"))
    assert result.contact_id is not None
    await sync.disconnect()
    contact = await pbx.contact(result.contact_id)
    assert (contact.first_name, contact.last_name, contact.remark) == ("Ada", "Lovelace", "")
    assert await pbx.members() == [result.contact_id]
    assert await sync.match(parse("+14155550132")) == []
    with pytest.raises(SyncRefused):
        await pbx.sync(crm.connector).attach()


@pytest.mark.parametrize("kind", KINDS)
async def test_each_crm_syncs_its_contacts_and_finds_them_again(kind: str, pbx: Pbx, tmp_path: Path) -> None:
    async with open_harness(kind, tmp_path) as harness:
        await harness.seed_contact("+1 415 555 0150", "Grace", "Hopper", RecordKind.CONTACT)
        (record,) = await harness.connector.search_by_phone(parse("+14155550150"))
        sync = pbx.sync(harness.connector)
        result = await sync.sync_record(record)
        assert result.action is Action.CREATED and result.contact_id is not None
        contact = await pbx.contact(result.contact_id)
        assert (contact.first_name, contact.last_name) == ("Grace", "Hopper")
        assert contact.numbers == (ContactNumber("business_number", "+14155550150"),)
        (match,) = await sync.match(parse("4155550150"))
        assert (match.id, match.url) == (record.id, record.url)


def _fields(contact: CompanyContact) -> ContactFields:
    return ContactFields(
        first_name=contact.first_name,
        last_name=contact.last_name,
        numbers=contact.numbers,
        company=contact.company,
        email=contact.email,
        remark=contact.remark,
        phonebook_ids=contact.phonebook_ids,
    )
