"""Call-log rules end to end: ended calls -> outbox -> the HubSpot emulator, one log per call and extension."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from linkus_companion.config.settings import Settings
from linkus_companion.crm.base import CrmUser
from linkus_companion.engine.binding import bind
from linkus_companion.engine.call_log import CallLogger, LogPolicy
from linkus_companion.engine.outbox import OutboxWorker
from linkus_companion.model import Direction, Outcome, Record
from linkus_companion.pbx.calls import Call, CallTracker, Party, Phase
from linkus_companion.pbx.models import CdrEvent, CdrRecord
from linkus_companion.pbx.resources import Extension
from linkus_companion.phone import parse
from linkus_companion.store import Store
from tests.crm.harness_hubspot import HubSpotHarness, make_harness

CUSTOMER = "+14155550177"
STARTED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
UTC_POLICY = LogPolicy(timezone=dt.UTC)


class Clock:
    """A settable UTC clock, so backoff waits take no real time."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def recording_link(call: Call) -> str:
    """Our own playback URL, as the recording-link server hands them out."""
    return f"https://companion.example/recordings/{call.call_id}/{call.recording}" if call.recording else ""


def bound_owners(users: list[CrmUser]) -> Callable[[str], CrmUser | None]:
    """Extensions 101-103 bound to the CRM's first three users by hand; 104 has no CRM user."""
    extensions = [
        Extension(id=int(n), number=n, name=f"Ext {n}", email="") for n in ("101", "102", "103", "104")
    ]
    report = bind(extensions, users, {"101": users[0].id, "102": users[1].id, "103": users[2].id})
    return report.owner_of


def inbound(call_id: str, *, rang: tuple[str, ...], talked: tuple[str, ...] = (), **changes: Any) -> Call:
    """An ended inbound call from the customer; answered when some extension talked."""
    call = Call(
        call_id=call_id,
        direction=Direction.INBOUND,
        phase=Phase.ENDED,
        caller=Party(CUSTOMER),
        callee=Party(changes.get("path") or rang[0]),
        extensions=tuple(dict.fromkeys((*rang, *talked))),
        rang=frozenset(rang),
        talked=talked,
        answered_by=talked[0] if talked else "",
        started_at=STARTED,
        talk_seconds=65 if talked else 0,
        ring_seconds=8,
        outcome=Outcome.ANSWERED if talked else Outcome.NO_ANSWER,
    )
    return dataclasses.replace(call, **changes)


def outbound(call_id: str, extension: str, *, answered: bool) -> Call:
    """An ended outbound call from `extension` to the customer."""
    return Call(
        call_id=call_id,
        direction=Direction.OUTBOUND,
        phase=Phase.ENDED,
        caller=Party(extension),
        callee=Party(CUSTOMER),
        extensions=(extension,),
        rang=frozenset(),
        talked=(extension,) if answered else (),
        answered_by=extension if answered else "",
        started_at=STARTED,
        talk_seconds=65 if answered else 0,
        ring_seconds=8,
        outcome=Outcome.ANSWERED if answered else Outcome.NO_ANSWER,
    )


class Site:
    """One PBX site's call logging: a store, the bound owners, a worker on the HubSpot emulator."""

    def __init__(self, harness: HubSpotHarness, store: Store, users: list[CrmUser], record: Record) -> None:
        self.harness = harness
        self.store = store
        self.users = users
        self.record = record
        self.owners = bound_owners(users)
        self.clock = Clock()
        self.worker = OutboxWorker(store, harness.connector, clock=self.clock)
        self.logger = self.logger_with(UTC_POLICY)

    def logger_with(self, policy: LogPolicy) -> CallLogger:
        return CallLogger(
            self.store,
            policy,
            self.owners,
            extension_names={"101": "Avery Front Desk"},
            recording_link=recording_link,
            clock=self.clock,
        )

    def owner_of(self, extension: str) -> str:
        owner = self.owners(extension)
        assert owner is not None
        return owner.id

    async def logs(self) -> list[dict[str, Any]]:
        """Deliver what is due, then the call logs the CRM holds."""
        await self.worker.drain()
        return self.harness.call_logs()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with make_harness(tmp_path) as harness:
        contact_id = await harness.seed_contact(CUSTOMER, "Carla", "Customer")
        record = next(
            r for r in await harness.connector.search_by_phone(parse(CUSTOMER)) if r.id == contact_id
        )
        store = Store.open(tmp_path / "companion.db")
        users = sorted(await harness.connector.list_users(), key=lambda u: u.id)
        yield Site(harness, store, users, record)
        store.close()


