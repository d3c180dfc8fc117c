"""The engine over a live PBX simulator and HubSpot emulator: pops, creation, and what reaches the call log."""

from __future__ import annotations

import asyncio

import pytest
from engine_rig import running_engine

from linkus_companion.engine.core import AUTO_NAME, CreatePolicy, EngineError
from linkus_companion.engine.lookup import LookupPolicy, MultipleRule
from linkus_companion.engine.screen_pop import PopMode, PopPolicy, PopRequest, Trigger
from linkus_companion.model import CallNote, NewRecord, RecordKind
from linkus_companion.pbx.calls import Call

CALLER = "+14155550132"


@pytest.mark.parametrize("trigger", list(Trigger))
async def test_a_known_caller_pops_once_at_the_chosen_moment(trigger: Trigger) -> None:
    async with running_engine(pop=PopPolicy(trigger=trigger), extensions=("1001",)) as rig:
        contact = rig.crm.seed_record(
            "contacts", {"firstname": "Ada", "lastname": "L", "phone": "(415) 555-0132"}
        )
        call_id = await rig.sim.inbound(CALLER, "1001", talk=0.05)
        await rig.settle()
        assert [(p.call_id, p.extension, p.trigger) for p in rig.recorder.pops] == [
            (call_id, "1001", trigger.value)
        ]
        assert rig.recorder.pops[0].url.endswith(f"/{contact}")
        assert rig.recorder.pops[0].latency_ms >= 0


@pytest.mark.parametrize("trigger", list(Trigger))
async def test_a_looked_up_caller_pops_before_the_update_reaches_the_listeners(trigger: Trigger) -> None:
    """The lookup is in (a repeat caller; at answered/ended the one started at ringing): the pop is opened
    while the update is handled, before the journal and the UI (which write to disk and redraw) hear."""
    async with running_engine(pop=PopPolicy(trigger=trigger), extensions=("1001",)) as rig:
        rig.crm.seed_record("contacts", {"firstname": "Ada", "lastname": "L", "phone": CALLER})
        heard: list[tuple[str, ...]] = []
        open_pop = rig.recorder.open

        class Listener:
            def on_call(self, call: Call, resolution: object, chosen: object) -> None:
                heard.append(("update", call.phase.value))

            def on_pop(self, request: PopRequest) -> None:
                pass

        def opened(request: PopRequest) -> None:
            heard.append(("pop", request.trigger))
            open_pop(request)

        rig.recorder.open = opened  # type: ignore[method-assign]
        rig.engine.add_listener(Listener())
        assert (await rig.engine.lookup.find(CALLER)).known  # in before the ring, however slow the machine
        await rig.sim.inbound(CALLER, "1001", talk=0.05)
        await rig.settle()
        popped = heard.index(("pop", trigger.value))
        phase = {Trigger.RINGING: "ringing", Trigger.ANSWERED: "talking", Trigger.ENDED: "ended"}[trigger]
        assert ("update", phase) not in heard[:popped], heard
        assert heard[popped + 1] == ("update", phase), heard


async def test_unknown_callers_and_outbound_calls_do_not_pop() -> None:
    async with running_engine(extensions=("1001",)) as rig:
        rig.crm.seed_record("contacts", {"firstname": "Ada", "lastname": "L", "phone": CALLER})
        await rig.sim.inbound("+14155550199", "1001", talk=0.05)
        await rig.sim.outbound("1001", CALLER)
        await rig.settle()
        assert rig.recorder.pops == []
        assert len(rig.recorder.logged) == 2


async def test_manual_mode_pops_only_on_request() -> None:
    async with running_engine(pop=PopPolicy(mode=PopMode.MANUAL), extensions=("1001",)) as rig:
        rig.crm.seed_record("contacts", {"firstname": "Ada", "lastname": "L", "phone": CALLER})
        call_id = await rig.sim.inbound(CALLER, "1001", talk=0.05)
        await rig.settle()
        assert rig.recorder.pops == []
        url = await rig.engine.open_in_crm(call_id, "1001")
        assert [p.url for p in rig.recorder.pops] == [url]
        assert rig.recorder.pops[0].trigger == "manual"


async def test_a_transfer_does_not_pop_the_same_extension_twice() -> None:
    async with running_engine(pop=PopPolicy(trigger=Trigger.ANSWERED)) as rig:
        rig.crm.seed_record("contacts", {"firstname": "Ada", "lastname": "L", "phone": CALLER})
        await rig.sim.attended_transfer(CALLER, "1001", "1002")
        await rig.settle()
        extensions = [p.extension for p in rig.recorder.pops]
        assert sorted(extensions) == sorted(set(extensions))
        assert "1001" in extensions


