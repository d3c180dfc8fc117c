"""The one connector contract every CRM meets, run against each CRM's emulator.

Harness interface (each CRM engineer writes `tests/crm/harness_<kind>.py`, kind in hubspot|salesforce|zoho):

    @contextlib.asynccontextmanager
    async def make_harness(tmp_path: Path) -> AsyncIterator[Harness]: ...
        (a coroutine returning an async context manager is accepted too)

    Harness attributes:
      emulator      the running emulator (`base_url`, `admin_token`, `ca_file`: Path | None), search lag 0
      connector     a Connector (crm/base.py) talking to the emulator with a ready grant
      async seed_contact(phone_as_stored: str, first: str, last: str, kind=RecordKind.CONTACT) -> str
                    store a record directly in the emulator (phone kept exactly as given); its id
      async call_logs() -> list[dict]   (a plain def returning the list is accepted too)
                    the emulator's call activities, each a dict with exactly these keys:
                    id, owner_id, record_id (linked contact/lead/account id, "" if none), subject,
                    description, recording_url, idempotency_key
    For tests/crm/test_oauth.py (end to end through the browser flow and our loopback listener):
      oauth_provider      crm.oauth_providers.Provider pointing at the emulator, e.g.
                          hubspot(app_base=emu.base_url, api_base=emu.base_url), salesforce(emu.base_url),
                          zoho(accounts=emu.base_url, web=emu.base_url)
      oauth_credentials   crm.oauth.ClientCredentials(emulator.oauth_client_id, emulator.oauth_client_secret)
      allow_redirect(uri: str) -> None     register a loopback redirect URI with the emulator's OAuth app
      expire_access_token(token: str) -> None   the emulator treats this access token as expired now
      connector_for(grants: GrantSource) -> Connector   a connector using another grant source
    The emulator's authorize page may show a consent <form>; the test 'browser' submits its first form
    with the button whose value is approve/allow/accept/authorize/connect, then follows redirects.

Record pages: URLs are https, except that an emulator on 127.0.0.1 may serve plain http; GET returns 200
with the record's name in the HTML.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest

from linkus_companion.crm.base import CallLog, Connector
from linkus_companion.model import Direction, NewRecord, Outcome, Record, RecordKind
from linkus_companion.phone import parse
from tests.crm.conftest import emulator_client

# (number as the CRM stores it, number as the PBX reports it); each row its own number
FORMATS = [
    pytest.param("+12125550101", "2125550101", id="e164"),
    pytest.param("(212) 555-0102", "+12125550102", id="national"),
    pytest.param("+1 (212) 555-0103", "12125550103", id="spaces-dashes-parentheses"),
    pytest.param("+1 212-555-0104 ext. 55", "2125550104", id="extension-suffix"),
    pytest.param("00 1 212 555 0105", "+12125550105", id="00-international"),
    pytest.param("12125550106", "(212) 555-0106", id="digits-only"),
    pytest.param("212.555.0107", "+1 212 555 0107", id="dots"),
    pytest.param("212-555-0108", "12125550108", id="dashes"),
]


async def call_logs(harness: Any) -> list[dict[str, Any]]:
    logs = harness.call_logs()
    return list(await logs if inspect.isawaitable(logs) else logs)


def call(key: str, direction: Direction, outcome: Outcome, *, record: Record | None, owner: str) -> CallLog:
    ours, theirs = "101", "+12125550131"
    talk = 65 if outcome is Outcome.ANSWERED else 0
    return CallLog(
        idempotency_key=key,
        direction=direction,
        outcome=outcome,
        started_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        talk_seconds=talk,
        ring_seconds=7,
        from_number=theirs if direction is Direction.INBOUND else ours,
        to_number=ours if direction is Direction.INBOUND else theirs,
        subject="Extension Call",
        description=f"Call {key} {direction} {outcome}",
        owner_id=owner,
        record=record,
        recording_url=f"https://pbx.example.com/recording/{key}" if talk else "",
    )


async def seeded_record(harness: Any, stored: str, first: str, last: str) -> Record:
    record_id = await harness.seed_contact(stored, first, last)
    found: list[Record] = await harness.connector.search_by_phone(parse(stored))
    return next(r for r in found if r.id == record_id)


@pytest.mark.parametrize(("stored", "from_pbx"), FORMATS)
async def test_contact_found_whatever_format_it_was_stored_in(
    harness: Any, stored: str, from_pbx: str
) -> None:
    record_id = await harness.seed_contact(stored, "Ada", f"Format{from_pbx[-2:]}")
    found = await harness.connector.search_by_phone(parse(from_pbx))
    match = [r for r in found if r.id == record_id]
    assert match, f"{stored!r} not found from PBX number {from_pbx!r}: {found}"
    assert "Ada" in match[0].display_name and f"Format{from_pbx[-2:]}" in match[0].display_name
    assert match[0].kind is RecordKind.CONTACT


@pytest.mark.parametrize("kind", [RecordKind.LEAD, RecordKind.ACCOUNT])
async def test_leads_and_accounts_are_searched_too(harness: Any, kind: RecordKind) -> None:
    if kind is RecordKind.LEAD and kind not in harness.connector.creatable:
        pytest.skip(f"{harness.connector.kind} has no leads")
    record_id = await harness.seed_contact("+1 (212) 555-0121", "Linus", "Torvalds", kind)
    found = await harness.connector.search_by_phone(parse("2125550121"))
    assert [(r.id, r.kind) for r in found] == [(record_id, kind)]
    assert "Torvalds" in found[0].display_name


async def test_unknown_number_finds_nothing(harness: Any) -> None:
    await harness.seed_contact("+12125550141", "Known", "Caller")
    assert await harness.connector.search_by_phone(parse("+12125550999")) == []


@pytest.mark.parametrize("kind", [RecordKind.CONTACT, RecordKind.LEAD])
async def test_created_record_is_found_and_has_a_page(harness: Any, kind: RecordKind) -> None:
    connector: Connector = harness.connector
    if kind not in connector.creatable:
        pytest.skip(f"{connector.kind} cannot create a {kind}")
    new = NewRecord(kind, "+12125550150", "Grace", "Hopper", email="grace@example.com", company="Navy")
    created = await connector.create_record(new)
    assert created.kind is kind and created.id
    assert "Grace Hopper" in created.display_name
    found = await connector.search_by_phone(parse("(212) 555-0150"))
    assert created.id in [r.id for r in found]
    await assert_page_shows(harness, created.url, "Hopper")


@pytest.mark.parametrize(
    ("direction", "outcome"),
    [
        (Direction.INBOUND, Outcome.ANSWERED),
        (Direction.OUTBOUND, Outcome.ANSWERED),
        (Direction.INBOUND, Outcome.NO_ANSWER),
    ],
    ids=["inbound", "outbound", "missed"],
)
async def test_call_logged_with_owner_and_association(
    harness: Any, direction: Direction, outcome: Outcome
) -> None:
    owner = (await harness.connector.list_users())[0]
    record = await seeded_record(harness, "+12125550131", "Alan", "Turing")
    key = f"{uuid.uuid4()}:101"
    crm_id = await harness.connector.log_call(call(key, direction, outcome, record=record, owner=owner.id))
    logged = [entry for entry in await call_logs(harness) if entry["id"] == crm_id]
    assert len(logged) == 1
    entry = logged[0]
    assert entry["owner_id"] == owner.id
    assert entry["record_id"] == record.id
    assert entry["idempotency_key"] == key
    assert entry["subject"] == "Extension Call"
    assert f"Call {key}" in entry["description"]
    assert bool(entry["recording_url"]) == (outcome is Outcome.ANSWERED)
    assert await harness.connector.find_call(key) == crm_id


async def test_late_recording_link_is_patched_in(harness: Any) -> None:
    owner = (await harness.connector.list_users())[0]
    record = await seeded_record(harness, "+12125550133", "Barbara", "Liskov")
    log = call(f"{uuid.uuid4()}:103", Direction.INBOUND, Outcome.ANSWERED, record=record, owner=owner.id)
    crm_id = await harness.connector.log_call(dataclasses.replace(log, recording_url=""))
    await harness.connector.update_call(crm_id, log)
    entry = next(e for e in await call_logs(harness) if e["id"] == crm_id)
    assert entry["recording_url"] == log.recording_url or log.recording_url in entry["description"]


async def test_unknown_call_key_is_not_found(harness: Any) -> None:
    assert await harness.connector.find_call(f"{uuid.uuid4()}:999") is None


async def test_users_are_listed_with_emails(harness: Any) -> None:
    users = await harness.connector.list_users()
    assert users
    assert all("@" in user.email and user.id for user in users)
    assert len({user.id for user in users}) == len(users)


async def test_record_url_opens_the_records_page(harness: Any) -> None:
    record = await seeded_record(harness, "+12125550134", "Margaret", "Hamilton")
    assert harness.connector.record_url(record.id, record.kind) == record.url
    await assert_page_shows(harness, record.url, "Hamilton")


async def assert_page_shows(harness: Any, url: str, name: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme == "https" or parts.hostname == "127.0.0.1", url
    async with emulator_client(harness.emulator, follow_redirects=True) as client:
        page = await client.get(url)
    assert page.status_code == 200, url
    assert "text/html" in page.headers["content-type"]
    assert name in page.text
