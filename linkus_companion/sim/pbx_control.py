"""The simulator's HTTP control API under /sim/: start scripted calls, inject faults, inspect state."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from linkus_companion.sim.pbx_scenarios import DIAL_RESULTS, SCENARIOS

if TYPE_CHECKING:
    from linkus_companion.sim.pbx import PbxSimulator

MAX_TALK = 86400.0
NOT_EMULATED = "documented, not emulated: answers 10001 INTERFACE NOT EXISTED"
DOCUMENTED_ONLY = (
    "POST call/accept_inbound",
    "POST call/refuse_inbound",
    "POST call/mute",
    "POST call/unmute",
    "POST uacsta_call/accept",
    "POST uacsta_call/hangup",
    "GET extension/query",
    "GET extension/getpassword",
    "GET extension/delete",
    "POST extension/create",
    "POST extension/update",
    "POST extension/send_welcome_email",
    "POST sign/create",
)
"""api/yeastar.md endpoints neither the product nor a typical client needs from the simulator."""
API_FAULTS = ("drop", "hold", "none")
"""`POST /sim/api_faults` {"endpoint": "cdr/search", "fault": ...}: drop its requests' connections, hold them, or neither."""


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json() if await request.body() else {}
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _signature(name: str) -> dict[str, str]:
    """Parameter names of a scenario with their defaults, for the help page."""
    params = list(inspect.signature(SCENARIOS[name]).parameters.values())[1:]
    return {p.name: "required" if p.default is p.empty else repr(p.default) for p in params}


