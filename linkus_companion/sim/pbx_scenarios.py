"""Call scripts: each builds a call and the coroutine that walks its legs through realistic states."""

from __future__ import annotations

from collections.abc import Callable

from linkus_companion.sim.pbx_calls import Call, CallEngine, Leg, Script

Prepared = tuple[Call, Script]
DIAL_RESULTS: tuple[str, ...] = ("answered", "busy", "no_answer", "failed")
# 30015 reasons per callee kind, spelled as the PBX sends them.
_REASONS = {
    ("busy", "outbound"): "486 Busy here",
    ("failed", "outbound"): "Circuit/channel congestion",
    ("busy", "extension"): "User Busy",
    ("failed", "extension"): "480 Temporatily Unavailable",
}


def _need_extension(engine: CallEngine, number: str) -> None:
    if number not in engine.directory.extensions:
        raise ValueError(f"unknown extension {number!r}")


def _need_result(result: str) -> None:
    if result not in DIAL_RESULTS:
        raise ValueError(f"result must be one of {DIAL_RESULTS}")


async def _talk(
    engine: CallEngine, call: Call, caller: Leg, callee: Leg, talk: float, hold: bool = False
) -> None:
    """Answer (caller ANSWERED, callee ANSWER) and talk; with `hold` the caller is held mid-call."""
    caller.member_status, callee.member_status = "ANSWERED", "ANSWER"
    engine.answer(call)
    await engine.publish(call)
    if not hold:
        await engine.pause(call, talk)
        return
    await engine.pause(call, talk / 2)
    caller.member_status = "HOLD"
    await engine.publish(call)
    await engine.pause(call)
    caller.member_status = "ANSWERED"
    await engine.publish(call)
    await engine.pause(call, talk / 2)


def _incoming(engine: CallEngine, caller: str, to: str, did: str | None, record: bool = True) -> Call:
    """A new call arriving on the trunk at `did` (default: the PBX's DID)."""
    d = engine.directory
    return engine.new_call("Inbound", caller, to, src_trunk=d.trunk, did=did or d.did, record=record)


async def _ring_in(engine: CallEngine, call: Call, extension: str) -> tuple[Leg, Leg]:
    """Trunk leg ALERT (to = DID) and the extension RING."""
    trunk = engine.add_trunk(call, "inbound", call.call_from, call.did, "ALERT")
    ext = engine.add_extension(call, extension, "RING")
    await engine.publish(call)
    await engine.pause(call)
    return trunk, ext


def inbound(
    engine: CallEngine,
    caller: str,
    extension: str,
    *,
    answer: bool = True,
    hold: bool = False,
    talk: float = 1.0,
    record: bool = True,
    did: str | None = None,
) -> Prepared:
    """An external caller rings an extension directly (DID routed); answered or not."""
    _need_extension(engine, extension)
    call = _incoming(engine, caller, extension, did, record)

    async def script(call: Call) -> None:
        trunk, ext = await _ring_in(engine, call, extension)
        if answer:
            await _talk(engine, call, trunk, ext, talk, hold)

    return call, script


def ring_many(
    engine: CallEngine,
    kind: str,
    caller: str,
    group: str,
    *,
    answered_by: str | None,
    talk: float = 1.0,
    did: str | None = None,
) -> Prepared:
    """A queue or ring group rings all members; one answers (the others get BYE) or nobody does."""
    target = engine.directory.groups.get(group)
    if target is None or target.kind != kind:
        raise ValueError(f"unknown {kind} {group!r}")
    if answered_by is not None and answered_by not in target.members:
        raise ValueError(f"{answered_by!r} is not a member of {group}")
    call = _incoming(engine, caller, group, did)
    call.path = group

    async def script(call: Call) -> None:
        trunk = engine.add_trunk(call, "inbound", caller, call.did, "ALERT", call_path=group)
        agents = [engine.add_extension(call, m, "RING", call_path=group) for m in target.members]
        await engine.publish(call)
        await engine.pause(call)
        if answered_by is None:
            await engine.pause(call)
            return
        call.call_to = answered_by
        for leg in agents:
            leg.member_status = "BYE"
        await _talk(engine, call, trunk, call.leg(answered_by), talk)

    return call, script


async def _dial(engine: CallEngine, call: Call, caller: Leg, callee: Leg, result: str, talk: float) -> None:
    """Caller hears ringback while the callee rings; then answered, busy, no answer or failed."""
    await engine.publish(call)
    await engine.pause(call)
    if result in ("busy", "failed"):
        await engine.failed(call, _REASONS[result, callee.kind])
        call.status = "BUSY" if result == "busy" else "FAILED"
        return
    if callee.kind == "outbound":
        callee.member_status = "EARLYMEDIA"
        await engine.publish(call)
        await engine.pause(call)
    if result == "no_answer":
        await engine.pause(call)
        return
    await _talk(engine, call, caller, callee, talk)


async def _caller_leg(engine: CallEngine, call: Call, extension: str, originate: bool) -> Leg:
    """The calling extension: ALERT at once, or (API-originated) RING first until it picks up."""
    if not originate:
        return engine.add_extension(call, extension, "ALERT")
    leg = engine.add_extension(call, extension, "RING")
    await engine.publish(call)
    await engine.pause(call)
    leg.member_status = "ALERT"
    return leg


