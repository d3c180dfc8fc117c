"""Zoho connector against the Zoho emulator: search cost, escaping, creation, call logs, errors, refresh."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkus_companion.crm.base import (
    AccessGrant,
    AuthExpired,
    CallLog,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from linkus_companion.crm.zoho import ZohoConnector, escape_criteria
from linkus_companion.model import Direction, NewRecord, Outcome, Record, RecordKind
from linkus_companion.phone import InvalidNumber, parse
from linkus_companion.sim.zoho import ZohoEmulator
from linkus_companion.sim.zoho_criteria import Condition
from linkus_companion.sim.zoho_criteria import parse as parse_criteria

HOSTILE = [
    "x)or(Subject:equals:Extension Call",
    "a,b\\c:(d)",
    "') or '1'='1",
    'say "hi"\nand\r\nbye',
    "Zoë 王 🙂 and or",
    "\\",
]


class Grants:
    """A grant source on the emulator whose refresh issues a new token (and counts refreshes)."""

    def __init__(self, emulator: ZohoEmulator, token: str | None = None) -> None:
        self.emulator = emulator
        self.refreshes = 0
        self.grant = self._grant(token or emulator.admin_token)

    def _grant(self, token: str) -> AccessGrant:
        return AccessGrant(token, self.emulator.base_url, {"web_base": self.emulator.web_url})

    async def current(self) -> AccessGrant:
        return self.grant

    async def refreshed(self, stale: AccessGrant) -> AccessGrant:
        self.refreshes += 1
        self.grant = self._grant(self.emulator.issue_token(self.emulator.admin).value)
        return self.grant


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def emulator() -> AsyncIterator[ZohoEmulator]:
    emu = ZohoEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield http


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def connector(emulator: ZohoEmulator, client: httpx.AsyncClient, sleeps: Sleeps) -> ZohoConnector:
    return ZohoConnector(client, Grants(emulator), sleep=sleeps)


def call_log(record: Record | None, **changes: Any) -> CallLog:
    fields: dict[str, Any] = {
        "idempotency_key": f"{uuid.uuid4()}:101",
        "direction": Direction.INBOUND,
        "outcome": Outcome.ANSWERED,
        "started_at": dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        "talk_seconds": 125,
        "ring_seconds": 5,
        "from_number": "+14155550102",
        "to_number": "101",
        "subject": "Extension Call",
        "description": "Call: answered",
        "record": record,
        **changes,
    }
    return CallLog(**fields)


# --- escaping, proven by the emulator's own parser -----------------------------------------------


@given(st.text(max_size=300))
def test_any_escaped_value_parses_back_to_exactly_one_condition_with_that_value(value: str) -> None:
    node = parse_criteria(f"(Call_Agenda:equals:{escape_criteria(value)})")
    assert node == Condition("Call_Agenda", "equals", (value,))


@pytest.mark.parametrize("key", HOSTILE, ids=repr)
async def test_hostile_call_keys_are_stored_and_found_exactly(connector: ZohoConnector, key: str) -> None:
    other = await connector.log_call(call_log(None, idempotency_key="plain:101"))
    crm_id = await connector.log_call(call_log(None, idempotency_key=key))
    assert crm_id != other
    assert await connector.find_call(key) == crm_id
    assert await connector.find_call(key + "x") is None
    assert await connector.find_call("y)or(Call_Agenda:starts_with:") is None


async def test_over_long_keys_are_refused_or_never_found(connector: ZohoConnector) -> None:
    huge = "k" * 10_000
    assert await connector.find_call(huge) is None
    with pytest.raises(ValidationFailed):
        await connector.log_call(call_log(None, idempotency_key="k" * 256))


@pytest.mark.parametrize(
    "text", ["(415) 555-0102)or(", "x" * 10_000, "1\n2", "+1 415 555 0102 and 1"], ids=repr
)
def test_hostile_numbers_are_refused_before_any_request(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse(text, "US")


@pytest.mark.parametrize("name", [*HOSTILE[:5], "名前" * 20], ids=repr)
async def test_hostile_names_are_created_verbatim(
    connector: ZohoConnector, emulator: ZohoEmulator, name: str
) -> None:
    created = await connector.create_record(NewRecord(RecordKind.LEAD, "+14155550177", "Q", name[:80]))
    stored = next(r for r in emulator.records("Leads") if r["id"] == created.id)
    assert stored["Last_Name"] == name[:80]


async def test_ten_thousand_character_name_is_refused(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    before = len(emulator.records("Contacts"))
    with pytest.raises(ValidationFailed, match="Last_Name"):
        await connector.create_record(NewRecord(RecordKind.CONTACT, "+14155550178", "Q", "x" * 10_000))
    assert len(emulator.records("Contacts")) == before


# --- search ---------------------------------------------------------------------------------------


async def test_contact_lead_and_account_with_one_number_are_all_found(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    account = emulator.add_record("Accounts", {"Account_Name": "Acme", "Phone": "+1 212 555 0190"})
    contact = emulator.add_record(
        "Contacts",
        {"Last_Name": "Coyote", "First_Name": "Wile", "Mobile": "(212) 555-0190", "Account_Name": account},
    )
    lead = emulator.add_record("Leads", {"Last_Name": "Runner", "Company": "Road", "Phone": "2125550190"})
    found = {r.kind: r for r in await connector.search_by_phone(parse("+12125550190"))}
    assert {k: r.id for k, r in found.items()} == {
        RecordKind.CONTACT: contact,
        RecordKind.LEAD: lead,
        RecordKind.ACCOUNT: account,
    }
    assert (
        found[RecordKind.CONTACT].display_name == "Wile Coyote"
        and found[RecordKind.CONTACT].company == "Acme"
    )
    assert found[RecordKind.LEAD].company == "Road" and found[RecordKind.ACCOUNT].display_name == "Acme"
    assert found[RecordKind.CONTACT].owner_id == emulator.admin.id
    assert found[RecordKind.CONTACT].url == emulator.record_url("Contacts", contact)


async def test_one_search_per_module_in_parallel_known_or_unknown(
    client: httpx.AsyncClient,
) -> None:
    emu = ZohoEmulator(latency=0.05)
    await emu.start()
    try:
        emu.add_record("Contacts", {"Last_Name": "Known", "Phone": "+14155550170"})
        emu.add_record("Leads", {"Last_Name": "Known", "Phone": "+14155550170"})
        emu.add_record("Accounts", {"Account_Name": "Known", "Phone": "+14155550170"})
        connector = ZohoConnector(client, Grants(emu))
        before = emu.guard.requests
        assert len(await connector.search_by_phone(parse("4155550170"))) == 3
        assert emu.guard.requests - before == 1 + 3  # org once, then one request per module
        assert emu.guard.peak_in_flight == 3
        number = parse("+14155550171")
        before = emu.guard.requests
        assert await connector.search_by_phone(number) == []
        assert emu.guard.requests - before == 3
    finally:
        await emu.stop()


STORED = [
    "+14155550180",
    "(415) 555-0180",
    "+1 (415) 555-0180",
    "+1 415-555-0180 ext. 55",
    "00 1 415 555 0180",
    "14155550180",
    "415.555.0180",
    "415-555-0180",
]


@pytest.mark.parametrize("field", ["Phone", "Mobile", "Home_Phone", "Other_Phone", "Asst_Phone"])
async def test_every_stored_format_found_with_one_request_per_module(
    connector: ZohoConnector, emulator: ZohoEmulator, field: str
) -> None:
    ids = {
        emulator.add_record("Contacts", {"Last_Name": f"F{i}", field: stored})
        for i, stored in enumerate(STORED)
    }
    lead = emulator.add_record("Leads", {"Last_Name": "Lead", "Mobile": "415 555 0180"})
    await connector.warm_up()
    before = emulator.guard.requests
    found = await connector.search_by_phone(parse("+14155550180"))
    assert emulator.guard.requests - before == 3
    assert {r.id for r in found if r.kind is RecordKind.CONTACT} == ids
    assert [r.id for r in found if r.kind is RecordKind.LEAD] == [lead]


async def test_first_module_in_priority_decides_without_waiting_for_the_others(
    client: httpx.AsyncClient,
) -> None:
    emu = ZohoEmulator(latency=0.3)
    await emu.start()
    try:
        contact = emu.add_record("Contacts", {"Last_Name": "Known", "Phone": "+14155550190"})
        emu.add_record("Leads", {"Last_Name": "Also", "Phone": "+14155550190"})
        connector = ZohoConnector(client, Grants(emu), priority=(RecordKind.CONTACT, RecordKind.LEAD))
        await connector.warm_up()
        found = await connector.search_by_phone(parse("4155550190"))
        assert [r.id for r in found] == [contact]
        leads_only = ZohoConnector(client, Grants(emu), priority=(RecordKind.LEAD, RecordKind.CONTACT))
        await leads_only.warm_up()
        assert [r.kind for r in await leads_only.search_by_phone(parse("4155550190"))] == [RecordKind.LEAD]
    finally:
        await emu.stop()


async def test_warm_up_reads_the_org_so_the_first_call_sends_only_searches(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    await connector.warm_up()
    before = emulator.guard.requests
    await connector.search_by_phone(parse("+14155550191"))
    assert emulator.guard.requests - before == 3


async def test_digit_post_filter_drops_numbers_that_merely_contain_the_key(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    emulator.add_record("Contacts", {"Last_Name": "Longer", "Phone": "+44 4155550172 9"})
    exact = emulator.add_record("Contacts", {"Last_Name": "Exact", "Phone": "415-555-0172"})
    assert [r.id for r in await connector.search_by_phone(parse("+14155550172"))] == [exact]


async def test_internal_numbers_are_never_searched(connector: ZohoConnector, emulator: ZohoEmulator) -> None:
    before = emulator.guard.requests
    assert await connector.search_by_phone(parse("101")) == []
    assert emulator.guard.requests == before


# --- creation ----------------------------------------------------------------------------------------


async def test_create_contact_and_lead(connector: ZohoConnector, emulator: ZohoEmulator) -> None:
    owner = next(u for u in emulator.org.users.values() if u.email == "amy.lee@example.com")
    contact = await connector.create_record(
        NewRecord(
            RecordKind.CONTACT,
            "+14155550180",
            "Ada",
            "Byron",
            "ada@example.com",
            "Analytical",
            "met",
            owner.id,
        )
    )
    stored = next(r for r in emulator.records("Contacts") if r["id"] == contact.id)
    assert (stored["Phone"], stored["Email"], stored["Owner"]["id"]) == (
        "+14155550180",
        "ada@example.com",
        owner.id,
    )
    assert "Analytical" in stored["Description"] and "met" in stored["Description"]
    lead = await connector.create_record(
        NewRecord(RecordKind.LEAD, "+14155550181", "", "Auto", company="Acme")
    )
    assert next(r for r in emulator.records("Leads") if r["id"] == lead.id)["Company"] == "Acme"
    assert lead.url == emulator.record_url("Leads", lead.id)
    with pytest.raises(ValidationFailed):
        await connector.create_record(NewRecord(RecordKind.ACCOUNT, "+14155550182", "", "Co"))


async def test_missing_last_name_is_a_validation_error(connector: ZohoConnector) -> None:
    with pytest.raises(ValidationFailed, match="MANDATORY_NOT_FOUND"):
        await connector.create_record(NewRecord(RecordKind.CONTACT, "+14155550183", "Only"))


async def test_create_whose_answer_was_lost_is_found_not_doubled(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    await connector.search_by_phone(parse("+14155550184"))
    emulator.inject(500, "INTERNAL_ERROR", "internal error", after=True, method="POST")
    record = await connector.create_record(NewRecord(RecordKind.CONTACT, "+14155550184", "Lost", "Answer"))
    same = [r for r in emulator.records("Contacts") if r["Last_Name"] == "Answer"]
    assert [r["id"] for r in same] == [record.id]


async def test_rate_limited_create_is_not_retried_blindly(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    await connector.search_by_phone(parse("+14155550185"))
    emulator.inject(429, "TOO_MANY_REQUESTS", "slow down", retry_after=2)
    with pytest.raises(RateLimited) as caught:
        await connector.create_record(NewRecord(RecordKind.CONTACT, "+14155550185", "Slow", "Down"))
    assert caught.value.retry_after == 2
    assert not [r for r in emulator.records("Contacts") if r["Last_Name"] == "Down"]


# --- call logs ---------------------------------------------------------------------------------------


async def test_calls_link_contacts_leads_and_accounts_per_the_calls_api(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    records = [r for r in await connector.search_by_phone(parse("+12125550140"))]
    records += await connector.search_by_phone(parse("+358 9 555 0110"))
    records += await connector.search_by_phone(parse("+442079460018"))
    for record in records:
        await connector.log_call(call_log(record, owner_id=emulator.admin.id))
    links = {(c.get("Who_Id") or c.get("What_Id"))["id"]: c for c in emulator.records("Calls")}
    by_kind = {r.kind: links[r.id] for r in records}
    assert "Who_Id" in by_kind[RecordKind.CONTACT] and "$se_module" not in by_kind[RecordKind.CONTACT]
    assert by_kind[RecordKind.LEAD]["$se_module"] == "Leads"
    assert by_kind[RecordKind.ACCOUNT]["$se_module"] == "Accounts"
    call = by_kind[RecordKind.CONTACT]
    assert call["Call_Start_Time"] == "2026-03-02T09:30:00+00:00"
    assert (call["Call_Type"], call["Call_Duration"], call["Call_Duration_in_seconds"]) == (
        "Inbound",
        "02:05",
        125,
    )


@pytest.mark.parametrize(
    ("direction", "outcome", "call_type", "result"),
    [
        (Direction.INBOUND, Outcome.NO_ANSWER, "Missed", "No response"),
        (Direction.OUTBOUND, Outcome.ANSWERED, "Outbound", None),
        (Direction.OUTBOUND, Outcome.BUSY, "Outbound", "Busy"),
    ],
)
async def test_call_type_and_result(
    connector: ZohoConnector,
    emulator: ZohoEmulator,
    direction: Direction,
    outcome: Outcome,
    call_type: str,
    result: str | None,
) -> None:
    crm_id = await connector.log_call(call_log(None, direction=direction, outcome=outcome))
    call = next(c for c in emulator.records("Calls") if c["id"] == crm_id)
    assert (call["Call_Type"], call.get("Call_Result")) == (call_type, result)


async def test_internal_calls_are_not_logged(connector: ZohoConnector) -> None:
    with pytest.raises(ValidationFailed, match="internal"):
        await connector.log_call(call_log(None, direction=Direction.INTERNAL))


async def test_lost_answer_to_a_call_log_is_recovered_by_its_key(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    log = call_log(None)
    emulator.inject(502, "INTERNAL_ERROR", "bad gateway", after=True, method="POST")
    crm_id = await connector.log_call(log)
    assert [c["id"] for c in emulator.records("Calls")] == [crm_id]


async def test_update_call_patches_the_recording_and_unknown_ids_are_not_found(
    connector: ZohoConnector, emulator: ZohoEmulator
) -> None:
    log = call_log(None)
    crm_id = await connector.log_call(log)
    await connector.update_call(
        crm_id, call_log(None, idempotency_key=log.idempotency_key, recording_url="https://r/1")
    )
    assert emulator.records("Calls")[0]["Voice_Recording__s"] == "https://r/1"
    with pytest.raises(NotFound):
        await connector.update_call("4150868999999999999", log)


# --- users, auth, limits, data centres -------------------------------------------------------------


async def test_all_active_users_over_several_pages(connector: ZohoConnector, emulator: ZohoEmulator) -> None:
    for index in range(230):
        emulator.org.add_user("User", str(index), f"user{index}@example.com")
    users = await connector.list_users()
    assert len(users) == 4 + 230 and all(u.active and "@" in u.email for u in users)
    assert "old.timer@example.com" not in {u.email for u in users}


async def test_expired_token_is_refreshed_once(client: httpx.AsyncClient, emulator: ZohoEmulator) -> None:
    grants = Grants(emulator, emulator.issue_token(emulator.admin).value)
    connector = ZohoConnector(client, grants)
    emulator.expire_access_token(grants.grant.access_token)
    assert await connector.list_users()
    assert grants.refreshes == 1


async def test_revoked_grant_that_cannot_refresh_is_auth_expired(
    client: httpx.AsyncClient, emulator: ZohoEmulator
) -> None:
    grants = Grants(emulator, "1000.not-a-token")

    async def refuse(stale: AccessGrant) -> AccessGrant:
        raise AuthExpired("Connect to Zoho CRM again.")

    grants.refreshed = refuse  # type: ignore[method-assign]
    with pytest.raises(AuthExpired, match="again"):
        await ZohoConnector(client, grants).list_users()


async def test_429_on_a_read_is_retried_after_retry_after(
    connector: ZohoConnector, emulator: ZohoEmulator, sleeps: Sleeps
) -> None:
    emulator.inject(429, "TOO_MANY_REQUESTS", "slow down", retry_after=1.5, count=2)
    assert await connector.list_users()
    assert sleeps.waits == [1.5, 1.5]


async def test_record_urls_follow_the_data_centre(client: httpx.AsyncClient) -> None:
    emu = ZohoEmulator(data_centre="com.au")
    await emu.start()
    try:
        connector = ZohoConnector(client, Grants(emu))
        found = await connector.search_by_phone(parse("+1 (415) 555-0102"))
        assert found[0].url.startswith(
            emu.url_of("crm.zoho.com.au") + f"/crm/{emu.org.domain_name}/tab/Contacts/"
        )
        page = await client.get(found[0].url)
        assert page.status_code == 200 and "Grace Hopper" in page.text
    finally:
        await emu.stop()
