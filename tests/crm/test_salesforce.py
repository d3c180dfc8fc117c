"""SalesforceConnector on the emulator; hostile input proven harmless by the emulator's own parsers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkus_companion.crm.base import CallLog, QuotaExhausted, Unavailable, ValidationFailed
from linkus_companion.crm.salesforce import (
    RECORDING_LABEL,
    SalesforceConnector,
    soql_string,
    sosl_phrase,
)
from linkus_companion.model import Direction, NewRecord, Outcome, RecordKind
from linkus_companion.phone import InvalidNumber, PhoneNumber, parse
from linkus_companion.sim.salesforce_soql import Comparison, parse_query
from linkus_companion.sim.salesforce_sosl import Logical, Term, parse_search
from tests.crm.harness_salesforce import SalesforceHarness, make_harness

HOSTILE = [
    "} RETURNING User(Id, Email)",
    "1} IN ALL FIELDS RETURNING User(Id) LIMIT 1 //",
    "x' OR CallObject != '",
    '"quoted" \\ back\\slash',
    "new\nline\r\ttab",
    "ünïcødé 📞 電話",
    "* OR ?? AND NOT (a)",
    "%_%",
]


@pytest.fixture
async def sf(tmp_path: Path) -> AsyncIterator[SalesforceHarness]:
    async with make_harness(tmp_path) as harness:
        yield harness


def searches(harness: SalesforceHarness) -> list[str]:
    return [r.params["q"] for r in harness.emulator.requests if r.path.endswith("/search/")]


def call_log(key: str, **changes: Any) -> CallLog:
    values: dict[str, Any] = {
        "idempotency_key": key,
        "direction": Direction.OUTBOUND,
        "outcome": Outcome.NO_ANSWER,
        "started_at": dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC),
        "talk_seconds": 0,
        "ring_seconds": 12,
        "from_number": "101",
        "to_number": "+16465550199",
        "subject": "Extension Call",
        "description": "Call: missed",
        **changes,
    }
    return CallLog(**values)


# --- search ------------------------------------------------------------------------------------------


async def test_one_sosl_request_finds_contacts_leads_and_accounts(sf: SalesforceHarness) -> None:
    emu = sf.emulator
    account = emu.add_record("Account", Name="Initech", Phone="646.555.0199")
    contact = emu.add_record(
        "Contact",
        FirstName="Peter",
        LastName="Gibbons",
        Phone="(646) 555-0199",
        AccountId=account,
        Email="peter@initech.example",
    )
    lead = emu.add_record("Lead", LastName="Bolton", Company="Initech", MobilePhone="+1 646-555-0199")
    emu.add_record("Lead", LastName="Converted", Company="Initech", Phone="6465550199", IsConverted=True)
    emu.add_record("Contact", LastName="Neighbour", Phone="(646) 555-0198")
    emu.add_record("Contact", LastName="Local", Phone="555-0199")

    found = await sf.connector.search_by_phone(parse("+16465550199"))

    assert sorted(r.id for r in found) == sorted([account, contact, lead])
    by_id = {r.id: r for r in found}
    peter = by_id[contact]
    assert (peter.kind, peter.module, peter.display_name) == (RecordKind.CONTACT, "Contact", "Peter Gibbons")
    assert peter.company == "Initech" and peter.phones == ("(646) 555-0199",)
    assert peter.email == "peter@initech.example" and peter.owner_id == emu.admin_user_id
    assert peter.url == f"{emu.base_url}/lightning/r/Contact/{contact}/view" and peter.updated_at is not None
    assert by_id[lead].company == "Initech" and by_id[account].kind is RecordKind.ACCOUNT
    assert len(searches(sf)) == 1
    local = [r for r in emu.org.search(parse_search(searches(sf)[0]), "66.0") if r.get("Name") == "Local"]
    assert local, "SOSL matched the 7-digit local number; the digit comparison dropped it"


async def test_internal_short_and_absurd_numbers_send_nothing(sf: SalesforceHarness) -> None:
    absurd = PhoneNumber(raw="9" * 10_000, digits="9" * 10_000, e164=None, national=None, internal=False)
    assert await sf.connector.search_by_phone(absurd) == []
    assert await sf.connector.search_by_phone(PhoneNumber("7", "7", None, None, internal=True)) == []
    assert searches(sf) == []
    with pytest.raises(InvalidNumber):
        parse("1" * 10_000)


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_search_text_stays_a_search_term(sf: SalesforceHarness, hostile: str) -> None:
    sf.emulator.add_record("Contact", LastName="Victim", Phone="+1 646 555 0100")
    number = PhoneNumber(raw=hostile, digits=hostile, e164=None, national=None, internal=False)

    found = await sf.connector.search_by_phone(number)

    assert found == []
    (sosl,) = searches(sf)
    parsed = parse_search(sosl)
    assert [r.sobject for r in parsed.returning] == ["Contact", "Lead", "Account"]
    assert parsed.group == "phone"
    terms = _terms(parsed.expr)
    assert all(isinstance(t, Term) and t.phrase and not any(c.wild for c in t.chars) for t in terms)
    assert hostile in ["".join(c.ch for c in t.chars) for t in terms]


def _terms(expr: Any) -> list[Any]:
    if isinstance(expr, Logical):
        assert expr.op == "or"
        return _terms(expr.left) + _terms(expr.right)
    return [expr]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(min_size=2, max_size=80).filter(lambda t: sum(not c.isspace() for c in t) > 1), min_size=1
    )
)
def test_sosl_phrases_round_trip_through_the_parser(texts: list[str]) -> None:
    query = "FIND {" + " OR ".join(sosl_phrase(t) for t in texts) + "} IN PHONE FIELDS RETURNING Contact(Id)"
    parsed = parse_search(query)
    assert [r.sobject for r in parsed.returning] == ["Contact"]
    assert ["".join(c.ch for c in t.chars) for t in _terms(parsed.expr)] == texts


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_soql_literals_round_trip_through_the_parser(text: str) -> None:
    query = parse_query(f"SELECT Id FROM Task WHERE CallObject = {soql_string(text)} LIMIT 1")
    assert query.where == Comparison("CallObject", "=", text) and query.limit == 1


# --- create ------------------------------------------------------------------------------------------


async def test_contact_and_lead_are_created_with_their_fields(sf: SalesforceHarness) -> None:
    contact = await sf.connector.create_record(
        NewRecord(RecordKind.CONTACT, "+16465550111", "Ada", "Lovelace", email="ada@example.com", note="VIP")
    )
    lead = await sf.connector.create_record(
        NewRecord(RecordKind.LEAD, "+16465550112", "Automatic New Contact")
    )
    stored = sf.emulator.record(contact.id)
    assert stored is not None
    assert (stored["FirstName"], stored["LastName"], stored["Phone"]) == ("Ada", "Lovelace", "+16465550111")
    assert stored["Email"] == "ada@example.com" and stored["Description"] == "VIP"
    assert contact.display_name == "Ada Lovelace" and contact.url.endswith(f"/Contact/{contact.id}/view")
    lead_row = sf.emulator.record(lead.id)
    assert lead_row is not None
    assert lead_row["LastName"] == "Automatic New Contact" and lead_row["Company"] == "[not provided]"
    assert lead.kind is RecordKind.LEAD and lead.display_name == "Automatic New Contact"


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (NewRecord(RecordKind.CONTACT, "+16465550113", "Bad", "Mail", email="not an e-mail"), "Email"),
        (NewRecord(RecordKind.CONTACT, "+16465550114", "Long", "x" * 10_000), "LastName"),
        (NewRecord(RecordKind.LEAD, "+16465550115", "Co", "Long", company="c" * 10_000), "Company"),
        (NewRecord(RecordKind.CONTACT, "+1" + "6" * 100, "Long", "Phone"), "Phone"),
    ],
)
async def test_refused_data_names_the_field(sf: SalesforceHarness, new: NewRecord, field: str) -> None:
    before = len(sf.emulator.records(new.kind.value.title()))
    with pytest.raises(ValidationFailed, match=field) as refused:
        await sf.connector.create_record(new)
    assert len(str(refused.value)) < 600
    assert len(sf.emulator.records(new.kind.value.title())) == before


@pytest.mark.parametrize("name", HOSTILE)
async def test_hostile_names_are_stored_verbatim(sf: SalesforceHarness, name: str) -> None:
    created = await sf.connector.create_record(
        NewRecord(RecordKind.LEAD, "+16465550120", "First", name, company=name)
    )
    stored = sf.emulator.record(created.id)
    assert stored is not None and (stored["LastName"], stored["Company"]) == (name, name)
    assert created.display_name == f"First {name}"


async def test_accounts_are_not_creatable(sf: SalesforceHarness) -> None:
    assert sf.connector.creatable == (RecordKind.CONTACT, RecordKind.LEAD)
    with pytest.raises(ValidationFailed):
        await sf.connector.create_record(NewRecord(RecordKind.ACCOUNT, "+16465550121", "A", "B"))


async def test_create_whose_answer_was_lost_is_found_not_repeated(sf: SalesforceHarness) -> None:
    sf.emulator.fail_next(method="POST", after_processing=True)
    new = NewRecord(RecordKind.CONTACT, "+16465550122", "Grace", "Hopper")
    created = await sf.connector.create_record(new)
    matching = [
        r for r in sf.emulator.records("Contact") if r["LastName"] == "Hopper" and r["Phone"] == new.phone
    ]
    assert [r["Id"] for r in matching] == [created.id]
    assert len(searches(sf)) == 1


async def test_create_that_failed_is_not_retried_blindly(sf: SalesforceHarness) -> None:
    sf.emulator.fail_next(method="POST")
    with pytest.raises(Unavailable):
        await sf.connector.create_record(NewRecord(RecordKind.LEAD, "+16465550123", "Alan", "Turing"))
    posts = [r for r in sf.emulator.requests if r.method == "POST"]
    assert len(posts) == 1 and not [r for r in sf.emulator.records("Lead") if r["LastName"] == "Turing"]


# --- calls -------------------------------------------------------------------------------------------


async def test_call_is_a_completed_call_task_owned_and_linked(sf: SalesforceHarness) -> None:
    owner = next(u for u in await sf.connector.list_users() if u.email == "david@example.com")
    contact = await sf.connector.create_record(
        NewRecord(RecordKind.CONTACT, "+16465550130", "Tim", "Berners")
    )
    task_id = await sf.connector.log_call(call_log("c-1:101", owner_id=owner.id, record=contact))
    task = sf.emulator.record(task_id)
    assert task is not None
    expected = {
        "Subject": "Extension Call",
        "Description": "Call: missed",
        "TaskSubtype": "Call",
        "Type": "Call",
        "Status": "Completed",
        "CallType": "Outbound",
        "CallDisposition": "No Answer",
        "CallDurationInSeconds": 0,
        "CallObject": "c-1:101",
        "ActivityDate": "2026-03-02",
        "OwnerId": owner.id,
        "WhoId": contact.id,
        "WhatId": None,
        "IsClosed": True,
    }
    assert {k: task.get(k) for k in expected} == expected
    assert await sf.connector.find_call("c-1:101") == task_id


async def test_account_calls_use_what_id_and_recordings_are_patched_in(sf: SalesforceHarness) -> None:
    account_id = sf.emulator.add_record("Account", Name="Hooli", Phone="+1 646 555 0131")
    (account,) = await sf.connector.search_by_phone(parse("+16465550131"))
    answered = call_log(
        "c-2:102",
        direction=Direction.INBOUND,
        outcome=Outcome.ANSWERED,
        talk_seconds=65,
        record=account,
        description="Call: answered",
    )
    task_id = await sf.connector.log_call(answered)
    task = sf.emulator.record(task_id)
    assert task is not None and task["WhatId"] == account_id and task["WhoId"] is None
    assert (task["CallType"], task["CallDisposition"], task["CallDurationInSeconds"]) == (
        "Inbound",
        "Answered",
        65,
    )
    recording = "https://pbx.example.com/recording/c-2"
    await sf.connector.update_call(task_id, dataclasses.replace(answered, recording_url=recording))
    patched = sf.emulator.record(task_id)
    assert patched is not None
    assert patched["Description"] == f"Call: answered\n\n{RECORDING_LABEL}{recording}"
    assert patched["TaskSubtype"] == "Call" and patched["LastModifiedDate"] >= task["LastModifiedDate"]


async def test_call_whose_answer_was_lost_is_logged_once(sf: SalesforceHarness) -> None:
    sf.emulator.fail_next(method="POST", after_processing=True)
    task_id = await sf.connector.log_call(call_log("c-3:103"))
    assert [t["Id"] for t in sf.emulator.tasks()] == [task_id]
    sf.emulator.fail_next(method="POST")
    with pytest.raises(Unavailable):
        await sf.connector.log_call(call_log("c-4:104"))
    assert [t["Id"] for t in sf.emulator.tasks()] == [task_id]


@pytest.mark.parametrize("key", [*HOSTILE, "k" * 300, "plain:101"])
async def test_call_keys_are_found_exactly_whatever_they_contain(sf: SalesforceHarness, key: str) -> None:
    sf.emulator.add_record("Task", Subject="decoy", CallObject="decoy", Status="Completed")
    assert await sf.connector.find_call(key) is None
    task_id = await sf.connector.log_call(call_log(key))
    assert await sf.connector.find_call(key) == task_id
    assert await sf.connector.find_call(key + "x") is None


# --- users, auth, limits, versions --------------------------------------------------------------------


async def test_active_users_are_listed_across_batches(sf: SalesforceHarness) -> None:
    sf.emulator.query_batch_size = 2
    users = await sf.connector.list_users()
    active = sorted(u["Email"] for u in sf.emulator.records("User") if u["IsActive"])
    assert sorted(u.email for u in users) == active and "olga@example.com" not in active
    assert len([r for r in sf.emulator.requests if "/query/01g" in r.path]) == 2


async def test_expired_session_is_refreshed_once(sf: SalesforceHarness) -> None:
    sf.emulator.expire_sessions()
    assert await sf.connector.list_users()
    assert sf.grants.refreshes == 1


async def test_spent_api_allocation_is_rate_limited_without_hammering(sf: SalesforceHarness) -> None:
    await sf.connector.find_call("warm-up")
    sf.emulator.api_limit = sf.emulator.api_usage
    before = len(sf.emulator.requests)
    with pytest.raises(QuotaExhausted, match="daily API request limit") as limited:
        await sf.connector.list_users()
    assert limited.value.retry_after is None  # Salesforce announces no reset: the outbox checks back
    assert len(sf.emulator.requests) == before + 1


async def test_unavailable_reads_are_retried(sf: SalesforceHarness) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    connector = SalesforceConnector(sf.client, sf.grants, instance_url=sf.emulator.base_url, sleep=sleep)
    await connector.find_call("warm-up")
    sf.emulator.fail_next(method="GET", retry_after=3)
    sf.emulator.fail_next(method="GET")
    assert await connector.list_users()
    assert len(slept) == 2 and slept[0] == 3.0 and sf.emulator.pending_failures == 0


async def test_api_version_is_discovered_once_and_pinned(sf: SalesforceHarness) -> None:
    connector = SalesforceConnector(
        sf.client, sf.grants, instance_url=sf.emulator.base_url, api_version="63.0"
    )
    await connector.list_users()
    await connector.find_call("k")
    paths = [r.path for r in sf.emulator.requests]
    assert paths and all(p.startswith("/services/data/v63.0/") for p in paths)
    newest = SalesforceConnector(sf.client, sf.grants, instance_url=sf.emulator.base_url, api_version="99.0")
    await newest.find_call("k")
    assert sf.emulator.requests[-1].path.startswith("/services/data/v66.0/")