def outbound(
    engine: CallEngine,
    extension: str,
    callee: str,
    *,
    result: str = "answered",
    talk: float = 1.0,
    originate: bool = False,
) -> Prepared:
    """An extension calls an external number through the trunk."""
    _need_extension(engine, extension)
    _need_result(result)
    d = engine.directory
    call = engine.new_call("Outbound", extension, callee, dst_trunk=d.trunk, dod=d.did)

    async def script(call: Call) -> None:
        ext = await _caller_leg(engine, call, extension, originate)
        trunk = engine.add_trunk(call, "outbound", extension, callee, "RING")
        await _dial(engine, call, ext, trunk, result, talk)

    return call, script


def internal(
    engine: CallEngine,
    caller_ext: str,
    callee_ext: str,
    *,
    answer: bool = True,
    result: str | None = None,
    talk: float = 1.0,
    originate: bool = False,
) -> Prepared:
    """One extension calls another."""
    _need_extension(engine, caller_ext)
    _need_extension(engine, callee_ext)
    outcome = result or ("answered" if answer else "no_answer")
    _need_result(outcome)
    call = engine.new_call("Internal", caller_ext, callee_ext)

    async def script(call: Call) -> None:
        caller = await _caller_leg(engine, call, caller_ext, originate)
        callee = engine.add_extension(call, callee_ext, "RING")
        await _dial(engine, call, caller, callee, outcome, talk)

    return call, script


def blind_transfer(
    engine: CallEngine,
    caller: str,
    extension: str,
    to_extension: str,
    *,
    talk: float = 1.0,
    did: str | None = None,
) -> Prepared:
    """An answered inbound call is blind-transferred: the transferrer leaves, the target rings and answers."""
    _need_extension(engine, extension)
    _need_extension(engine, to_extension)
    call = _incoming(engine, caller, extension, did)

    async def script(call: Call) -> None:
        trunk, ext = await _ring_in(engine, call, extension)
        await _talk(engine, call, trunk, ext, talk / 2)
        ext.member_status, trunk.member_status = "BYE", "ALERT"
        target = engine.add_extension(call, to_extension, "RING")
        call.call_to = to_extension
        await engine.transferred(call)
        await engine.publish(call)
        await engine.pause(call)
        await _talk(engine, call, trunk, target, talk / 2)

    return call, script


def attended_transfer(
    engine: CallEngine,
    caller: str,
    extension: str,
    to_extension: str,
    *,
    talk: float = 1.0,
    did: str | None = None,
) -> Prepared:
    """An answered inbound call is held while the extension consults the target, then handed over."""
    _need_extension(engine, extension)
    _need_extension(engine, to_extension)
    call = _incoming(engine, caller, extension, did)

    async def script(call: Call) -> None:
        trunk, ext = await _ring_in(engine, call, extension)
        await _talk(engine, call, trunk, ext, talk / 3)
        trunk.member_status, ext.member_status = "HOLD", "ALERT"
        target = engine.add_extension(call, to_extension, "RING")
        target.consulted = True
        await engine.publish(call)
        await engine.pause(call)
        ext.member_status, target.member_status = "ANSWERED", "ANSWER"
        await engine.publish(call)
        await engine.pause(call, talk / 3)
        ext.member_status, trunk.member_status = "BYE", "ANSWERED"
        call.call_to = to_extension
        await engine.transferred(call)
        await engine.publish(call)
        await engine.pause(call, talk / 3)

    return call, script


def voicemail(
    engine: CallEngine, caller: str, extension: str, *, talk: float = 1.0, did: str | None = None
) -> Prepared:
    """Nobody answers; the caller reaches the extension's voicemail and leaves a message."""
    _need_extension(engine, extension)
    call = _incoming(engine, caller, extension, did, record=False)

    async def script(call: Call) -> None:
        trunk, ext = await _ring_in(engine, call, extension)
        await engine.pause(call)
        ext.member_status, trunk.member_status = "BYE", "ANSWERED"
        engine.answer(call)
        call.status = "VOICEMAIL"
        await engine.publish(call)
        await engine.pause(call, talk)

    return call, script


def inbound_queue(
    engine: CallEngine,
    caller: str,
    queue: str = "6400",
    *,
    answered_by: str | None,
    talk: float = 1.0,
    did: str | None = None,
) -> Prepared:
    """An external call to a queue: every agent rings; `answered_by` answers, or nobody (None)."""
    return ring_many(engine, "queue", caller, queue, answered_by=answered_by, talk=talk, did=did)


def inbound_ring_group(
    engine: CallEngine,
    caller: str,
    group: str = "6300",
    *,
    answered_by: str | None,
    talk: float = 1.0,
    did: str | None = None,
) -> Prepared:
    """An external call to a ring group: every member rings; `answered_by` answers, or nobody (None)."""
    return ring_many(engine, "ring_group", caller, group, answered_by=answered_by, talk=talk, did=did)


SCENARIOS: dict[str, Callable[..., Prepared]] = {
    "inbound": inbound,
    "inbound_queue": inbound_queue,
    "inbound_ring_group": inbound_ring_group,
    "outbound": outbound,
    "internal": internal,
    "blind_transfer": blind_transfer,
    "attended_transfer": attended_transfer,
    "voicemail": voicemail,
}
