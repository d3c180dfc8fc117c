"""HubSpotConnector against the HubSpot emulator: search across formats, create, calls, limits, refresh."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from linkus_companion.crm.base import AuthExpired, CallLog, QuotaExhausted, RateLimited, ValidationFailed
from linkus_companion.crm.hubspot import DuplicateContact, HubSpotConnector, classify
from linkus_companion.model import Direction, NewRecord, Outcome, Record, RecordKind
from linkus_companion.phone import parse
from linkus_companion.sim.hubspot_api import Fault
from tests.crm.harness_hubspot import HubSpotHarness, make_harness

CONTACTS = "/crm/objects/2026-03/contacts"


@pytest.fixture
async def hs(tmp_path: Path) -> AsyncIterator[HubSpotHarness]:
    async with make_harness(tmp_path, seed=True) as harness:
        yield harness


def requests(hs: HubSpotHarness, method: str, path: str) -> list[int]:
    """Statuses of the emulator's exchanges with this method and path."""
    return [e.status for e in hs.emulator.traffic if e.method == method and e.path == path]


def searches(hs: HubSpotHarness) -> list[int]:
    """Statuses of every search request the emulator saw."""
    return [e.status for e in hs.emulator.traffic if e.path.endswith("/search")]


def call_log(record: Record | None, **changes: object) -> CallLog:
    log = CallLog(
        idempotency_key="1700000000.42:101",
        direction=Direction.INBOUND,
        outcome=Outcome.ANSWERED,
        started_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        talk_seconds=65,
        ring_seconds=7,
        from_number="+14155550101",
        to_number="101",
        subject="Extension Call",
        description="Call: 2026-03-02 09:30 Answered from +14155550101 to 101 00:01:05",
        owner_id="6166861",
        record=record,
    )
    return dataclasses.replace(log, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("from_pbx", "name", "kind"),
    [
        ("4155550101", "Ada Lovelace", RecordKind.CONTACT),  # stored +14155550101
        ("+14155550102", "Grace Hopper", RecordKind.CONTACT),  # stored (415) 555-0102
        ("+1 415 555 0112", "Grace Hopper", RecordKind.CONTACT),  # mobile 415.555.0112
        ("+442079460103", "Alan Turing", RecordKind.CONTACT),  # stored +44 20 7946 0103
        ("14155550104", "Katherine Johnson", RecordKind.CONTACT),  # stored 415-555-0104 ext. 12
        ("+44 20 7946 0105", "Tim Berners-Lee", RecordKind.CONTACT),  # stored 0044 20 7946 0105
        ("(415) 555-0106", "Margaret Hamilton", RecordKind.CONTACT),  # mobile 4155550106
        ("+12125550300", "Globex", RecordKind.ACCOUNT),  # company (212) 555-0300
    ],
)
async def test_search_finds_a_contact_with_one_search_and_a_company_with_two(
    hs: HubSpotHarness, from_pbx: str, name: str, kind: RecordKind
) -> None:
    found = await hs.connector.search_by_phone(parse(from_pbx))
    assert [(r.display_name, r.kind) for r in found] == [(name, kind)]
    assert found[0].url == hs.emulator.record_url(
        "contacts" if kind is RecordKind.CONTACT else "companies", found[0].id
    )
    assert len(searches(hs)) == (1 if kind is RecordKind.CONTACT else 2)


async def test_companies_are_searched_with_contacts_only_when_the_admin_ranks_them_first(
    hs: HubSpotHarness,
) -> None:
    hs.emulator.seed_record("companies", {"name": "Shared Line", "phone": "+1 415 555 0101"})
    assert [r.kind for r in await hs.connector.search_by_phone(parse("4155550101"))] == [RecordKind.CONTACT]
    assert [e.path.rsplit("/", 2)[-2] for e in hs.emulator.traffic if e.path.endswith("/search")] == [
        "contacts"
    ]
    ranked = HubSpotConnector(hs.client, hs.grants, companies_first=True)
    found = await ranked.search_by_phone(parse("4155550101"))
    assert sorted(r.kind for r in found) == sorted([RecordKind.CONTACT, RecordKind.ACCOUNT])
    assert len(searches(hs)) == 3


async def test_a_search_hit_on_another_number_is_dropped(hs: HubSpotHarness) -> None:
    hs.emulator.seed_record("contacts", {"firstname": "Local", "phone": "555 0101"})
    assert [r.display_name for r in await hs.connector.search_by_phone(parse("+1 212 555 0101"))] == []
    contact_search = next(e for e in hs.emulator.traffic if e.path.endswith("/contacts/search"))
    assert json.loads(contact_search.response_body)["total"] == 1  # the last-7-digits key hit it