async def test_an_answered_inbound_call_is_logged_for_the_bound_owner_on_the_contact(site: Site) -> None:
    call = inbound("1001", rang=("101",), talked=("101",), recording="2026/1001.wav")
    assert site.logger.call_ended(call, site.record) == ["1001:101"]
    [entry] = await site.logs()
    assert entry["owner_id"] == site.owner_of("101")
    assert entry["record_id"] == site.record.id
    assert entry["idempotency_key"] == "1001:101"
    assert entry["subject"] == "Extension Call"
    assert entry["description"] == f"Call: 2026-03-02 09:30:00 Answered from {CUSTOMER} to 101 00:01:05"
    assert entry["recording_url"] == "https://companion.example/recordings/1001/2026/1001.wav"


@pytest.mark.parametrize(
    ("call", "status", "route"),
    [
        (outbound("1002", "102", answered=True), "Answered", f"from 102 to {CUSTOMER} 00:01:05"),
        (outbound("1002", "102", answered=False), "No Answer", f"from 102 to {CUSTOMER} 00:00:00"),
        (inbound("1002", rang=("102",)), "Missed", f"from {CUSTOMER} to 102 00:00:00"),
    ],
    ids=["outbound", "outbound-unanswered", "missed"],
)
async def test_outbound_and_missed_calls_are_logged_with_their_status(
    site: Site, call: Call, status: str, route: str
) -> None:
    assert site.logger.call_ended(call, site.record) == ["1002:102"]
    [entry] = await site.logs()
    assert entry["description"] == f"Call: 2026-03-02 09:30:00 {status} {route}"
    assert entry["owner_id"] == site.owner_of("102")
    assert entry["recording_url"] == ""


async def test_internal_calls_are_not_logged(site: Site) -> None:
    call = dataclasses.replace(
        outbound("1003", "101", answered=True), direction=Direction.INTERNAL, callee=Party("102")
    )
    call = dataclasses.replace(call, extensions=("101", "102"), talked=("101", "102"))
    assert site.logger.call_ended(call, None) == []
    assert await site.logs() == []
    assert site.logger.states("1003") == {
        "101": "internal calls are not logged",
        "102": "internal calls are not logged",
    }


async def test_an_unbound_extension_gets_no_log_and_the_reason_is_kept(site: Site) -> None:
    assert site.logger.call_ended(inbound("1004", rang=("104",), talked=("104",)), site.record) == []
    assert await site.logs() == []
    assert site.logger.states("1004") == {"104": "extension 104 is not bound to a CRM user"}


async def test_queue_call_is_logged_only_for_the_agent_who_answered(site: Site) -> None:
    call = inbound("1005", rang=("101", "102", "103"), talked=("102",), path="6400")
    assert site.logger.call_ended(call, site.record) == ["1005:102"]
    [entry] = await site.logs()
    assert entry["owner_id"] == site.owner_of("102")
    assert "Answered" in entry["description"]
    assert site.logger.states("1005")["101"] == "did not answer (queue/ring-group rule)"


async def test_missed_queue_call_gives_one_missed_log_to_the_first_bound_agent_that_rang(site: Site) -> None:
    call = inbound("1006", rang=("104", "103", "101"), path="6400")
    assert site.logger.call_ended(call, site.record) == ["1006:103"]
    [entry] = await site.logs()
    assert entry["owner_id"] == site.owner_of("103")
    assert "Missed" in entry["description"]
    assert site.logger.states("1006") == {
        "104": "missed queue/ring-group call: logged once, for extension 103",
        "103": "logged",
        "101": "missed queue/ring-group call: logged once, for extension 103",
    }


@pytest.mark.parametrize("talked", [("102",), ()], ids=["answered", "missed"])
async def test_with_the_queue_rule_off_every_rung_agent_gets_a_log(
    site: Site, talked: tuple[str, ...]
) -> None:
    logger = site.logger_with(dataclasses.replace(UTC_POLICY, skip_unanswered_agents=False))
    call = inbound("1007", rang=("101", "102", "103"), talked=talked, path="6400")
    assert logger.call_ended(call, site.record) == ["1007:101", "1007:102", "1007:103"]
    statuses = {e["idempotency_key"]: e["description"].split()[3] for e in await site.logs()}
    answered = "Answered" if talked else "Missed"
    assert statuses == {"1007:101": "Missed", "1007:102": answered, "1007:103": "Missed"}


async def test_a_transfer_gives_each_extension_that_talked_its_own_log(site: Site) -> None:
    call = inbound("1008", rang=("101", "103"), talked=("101", "103"), transferred=True)
    assert site.logger.call_ended(call, site.record) == ["1008:101", "1008:103"]
    owners = {e["idempotency_key"]: e["owner_id"] for e in await site.logs()}
    assert owners == {"1008:101": site.owner_of("101"), "1008:103": site.owner_of("103")}


