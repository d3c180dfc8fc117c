"""Open API endpoints for tokens, system information, call control, CDR and recordings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkus_companion.sim import pbx_scenarios as scenarios
from linkus_companion.sim.pbx_api import ApiError, ApiRequest, Routes, envelope, invalid
from linkus_companion.sim.pbx_auth import TokenPair, TooManyTokens
from linkus_companion.sim.pbx_cdr import CdrQuery

if TYPE_CHECKING:
    import datetime as dt

    from linkus_companion.sim.pbx import PbxSimulator

CDR_SORT_KEYS = (
    "id",
    "uid",
    "time",
    "timestamp",
    "duration",
    "ring_duration",
    "talk_duration",
    "disposition",
    "src_trunk",
    "dst_trunk",
    "call_type",
    "did_number",
    "dod_number",
    "src_addr",
)
_STATUSES = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "VOICEMAIL")


def _token_fields(pair: TokenPair, sim: PbxSimulator) -> dict[str, Any]:
    return envelope(
        access_token_expire_time=int(sim.tokens.access_ttl),
        access_token=pair.access_token,
        refresh_token_expire_time=int(sim.tokens.refresh_ttl),
        refresh_token=pair.refresh_token,
    )


def core_routes(sim: PbxSimulator) -> Routes:
    """Handlers keyed by (method, endpoint) for everything but the directory objects."""

    async def get_token(req: ApiRequest) -> dict[str, Any]:
        username, password = req.required("username", "password")
        if (username, password) != (sim.client_id, sim.client_secret):
            if sim.guard.failed(req.ip):
                await sim.system_event(
                    30035,
                    "API Authentication Blocked Out",
                    "security",
                    "warn",
                    f"IP {req.ip} was blocked after 5 consecutive failed API authentications.",
                )
            raise ApiError(-1, invalid_param_list=[{"field": "username or password", "value": "error"}])
        sim.guard.succeeded(req.ip)
        try:
            return _token_fields(sim.tokens.issue(), sim)
        except TooManyTokens:
            raise ApiError(-1) from None

    async def refresh_token(req: ApiRequest) -> dict[str, Any]:
        (token,) = req.required("refresh_token")
        try:
            pair = sim.tokens.refresh(str(token))
        except TooManyTokens:
            raise ApiError(-1) from None
        if pair is None:
            raise ApiError(10004)
        return _token_fields(pair, sim)

    async def del_token(req: ApiRequest) -> dict[str, Any]:
        sim.tokens.revoke(req.token)
        sim.hub.tokens_changed()
        return envelope()

    async def system_information(req: ApiRequest) -> dict[str, Any]:
        return envelope(data=sim.system_information())

    async def call_dial(req: ApiRequest) -> dict[str, Any]:
        caller, callee = (str(v) for v in req.required("caller", "callee"))
        if caller not in sim.directory.extensions:
            raise invalid("caller", "invalid")
        originate = str(req.get("auto_answer", "no")) != "yes"
        sim.dialled.append((caller, callee))
        result = sim.dial_results.get(callee, "answered")
        if callee in sim.directory.extensions:
            prepared = scenarios.internal(
                sim.calls, caller, callee, result=result, talk=sim.dial_talk, originate=originate
            )
        else:
            prepared = scenarios.outbound(
                sim.calls, caller, callee, result=result, talk=sim.dial_talk, originate=originate
            )
        sim.calls.spawn(*prepared)
        return envelope(call_id=prepared[0].call_id)

    async def call_hangup(req: ApiRequest) -> dict[str, Any]:
        (channel,) = req.required("channel_id")
        call_id = sim.calls.hangup(str(channel))
        if call_id is None:
            raise ApiError(60001)
        return envelope(call_id=call_id)

    async def call_query(req: ApiRequest) -> dict[str, Any]:
        call_id, kind, ext = req.get("call_id"), req.get("type"), req.get("extension")
        if call_id is None and kind is None and ext is None:
            raise invalid("call_id")
        calls = [  # a call everybody hung up is over, whether or not its CDR is written yet
            c
            for c in sim.calls.live.values()
            if c.legs
            and (call_id is None or c.call_id == call_id)
            and (kind is None or c.call_type.lower() == str(kind).lower())
            and (ext is None or any(leg.number == ext for leg in c.legs))
        ]
        return envelope(data=[c.info() for c in calls])

    async def cdr_list(req: ApiRequest) -> dict[str, Any]:
        return req.page(sim.cdr_store.rows(), CDR_SORT_KEYS, {"time": "timestamp"})

    async def cdr_search(req: ApiRequest) -> dict[str, Any]:
        status = req.get("status", "")
        if status and status not in _STATUSES:
            raise invalid("status", "enum")
        query = CdrQuery(
            start=_display_time(sim, req, "start_time"),
            end=_display_time(sim, req, "end_time"),
            call_from=str(req.get("call_from", "")),
            call_to=str(req.get("call_to", "")),
            status=status,
            did=str(req.get("did", "")).split(":")[0],
            fuzzy=str(req.get("enable_fuzzy_search", "0")) == "1",
        )
        return req.page(sim.cdr_store.rows(query), CDR_SORT_KEYS, {"time": "timestamp"})

    async def recording_list(req: ApiRequest) -> dict[str, Any]:
        return req.page(sim.cdr_store.recordings(), ("id", "time", "duration", "size"), {"time": "id"})

    async def recording_download(req: ApiRequest) -> dict[str, Any]:
        rec_id, file = req.get("id"), req.get("file")
        if rec_id is None and file is None:
            raise invalid("id")
        found = [
            r
            for r in sim.cdr_store.recordings()
            if (rec_id is not None and str(r["id"]) == str(rec_id))
            or (file is not None and r["file"] == file)
        ]
        if not found:
            raise ApiError(60001)
        row = found[0]
        return envelope(
            file=row["file"], download_resource_url=sim.tickets.issue(row["file"], row["duration"])
        )

    return {
        ("POST", "get_token"): get_token,
        ("POST", "refresh_token"): refresh_token,
        ("GET", "del_token"): del_token,
        ("GET", "system/information"): system_information,
        ("POST", "call/dial"): call_dial,
        ("POST", "call/hangup"): call_hangup,
        ("GET", "call/query"): call_query,
        ("GET", "cdr/list"): cdr_list,
        ("GET", "cdr/search"): cdr_search,
        ("GET", "recording/list"): recording_list,
        ("GET", "recording/download"): recording_download,
    }


def _display_time(sim: PbxSimulator, req: ApiRequest, name: str) -> dt.datetime | None:
    """A cdr/search bound in the PBX display format; 40002 when it does not parse."""
    text = req.get(name)
    if text is None:
        return None
    try:
        return sim.clock.parse_display(str(text))
    except ValueError:
        raise invalid(name, "format") from None
