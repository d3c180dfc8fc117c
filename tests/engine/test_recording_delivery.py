"""Recordings play inside each CRM for a colleague with no desktop running: uploaded, or by capability link."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest
from crm_players import play

from linkus_companion import paths
from linkus_companion.config.settings import Settings
from linkus_companion.demo import demo_world
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.outbox import FAILURES, Job, JobKind, OutboxWorker, call_jobs
from linkus_companion.engine.recording_erasure import delete_uploaded, erase_recording
from linkus_companion.gateway.demo import gateway_world
from linkus_companion.runtime import CRM_SECRET
from linkus_companion.secrets import SecretStore
from linkus_companion.sim import scenario
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import Fault
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.sim.zoho import ZohoEmulator

KINDS = ("hubspot", "salesforce", "zoho")
CALLER = scenario.KNOWN[0][2]
COLLEAGUE = "1002"
"""Another agent: not the call's owner, no desktop of theirs is running."""


async def until(check: object, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def recording_file(pbx: PbxSimulator, call_id: str) -> str:
    return next(str(r["record_file"]) for r in pbx.cdr() if r["uid"] == call_id)


@pytest.mark.parametrize("kind", KINDS)
async def test_an_uploaded_recording_plays_for_a_colleague_after_the_pbx_deleted_it(
    kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with demo_world(kind, tmp_path, lambda _line: None) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        key = f"{call_id}:1001"
        original = await world.host.pbx.download_recording(recording_file(world.pbx, call_id))
        await until(lambda: any(j.key == f"{key}:upload" for j in _delivered(world.host)))
        assert world.pbx.cdr_store.delete_recording(call_id)
        email = world.pbx.directory.extensions[COLLEAGUE].email_addr
        await world.host.stop()  # no desktop runs while the colleague plays it
        played = await play(world.crm, key, email, None)
        assert played.audio == original and played.audio[:4] == b"RIFF"
        assert played.content_type == "audio/wav" and played.head == original[:100]
        logs = [log for log in world.crm.call_logs() if log.idempotency_key == key]
        assert len(logs) == 1 and "127.0.0.1:" not in logs[0].description
        assert not list((paths.data_dir() / "recording-spool").glob("*")), "the spool is emptied"
        assert all(b"RIFF" not in r.getMessage().encode() for r in caplog.records)


def _delivered(host: object) -> list[object]:
    from linkus_companion.engine.host import EngineHost

    assert isinstance(host, EngineHost)
    with host.store.transaction() as db:
        rows = db.execute(
            "SELECT idempotency_key FROM outbox WHERE kind = ? AND delivered_at IS NOT NULL",
            (JobKind.RECORDING.value,),
        ).fetchall()
    return [type("Row", (), {"key": row[0]}) for row in rows]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_capability_link_plays_for_a_colleague_without_a_cookie(kind: str, tmp_path: Path) -> None:
    async with gateway_world(kind, tmp_path, lambda _line: None) as world:
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        key = f"{call_id}:1001"
        original = await world.gateway.host.pbx.download_recording(recording_file(world.pbx, call_id))
        await until(lambda: any(c.idempotency_key == key and c.recording_url for c in world.crm.call_logs()))
        link = next(c.recording_url for c in world.crm.call_logs() if c.idempotency_key == key)
        assert link.startswith(world.url + "/recordings/") and call_id not in link
        email = world.pbx.directory.extensions[COLLEAGUE].email_addr
        played = await play(world.crm, key, email, world.tls.client_context())
        assert played.audio == original and played.content_type == "audio/wav"
        assert played.head == original[:100]
        assert world.gateway.host.recordings is not None
        assert world.gateway.host.recordings.revoke_call(call_id) == 1
        with pytest.raises(AssertionError):
            await play(world.crm, key, email, world.tls.client_context())


def _stored_files(crm: object) -> int:
    """How many files the CRM holds."""
    if isinstance(crm, HubSpotEmulator):
        return len(crm.files.files)
    if isinstance(crm, SalesforceEmulator):
        return len(crm.records("ContentVersion"))
    assert isinstance(crm, ZohoEmulator)
    return len(crm.api.attachments)


def _lose_next_upload_answer(crm: object) -> None:
    """The next upload reaches the CRM, but its answer is lost (a dropped connection)."""
    if isinstance(crm, HubSpotEmulator):
        crm.inject_fault(Fault(503, method="POST", path="/files/v3/files", after_processing=True))
    elif isinstance(crm, SalesforceEmulator):
        crm.fail_next(method="POST", after_processing=True)
    else:
        assert isinstance(crm, ZohoEmulator)
        crm.inject(503, "INTERNAL_ERROR", "Internal server error", after=True, method="POST")


@pytest.mark.parametrize("kind", KINDS)
async def test_a_crm_outage_during_the_upload_loses_nothing_and_doubles_nothing(
    kind: str, tmp_path: Path
) -> None:
    async with demo_world(kind, tmp_path, lambda _line: None) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        world.pbx.stall_downloads = True  # the upload waits on the PBX while the CRM goes down
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        key = f"{call_id}:1001"
        await until(lambda: any(c.idempotency_key == key for c in world.crm.call_logs()))
        world.crm.set_outage(True)
        world.pbx.stall_downloads = False
        await until(lambda: any(j.last_error for j in world.host.outbox.pending()))
        assert _stored_files(world.crm) == 0 and world.host.outbox.pending(), "kept for later"
        _lose_next_upload_answer(world.crm)
        world.crm.set_outage(False)
        await until(lambda: not world.host.outbox.pending(), 20)
        assert _stored_files(world.crm) == 1
        original = await world.host.pbx.download_recording(recording_file(world.pbx, call_id))
        email = world.pbx.directory.extensions[COLLEAGUE].email_addr
        assert (await play(world.crm, key, email, None)).audio == original


async def test_a_recording_over_the_crms_limit_is_refused_with_a_sentence_and_the_log_stays(
    tmp_path: Path,
) -> None:
    async with demo_world("zoho", tmp_path, lambda _line: None) as world:
        world.pbx.recording_bytes = 21 * 1024 * 1024  # Zoho takes attachments up to 20 MB
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        await until(lambda: any(j.parked for j in world.host.outbox.pending()))
        [parked] = world.host.outbox.pending()
        assert parked.key == f"{call_id}:1001:upload"
        assert "21.0 MB; Zoho CRM takes files up to 20 MB" in parked.last_error
        assert "Deliver recordings as links" in parked.last_error
        assert [c.idempotency_key for c in world.crm.call_logs()] == [f"{call_id}:1001"]
        assert _stored_files(world.crm) == 0


async def test_a_recording_that_cannot_be_fetched_is_parked_and_later_uploads_still_go(
    tmp_path: Path,
) -> None:
    """A caller id of 8,000 CJK characters names a recording no request can carry: that upload is parked
    with a sentence, and the recordings of the calls after it are uploaded (it held the lane up for good)."""
    async with demo_world("hubspot", tmp_path, lambda _line: None) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        hostile = await world.pbx.inbound("\u4f60" * 8000, "1001", talk=0.1)  # 72 kB once percent-encoded
        await until(lambda: any(j.parked for j in world.host.outbox.pending()))
        later = [await world.pbx.inbound(CALLER, extension, talk=0.1) for extension in ("1002", "1003")]
        await until(
            lambda: all(c in _uploads(world.host) and _uploads(world.host)[c].delivered for c in later), 10
        )
        [parked] = world.host.outbox.pending()
        assert parked.key == f"{hostile}:1001:upload" and "too long to send" in parked.last_error
        assert {c.idempotency_key.split(":")[0] for c in world.crm.call_logs()} == {hostile, *later}


async def test_an_upload_that_fails_unexpectedly_backs_off_alone_and_is_parked_after_a_few_tries(
    tmp_path: Path,
) -> None:
    """One upload whose spooled file cannot be written (a directory stands in its way) fails with no CRM or
    PBX answer to go by: the recordings of the calls after it are still uploaded, and it is parked."""
    async with demo_world("hubspot", tmp_path, lambda _line: None) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        world.crm.set_outage(True)  # no call log goes out: the poison upload waits, its file known
        poison = await world.pbx.inbound(CALLER, "1001", talk=0.1)
        await until(lambda: poison in _uploads(world.host))
        job = _uploads(world.host)[poison]
        spooled = world.host.spool._path(job.key, str(job.payload["file"]))
        spooled.with_suffix(spooled.suffix + ".part").mkdir(parents=True)
        world.crm.set_outage(False)
        later = [
            await world.pbx.inbound(CALLER, extension, talk=0.1) for extension in ("1002", "1003", "1004")
        ]
        await until(
            lambda: all(c in _uploads(world.host) and _uploads(world.host)[c].delivered for c in later)
        )
        await until(lambda: _uploads(world.host)[poison].parked, 20)
        parked = _uploads(world.host)[poison]
        assert (
            parked.attempts == FAILURES
            and "failed on this call log or recording 5 times" in parked.last_error
        )
        assert "Error" not in parked.last_error and "Error" not in world.host.outbox.status().problem
        assert _stored_files(world.crm) == len(later), "every later recording is in the CRM"


def _uploads(host: EngineHost) -> dict[str, Job]:
    """The recording upload job of each call that has one."""
    with host.store.transaction() as db:
        sql = "SELECT DISTINCT call_id FROM outbox WHERE kind = ?"
        calls = [row[0] for row in db.execute(sql, (JobKind.RECORDING.value,))]
        return {call_id: call_jobs(db, call_id, JobKind.RECORDING)[0] for call_id in calls}


async def test_call_logs_go_out_while_a_recording_download_hangs_and_the_upload_follows_once(
    tmp_path: Path,
) -> None:
    async with demo_world("hubspot", tmp_path, lambda _line: None) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        world.pbx.stall_downloads = True  # a PBX restarting: the download's headers came, its body does not
        first = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        await until(lambda: first in _uploads(world.host) and _uploads(world.host)[first].attempts > 0)
        later = [await world.pbx.inbound(CALLER, extension, talk=0.1) for extension in ("1002", "1003")]
        logged = lambda: {c.idempotency_key.split(":")[0] for c in world.crm.call_logs()}  # noqa: E731
        await until(lambda: set(later) <= logged(), 5)  # while the first upload still hangs
        assert not _uploads(world.host)[first].delivered and _stored_files(world.crm) == 0
        world.pbx.stall_downloads = False
        await until(
            lambda: (
                len(_uploads(world.host)) == 3 and all(j.delivered for j in _uploads(world.host).values())
            ),
            20,
        )
        await asyncio.sleep(0.5)
        assert _stored_files(world.crm) == 3, "each recording uploaded exactly once"
        assert sorted(c.idempotency_key.split(":")[0] for c in world.crm.call_logs()) == sorted(
            [first, *later]
        )


async def test_an_upload_cut_by_a_restart_mid_download_is_done_once_after_it(tmp_path: Path) -> None:
    async with demo_world("hubspot", tmp_path, lambda _line: None) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        world.pbx.stall_downloads = True
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        await until(lambda: call_id in _uploads(world.host) and _uploads(world.host)[call_id].attempts > 0)
        await world.host.stop()  # the app quits mid-download
        world.pbx.stall_downloads = False
        after_lease = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)  # the cut attempt's lease has run out
        restarted = OutboxWorker(
            world.host.store, world.host.connector, spool=world.host.spool, clock=lambda: after_lease
        )
        assert await restarted.drain() == 1
        assert await restarted.drain() == 0
        assert _stored_files(world.crm) == 1
        original = await world.host.pbx.download_recording(recording_file(world.pbx, call_id))
        email = world.pbx.directory.extensions[COLLEAGUE].email_addr
        assert (await play(world.crm, f"{call_id}:1001", email, None)).audio == original


@pytest.mark.parametrize("kind", KINDS)
async def test_a_recording_deleted_on_request_no_longer_plays_in_the_crm(kind: str, tmp_path: Path) -> None:
    """As on the PBX (the manuals: a recording deleted there no longer plays in the CRM), so for its upload."""
    async with demo_world(kind, tmp_path, lambda _line: None) as world:
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        key, email = f"{call_id}:1001", world.pbx.directory.extensions[COLLEAGUE].email_addr
        await until(lambda: call_id in _uploads(world.host) and _uploads(world.host)[call_id].delivered)
        assert (await play(world.crm, key, email, None)).audio[:4] == b"RIFF"
        erased = erase_recording(world.host.store, call_id)
        assert len(erased.uploaded) == 1
        assert await delete_uploaded(world.host.store, call_id, world.host.connector) == erased.uploaded
        assert _stored_files(world.crm) == 0
        with pytest.raises(AssertionError):
            await play(world.crm, key, email, None)
        assert await delete_uploaded(world.host.store, call_id, world.host.connector) == ()
        assert erase_recording(world.host.store, call_id).uploaded == ()
        assert [c.idempotency_key for c in world.crm.call_logs()] == [key], "the call log stays"


async def test_admin_delete_recording_deletes_the_upload_in_the_crm_with_the_profiles_sign_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from linkus_companion.cli import main

    async with demo_world("hubspot", tmp_path, lambda _line: None, settings=Settings.open()) as world:
        Settings.open().set_user("crm.client_id", world.crm.oauth_client_id)
        SecretStore().set(CRM_SECRET, world.crm.oauth_client_secret)
        await world.host.start()
        await asyncio.wait_for(world.host.connected(), 10)
        call_id = await world.pbx.inbound(CALLER, "1001", talk=0.2)
        await until(lambda: call_id in _uploads(world.host) and _uploads(world.host)[call_id].delivered)
        [file_id] = erase_recording(world.host.store, call_id).uploaded
        command = ["admin", "delete-recording", call_id, "--store", str(tmp_path / "demo.db")]
        assert await asyncio.to_thread(main, command) == 0
        assert f"deleted from the CRM: file {file_id}" in capsys.readouterr().out
        assert _stored_files(world.crm) == 0
        assert await asyncio.to_thread(main, command) == 0, "nothing left to delete"
