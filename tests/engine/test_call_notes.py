"""Notes and dispositions typed on a call reach its one CRM call log: in the first write or as an update."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from linkus_companion.crm import hubspot
from linkus_companion.crm.base import RecordingFile
from linkus_companion.engine.call_log import CallLogger
from linkus_companion.engine.outbox import OutboxWorker
from linkus_companion.model import CallNote, Disposition
from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.store import Store
from tests.engine.test_call_log import UTC_POLICY, inbound
from tests.engine.test_outbox import Crm, crm, needs_faults  # noqa: F401 - the per-CRM fixture

BUSY = {"hubspot": hubspot.PICKED[Disposition.BUSY], "salesforce": "Busy", "zoho": "Busy"}
"""How each CRM stores the disposition `Busy` the user picked."""
NOTE = CallNote("Wants a quote for 40 seats", Disposition.BUSY)


def end(site: Crm, call_id: str, logger: CallLogger | None = None, **notes: CallNote) -> None:
    """End an answered call of extension 101 (`_101=note`: what 101 typed before it ended)."""
    call = inbound(call_id, rang=("101",), talked=("101",))
    typed = {ext.lstrip("_"): note for ext, note in notes.items()}
    (logger or site.logger).call_ended(call, site.record, notes=typed)


def the_log(site: Crm, call_id: str) -> LoggedCall:
    """The call's one log in the CRM emulator's store (fails if there are none or several)."""
    (found,) = [log for log in site.harness.emulator.call_logs() if log.idempotency_key == f"{call_id}:101"]
    return found


async def test_a_note_typed_before_the_call_ended_goes_into_the_first_write(crm: Crm) -> None:  # noqa: F811
    end(crm, "3001", _101=NOTE)
    end(crm, "3002")
    assert await crm.worker().drain() == 2
    noted, plain = the_log(crm, "3001"), the_log(crm, "3002")
    assert noted.description.endswith("\n\nWants a quote for 40 seats")
    assert noted.outcome == BUSY[crm.kind]
    assert "Wants a quote" not in plain.description and not plain.description.endswith("\n")
    assert plain.outcome != BUSY[crm.kind]  # typing nothing keeps the outcome the PBX gave


async def test_a_note_typed_after_the_first_write_updates_the_same_log(crm: Crm) -> None:  # noqa: F811
    worker = crm.worker()
    end(crm, "3011")
    assert await worker.drain() == 1
    first_id = the_log(crm, "3011").id
    assert crm.logger.annotate("3011", "101", NOTE) == ["3011:101:note:1"]
    assert await worker.drain() == 1
    noted = the_log(crm, "3011")
    assert noted.id == first_id and "Wants a quote for 40 seats" in noted.description
    assert noted.outcome == BUSY[crm.kind]
    assert crm.logger.annotate("3011", "101", CallNote("Sent the quote")) == ["3011:101:note:2"]
    assert await worker.drain() == 1
    again = the_log(crm, "3011")
    assert (
        again.id == first_id and "Sent the quote" in again.description and "40 seats" not in again.description
    )
    assert crm.logger.annotate("no-such-call", "101", NOTE) is None


async def test_a_note_typed_before_the_log_was_sent_needs_no_update(crm: Crm) -> None:  # noqa: F811
    end(crm, "3021")
    assert crm.logger.annotate("3021", "101", NOTE) == []  # the waiting log carries it
    assert await crm.worker().drain() == 1
    assert "Wants a quote" in the_log(crm, "3021").description


async def test_a_note_placed_by_the_template_variable(crm: Crm) -> None:  # noqa: F811
    policy = dataclasses.replace(UTC_POLICY, description="Note: {{.Note}} | from {{.Call_From}}")
    logger = CallLogger(crm.store, policy, crm.owners, clock=crm.clock)
    end(crm, "3031", logger, _101=NOTE)
    assert await crm.worker().drain() == 1
    assert the_log(crm, "3031").description.startswith("Note: Wants a quote for 40 seats | from +1")


async def test_a_note_across_a_crm_outage_and_an_app_restart_lands_once(
    crm: Crm,  # noqa: F811
    tmp_path: Path,
) -> None:
    needs_faults(crm)
    crm.fail_next(503, count=2, retry_after=120)
    end(crm, "3041")
    assert await crm.worker().drain() == 0  # the first attempt met the outage
    assert crm.logger.annotate("3041", "101", NOTE) == ["3041:101:note:1"]
    crm.store.close()
    reopened = Store.open(tmp_path / "companion.db")  # the app restarts
    crm.clock.advance(121)
    restarted = OutboxWorker(reopened, crm.harness.connector, clock=crm.clock)
    assert await restarted.drain() == 2
    assert await restarted.drain() == 0
    assert "Wants a quote for 40 seats" in the_log(crm, "3041").description
    assert the_log(crm, "3041").outcome == BUSY[crm.kind]
    reopened.close()
    crm.store = Store.open(tmp_path / "companion.db")  # for the fixture's teardown


async def test_a_note_typed_on_a_live_call_survives_an_app_restart_before_the_call_ends(
    crm: Crm,  # noqa: F811
    tmp_path: Path,
) -> None:
    crm.logger.keep_note("3045", "101", NOTE)  # typed while the call is live (Engine.save_note)
    crm.store.close()
    crm.store = Store.open(tmp_path / "companion.db")  # the app restarts; the call ends after it
    restarted = CallLogger(crm.store, UTC_POLICY, crm.owners, clock=crm.clock)
    end(crm, "3045", restarted)  # the restarted engine has no note in memory
    assert await OutboxWorker(crm.store, crm.harness.connector, clock=crm.clock).drain() == 1
    assert "Wants a quote for 40 seats" in the_log(crm, "3045").description
    assert the_log(crm, "3045").outcome == BUSY[crm.kind]
    end(crm, "3046", restarted)  # the kept note went into that one log only
    assert await OutboxWorker(crm.store, crm.harness.connector, clock=crm.clock).drain() == 1
    assert "Wants a quote" not in the_log(crm, "3046").description


async def test_a_note_edited_in_the_call_history_keeps_the_outcome_picked_on_the_card(
    crm: Crm,  # noqa: F811
) -> None:
    worker = crm.worker()
    end(crm, "3051", _101=NOTE)
    assert await worker.drain() == 1
    history_note = CallNote("Sent the quote", keep_disposition=True)  # the history window has no outcome
    assert crm.logger.annotate("3051", "101", history_note) == ["3051:101:note:1"]
    assert await worker.drain() == 1
    edited = the_log(crm, "3051")
    assert "Sent the quote" in edited.description and edited.outcome == BUSY[crm.kind]


@pytest.mark.parametrize("note_first", [True, False], ids=["note-then-upload", "upload-then-note"])
async def test_a_note_update_and_a_recording_upload_of_one_call_both_stay(
    crm: Crm,  # noqa: F811
    tmp_path: Path,
    note_first: bool,
) -> None:
    """The two lanes write the same CRM call: neither write takes back what the other stored."""
    worker = crm.worker()
    end(crm, "3061")
    assert await worker.drain() == 1
    wav = tmp_path / "3061-101.wav"
    wav.write_bytes(b"RIFF" + bytes(2000))
    recording = RecordingFile(wav, wav.name, wav.stat().st_size, "audio/wav")
    crm_id = the_log(crm, "3061").id

    async def upload() -> None:
        await crm.harness.connector.attach_recording(crm_id, recording)

    async def note() -> None:
        assert crm.logger.annotate("3061", "101", NOTE) == ["3061:101:note:1"]
        assert await worker.drain() == 1

    for write in (note, upload) if note_first else (upload, note):
        await write()
    stored = the_log(crm, "3061")
    assert "Wants a quote for 40 seats" in stored.description and stored.outcome == BUSY[crm.kind]
    assert stored.recording_url, "the uploaded recording is still on the call"
