"""Zoho PhoneBridge v3 client ("Zoho PhoneBridge mode"): Zoho pops and logs calls from our notifications."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import httpx

from linkus_companion.crm.base import GrantSource, ValidationFailed
from linkus_companion.crm.http import CrmHttp, Sleep, zoho_oauthtoken
from linkus_companion.crm.zoho import classify
from linkus_companion.texts import Text

BASE = "/phonebridge/v3"
MAX_PER_PAGE = 1000
NAME = "Zoho PhoneBridge"


class CallType(StrEnum):
    """`type` of a call notification."""

    RECEIVED = "received"
    DIALED = "dialed"


class CallState(StrEnum):
    """`state` of a call notification; the last six are outgoing calls that were not answered."""

    RINGING = "ringing"
    ANSWERED = "answered"
    MISSED = "missed"
    ENDED = "ended"
    BUSY = "busy"
    INVALID = "invalid"
    BLOCKED = "blocked"
    NOT_AVAILABLE = "notavailable"
    NO_ANSWER = "noanswer"
    REJECTED = "rejected"


ALLOWED_STATES = {
    CallType.RECEIVED: frozenset({CallState.RINGING, CallState.ANSWERED, CallState.MISSED, CallState.ENDED}),
    CallType.DIALED: frozenset(set(CallState) - {CallState.MISSED}),
}
DIAL_ERROR_CODES = frozenset({"busy", "invalid", "blocked", "notavailable", "noanswer", "rejected"})


@dataclass(frozen=True)
class PhoneBridgeUser:
    """A Zoho user allowed to use PhoneBridge; the e-mail binds them to an extension."""

    zohouser: str
    email: str
    username: str


@dataclass(frozen=True)
class CallNotification:
    """One state of one call, as `callnotify` takes it; `call_id` stays the same for the whole call."""

    type: CallType
    state: CallState
    call_id: str
    from_number: str
    to_number: str
    zohouser: str = ""
    started_at: dt.datetime | None = None
    duration_seconds: int | None = None
    recording_url: str = ""
    transferred_from: str = ""

    def form(self) -> dict[str, str]:
        """The form fields (start time as `yyyy-MM-dd HH:mm:ss` GMT)."""
        if self.state not in ALLOWED_STATES[self.type]:
            raise ValidationFailed(
                Text(
                    "{crm} has no {state} state for {type} calls.",
                    crm=NAME,
                    state=self.state,
                    type=self.type,
                )
            )
        fields = {
            "type": str(self.type),
            "state": str(self.state),
            "id": self.call_id,
            "from": self.from_number,
            "to": self.to_number,
            "zohouser": self.zohouser,
            "voiceuri": self.recording_url,
            "transferredcallid": self.transferred_from,
        }
        if self.started_at is not None:
            if self.started_at.tzinfo is None:
                raise ValueError("CallNotification.started_at must be timezone-aware")
            fields["start_time"] = self.started_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        if self.duration_seconds is not None:
            fields["duration"] = str(max(0, self.duration_seconds))
        return {name: value for name, value in fields.items() if value}


class PhoneBridge:
    """PhoneBridge v3 calls on the grant's API domain (form bodies, `Zoho-oauthtoken`)."""

    def __init__(
        self, client: httpx.AsyncClient, grants: GrantSource, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._http = CrmHttp(
            client, grants, crm=NAME, classify=classify, auth_header=zoho_oauthtoken, sleep=sleep
        )

    async def enable(self) -> None:
        """Turn PhoneBridge on for the org with us as the telephony provider."""
        await self._http.request("POST", f"{BASE}/integrate", idempotent=True)

    async def disable(self) -> None:
        """Turn PhoneBridge off (Zoho stops logging calls)."""
        await self._http.request("DELETE", f"{BASE}/integrate")

    async def users(self) -> list[PhoneBridgeUser]:
        """Every user with PhoneBridge permission, all pages."""
        found: list[PhoneBridgeUser] = []
        page = 1
        while True:
            response = await self._http.request(
                "GET", f"{BASE}/users", params={"page": page, "perPage": MAX_PER_PAGE}
            )
            entries = response.json().get("users", [])
            found += [
                PhoneBridgeUser(str(u["zohouser"]), str(u.get("email") or ""), str(u.get("username") or ""))
                for u in entries
                if isinstance(u, dict)
            ]
            if len(entries) < MAX_PER_PAGE:
                return found
            page += 1

    async def register_click_to_dial(
        self,
        uri: str,
        *,
        zohouser: str = "",
        authorization: tuple[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> None:
        """Have Zoho call `uri` when a user clicks a number; `{to}` in `params` values is the callee."""
        form = {"clicktodialuri": uri, "zohouser": zohouser}
        if authorization is not None:
            form["authorizationparam"] = json.dumps({"name": authorization[0], "value": authorization[1]})
        if params:
            form["clicktodialparam"] = json.dumps([{"name": k, "value": v} for k, v in params.items()])
        await self._http.request("POST", f"{BASE}/clicktodial", data=_present(form), idempotent=True)

    async def unregister_click_to_dial(self, *, zohouser: str = "") -> None:
        """Remove the click-to-dial URL (of one user, or the org-wide one)."""
        await self._http.request("DELETE", f"{BASE}/clicktodial", params=_present({"zohouser": zohouser}))

    async def notify(self, notification: CallNotification) -> None:
        """Push one call state; Zoho pops on ringing/answered and logs the call when it ends."""
        await self._http.request("POST", f"{BASE}/callnotify", data=notification.form())

    async def click_to_dial_failed(
        self, code: str, *, from_number: str, to_number: str, zohouser: str, message: str = ""
    ) -> None:
        """Tell Zoho a click-to-dial did not connect (`busy`, `invalid`, `blocked`, ...)."""
        if code not in DIAL_ERROR_CODES:
            raise ValidationFailed(Text('{crm} knows no click-to-dial error "{code}".', crm=NAME, code=code))
        form = {"code": code, "from": from_number, "to": to_number, "zohouser": zohouser, "message": message}
        await self._http.request("POST", f"{BASE}/clicktodialerror", data=_present(form))


def _present(form: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in form.items() if value}
