"""Emulated Zoho PhoneBridge v3: integrate, users, click-to-dial, call notifications that log calls."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from linkus_companion import USER_AGENT
from linkus_companion.phone import InvalidNumber, parse
from linkus_companion.sim.zoho_accounts import Token
from linkus_companion.sim.zoho_data import Org, User
from linkus_companion.sim.zoho_forms import form_params
from linkus_companion.sim.zoho_guard import Guard, Handler, zoho_error

SCOPE = "PhoneBridge.call.log"
STATES = {
    "received": frozenset({"ringing", "answered", "missed", "ended"}),
    "dialed": frozenset(
        {"ringing", "answered", "ended", "busy", "invalid", "blocked", "notavailable", "noanswer", "rejected"}
    ),
}
FINAL_STATES = frozenset(
    {"missed", "ended", "busy", "invalid", "blocked", "notavailable", "noanswer", "rejected"}
)
DIAL_ERRORS = frozenset({"busy", "invalid", "blocked", "notavailable", "noanswer", "rejected"})
MAX_PER_PAGE = 1000
_SUCCESS = {"status": "success", "code": "SUCCESS"}


@dataclass
class ClickToDial:
    """A provider URL Zoho calls when a user clicks a number."""

    uri: str
    authorization: tuple[str, str] | None = None
    params: list[tuple[str, str]] = field(default_factory=list)


class PhoneBridge:
    """PhoneBridge state of the org and its `/phonebridge/v3` routes."""

    def __init__(self, org: Org, guard: Guard, clock: Callable[[], dt.datetime]) -> None:
        self.org = org
        self.guard = guard
        self.enabled_by: str | None = None
        """Client id of the provider that enabled PhoneBridge, or None when disabled."""
        self.notifications: list[dict[str, str]] = []
        self.dial_errors: list[dict[str, str]] = []
        self.click_to_dial: dict[str, ClickToDial] = {}
        """By Zoho user id; `""` applies to every user."""
        self.logged: dict[str, str] = {}
        """Call id -> id of the Calls record PhoneBridge created for it."""
        self._clock = clock

    def routes(self) -> list[BaseRoute]:
        """Starlette routes under `/phonebridge/v3`."""

        def guarded(handler: Handler, *, needs_enabled: bool = True) -> Callable[[Request], Any]:
            async def checked(request: Request, token: Token) -> Response:
                if not self.guard.accounts.clients[token.client_id].phonebridge_provider:
                    return zoho_error(
                        400, "PROVIDER_NOT_REGISTERED", "the client is not a registered provider"
                    )
                if needs_enabled and self.enabled_by is None:
                    return zoho_error(403, "NO_PERMISSION", "PhoneBridge is not enabled for this org")
                return await handler(request, token)

            async def endpoint(request: Request) -> Response:
                return await self.guard.run(request, (SCOPE,), checked)

            return endpoint

        base = "/phonebridge/v3"
        return [
            Route(
                f"{base}/integrate", guarded(self._integrate, needs_enabled=False), methods=["POST", "DELETE"]
            ),
            Route(f"{base}/users", guarded(self._users)),
            Route(f"{base}/clicktodial", guarded(self._clicktodial), methods=["POST", "DELETE"]),
            Route(f"{base}/callnotify", guarded(self._callnotify), methods=["POST"]),
            Route(f"{base}/clicktodialerror", guarded(self._clicktodialerror), methods=["POST"]),
        ]

    async def dial(self, zohouser: str, number: str) -> httpx.Response:
        """What Zoho does when `zohouser` clicks `number`: call the registered provider URL."""
        registration = self.click_to_dial.get(zohouser) or self.click_to_dial.get("")
        if registration is None:
            raise LookupError(f"no click-to-dial URL is registered for user {zohouser}")
        form = [(name, value.replace("{to}", number)) for name, value in registration.params]
        if not any("{to}" in value for _, value in registration.params):
            form.append(("tonumber", number))
        headers = {"User-Agent": USER_AGENT}
        if registration.authorization:
            headers[registration.authorization[0]] = registration.authorization[1]
        async with httpx.AsyncClient(timeout=10) as client:
            return await client.post(registration.uri, data=dict(form), headers=headers)

    async def _integrate(self, request: Request, token: Token) -> Response:
        if request.method == "DELETE":
            self.enabled_by = None
            return JSONResponse(_SUCCESS)
        if self.enabled_by not in (None, token.client_id):
            return zoho_error(403, "DIFFERENT_PROVIDER_ALREADY_ENABLED", "another provider is enabled")
        self.enabled_by = token.client_id
        return JSONResponse(_SUCCESS)

    async def _users(self, request: Request, token: Token) -> Response:
        try:
            page = max(1, int(request.query_params.get("page", "1")))
            per_page = int(request.query_params.get("perPage", "200"))
        except ValueError:
            return zoho_error(400, "INVALID_DATA", "page and perPage must be numbers")
        if not 1 <= per_page <= MAX_PER_PAGE:
            return zoho_error(400, "INVALID_DATA", f"perPage must be 1 to {MAX_PER_PAGE}")
        users = [u for u in self.org.users.values() if u.phonebridge and u.status == "active"]
        chunk = users[(page - 1) * per_page : page * per_page]
        return JSONResponse(
            {
                "users": [{"zohouser": u.id, "email": u.email, "username": u.full_name} for u in chunk],
                "paging": {"perPage": per_page, "page": page},
                "navigation": {"hasprevious": page > 1, "hasnext": page * per_page < len(users)},
            }
        )

    async def _clicktodial(self, request: Request, token: Token) -> Response:
        form = await form_params(request)
        user = form.get("zohouser", "")
        if user and self._user(user) is None:
            return zoho_error(400, "INVALID_DATA", "zohouser is not a PhoneBridge user")
        if request.method == "DELETE":
            self.click_to_dial.pop(user, None)
            return JSONResponse(_SUCCESS)
        if not form.get("clicktodialuri"):
            return _missing("clicktodialuri")
        try:
            auth = json.loads(form["authorizationparam"]) if form.get("authorizationparam") else None
            params = json.loads(form.get("clicktodialparam") or "[]")
            registration = ClickToDial(
                form["clicktodialuri"],
                (str(auth["name"]), str(auth["value"])) if auth else None,
                [(str(p["name"]), str(p["value"])) for p in params],
            )
        except (ValueError, TypeError, KeyError):
            return zoho_error(400, "INVALID_DATA", "authorizationparam/clicktodialparam are not valid JSON")
        self.click_to_dial[user] = registration
        return JSONResponse(_SUCCESS)

    async def _callnotify(self, request: Request, token: Token) -> Response:
        form = await form_params(request)
        for name in ("type", "state", "id", "from", "to"):
            if not form.get(name):
                return _missing(name)
        if form["state"] not in STATES.get(form["type"], ()):
            return zoho_error(
                400, "INVALID_DATA", f"state {form['state']!r} is not valid for type {form['type']!r}"
            )
        user = self._user(form["zohouser"]) if form.get("zohouser") else None
        if form.get("zohouser") and user is None:
            return zoho_error(400, "INVALID_DATA", "zohouser is not a PhoneBridge user")
        start = _start_time(form.get("start_time", ""), self._clock())
        if start is None or not form.get("duration", "0").isdigit():
            return zoho_error(400, "INVALID_DATA", "start_time is yyyy-MM-dd HH:mm:ss and duration seconds")
        self.notifications.append(form)
        if form["state"] in FINAL_STATES and form["id"] not in self.logged:
            self._log(form, user or next(iter(self.org.users.values())), start)
        return JSONResponse(_SUCCESS)

    async def _clicktodialerror(self, request: Request, token: Token) -> Response:
        form = await form_params(request)
        if form.get("code") not in DIAL_ERRORS:
            return _missing("code")
        self.dial_errors.append(form)
        return JSONResponse(_SUCCESS)

    def _user(self, user_id: str) -> User | None:
        user = self.org.users.get(user_id)
        return user if user and user.phonebridge and user.status == "active" else None

    def _caller(self, number: str) -> tuple[str, str]:
        """Zoho's caller lookup: the contact, else the lead, whose number matches in any common format."""
        try:
            keys = parse(number).match_keys(0)
        except InvalidNumber:
            return "", ""
        for module in ("Contacts", "Leads"):
            for key in keys:
                found = self.org.search_phone(module, key)
                if found:
                    return module, str(found[0]["id"])
        return "", ""

    def _log(self, form: dict[str, str], owner: User, start: dt.datetime) -> None:
        """Zoho's own log of a finished call, linked to the contact or lead with the customer's number."""
        received = form["type"] == "received"
        customer = form["from"] if received else form["to"]
        kind = "Missed" if form["state"] == "missed" else ("Inbound" if received else "Outbound")
        seconds = int(form.get("duration") or 0)
        data: dict[str, Any] = {
            "Subject": f"{kind} call {'from' if received else 'to'} {customer}",
            "Call_Type": kind,
            "Call_Start_Time": start.isoformat(timespec="seconds"),
            "Call_Duration": f"{seconds // 60:02d}:{seconds % 60:02d}",
            "Caller_ID": form["from"][:30],
            "Dialled_Number": form["to"][:30],
            "Owner": {"id": owner.id},
            "CTI_Entry": True,
        }
        if form.get("voiceuri"):
            data["Voice_Recording__s"] = form["voiceuri"]
        module, record_id = self._caller(customer)
        if module == "Contacts":
            data["Who_Id"] = {"id": record_id}
        elif module:
            data.update({"What_Id": {"id": record_id}, "$se_module": module})
        record = self.org.insert("Calls", data, owner)
        if isinstance(record, dict):
            self.logged[form["id"]] = record["id"]


def _missing(name: str) -> Response:
    return zoho_error(400, "REQUIRED_PARAM_MISSING", f"required parameter {name} is missing", {"param": name})


def _start_time(text: str, now: dt.datetime) -> dt.datetime | None:
    """`yyyy-MM-dd HH:mm:ss` in GMT; an absent value means `now` (Zoho fills it in)."""
    if not text:
        return now.replace(microsecond=0)
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
