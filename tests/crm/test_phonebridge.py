"""PhoneBridge v3 client against the Zoho emulator: integration, users, click-to-dial, call notifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from linkus_companion.crm.base import CrmError, ValidationFailed
from linkus_companion.crm.phonebridge import CallNotification, CallState, CallType, PhoneBridge
from linkus_companion.serving import serving
from linkus_companion.sim.zoho import ZohoEmulator
from tests.crm.harness_zoho import AdminGrant

START = dt.datetime(2026, 3, 2, 9, 30, 5, tzinfo=dt.UTC)


@pytest.fixture
async def emulator() -> AsyncIterator[ZohoEmulator]:
    emu = ZohoEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def bridge(emulator: ZohoEmulator) -> AsyncIterator[PhoneBridge]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield PhoneBridge(client, AdminGrant(emulator))


def note(state: CallState, call_type: CallType = CallType.RECEIVED, **extra: Any) -> CallNotification:
    inbound = call_type is CallType.RECEIVED
    fields: dict[str, Any] = {
        "type": call_type,
        "state": state,
        "call_id": "call-1",
        "from_number": "+14155550102" if inbound else "101",
        "to_number": "101" if inbound else "+14155550102",
        "started_at": START,
        **extra,
    }
    return CallNotification(**fields)


async def test_enable_list_users_and_disable(bridge: PhoneBridge, emulator: ZohoEmulator) -> None:
    await bridge.enable()
    assert emulator.phonebridge.enabled_by == emulator.oauth_client_id
    users = await bridge.users()
    assert {u.email for u in users} == {
        "john.smith@example.com",
        "amy.lee@example.com",
        "raj.patel@example.com",
    }
    assert all(u.zohouser in emulator.org.users and u.username for u in users)
    await bridge.disable()
    assert emulator.phonebridge.enabled_by is None
    with pytest.raises(CrmError, match="NO_PERMISSION"):
        await bridge.notify(note(CallState.RINGING))


async def test_unregistered_provider_is_refused(bridge: PhoneBridge, emulator: ZohoEmulator) -> None:
    emulator.accounts.clients[emulator.oauth_client_id].phonebridge_provider = False
    with pytest.raises(CrmError, match="PROVIDER_NOT_REGISTERED"):
        await bridge.enable()


async def test_received_call_states_end_in_zohos_own_inbound_log(
    bridge: PhoneBridge, emulator: ZohoEmulator
) -> None:
    await bridge.enable()
    user = emulator.admin.id
    for state in (CallState.RINGING, CallState.ANSWERED):
        await bridge.notify(note(state, zohouser=user))
    await bridge.notify(
        note(CallState.ENDED, zohouser=user, duration_seconds=95, recording_url="https://pbx/r/1")
    )
    sent = emulator.phonebridge.notifications
    assert [n["state"] for n in sent] == ["ringing", "answered", "ended"]
    assert sent[-1] == {
        "type": "received",
        "state": "ended",
        "id": "call-1",
        "from": "+14155550102",
        "to": "101",
        "zohouser": user,
        "start_time": "2026-03-02 09:30:05",
        "duration": "95",
        "voiceuri": "https://pbx/r/1",
    }
    [call] = emulator.records("Calls")
    grace = next(c for c in emulator.records("Contacts") if c["Last_Name"] == "Hopper")
    assert (call["Call_Type"], call["Call_Duration"], call["Who_Id"]["id"]) == (
        "Inbound",
        "01:35",
        grace["id"],
    )
    assert call["Voice_Recording__s"] == "https://pbx/r/1" and call["Owner"]["id"] == user


async def test_missed_call_is_logged_as_missed(bridge: PhoneBridge, emulator: ZohoEmulator) -> None:
    await bridge.enable()
    await bridge.notify(note(CallState.RINGING))
    await bridge.notify(note(CallState.MISSED))
    [call] = emulator.records("Calls")
    assert call["Call_Type"] == "Missed" and call["Owner"]["id"] == emulator.admin.id


@pytest.mark.parametrize(
    "state",
    [CallState.BUSY, CallState.INVALID, CallState.BLOCKED, CallState.NOT_AVAILABLE, CallState.NO_ANSWER,
     CallState.REJECTED, CallState.ENDED],
)  # fmt: skip
async def test_dialed_call_outcomes_are_logged_as_outbound(
    bridge: PhoneBridge, emulator: ZohoEmulator, state: CallState
) -> None:
    await bridge.enable()
    await bridge.notify(note(CallState.RINGING, CallType.DIALED))
    await bridge.notify(note(state, CallType.DIALED, duration_seconds=0, transferred_from="call-0"))
    assert emulator.phonebridge.notifications[-1]["transferredcallid"] == "call-0"
    [call] = emulator.records("Calls")
    assert call["Call_Type"] == "Outbound" and call["Dialled_Number"] == "+14155550102"


async def test_impossible_states_are_refused_before_sending(
    bridge: PhoneBridge, emulator: ZohoEmulator
) -> None:
    with pytest.raises(ValidationFailed):
        await bridge.notify(note(CallState.BUSY, CallType.RECEIVED))
    with pytest.raises(ValidationFailed):
        await bridge.notify(note(CallState.MISSED, CallType.DIALED))
    assert emulator.phonebridge.notifications == []


async def test_click_to_dial_registration_is_called_back_by_zoho(
    bridge: PhoneBridge, emulator: ZohoEmulator
) -> None:
    received: list[tuple[dict[str, str], str]] = []

    async def dial(request: Request) -> PlainTextResponse:
        received.append(
            (dict(parse_qsl((await request.body()).decode())), request.headers.get("x-api-key", ""))
        )
        return PlainTextResponse("dialing")

    await bridge.enable()
    async with serving(Starlette(routes=[Route("/dial", dial, methods=["POST"])])) as provider:
        await bridge.register_click_to_dial(
            f"{provider.base_url}/dial",
            zohouser=emulator.admin.id,
            authorization=("X-Api-Key", "s3cret"),
            params={"callee": "{to}", "ext": "101"},
        )
        answer = await emulator.click_to_dial(emulator.admin.id, "+14155550102")
        assert answer.status_code == 200
        assert received == [({"callee": "+14155550102", "ext": "101"}, "s3cret")]
        await bridge.register_click_to_dial(f"{provider.base_url}/dial")
        await emulator.click_to_dial("any-user", "+442079460018")
        assert received[-1] == ({"tonumber": "+442079460018"}, "")
    await bridge.unregister_click_to_dial(zohouser=emulator.admin.id)
    await bridge.unregister_click_to_dial()
    with pytest.raises(LookupError):
        await emulator.click_to_dial(emulator.admin.id, "+14155550102")


async def test_click_to_dial_errors_are_reported(bridge: PhoneBridge, emulator: ZohoEmulator) -> None:
    await bridge.enable()
    await bridge.click_to_dial_failed(
        "busy", from_number="101", to_number="+14155550102", zohouser=emulator.admin.id, message="Line busy"
    )
    assert emulator.phonebridge.dial_errors == [
        {
            "code": "busy",
            "from": "101",
            "to": "+14155550102",
            "zohouser": emulator.admin.id,
            "message": "Line busy",
        }
    ]
    with pytest.raises(ValidationFailed):
        await bridge.click_to_dial_failed("gone", from_number="1", to_number="2", zohouser=emulator.admin.id)
