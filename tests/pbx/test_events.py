"""EventStream against the simulator: subscribe, heartbeat, reconnects, token expiry, backfill, bad frames."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pbx_testkit import WAIT, Collector
from signal_rig import STOP_WITHIN, launched

from linkus_companion.model import Outcome
from linkus_companion.pbx import events
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.clock import PbxClock
from linkus_companion.pbx.errors import PbxAuthFailed
from linkus_companion.pbx.events import StreamState
from linkus_companion.pbx.frames import MAX_FRAME, ApiReply, FrameError, HeartbeatReply, decode
from linkus_companion.pbx.models import CallEvent, CdrEvent, CdrRecord, EventType, ExtensionEvent, SystemEvent
from linkus_companion.sim import pbx_scenarios as scenarios
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.sim.pbx_calls import Call
from linkus_companion.tls import TlsFiles

CALL_FRAME = (
    '{"type":30011,"sn":"3631A2124XXX","msg":"{\\"call_id\\":\\"1651057476.362\\",\\"members\\":'
    '[{\\"extension\\":{\\"number\\":\\"2005\\",\\"channel_id\\":\\"PJSIP/2005-00000031\\",'
    '\\"member_status\\":\\"ALERT\\",\\"call_path\\":\\"\\"}},{\\"extension\\":{\\"number\\":\\"2002\\",'
    '\\"channel_id\\":\\"PJSIP/2002-00000032\\",\\"member_status\\":\\"RING\\",\\"call_path\\":\\"\\"}}]}"}'
)
CDR_FRAME = (
    '{"type":30012,"sn":"3631A2124XXX","msg":"{\\"call_id\\":\\"1651057476.362\\",\\"time_start\\":'
    '\\"2022-04-27 19:04:36\\",\\"call_from\\":\\"2005\\",\\"call_to\\":\\"2002\\",\\"call_duration\\":24,'
    '\\"talk_duration\\":21,\\"src_trunk_name\\":\\" \\",\\"dst_trunk_name\\":\\" \\",\\"pin_code\\":\\" \\",'
    '\\"status\\":\\"ANSWERED\\",\\"type\\":\\"Internal\\",\\"recording\\":'
    '\\"20220427190445-1651057476.362-2005-2002-Internal.wav\\",'
    '\\"did_number\\":\\" \\",\\"agent_ring_time\\":0}"}'
)
SYSTEM_FRAME = json.dumps(
    {
        "type": 30035,
        "sn": "3631A2124XXX",
        "msg": {
            "event_name": "API Authentication Blocked Out",
            "event_type": "security",
            "event_level": "warn",
            "event_content": "IP blocked",
            "create_time": "2025/08/22 16:44:40",
        },
    }
)
CLOCK = PbxClock()


# --- frame decoding (pure) ----------------------------------------------------------------------


def test_documented_frames_decode_to_typed_events() -> None:
    call = decode(CALL_FRAME, CLOCK)
    assert isinstance(call, CallEvent)
    assert [(m.number, m.status.value) for m in call.members] == [("2005", "ALERT"), ("2002", "RING")]
    cdr = decode(CDR_FRAME, CLOCK)
    assert isinstance(cdr, CdrEvent)
    assert cdr.record.uid == "1651057476.362"
    assert (cdr.record.talk_seconds, cdr.record.ring_seconds) == (21, 3)
    assert cdr.record.did == ""
    system = decode(SYSTEM_FRAME, CLOCK)
    assert isinstance(system, SystemEvent) and system.level == "warn"
    assert decode("heartbeat response", CLOCK) == HeartbeatReply()
    assert decode('{"errcode":10004,"errmsg":"TOKEN EXPIRED"}', CLOCK) == ApiReply(10004, "TOKEN EXPIRED")


def test_msg_is_accepted_as_string_or_object() -> None:
    body = {"extension": "1001", "status": "Ringing"}
    as_string = decode(json.dumps({"type": 30008, "sn": "x", "msg": json.dumps(body)}), CLOCK)
    as_object = decode(json.dumps({"type": 30008, "sn": "x", "msg": body}), CLOCK)
    assert isinstance(as_string, ExtensionEvent) and isinstance(as_object, ExtensionEvent)
    assert (
        (as_string.extension, as_string.status)
        == (as_object.extension, as_object.status)
        == ("1001", "Ringing")
    )


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (CALL_FRAME[:-20], "not JSON"),
        ('{"type":30029,"sn":"x","msg":{"queue_number":"queue-6402"}}', "unknown event type"),
        ('{"type":"30011","msg":"{}"}', "integer type"),
        ('{"type":30011,"msg":"{\\"call_id\\":\\"1\\"}"}', "members"),
        (
            '{"type":30011,"msg":"{\\"call_id\\":\\"1\\",\\"members\\":[{\\"extension\\":{\\"member_status\\":\\"DANCING\\"}}]}"}',
            "status",
        ),
        (
            '{"type":30012,"msg":{"call_id":"1","status":"ANSWERED","type":"Inbound","time_start":"yesterday"}}',
            "time",
        ),
        ("[1,2,3]", "object"),
        (b"\xff\xfe", "UTF-8"),
        ("x" * (MAX_FRAME + 1), "oversized"),
    ],
)
def test_bad_frames_are_refused_with_a_reason(frame: str | bytes, reason: str) -> None:
    with pytest.raises(FrameError, match=reason):
        decode(frame, CLOCK)


def _check(frame: str | bytes) -> None:
    try:
        decode(frame, CLOCK)
    except FrameError:
        pass


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_random_frames_never_raise_anything_but_frame_error(frame: str | bytes) -> None:
    _check(frame)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from([CALL_FRAME, CDR_FRAME, SYSTEM_FRAME]), st.data())
def test_truncated_and_mutated_frames_are_skipped_safely(frame: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(frame)))
    _check(frame[:cut])
    position = data.draw(st.integers(0, len(frame) - 1))
    noise = data.draw(st.text(max_size=5))
    _check(frame[:position] + noise + frame[position + 1 :])


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = (
    scalars | st.lists(scalars, max_size=3) | st.dictionaries(st.text(max_size=8), scalars, max_size=3)
)


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from([int(t) for t in EventType] + [30029, 1, -5]),
    st.dictionaries(
        st.sampled_from(["call_id", "members", "status", "type", "time_start", "extension", "uid", "reason"]),
        json_values,
    ),
    st.booleans(),
)
def test_well_formed_envelopes_with_hostile_payloads_never_crash(
    kind: int, msg: dict[str, object], as_string: bool
) -> None:
    _check(json.dumps({"type": kind, "sn": "x", "msg": json.dumps(msg) if as_string else msg}))


# --- the stream against the simulator -----------------------------------------------------------


async def test_events_of_a_call_arrive_typed(collector: Collector, sim: PbxSimulator) -> None:
    call_id = await sim.inbound("+15551234567", "1001", talk=0.05)
    cdr = await collector.call_ended(call_id)
    assert not cdr.recovered
    states = [e for e in collector.events if isinstance(e, CallEvent) and e.call_id == call_id]
    assert states and states[0].members[0].from_number == "+15551234567"
    assert collector.stream.status.state is StreamState.CONNECTED


@pytest.mark.parametrize("sim_options", [{"idle_timeout": 0.5}])
@pytest.mark.parametrize("stream_options", [{"heartbeat_interval": 0.1, "heartbeat_timeout": 0.3}])
async def test_heartbeats_keep_the_connection_past_the_idle_limit(
    collector: Collector, sim: PbxSimulator
) -> None:
    await asyncio.sleep(1.5)
    call_id = await sim.inbound("+15551234567", "1002", talk=0.05)
    await collector.call_ended(call_id)
    assert collector.count(StreamState.RECONNECTING) == 0
    assert collector.count(StreamState.CONNECTED) == 1


@pytest.mark.parametrize("stream_options", [{"heartbeat_interval": 0.1, "heartbeat_timeout": 0.2}])
async def test_unanswered_heartbeat_means_a_dead_connection(collector: Collector, sim: PbxSimulator) -> None:
    sim.stall_heartbeats = True
    await collector.wait_for(lambda: collector.count(StreamState.RECONNECTING) >= 1)
    assert "heartbeat" in collector.statuses[-1].reason
    sim.stall_heartbeats = False
    await collector.connected(2)
    call_id = await sim.inbound("+15551234567", "1003", talk=0.05)
    await collector.call_ended(call_id)


async def test_pbx_restart_mid_stream_recovers_the_missed_call(
    collector: Collector, sim: PbxSimulator
) -> None:
    before = await sim.inbound("+15551230001", "1001", talk=0.05)
    await collector.call_ended(before)
    port = int(sim.base_url.rsplit(":", 1)[1])
    await sim.stop()
    await collector.wait_for(lambda: collector.count(StreamState.RECONNECTING) >= 2)
    refused = collector.statuses[-1].reason
    assert refused == "The PBX event connection was lost (the connection was refused); reconnecting.", refused
    missed = await sim.inbound("+15551230002", "1002", talk=0.05)
    await sim.start(port=port)
    cdr = await collector.call_ended(missed)
    assert cdr.recovered
    assert cdr.record.call_from == "+15551230002"
    after = await sim.inbound("+15551230003", "1003", talk=0.05)
    await collector.call_ended(after)
    uids = [e.record.uid for e in collector.events if isinstance(e, CdrEvent)]
    assert sorted(uids) == sorted([before, missed, after]), "each finished call exactly once"
    assert collector.count(StreamState.CONNECTED) == 2


async def test_dropped_socket_reconnects_and_resubscribes(collector: Collector, sim: PbxSimulator) -> None:
    await sim.drop_connections()
    await collector.connected(2)
    reasons = [s.reason for s in collector.statuses if s.state is StreamState.RECONNECTING]
    assert reasons and not any(re.search(r"\w+(Error|Exception|Closed)\b", r) for r in reasons), reasons
    call_id = await sim.inbound("+15551234567", "1004", talk=0.05)
    assert not (await collector.call_ended(call_id)).recovered
    assert collector.count(StreamState.CONNECTED) == 2


async def test_token_expiry_on_the_open_socket_reconnects_with_a_new_token(
    collector: Collector, sim: PbxSimulator
) -> None:
    sim.expire_tokens()
    await collector.connected(2)
    assert any("token" in s.reason for s in collector.statuses if s.state is StreamState.RECONNECTING)
    call_id = await sim.inbound("+15551234567", "1005", talk=0.05)
    await collector.call_ended(call_id)
    assert sim.live_tokens() == 1


@pytest.mark.parametrize("sim_options", [{"access_ttl": 2}])
async def test_socket_is_renewed_before_the_token_expires(collector: Collector, sim: PbxSimulator) -> None:
    await collector.connected(2)
    assert any("Renewing" in s.reason for s in collector.statuses)
    assert sim.live_tokens() == 1
    call_id = await sim.inbound("+15551234567", "1001", talk=0.05)
    await collector.call_ended(call_id)


@pytest.mark.parametrize("stream_options", [{"topics": [*map(int, EventType), 30029]}])
async def test_bad_frames_on_the_socket_are_skipped(collector: Collector, sim: PbxSimulator) -> None:
    await sim.hub.publish(30029, {"queue_number": "queue-6400", "agent_number": "1001", "status": "Paused"})
    await sim.hub.publish(30011, {"call_id": "1.1"})
    await sim.hub.publish(30011, {"call_id": "x" * (MAX_FRAME + 10), "members": []})
    await sim.hub.publish(30012, {"call_id": "1.2", "status": "MAYBE"})
    await sim.system_event(30036, "Disk Full", "system", "error", "The disk is full.")
    call_id = await sim.inbound("+15551234567", "1002", talk=0.05)
    await collector.call_ended(call_id)
    assert collector.count(StreamState.RECONNECTING) == 0
    assert any(isinstance(e, SystemEvent) and e.name == "Disk Full" for e in collector.events)
    assert not any(isinstance(e, CallEvent) and e.call_id in ("1.1", "1.2") for e in collector.events)


async def test_wrong_credentials_end_the_stream_with_a_clear_error(sim: PbxSimulator, tls: TlsFiles) -> None:
    async with PbxClient(sim.base_url, sim.client_id, "wrong", ca_file=tls.ca_file) as pbx:
        async with Collector(pbx, backoff_initial=0.01, backoff_max=0.02) as running:
            await running.wait_for(lambda: running.error is not None)
    assert isinstance(running.error, PbxAuthFailed)
    assert running.statuses[-2].state is StreamState.ERROR
    assert "Client Secret" in running.statuses[-2].reason
    assert not sim.blocked_ips


async def test_tokens_stay_out_of_the_websocket_logs(
    client: PbxClient, sim: PbxSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        async with Collector(client) as running:
            await running.connected()
            token = await client.token()
    assert "subscribe?access_token=***" in caplog.text
    assert token.access not in caplog.text


async def test_only_calls_in_progress_at_connection_cost_a_cdr_search_at_their_end(
    sim: PbxSimulator, client: PbxClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live 30012 names only a transfer's last leg: a call already talking when the stream came up
    gets its legs from cdr/search; calls placed after it connected were seen whole and cost none."""
    searches: list[tuple[dt.datetime, dt.datetime]] = []
    search = client.search_cdr

    async def counted(start: dt.datetime, end: dt.datetime, uids: object = None) -> list[CdrRecord]:
        searches.append((start, end))
        return await search(start, end, uids)  # type: ignore[arg-type]

    monkeypatch.setattr(client, "search_cdr", counted)
    carried, script = scenarios.blind_transfer(sim.calls, "+15551239000", "1001", "1004", talk=3.0)
    sim.calls.spawn(carried, script)
    async with asyncio.timeout(WAIT):
        while carried.answered is None:  # noqa: ASYNC110 (the simulator has no event for it)
            await asyncio.sleep(0.01)
    async with Collector(client, backoff_initial=0.05) as collector:
        await collector.connected()
        assert carried.call_id in sim.calls.live and carried.call_to == "1001", (
            "set-up: still on its first leg"
        )
        placed = [scenarios.inbound(sim.calls, f"+1555123910{n}", "1002", talk=0.1) for n in range(3)]
        placed.append(scenarios.blind_transfer(sim.calls, "+15551239200", "1003", "1005", talk=0.2))
        for call, call_script in placed:
            sim.calls.spawn(call, call_script)
        for call, _ in placed:
            assert not (await collector.call_ended(call.call_id)).record.talked, "a live 30012 names one leg"
        assert searches == [], "calls placed after the connection cost no cdr/search"
        legs = (await collector.call_ended(carried.call_id)).record.talked
    assert legs == ("1001", "1004")
    assert len(searches) == 1


