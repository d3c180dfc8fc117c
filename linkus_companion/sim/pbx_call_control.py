"""Open API call control on live calls: call/transfer (blind, attended), call/hold and call/unhold.

Choices where api/yeastar.md marks the manual UNCONFIRMED: `channel_id` names the transferring member
(it leaves the call) or the member to hold; an attended transfer starts with `attended_operate` absent
or `start`, and ends with `complete` (hand over) or `cancel` (back to the first party).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkus_companion.sim.pbx_api import ApiError, ApiRequest, Routes, envelope, invalid
from linkus_companion.sim.pbx_calls import Call, Leg

if TYPE_CHECKING:
    from linkus_companion.sim.pbx import PbxSimulator

_TALKING = ("ANSWER", "ANSWERED")


def call_control_routes(sim: PbxSimulator) -> Routes:
    """Handlers keyed by (method, endpoint) for transfer, hold and unhold."""
    engine = sim.calls
    consulting: dict[str, tuple[Leg, Leg]] = {}
    """call_id -> (held party, consulted target) of an attended transfer in progress."""
    held: dict[str, str] = {}
    """channel_id -> the member status it goes back to on unhold."""

    def owner(channel: object) -> tuple[Call, Leg]:
        for call in engine.live.values():
            for leg in call.legs:
                if leg.channel_id == str(channel) and leg.member_status != "BYE":
                    return call, leg
        raise ApiError(60001)

    def other_party(call: Call, leg: Leg) -> Leg:
        parties = [p for p in call.legs if p is not leg and p.member_status in (*_TALKING, "HOLD")]
        if not parties:
            raise invalid("channel_id", "status")
        return parties[0]

    def answer_later(call: Call, caller: Leg, callee: Leg) -> None:
        """The rung target answers one step later, as a phone would."""

        async def answer() -> None:
            if call.call_id in engine.live and callee.member_status == "RING":
                caller.member_status, callee.member_status = "ANSWERED", "ANSWER"
                await engine.publish(call)

        engine.later(engine.step, answer)

    async def transfer(req: ApiRequest) -> dict[str, Any]:
        kind, channel = req.required("type", "channel_id")
        if kind not in ("blind", "attended"):
            raise invalid("type", "enum")
        call, transferor = owner(channel)
        operate = str(req.get("attended_operate", "start"))
        if kind == "attended" and operate in ("complete", "cancel"):
            return await _finish_consult(call, transferor, operate == "complete")
        (number,) = (str(n) for n in req.required("number"))
        if number not in sim.directory.extensions:
            raise invalid("number", "invalid")
        if transferor.kind != "extension" or transferor.member_status not in _TALKING:
            raise invalid("channel_id", "status")
        party = other_party(call, transferor)
        target = engine.add_extension(call, number, "RING")
        if kind == "blind":
            transferor.member_status, party.member_status = "BYE", "ALERT"
            call.call_to = number
            await engine.transferred(call)
        else:
            if operate != "start":
                raise invalid("attended_operate", "enum")
            party.member_status, transferor.member_status = "HOLD", "ALERT"
            target.consulted = True
            consulting[call.call_id] = (party, target)
        await engine.publish(call)
        answer_later(call, transferor if kind == "attended" else party, target)
        return envelope(call_id=call.call_id)

    async def _finish_consult(call: Call, transferor: Leg, complete: bool) -> dict[str, Any]:
        if call.call_id not in consulting:
            raise invalid("attended_operate", "status")
        party, target = consulting.pop(call.call_id)
        if complete:
            transferor.member_status, party.member_status = "BYE", "ANSWERED"
            call.call_to = target.number
            await engine.transferred(call)
        else:
            target.member_status = "BYE"
            party.member_status, transferor.member_status = "ANSWERED", "ANSWER"
        await engine.publish(call)
        return envelope(call_id=call.call_id)

    async def hold(req: ApiRequest) -> dict[str, Any]:
        (channel,) = req.required("channel_id")
        call, leg = owner(channel)
        if leg.member_status not in _TALKING:
            raise invalid("channel_id", "status")
        held[leg.channel_id], leg.member_status = leg.member_status, "HOLD"
        await engine.publish(call)
        return envelope(call_id=call.call_id)

    async def unhold(req: ApiRequest) -> dict[str, Any]:
        (channel,) = req.required("channel_id")
        call, leg = owner(channel)
        if leg.member_status != "HOLD" or leg.channel_id not in held:
            raise invalid("channel_id", "status")
        leg.member_status = held.pop(leg.channel_id)
        await engine.publish(call)
        return envelope(call_id=call.call_id)

    return {
        ("POST", "call/transfer"): transfer,
        ("POST", "call/hold"): hold,
        ("POST", "call/unhold"): unhold,
    }