def control_routes(sim: PbxSimulator, endpoints: list[tuple[str, str]]) -> list[BaseRoute]:
    """Routes of the control API (no token needed; the simulator binds 127.0.0.1).

    `endpoints` are the emulated Open API endpoints, listed on the index page with the documented
    ones that are not emulated.
    """
    listed = {f"{method} {name}": "emulated" for method, name in endpoints}
    listed |= {name: NOT_EMULATED for name in DOCUMENTED_ONLY if name not in listed}

    async def index(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "scenarios": {name: _signature(name) for name in SCENARIOS},
                "start_call": "POST /sim/calls/<scenario> with the parameters as a JSON object",
                "dial_results": list(DIAL_RESULTS),
                "dial_talk": sim.dial_talk,
                "set_dial_talk": 'POST /sim/dial_talk with {"seconds": N}',
                "api_faults": 'POST /sim/api_faults with {"endpoint": "cdr/search", "fault": "drop|hold|none"}',
                "stall_cdrs": 'POST /sim/stall_cdrs with {"enabled": true|false}',
                "open_api": dict(sorted(listed.items())),
            }
        )

    async def start_call(request: Request) -> JSONResponse:
        name = request.path_params["scenario"]
        if name not in SCENARIOS:
            return _bad(f"unknown scenario {name!r}; one of {sorted(SCENARIOS)}", 404)
        try:
            kwargs = await _json(request)
            inspect.signature(SCENARIOS[name]).bind(sim.calls, **kwargs)
            call, script = SCENARIOS[name](sim.calls, **kwargs)
        except (TypeError, ValueError) as error:
            return _bad(str(error))
        sim.calls.spawn(call, script)
        return JSONResponse({"call_id": call.call_id})

    async def live_calls(request: Request) -> JSONResponse:
        return JSONResponse({"data": [c.info() for c in sim.calls.live.values()]})

    async def cdr(request: Request) -> JSONResponse:
        return JSONResponse({"data": sim.cdr()})

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "live_tokens": sim.live_tokens(),
                "blocked_ips": sorted(sim.blocked_ips),
                "websockets": sim.hub.sessions,
                "stall_heartbeats": sim.stall_heartbeats,
                "dial_results": sim.dial_results,
                "dial_talk": sim.dial_talk,
                "stall_cdrs": sim.stall_cdrs,
                "api_faults": sim.api_faults.state(),
            }
        )

    async def api_fault(request: Request) -> JSONResponse:
        try:
            body = await _json(request)
        except ValueError as error:
            return _bad(str(error))
        endpoint, fault = str(body.get("endpoint", "")), body.get("fault")
        if not endpoint or fault not in API_FAULTS:
            return _bad(f"need 'endpoint' and 'fault' (one of {list(API_FAULTS)})")
        sim.api_faults.clear(endpoint)
        if fault == "drop":
            sim.api_faults.drop(endpoint)
        elif fault == "hold":
            sim.api_faults.hold(endpoint)
        return JSONResponse(sim.api_faults.state())

    async def expire_tokens(request: Request) -> JSONResponse:
        sim.expire_tokens()
        return JSONResponse({"ok": True})

    async def drop_connections(request: Request) -> JSONResponse:
        await sim.drop_connections()
        return JSONResponse({"ok": True})

    def switch(name: str) -> Callable[[Request], Awaitable[JSONResponse]]:
        """A route turning the simulator's boolean `name` on or off (`{"enabled": bool}`, default on)."""

        async def turn(request: Request) -> JSONResponse:
            try:
                setattr(sim, name, bool((await _json(request)).get("enabled", True)))
            except ValueError as error:
                return _bad(str(error))
            return JSONResponse({name: getattr(sim, name)})

        return turn

    async def unblock(request: Request) -> JSONResponse:
        try:
            ip = str((await _json(request)).get("ip", ""))
        except ValueError as error:
            return _bad(str(error))
        sim.guard.unblock(ip)
        return JSONResponse({"blocked_ips": sorted(sim.blocked_ips)})

    async def dial_result(request: Request) -> JSONResponse:
        try:
            body = await _json(request)
        except ValueError as error:
            return _bad(str(error))
        callee, result = str(body.get("callee", "")), body.get("result")
        if not callee or result not in DIAL_RESULTS:
            return _bad(f"need 'callee' and 'result' (one of {list(DIAL_RESULTS)})")
        sim.dial_results[callee] = str(result)
        return JSONResponse({"dial_results": sim.dial_results})

    async def dial_talk(request: Request) -> JSONResponse:
        try:
            seconds = float((await _json(request)).get("seconds", ""))
        except (TypeError, ValueError):
            seconds = -1.0
        if not 0 < seconds <= MAX_TALK:
            return _bad(f"need 'seconds': a number above 0 and at most {MAX_TALK:g}")
        sim.dial_talk = seconds
        return JSONResponse({"dial_talk": sim.dial_talk})

    async def restart(request: Request) -> JSONResponse:
        down = await _seconds(request, "down", 1.0)
        if down is None:
            return _bad("need 'down': seconds between 0 and 600")
        sim.restart_soon(down)
        return JSONResponse({"restarting": True, "down": down})

    async def cdr_delay(request: Request) -> JSONResponse:
        seconds = await _seconds(request, "seconds", 0.0)
        if seconds is None:
            return _bad("need 'seconds': between 0 and 600")
        sim.calls.cdr_delay = seconds
        return JSONResponse({"cdr_delay": seconds})

    return [
        Route("/sim", index, methods=["GET"]),
        Route("/sim/dial_talk", dial_talk, methods=["POST"]),
        Route("/sim/restart", restart, methods=["POST"]),
        Route("/sim/cdr_delay", cdr_delay, methods=["POST"]),
        Route("/sim/calls", live_calls, methods=["GET"]),
        Route("/sim/calls/{scenario}", start_call, methods=["POST"]),
        Route("/sim/cdr", cdr, methods=["GET"]),
        Route("/sim/state", state, methods=["GET"]),
        Route("/sim/expire_tokens", expire_tokens, methods=["POST"]),
        Route("/sim/drop_connections", drop_connections, methods=["POST"]),
        Route("/sim/stall_heartbeats", switch("stall_heartbeats"), methods=["POST"]),
        Route("/sim/stall_cdrs", switch("stall_cdrs"), methods=["POST"]),
        Route("/sim/api_faults", api_fault, methods=["POST"]),
        Route("/sim/unblock", unblock, methods=["POST"]),
        Route("/sim/dial_results", dial_result, methods=["POST"]),
    ]


async def _seconds(request: Request, key: str, default: float) -> float | None:
    """`key` of the JSON body as seconds from 0 to 600 (`default` when absent); None when invalid."""
    try:
        seconds = float((await _json(request)).get(key, default))
    except (TypeError, ValueError):
        return None
    return seconds if 0 <= seconds <= 600 else None