async def test_internal_numbers_are_never_searched(hs: HubSpotHarness) -> None:
    assert await hs.connector.search_by_phone(parse("101")) == []
    assert searches(hs) == []


@pytest.mark.parametrize(
    "last",
    [
        'O\'Brien "the" Great',
        "Line\nBreak\r\nName",
        "Łukasz 名前 😀 \u202e",
        "'; DROP TABLE contacts; --",
        "x" * 10_000,
    ],
)
async def test_created_contact_keeps_hostile_names_exactly(hs: HubSpotHarness, last: str) -> None:
    created = await hs.connector.create_record(NewRecord(RecordKind.CONTACT, "+12125550150", "Grace", last))
    assert hs.emulator.store.objects["contacts"][created.id].properties["lastname"] == last
    assert created.id in [r.id for r in await hs.connector.search_by_phone(parse("(212) 555-0150"))]
    async with httpx.AsyncClient() as browser:
        page = await browser.get(created.url)
    assert page.status_code == 200 and "<script" not in page.text.lower()


async def test_create_refuses_leads_and_contacts_without_a_name(hs: HubSpotHarness) -> None:
    with pytest.raises(ValidationFailed, match="contacts only"):
        await hs.connector.create_record(NewRecord(RecordKind.LEAD, "+12125550151", "Lead"))
    with pytest.raises(ValidationFailed, match="first name, last name or e-mail"):
        await hs.connector.create_record(NewRecord(RecordKind.CONTACT, "+12125550151"))
    assert hs.emulator.traffic == []


async def test_a_refused_property_is_named(hs: HubSpotHarness) -> None:
    with pytest.raises(ValidationFailed, match="refused the data in email"):
        await hs.connector.create_record(NewRecord(RecordKind.CONTACT, "+12125550152", "A", email="a@@b"))


async def test_an_existing_email_returns_that_contact(hs: HubSpotHarness) -> None:
    before = len(hs.emulator.store.objects["contacts"])
    record = await hs.connector.create_record(
        NewRecord(RecordKind.CONTACT, "+12125550153", "Ada", email="ADA@example.com")
    )
    assert record.display_name == "Ada Lovelace"
    assert len(hs.emulator.store.objects["contacts"]) == before
    assert requests(hs, "POST", CONTACTS) == []


async def test_an_ambiguous_create_failure_does_not_make_a_second_contact(tmp_path: Path) -> None:
    async with make_harness(tmp_path, search_lag=0.3) as hs:
        hs.emulator.inject_fault(Fault(502, "POST", CONTACTS, after_processing=True))
        record = await hs.connector.create_record(
            NewRecord(RecordKind.CONTACT, "+12125550154", "Alan", "Kay")
        )
        stored = [
            r for r in hs.emulator.store.objects["contacts"].values() if r.properties.get("lastname") == "Kay"
        ]
        assert [r.id for r in stored] == [record.id]
        assert requests(hs, "POST", CONTACTS) == [502]  # found by searching again, not sent twice
        assert requests(hs, "POST", CONTACTS + "/search")[0] == 200


async def test_a_rate_limited_create_is_sent_once_more_after_the_wait(hs: HubSpotHarness) -> None:
    hs.emulator.inject_fault(Fault(429, "POST", CONTACTS, retry_after=0.05))
    record = await hs.connector.create_record(
        NewRecord(RecordKind.CONTACT, "+12125550155", "Barbara", "Liskov")
    )
    assert requests(hs, "POST", CONTACTS) == [429, 201]
    assert hs.emulator.store.objects["contacts"][record.id].properties["phone"] == "+12125550155"


async def test_call_is_logged_with_owner_association_and_hubspot_units(hs: HubSpotHarness) -> None:
    [ada] = await hs.connector.search_by_phone(parse("+14155550101"))
    crm_id = await hs.connector.log_call(call_log(ada))
    [call] = hs.emulator.call_engagements()
    props = call["properties"]
    assert call["id"] == crm_id and call["owner_id"] == "6166861"
    assert call["associations"] == {"contacts": [ada.id], "companies": []}
    assert props["hs_call_duration"] == "65000" and props["hs_call_direction"] == "INBOUND"
    assert props["hs_call_status"] == "COMPLETED" and props["hs_timestamp"] == "1772443800000"
    assert props["hs_call_external_id"] == "1700000000.42:101"
    assert await hs.connector.find_call("1700000000.42:101") == crm_id
    await hs.connector.update_call(crm_id, call_log(ada, recording_url="https://pbx.example.com/rec/42"))
    assert (
        hs.emulator.call_engagements()[0]["properties"]["hs_call_recording_url"]
        == "https://pbx.example.com/rec/42"
    )
    assert await hs.connector.find_call("1700000000.42:101") == crm_id
    assert await hs.connector.find_call("other:101") is None


