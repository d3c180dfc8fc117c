"""PbxClient against the simulator: tokens, credentials, TLS, errors and every typed endpoint."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable

import httpx
import pytest

from linkus_companion import USER_AGENT
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import (
    PbxAuthFailed,
    PbxInvalidRequest,
    PbxIpBlocked,
    PbxNotFound,
    PbxTlsError,
    PbxTokenLimit,
    PbxUnavailable,
)
from linkus_companion.pbx.resources import ContactFields, ContactNumber, firmware_warning
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.tls import TlsFiles

MakeClient = Callable[..., PbxClient]
LOGIN_FAILURES_BEFORE_BLOCK = 5


async def test_system_information_reads_firmware_and_clock(client: PbxClient, sim: PbxSimulator) -> None:
    info = await client.system_information()
    assert info.sn == sim.sn
    assert info.firmware == "83.21.0.66"
    assert info.firmware_warning is None
    assert info.clock.utc_offset == dt.timedelta(0)


@pytest.mark.parametrize("sim_options", [{"firmware": "83.20.0.21"}])
async def test_old_firmware_is_flagged_and_logged(
    client: PbxClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="linkus_companion.pbx.client"):
        info = await client.system_information()
    assert info.firmware_warning is not None
    assert "83.21.0.66" in info.firmware_warning
    assert info.firmware_warning in caplog.text


@pytest.mark.parametrize(
    ("firmware", "phonebridge", "needed"),
    [
        ("83.21.0.66", False, None),
        ("83.23.0.123", False, None),
        ("37.20.9.9", False, "37.21.0.66"),
        ("37.17.0.1", True, None),
        ("37.15.0.1", True, "37.16.0.70"),
        ("84.21.0.1", False, None),
    ],
)
def test_firmware_minimums_per_edition(firmware: str, phonebridge: bool, needed: str | None) -> None:
    warning = firmware_warning(firmware, phonebridge=phonebridge)
    assert (warning is None) == (needed is None)
    assert needed is None or needed in str(warning)


def test_unreadable_firmware_is_flagged() -> None:
    assert "cannot check" in str(firmware_warning("beta-7"))


@pytest.mark.parametrize("sim_options", [{"access_ttl": 2}])
async def test_token_is_renewed_ahead_of_expiry(client: PbxClient, sim: PbxSimulator) -> None:
    first = await client.token()
    await asyncio.sleep(first.renew_at - time.monotonic() + 0.05)
    assert [e.number for e in await client.list_extensions()][:1] == ["1001"]
    second = await client.token()
    assert second.access != first.access
    assert sim.live_tokens() == 1, "the replaced token must be revoked"


async def test_expired_token_is_refreshed_and_the_call_retried(client: PbxClient, sim: PbxSimulator) -> None:
    await client.list_extensions()
    sim.expire_tokens()
    assert len(await client.list_extensions()) == 5
    assert sim.live_tokens() == 1


async def test_refused_refresh_falls_back_to_a_new_login(client: PbxClient, sim: PbxSimulator) -> None:
    token = await client.token()
    client._tokens._token = dataclasses.replace(token, refresh="not-a-refresh-token")
    sim.expire_tokens()
    assert len(await client.list_extensions()) == 5
    assert sim.live_tokens() == 1


async def test_concurrent_callers_share_one_renewal(client: PbxClient, sim: PbxSimulator) -> None:
    await client.token()
    sim.expire_tokens()
    results = await asyncio.gather(*(client.list_extensions() for _ in range(8)))
    assert all(len(r) == 5 for r in results)
    assert sim.live_tokens() == 1


async def _raw_logins_until_blocked(sim: PbxSimulator, tls: TlsFiles) -> int:
    """Wrong logins sent by hand until the PBX blocks the IP: 5 minus the failures already counted."""
    async with httpx.AsyncClient(verify=tls.client_context(), headers={"User-Agent": "test"}) as http:
        for attempt in range(1, LOGIN_FAILURES_BEFORE_BLOCK + 1):
            body = {"username": sim.client_id, "password": "wrong"}
            await http.post(f"{sim.base_url}/openapi/v1.0/get_token", json=body)
            if sim.blocked_ips:
                return attempt
    raise AssertionError("the PBX never blocked the IP")


async def test_wrong_credentials_stop_before_the_ip_block(sim: PbxSimulator, tls: TlsFiles) -> None:
    pbx = PbxClient(sim.base_url, sim.client_id, "wrong-secret", ca_file=tls.ca_file)
    async with pbx:
        for _ in range(4):
            with pytest.raises(PbxAuthFailed) as caught:
                await pbx.list_extensions()
            assert "Client Secret" in str(caught.value)
            assert "wrong-secret" not in str(caught.value)
    assert not sim.blocked_ips
    failures_by_client = LOGIN_FAILURES_BEFORE_BLOCK - await _raw_logins_until_blocked(sim, tls) + 1
    assert 1 <= failures_by_client <= 2


async def test_blocked_ip_says_where_to_unblock(sim: PbxSimulator, client: PbxClient) -> None:
    sim.blocked_ips.add("127.0.0.1")
    with pytest.raises(PbxIpBlocked, match=r"Security > Security Rules > Blocked IPs"):
        await client.list_extensions()


async def test_close_revokes_the_token_and_frees_a_slot(sim: PbxSimulator, make_client: MakeClient) -> None:
    clients = [make_client() for _ in range(9)]
    try:
        for pbx in clients[:8]:
            await pbx.token()
        assert sim.live_tokens() == 8
        with pytest.raises(PbxTokenLimit, match="8 at a time"):
            await clients[8].token()
        await clients[0].close()
        assert sim.live_tokens() == 7
        await clients[8].token()
        assert sim.live_tokens() == 8
    finally:
        for pbx in clients[1:]:
            await pbx.close()
    assert sim.live_tokens() == 0


async def test_pinned_fingerprint_is_accepted(sim: PbxSimulator, tls: TlsFiles) -> None:
    async with PbxClient(
        sim.base_url, sim.client_id, sim.client_secret, fingerprint=tls.fingerprint_sha256()
    ) as pbx:
        assert (await pbx.system_information()).sn == sim.sn


async def test_wrong_fingerprint_is_refused_before_any_login(sim: PbxSimulator) -> None:
    async with PbxClient(sim.base_url, sim.client_id, sim.client_secret, fingerprint="AB" * 32) as pbx:
        with pytest.raises(PbxTlsError, match="fingerprint") as caught:
            await pbx.system_information()
    assert sim.client_secret not in str(caught.value)
    assert sim.live_tokens() == 0


async def test_untrusted_certificate_is_refused(sim: PbxSimulator) -> None:
    async with PbxClient(sim.base_url, sim.client_id, sim.client_secret) as pbx:
        with pytest.raises(PbxTlsError, match="CA file or pin"):
            await pbx.token()


async def test_unreachable_pbx_is_reported(sim: PbxSimulator, make_client: MakeClient) -> None:
    pbx = make_client()
    await sim.stop()
    with pytest.raises(PbxUnavailable, match="Check the address"):
        await pbx.token()
    await pbx.close()


async def test_secrets_stay_out_of_repr_and_logs(
    sim: PbxSimulator, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        async with make_client() as pbx:
            token = await pbx.token()
            await pbx.list_extensions()
            assert sim.client_secret not in repr(pbx)
            assert token.access not in repr(token)
    assert "access_token=***" in caplog.text
    for secret in (token.access, token.refresh, sim.client_secret):
        assert secret not in caplog.text


async def test_user_agent_is_sent(sim: PbxSimulator, tls: TlsFiles) -> None:
    async with httpx.AsyncClient(verify=tls.client_context()) as http:
        body = {"username": sim.client_id, "password": sim.client_secret}
        bare = await http.post(
            f"{sim.base_url}/openapi/v1.0/get_token", json=body, headers={"User-Agent": ""}
        )
    assert bare.json()["errcode"] == 40002
    assert USER_AGENT.startswith("LinkusCompanion/")


async def test_extensions(client: PbxClient) -> None:
    extensions = await client.list_extensions()
    assert [e.number for e in extensions] == ["1001", "1002", "1003", "1004", "1005"]
    assert extensions[0].email == "alice@example.com"
    found = await client.search_extensions("Carol")
    assert [e.number for e in found] == ["1003"]


async def test_dial_query_and_hangup(client: PbxClient, sim: PbxSimulator) -> None:
    call_id = await client.dial("1001", "+15557654321")
    calls = await client.query_calls(call_id=call_id)
    assert [c.call_id for c in calls] == [call_id]
    channel = calls[0].members[0].channel_id
    assert channel.startswith("PJSIP/1001-")
    assert await client.hangup(channel) == call_id
    with pytest.raises(PbxNotFound):
        await client.hangup("PJSIP/9999-00000000")


async def test_company_contact_lifecycle(client: PbxClient) -> None:
    fields = ContactFields(
        "Marie",
        (ContactNumber("mobile_number", "+33612345678"),),
        last_name="Curie",
        company="Radium Institute",
        email="marie@radium.example",
    )
    contact_id = await client.create_company_contact(fields)
    found = await client.search_company_contacts("Radium")
    assert [c.id for c in found] == [contact_id]
    assert found[0].numbers == (ContactNumber("mobile_number", "+33612345678"),)
    more = dataclasses.replace(fields, numbers=(*fields.numbers, ContactNumber("business_number", "+331234")))
    await client.update_company_contact(contact_id, more)
    contact = await client.get_company_contact(contact_id)
    assert (contact.first_name, contact.last_name) == ("Marie", "Curie")
    assert len(contact.numbers) == 2
    assert contact_id in [c.id for c in await client.list_company_contacts()]
    await client.delete_company_contact(contact_id)
    with pytest.raises(PbxNotFound, match="may have been deleted"):
        await client.get_company_contact(contact_id)


async def test_phonebook_lifecycle(client: PbxClient) -> None:
    contact_id = await client.create_company_contact(
        ContactFields("Lise", (ContactNumber("business_number", "+4930123456"),), last_name="Meitner")
    )
    book_id = await client.create_phonebook("CRM contacts", (contact_id,))
    book = await client.get_phonebook(book_id)
    assert [c.id for c in book.contacts] == [contact_id]
    with pytest.raises(PbxInvalidRequest, match="phonebook first"):
        await client.delete_company_contact(contact_id)
    await client.update_phonebook(book_id, name="CRM (synced)", remove=(contact_id,))
    assert (await client.get_phonebook(book_id)).contacts == ()
    assert [b.id for b in await client.search_phonebooks("synced")] == [book_id]
    assert book_id in [b.id for b in await client.list_phonebooks()]
    await client.delete_phonebook(book_id)
    with pytest.raises(PbxNotFound, match="phonebook does not exist"):
        await client.get_phonebook(book_id)
    with pytest.raises(PbxInvalidRequest, match="name"):
        await client.create_phonebook("")


@pytest.mark.parametrize(
    "sim_options",
    [
        {"date_format": "MM/DD/YYYY", "time_format": "hh:mm:ss A", "tz": dt.timezone(dt.timedelta(hours=-7))},
        {"date_format": "DD/MM/YYYY", "tz": dt.timezone(dt.timedelta(hours=5, minutes=30))},
    ],
)
async def test_cdr_search_uses_the_pbx_display_format(client: PbxClient, sim: PbxSimulator) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    call_id = await sim.inbound("+15551234567", "1001", talk=0.05)
    records = await client.search_cdr(before, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2))
    assert [r.uid for r in records] == [call_id]
    assert records[0].started_at.tzinfo is not None
    assert await client.search_cdr(before - dt.timedelta(hours=2), before - dt.timedelta(hours=1)) == []


async def test_cdr_search_for_some_calls_keeps_only_their_rows(client: PbxClient, sim: PbxSimulator) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    wanted = await sim.inbound("+15551234567", "1001", talk=0.05)
    await sim.inbound("+15551234568", "1002", talk=0.05)
    after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    assert len(await client.search_cdr(before, after)) == 2
    assert [r.uid for r in await client.search_cdr(before, after, {wanted})] == [wanted]


async def test_recording_download_returns_the_audio(client: PbxClient, sim: PbxSimulator) -> None:
    call_id = await sim.inbound("+15551234567", "1002", talk=0.05)
    (row,) = [r for r in sim.cdr() if r["uid"] == call_id]
    audio = await client.download_recording(str(row["record_file"]))
    assert audio[:4] == b"RIFF"
    async with client.stream_recording(str(row["record_file"])) as chunks:
        streamed = b"".join([chunk async for chunk in chunks])
    assert streamed == audio
    with pytest.raises(PbxNotFound):
        await client.download_recording("missing.wav")


async def test_a_request_too_long_to_send_is_refused_not_raised_raw(client: PbxClient) -> None:
    """A recording named after a 10,000-character caller id: httpx cannot build the URL; that is the
    PBX client's typed refusal (retrying will not help), not an httpx exception out of the client."""
    with pytest.raises(PbxInvalidRequest):
        await client.recording_url("x" * 70_000 + ".wav")