async def test_a_call_an_ivr_took_first_costs_no_cdr_search_when_placed_after_connecting(
    sim: PbxSimulator, client: PbxClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first event of a call routed through an IVR shows only its trunk answered, as what is left of
    a call whose extension handed the caller over would: placed after the connection came up, it was heard
    whole and its legs are not read (one that started before would be)."""
    monkeypatch.setattr(events, "_CLOCK_SLACK", dt.timedelta(0))  # the simulator's clock is ours
    searches: list[dt.datetime] = []
    search = client.search_cdr

    async def counted(start: dt.datetime, end: dt.datetime, uids: object = None) -> list[CdrRecord]:
        searches.append(start)
        return await search(start, end, uids)  # type: ignore[arg-type]

    monkeypatch.setattr(client, "search_cdr", counted)
    engine = sim.calls

    async def through_the_ivr(call: Call) -> None:
        engine.add_trunk(call, "inbound", call.call_from, call.did, "ANSWERED", call_path="6500")
        engine.answer(call)
        await engine.publish(call)
        await engine.pause(call)
        agent = engine.add_extension(call, "1002", "RING", call_path="6500")
        await engine.publish(call)
        await engine.pause(call)
        agent.member_status = "ANSWER"
        await engine.publish(call)
        await engine.pause(call)

    async with Collector(client, backoff_initial=0.05) as collector:
        await collector.connected()
        await asyncio.sleep(1.2)  # the PBX's call times are whole seconds
        call = engine.new_call(
            "Inbound", "+15551239300", "1002", src_trunk=sim.directory.trunk, did="5550100"
        )
        engine.spawn(call, through_the_ivr)
        ended = await collector.call_ended(call.call_id)
    assert ended.record.call_to == "1002" and ended.record.outcome is Outcome.ANSWERED
    assert searches == []


async def test_closing_takes_a_moment_when_the_pbx_stops_answering() -> None:
    """Quitting while the PBX hangs (or the network to it is gone) waits out neither the socket's closing
    handshake nor the token's revocation (10 s each before)."""
    async with launched("sim", "pbx", "--port", "0") as pbx:
        await pbx.line("Press Ctrl-C to stop.")
        base = pbx.field("API base URL").removesuffix("/openapi/v1.0")
        async with PbxClient(base, pbx.field("Client ID"), pbx.field("Client Secret")) as client:
            collector = Collector(client)
            async with collector:
                await collector.connected()
                pbx.process.send_signal(signal.SIGSTOP)  # frozen: it answers nothing, the socket stays open
                try:
                    started = time.monotonic()
                    await collector.stream.close()
                    await client.close()
                    took = time.monotonic() - started
                finally:
                    pbx.process.send_signal(signal.SIGCONT)
    assert took < STOP_WITHIN, f"closing took {took:.1f} s"
