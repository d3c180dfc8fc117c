"""Zoho's official Python SDK (zohocrmsdk8-0), unmodified, against the emulator: the independent oracle.

The SDK is pointed at the emulator only through its public knobs: a custom `DataCenter.Environment`
(API domain, full token URL, file-upload URL), a `FileStore` token store and a resource path under
`tmp_path`. It signs in with the seeded admin's refresh token exactly as against Zoho. It is
synchronous (module-level `requests`), so each test runs it in a worker thread while the emulator
serves on the test's loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store import FileStore
from zohocrmsdk.src.com.zoho.crm.api import Initializer, ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.record import (
    ActionWrapper,
    BodyWrapper,
    DeleteRecordParam,
    Field,
    GetRecordsParam,
    Record,
    RecordOperations,
    ResponseWrapper,
    SearchRecordsParam,
    SuccessResponse,
)
from zohocrmsdk.src.com.zoho.crm.api.users import GetUsersParam, MinifiedUser, UsersOperations
from zohocrmsdk.src.com.zoho.crm.api.users import ResponseWrapper as UsersWrapper
from zohocrmsdk.src.com.zoho.crm.api.util import Choice

from linkus_companion.sim.zoho import ZohoEmulator

T = TypeVar("T")


@pytest.fixture
async def emulator() -> AsyncIterator[ZohoEmulator]:
    emu = ZohoEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


async def with_sdk(emulator: ZohoEmulator, tmp_path: Path, work: Callable[[], T]) -> T:
    """Initialise the SDK for the emulator (refresh-token sign-in) and run `work`, all in a thread."""

    def run() -> T:
        environment = DataCenter.Environment(
            emulator.base_url, f"{emulator.accounts_server}/oauth/v2/token", emulator.base_url
        )
        token = OAuthToken(
            client_id=emulator.oauth_client_id,
            client_secret=emulator.oauth_client_secret,
            refresh_token=emulator.admin_refresh_token,
        )
        Initializer.initialize(
            environment=environment,
            token=token,
            store=FileStore(str(tmp_path / "sdk_tokens.csv")),
            resource_path=str(tmp_path),
        )
        return work()

    return await asyncio.to_thread(run)


def created_id(response: Any) -> str:
    assert response.get_status_code() == 201
    wrapper = response.get_object()
    assert isinstance(wrapper, ActionWrapper)
    [result] = wrapper.get_data()
    assert isinstance(result, SuccessResponse), result.get_details()
    return str(result.get_details()["id"])


async def test_sdk_searches_by_phone_and_criteria(emulator: ZohoEmulator, tmp_path: Path) -> None:
    def search() -> list[tuple[str, str]]:
        found = []
        for key, value in (
            (SearchRecordsParam.phone, "4155550102"),
            (SearchRecordsParam.criteria, r"(Last_Name:equals:Lovelace)"),
        ):
            params = ParameterMap()
            params.add(key, value)
            params.add(SearchRecordsParam.fields, "Full_Name,Phone")
            response = RecordOperations("Contacts").search_records(params)
            wrapper = response.get_object()
            assert isinstance(wrapper, ResponseWrapper)
            found += [
                (str(r.get_key_value("Full_Name")), str(r.get_key_value("Phone"))) for r in wrapper.get_data()
            ]
        params = ParameterMap()
        params.add(SearchRecordsParam.phone, "+19995550000")
        nothing = RecordOperations("Leads").search_records(params)
        assert nothing.get_status_code() == 204 and nothing.get_object() is None
        return found

    assert await with_sdk(emulator, tmp_path, search) == [
        ("Grace Hopper", "(415) 555-0102"),
        ("Ada Lovelace", "+442079460018"),
    ]


async def test_sdk_creates_a_contact_and_a_lead(emulator: ZohoEmulator, tmp_path: Path) -> None:
    def create() -> list[str]:
        ids = []
        for module, extra in (("Contacts", {}), ("Leads", {"Company": "Analytical Engines"})):
            record = Record()
            record.add_key_value("First_Name", "Charles")
            record.add_key_value("Last_Name", "Babbage")
            record.add_key_value("Phone", "+442071234567")
            for name, value in extra.items():
                record.add_key_value(name, value)
            body = BodyWrapper()
            body.set_data([record])
            ids.append(created_id(RecordOperations(module).create_records(body)))
        return ids

    contact_id, lead_id = await with_sdk(emulator, tmp_path, create)
    assert (
        next(r for r in emulator.records("Contacts") if r["id"] == contact_id)["Full_Name"]
        == "Charles Babbage"
    )
    assert next(r for r in emulator.records("Leads") if r["id"] == lead_id)["Company"] == "Analytical Engines"


async def test_sdk_logs_a_call_with_owner_contact_and_recording(
    emulator: ZohoEmulator, tmp_path: Path
) -> None:
    contact = next(r for r in emulator.records("Contacts") if r["Last_Name"] == "Lovelace")["id"]
    owner = next(u for u in emulator.org.users.values() if u.email == "amy.lee@example.com").id

    def log_call() -> str:
        call = Record()
        call.add_field_value(Field.Calls.subject(), "Extension Call")
        call.add_field_value(Field.Calls.call_type(), Choice("Inbound"))
        call.add_field_value(Field.Calls.call_start_time(), dt.datetime(2026, 1, 31, 10, 15, tzinfo=dt.UTC))
        call.add_field_value(Field.Calls.call_duration(), "02:05")
        who = Record()
        who.set_id(int(contact))
        call.add_field_value(Field.Calls.who_id(), who)
        user = MinifiedUser()
        user.set_id(int(owner))
        call.add_field_value(Field.Calls.owner(), user)
        call.add_key_value("Voice_Recording__s", "https://pbx.example.com/recording/1")
        body = BodyWrapper()
        body.set_data([call])
        return created_id(RecordOperations("Calls").create_records(body))

    call_id = await with_sdk(emulator, tmp_path, log_call)
    [logged] = emulator.records("Calls")
    assert logged["id"] == call_id
    assert (logged["Who_Id"]["id"], logged["Owner"]["id"]) == (contact, owner)
    assert (logged["Call_Type"], logged["Call_Start_Time"]) == ("Inbound", "2026-01-31T10:15:00+00:00")
    assert logged["Voice_Recording__s"] == "https://pbx.example.com/recording/1"


async def test_sdk_lists_active_users_with_emails(emulator: ZohoEmulator, tmp_path: Path) -> None:
    def users() -> list[str]:
        params = ParameterMap()
        params.add(GetUsersParam.type, "ActiveUsers")
        wrapper = UsersOperations().get_users(params).get_object()
        assert isinstance(wrapper, UsersWrapper)
        return [str(user.get_email()) for user in wrapper.get_users()]

    assert await with_sdk(emulator, tmp_path, users) == [
        "john.smith@example.com",
        "amy.lee@example.com",
        "raj.patel@example.com",
        "mia.chen@example.com",
    ]


async def test_sdk_pages_through_records_and_deletes_one(emulator: ZohoEmulator, tmp_path: Path) -> None:
    def page_and_delete() -> dict[str, Any]:
        contacts = RecordOperations("Contacts")
        seen, page = [], 1
        while True:
            params = ParameterMap()
            params.add(GetRecordsParam.fields, "Last_Name,Phone")
            params.add(GetRecordsParam.per_page, 2)
            params.add(GetRecordsParam.page, page)
            wrapper = contacts.get_records(params).get_object()
            assert isinstance(wrapper, ResponseWrapper)
            seen += [(str(r.get_id()), r.get_key_value("Last_Name")) for r in wrapper.get_data()]
            if not wrapper.get_info().get_more_records():
                break
            page += 1
        params = ParameterMap()
        params.add(DeleteRecordParam.wf_trigger, False)
        deleted = contacts.delete_record(int(seen[0][0]), params)
        [result] = deleted.get_object().get_data()
        again = contacts.delete_record(int(seen[0][0]), ParameterMap())
        return {
            "seen": seen,
            "pages": page,
            "deleted": (deleted.get_status_code(), isinstance(result, SuccessResponse)),
            "again": again.get_status_code(),
            "gone": contacts.get_record(int(seen[0][0]), ParameterMap()).get_status_code(),
        }

    everyone = [(r["id"], r["Last_Name"]) for r in emulator.records("Contacts")]
    got = await with_sdk(emulator, tmp_path, page_and_delete)
    assert got["seen"] == everyone and got["pages"] == (len(everyone) + 1) // 2
    assert got["deleted"] == (200, True) and got["again"] == 400 and got["gone"] == 204
    assert everyone[0][0] not in [r["id"] for r in emulator.records("Contacts")]


async def test_sdk_upserts_by_email_updating_one_and_adding_one(
    emulator: ZohoEmulator, tmp_path: Path
) -> None:
    known = next(r for r in emulator.records("Contacts") if r.get("Email"))

    def upsert() -> tuple[int, list[tuple[str, str]]]:
        rows = []
        for last, email in (
            (known["Last_Name"], str(known["Email"]).upper()),
            ("Newcomer", "new@example.com"),
        ):
            record = Record()
            record.add_key_value("Last_Name", last)
            record.add_key_value("Email", email)
            record.add_key_value("Mobile", "+14155550199")
            rows.append(record)
        body = BodyWrapper()
        body.set_data(rows)
        body.set_duplicate_check_fields(["Email"])
        answer = RecordOperations("Contacts").upsert_records(body)
        results = answer.get_object().get_data()
        assert all(isinstance(r, SuccessResponse) for r in results)
        return answer.get_status_code(), [
            (str(r.get_details()["id"]), r.get_message().get_value()) for r in results
        ]

    status, results = await with_sdk(emulator, tmp_path, upsert)
    contacts = {r["id"]: r for r in emulator.records("Contacts")}
    assert status == 200 and results[0] == (known["id"], "record updated") and results[1][1] == "record added"
    assert contacts[known["id"]]["Mobile"] == "+14155550199"
    assert contacts[results[1][0]]["Last_Name"] == "Newcomer"