async def test_a_call_seen_live_and_again_in_the_cdr_backfill_is_logged_once(site: Site) -> None:
    live = inbound("1009", rang=("101",), talked=("101",))
    row = CdrRecord(
        uid="1009",
        direction=Direction.INBOUND,
        outcome=Outcome.ANSWERED,
        started_at=STARTED,
        call_from=CUSTOMER,
        call_to="101",
        duration=73,
        talk_seconds=65,
        ring_seconds=8,
    )
    assert site.logger.call_ended(live, site.record) == ["1009:101"]
    await site.logs()
    backfill = CallTracker()  # the PBX link after a gap: CDR rows recovered with cdr/search
    [again] = backfill.feed(CdrEvent("sn-1", row, STARTED, recovered=True))
    assert again.call.recovered
    assert site.logger.call_ended(again.call, site.record) == []
    [missed_live] = backfill.feed(
        CdrEvent("sn-2", dataclasses.replace(row, uid="1010"), STARTED, recovered=True)
    )
    assert site.logger.call_ended(missed_live.call, site.record) == ["1010:101"]
    keys = [e["idempotency_key"] for e in await site.logs()]
    assert keys == ["1009:101", "1010:101"]


async def test_a_late_recording_is_patched_into_the_logged_call(site: Site) -> None:
    logger = site.logger_with(dataclasses.replace(UTC_POLICY, skip_unanswered_agents=False))
    call = inbound("1011", rang=("101", "102"), talked=("102",), path="6400")
    logger.call_ended(call, site.record)
    assert [e["recording_url"] for e in await site.logs()] == ["", ""]
    assert logger.recording_ready("1011", "2026/1011.wav") == ["1011:102:recording"]
    assert logger.recording_ready("1011", "2026/1011.wav") == []
    logs = {e["idempotency_key"]: e for e in await site.logs()}
    assert len(logs) == 2
    assert logs["1011:102"]["recording_url"] == "https://companion.example/recordings/1011/2026/1011.wav"
    assert logs["1011:101"]["recording_url"] == ""
    assert "Answered" in logs["1011:102"]["description"]


async def test_a_recording_ready_before_delivery_is_patched_in_after_the_create(site: Site) -> None:
    logger = site.logger_with(
        dataclasses.replace(UTC_POLICY, description="{{.Call_Log_Status}} {{.Recording_Url}}")
    )
    logger.call_ended(inbound("1012", rang=("101",), talked=("101",)), site.record)
    assert logger.recording_ready("1012", "1012.wav") == ["1012:101:recording"]
    [entry] = await site.logs()
    link = "https://companion.example/recordings/1012/1012.wav"
    assert (entry["recording_url"], entry["description"]) == (link, f"Answered {link}")
    assert site.worker.pending() == []


async def test_templates_fill_variables_written_either_way_in_the_chosen_time_zone(site: Site) -> None:
    policy = LogPolicy(
        subject="{{Call_Type}} call {{.Call_Log_Status}}",
        description="{{.Time}} {{Extension_Name}} ({{.Extension}}) with {{Contact_Name}}: {{.Talk_Duration_Sec}} s",
        timezone=ZoneInfo("Asia/Shanghai"),
    )
    site.logger_with(policy).call_ended(inbound("1013", rang=("101",), talked=("101",)), site.record)
    [entry] = await site.logs()
    assert entry["subject"] == "Inbound call Answered"
    assert entry["description"] == "2026-03-02 17:30:00 Avery Front Desk (101) with Carla Customer: 65 s"


async def test_nothing_is_logged_while_call_logging_is_off(site: Site) -> None:
    logger = site.logger_with(dataclasses.replace(UTC_POLICY, enabled=False))
    assert logger.call_ended(inbound("1014", rang=("101",), talked=("101",)), site.record) == []
    assert await site.logs() == []
    assert logger.states("1014") == {"101": "call logging is off"}


async def test_a_failure_while_queuing_leaves_the_call_open_to_be_logged_later(site: Site) -> None:
    def broken_link(call: Call) -> str:
        raise RuntimeError("recording server not ready")

    broken = CallLogger(site.store, UTC_POLICY, site.owners, recording_link=broken_link, clock=site.clock)
    call = inbound("1015", rang=("101", "103"), talked=("101", "103"), recording="1015.wav")
    with pytest.raises(RuntimeError):
        broken.call_ended(call, site.record)
    assert site.worker.pending() == [] and broken.states("1015") == {}
    assert site.logger.call_ended(call, site.record) == ["1015:101", "1015:103"]
    assert len(await site.logs()) == 2


def test_the_policy_follows_the_calllog_settings() -> None:
    settings = Settings.open()
    assert LogPolicy.from_settings(settings) == LogPolicy()
    settings.set_user("calllog.skip_unanswered_agents", False)
    assert LogPolicy.from_settings(settings, dt.UTC) == LogPolicy(
        skip_unanswered_agents=False, timezone=dt.UTC
    )