async def test_a_queue_call_from_an_unknown_number_creates_one_record() -> None:
    policy = CreatePolicy(auto=True)
    async with running_engine(create=policy) as rig:
        call_id = await rig.sim.inbound_queue("+14155550177", "6400", answered_by="1002")
        await rig.settle()
        logged = [record for call, record in rig.recorder.logged if call.call_id == call_id]
        assert len(logged) == 1 and logged[0] is not None
        assert logged[0].display_name == f"{AUTO_NAME} +14155550177"
        ringing_pops = {p.extension for p in rig.recorder.pops}
        assert ringing_pops == {"1001", "1002", "1003"}
        assert len({p.url for p in rig.recorder.pops}) == 1
        creates = [x for x in rig.crm.traffic if x.method == "POST" and x.path.endswith("/contacts")]
        assert len(creates) == 1


async def test_an_unknown_caller_is_created_after_one_search_and_once_when_on_two_lines() -> None:
    policy = CreatePolicy(auto=True)
    async with running_engine(create=policy, extensions=("1001", "1002")) as rig:
        await rig.sim.inbound("+14155550178", "1001", talk=0.05)
        await rig.settle()
        searches = [x for x in rig.crm.traffic if x.path.endswith("/search")]
        assert [x.path.rsplit("/", 2)[-2] for x in searches] == ["contacts", "companies"]  # then created
        await asyncio.gather(
            rig.sim.inbound("+14155550179", "1001", talk=0.05),
            rig.sim.inbound("+14155550179", "1002", talk=0.05),
        )
        await rig.settle()
        creates = [x for x in rig.crm.traffic if x.method == "POST" and x.path.endswith("/contacts")]
        assert len(creates) == 2, "one record per unknown number"


async def test_several_matches_wait_for_the_users_choice() -> None:
    async with running_engine(lookup=LookupPolicy(multiple=MultipleRule.ASK), extensions=("1001",)) as rig:
        rig.crm.seed_record("contacts", {"firstname": "Charles", "lastname": "B", "phone": CALLER})
        person = rig.crm.seed_record("contacts", {"firstname": "Ada", "lastname": "L", "phone": CALLER})
        call_id = await rig.sim.inbound(CALLER, "1001", talk=0.05)
        await rig.settle()
        assert rig.recorder.pops == []
        with pytest.raises(EngineError, match="pick one"):
            await rig.engine.open_in_crm(call_id, "1001")
        record = await rig.engine.choose_record(call_id, person)
        assert [p.url for p in rig.recorder.pops] == [record.url]


async def test_a_record_created_from_the_dialog_is_linked_to_the_call() -> None:
    async with running_engine(extensions=("1001",)) as rig:
        call = asyncio.create_task(rig.sim.inbound("+14155550155", "1001", talk=0.5))
        call_id = await rig.recorder.first_call()
        record = await rig.engine.create_record(
            call_id,
            NewRecord(kind=RecordKind.CONTACT, phone="+14155550155", first_name="Grace", last_name="Hopper"),
        )
        assert await call == call_id
        await rig.settle()
        assert record.display_name == "Grace Hopper"
        [(_, logged)] = rig.recorder.logged
        assert logged is not None and logged.id == record.id
        match = await rig.engine.lookup.find("+14155550155")
        assert match.chosen is not None and match.chosen.id == record.id


async def test_a_long_call_keeps_its_note_while_more_calls_than_remembered_come_and_go() -> None:
    """The engine forgets the oldest ended calls only: what the user typed on a call in progress stays."""
    async with running_engine(extensions=("1001",), keep_calls=2) as rig:
        long_call = asyncio.create_task(rig.sim.inbound(CALLER, "1001", talk=1.5))
        call_id = await rig.recorder.first_call()
        note = CallNote("Call back with the quote")
        rig.engine.save_note(call_id, "1001", note)
        short = [await rig.sim.inbound(f"+1415555020{n}", "1001", talk=0.02) for n in range(4)]
        assert not long_call.done(), "the short calls ended while the long one went on"
        assert await long_call == call_id
        await rig.settle()
        assert sorted(call.call_id for call, _record in rig.recorder.logged) == sorted([*short, call_id])
        assert rig.recorder.notes[call_id] == {"1001": note}
        assert rig.engine.resolution(short[0]) is None, "the oldest ended calls were forgotten"