@pytest.mark.parametrize(
    ("version", "association_path"),
    [("2026-03", "/crm/objects/2026-03/calls/"), ("v3", "/crm/v4/objects/calls/")],
)
async def test_company_calls_use_the_default_association_of_each_api_family(
    hs: HubSpotHarness, version: str, association_path: str
) -> None:
    connector = HubSpotConnector(hs.client, hs.grants, version=version)  # type: ignore[arg-type]
    [globex] = await connector.search_by_phone(parse("+12125550300"))
    missed = call_log(globex, outcome=Outcome.NO_ANSWER, talk_seconds=0, recording_url="http://pbx.lan/rec/1")
    crm_id = await connector.log_call(missed)
    [call] = hs.emulator.call_engagements()
    assert call["id"] == crm_id and call["associations"] == {"contacts": [], "companies": [globex.id]}
    assert call["properties"]["hs_call_status"] == "NO_ANSWER"
    assert "Recording: http://pbx.lan/rec/1" in call["properties"]["hs_call_body"]  # HubSpot takes https only
    assert [
        e.status for e in hs.emulator.traffic if e.method == "PUT" and e.path.startswith(association_path)
    ] == [200]
    legacy = "/crm/v3/objects/" if version == "v3" else "/crm/objects/2026-03/"
    assert all(legacy in e.path for e in hs.emulator.traffic if e.method == "POST")


async def test_searches_are_paced_under_four_a_second(hs: HubSpotHarness) -> None:
    started = time.monotonic()
    numbers = ["+14155550101", "+14155550102", "+14155550104", "+14155550106", "+12125550300", "+14155550199"]
    results = await asyncio.gather(*(hs.connector.search_by_phone(parse(n)) for n in numbers))
    assert [len(found) for found in results] == [1, 1, 1, 1, 1, 0]
    assert 429 not in searches(hs)
    assert time.monotonic() - started >= 1.0  # 4 contacts + 2 x 2: 8 searches, two windows


@pytest.mark.parametrize("status", [429, 503])
async def test_a_failed_search_is_retried(hs: HubSpotHarness, status: int) -> None:
    hs.emulator.inject_fault(Fault(status, "POST", CONTACTS + "/search", retry_after=0.05))
    assert [r.display_name for r in await hs.connector.search_by_phone(parse("+14155550101"))] == [
        "Ada Lovelace"
    ]
    assert requests(hs, "POST", CONTACTS + "/search") == [status, 200]


async def test_an_expired_token_is_refreshed_once_and_the_request_repeated(hs: HubSpotHarness) -> None:
    hs.emulator.expire_token(hs.emulator.admin_token)
    found, users = await asyncio.gather(
        hs.connector.search_by_phone(parse("+14155550101")), hs.connector.list_users()
    )
    assert [r.display_name for r in found] == ["Ada Lovelace"] and users
    assert hs.grants.refreshes == 1
    assert 401 in searches(hs)


async def test_users_are_owners_with_emails(hs: HubSpotHarness) -> None:
    users = await hs.connector.list_users()
    assert [(u.id, u.email) for u in users] == [
        ("6166860", "admin@example.com"),
        ("6166861", "Sam.Sales@example.com"),
        ("6166862", "sup@example.com"),
    ]


def response(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, json=body, headers=headers, request=httpx.Request("GET", "https://api.hubapi.com/x")
    )


def test_errors_map_to_typed_errors_with_hubspots_signals() -> None:
    secondly = classify(response(429, {"policyName": "SECONDLY", "errorType": "RATE_LIMIT"}))
    assert isinstance(secondly, RateLimited) and secondly.retry_after == 1.0
    daily = classify(response(429, {"policyName": "DAILY"}))
    assert (
        isinstance(daily, QuotaExhausted)
        and daily.retry_after is None
        and "daily API limit is used up" in str(daily)
    )
    told = classify(response(429, {"policyName": "SECONDLY"}, {"Retry-After": "3"}))
    assert told is not None and told.retry_after == 3.0
    duplicate = classify(
        response(409, {"message": "Contact already exists. Existing ID: 512", "category": "CONFLICT"})
    )
    assert isinstance(duplicate, DuplicateContact) and duplicate.existing_id == "512"
    expired = classify(
        response(401, {"category": "EXPIRED_AUTHENTICATION", "message": "expired 5 minute(s) ago."})
    )
    assert isinstance(expired, AuthExpired)
    assert classify(response(200, {})) is None
