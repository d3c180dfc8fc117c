"""Zoho CRM connector (API v8): phone search, contacts and leads, call logs in the Calls module, users."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import phonenumbers

from linkus_companion.crm.base import (
    AuthExpired,
    CallLog,
    CrmError,
    CrmUser,
    GrantSource,
    NotFound,
    QuotaExhausted,
    RateLimited,
    RecordingFile,
    Unavailable,
    ValidationFailed,
    crm_says,
    kind_word,
)
from linkus_companion.crm.http import CrmHttp, Sleep, classify_status, retry_after, zoho_oauthtoken
from linkus_companion.crm.uploads import check_limits, file_part, multipart
from linkus_companion.model import Direction, Disposition, NewRecord, Outcome, Record, RecordKind
from linkus_companion.phone import InvalidNumber, PhoneNumber, parse
from linkus_companion.texts import Text

CRM_NAME = "Zoho CRM"
API = "/crm/v8"
PER_PAGE = 200
KEY_FIELD = "Call_Agenda"
"""Where a call log keeps its idempotency key: a standard text field of Calls, searchable, unused for
logged (completed) calls, so `find_call` can find a log written by a request whose answer was lost."""
KEY_MAX = 255
"""Length of the key field: a longer key can never have been stored."""
RECORDING_FIELD = "Voice_Recording__s"
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""Zoho CRM takes attachments of at most 20 MB."""
_CALL_RESULTS = {Outcome.NO_ANSWER: "No response", Outcome.BUSY: "Busy"}
_PICKED = {
    Disposition.INTERESTED: "Interested",
    Disposition.NOT_INTERESTED: "Not interested",
    Disposition.NO_ANSWER: "No response",
    Disposition.BUSY: "Busy",
    Disposition.MORE_INFO: "Requested more info",
    Disposition.CALL_BACK: "Requested call back",
    Disposition.WRONG_NUMBER: "Invalid number",
}
"""Calls.Call_Result picklist values (the standard ones) for each outcome the user may pick."""
_CRITERIA_SPECIALS = ("\\", "(", ")", ",")
MAX_CONDITIONS = 10
"""Zoho evaluates at most ten conditions in one criteria expression."""


@dataclass(frozen=True)
class _Module:
    name: str
    kind: RecordKind
    phones: tuple[str, ...]
    names: tuple[str, ...]
    company: str


MODULES = (
    _Module(
        "Contacts",
        RecordKind.CONTACT,
        ("Phone", "Mobile", "Home_Phone", "Other_Phone", "Asst_Phone"),
        ("Full_Name", "First_Name", "Last_Name", "Email"),
        "Account_Name",
    ),
    _Module(
        "Leads",
        RecordKind.LEAD,
        ("Phone", "Mobile"),
        ("Full_Name", "First_Name", "Last_Name", "Email"),
        "Company",
    ),
    _Module("Accounts", RecordKind.ACCOUNT, ("Phone",), ("Account_Name",), "Account_Name"),
)
_BY_KIND = {module.kind: module for module in MODULES}


def escape_criteria(value: str) -> str:
    """`value` safe inside a criteria condition: backslash before `\\`, `(`, `)` and `,`.

    `:` needs no escape (the value is everything after the operator's colon); URL-encoding of
    `+`, `:` and the rest is left to the HTTP client, as the query string is encoded once.
    """
    for char in _CRITERIA_SPECIALS:
        value = value.replace(char, "\\" + char)
    return value


def classify(response: httpx.Response) -> CrmError | None:
    """The typed error a Zoho response means (request-level or the first per-record error)."""
    if response.status_code < 400:
        return None
    error = _error_body(response)
    code = str(error.get("code", ""))
    raw = error.get("details")
    details: dict[str, Any] = raw if isinstance(raw, dict) else {}
    field = details.get("api_name") or details.get("param_name") or ""
    detail = f"{code}: {error.get('message', '')}".strip(": ") + (f" ({field})" if field else "")
    said = crm_says(detail)
    if code in ("INVALID_TOKEN", "AUTHENTICATION_FAILURE", "OAUTH_SCOPE_MISMATCH"):
        return AuthExpired(
            Text(
                "{crm} rejected the sign-in{said}. Connect to {crm} again in Settings.",
                crm=CRM_NAME,
                said=said,
            )
        )
    if code == "TOO_MANY_REQUESTS" and "credit" in str(error.get("message", "")).lower():
        return QuotaExhausted(
            Text("{crm} refused the request: the org's API credits for the day are used up.", crm=CRM_NAME),
            retry_after=retry_after(response),
        )
    if code == "TOO_MANY_REQUESTS" or response.status_code == 429:
        wait = retry_after(response)
        return RateLimited(
            Text("{crm} is limiting requests{said}; try again later.", crm=CRM_NAME, said=said),
            retry_after=wait,
        )
    if code == "INVALID_DATA" and set(details) == {"id"}:
        return NotFound(
            Text(
                "{crm} has no such record{said}; it may have been deleted.",
                crm=CRM_NAME,
                said=said,
            )
        )
    return classify_status(CRM_NAME, response, detail) or ValidationFailed(
        Text("{crm} refused the data{said}; correct it and try again.", crm=CRM_NAME, said=said)
    )


class ZohoConnector:
    """crm/base.Connector for Zoho CRM; `Authorization: Zoho-oauthtoken`, API domain from the grant."""

    kind: str = "zoho"
    creatable: tuple[RecordKind, ...] = (RecordKind.CONTACT, RecordKind.LEAD)
    dispositions: tuple[Disposition, ...] = tuple(_PICKED)

    def __init__(
        self,
        client: httpx.AsyncClient,
        grants: GrantSource,
        *,
        region: str = "US",
        web_base: str = "",
        last_n: int = 7,
        priority: tuple[RecordKind, ...] = (),
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """`web_base`: the CRM web UI (e.g. `https://crm.zoho.eu`), default the grant's `web_base`.

        `region` is the default country of stored numbers; `last_n` adds a last-N-digits search key
        (0: none); `priority`: module kinds in the admin's order when the first match decides (empty:
        every match is returned); `sleep` is how CrmHttp waits between retries.
        """
        self._http = CrmHttp(
            client, grants, crm=CRM_NAME, classify=classify, auth_header=zoho_oauthtoken, sleep=sleep
        )
        self._region = region
        self._web_base = web_base.rstrip("/")
        self._last_n = last_n
        self._priority = tuple(kind for kind in priority if kind in _BY_KIND)
        self._org_domain = ""
        self._site_lock = asyncio.Lock()

    async def search_by_phone(self, number: PhoneNumber) -> list[Record]:
        """Contacts, Leads and Accounts searched in parallel, one request each (every number form OR-ed).

        With a `priority`, the first module in it that matches decides: the others are not waited for.
        """
        if number.internal:
            return []
        await self._load_site()
        tasks = {
            module.kind: asyncio.ensure_future(self._search_module(module, number)) for module in MODULES
        }
        try:
            for kind in self._priority:
                if await tasks[kind]:
                    return tasks[kind].result()
            await asyncio.gather(*tasks.values())
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
        return [record for task in tasks.values() for record in task.result()]

    async def warm_up(self) -> None:
        """Learn the org's domain (record URLs) and open a connection per parallel module search now,
        so the first call pays nothing extra."""
        await asyncio.gather(self._load_site(), self._http.open_connections(len(MODULES)))

    async def create_record(self, new: NewRecord) -> Record:
        """Create a contact or lead; after an ambiguous failure, search before giving up (never re-post)."""
        module = _BY_KIND.get(new.kind)
        if module is None or new.kind not in self.creatable:
            raise ValidationFailed(
                Text(
                    "{crm} cannot create a {kind} from a call; choose contact or lead.",
                    crm=CRM_NAME,
                    kind=kind_word(new.kind),
                )
            )
        await self._load_site()
        fields: dict[str, Any] = {
            "First_Name": new.first_name,
            "Last_Name": new.last_name,
            "Phone": new.phone,
        }
        notes = [new.note]
        if new.company and new.kind is RecordKind.LEAD:
            fields["Company"] = new.company
        elif new.company:  # a contact's company is an Account lookup; keep the name in the description
            notes.append(f"Company: {new.company}")
        if new.email:
            fields["Email"] = new.email
        if any(notes):
            fields["Description"] = "\n".join(filter(None, notes))
        if new.owner_id:
            fields["Owner"] = {"id": new.owner_id}

        async def already_there() -> str | None:
            return await self._created_meanwhile(new)

        record_id = await self._post_once(module.name, fields, already_there)
        name = f"{new.first_name} {new.last_name}".strip()
        return Record(
            id=record_id,
            kind=new.kind,
            module=module.name,
            display_name=name,
            url=self.record_url(record_id, new.kind),
            company=new.company,
            phones=(new.phone,),
            email=new.email,
            owner_id=new.owner_id,
        )

    async def log_call(self, log: CallLog) -> str:
        """Create the Calls record for `log`; an ambiguous failure is checked (by its key) before resending."""

        async def already_there() -> str | None:
            return await self.find_call(log.idempotency_key)

        return await self._post_once("Calls", _call_fields(log, creating=True), already_there)

    async def update_call(self, crm_call_id: str, log: CallLog) -> None:
        """Rewrite the call's fields (Call_Type is fixed once logged, so it is not sent)."""
        body = {"data": [_call_fields(log, creating=False)], "trigger": []}
        response = await self._http.request("PUT", f"{API}/Calls/{crm_call_id}", json=body)
        _first_result(response)

    async def find_call(self, idempotency_key: str) -> str | None:
        """The call logged with this key (criteria on the key field, exact match checked here)."""
        if not idempotency_key or len(idempotency_key) > KEY_MAX:
            return None
        criteria = f"({KEY_FIELD}:equals:{escape_criteria(idempotency_key)})"
        rows = await self._search("Calls", {"criteria": criteria, "fields": f"id,{KEY_FIELD}"})
        return next((str(row["id"]) for row in rows if row.get(KEY_FIELD) == idempotency_key), None)

    async def attach_recording(self, crm_call_id: str, recording: RecordingFile) -> str:
        """Attach the recording to the Calls record (Attachments API); one already attached is reused."""
        check_limits(CRM_NAME, recording, MAX_ATTACHMENT_BYTES)
        path = f"{API}/Calls/{crm_call_id}/Attachments"
        found = await self._attachment_named(path, recording.name)
        if found:
            return found
        form = multipart([file_part("file", recording)])
        try:
            response = await self._http.request("POST", path, headers=form.headers, content=form.body)
        except Unavailable:  # the upload may have landed: look before the outbox sends it again
            if found := await self._attachment_named(path, recording.name):
                return found
            raise
        return str(_first_result(response)["id"])

    async def delete_recording(self, crm_call_id: str, file_id: str) -> None:
        """Delete the attachment from the Calls record."""
        with contextlib.suppress(NotFound):
            await self._http.request("DELETE", f"{API}/Calls/{crm_call_id}/Attachments/{file_id}")

    async def _attachment_named(self, path: str, name: str) -> str:
        params = {"fields": "id,File_Name,Size", "per_page": str(PER_PAGE)}
        response = await self._http.request("GET", path, params=params)
        if response.status_code == 204:
            return ""
        rows = response.json().get("data", [])
        return next((str(r["id"]) for r in rows if isinstance(r, dict) and r.get("File_Name") == name), "")

    async def list_users(self) -> list[CrmUser]:
        """Active users with e-mails, every page."""
        users: list[CrmUser] = []
        page = 1
        while True:
            params = {"type": "ActiveUsers", "page": page, "per_page": PER_PAGE}
            response = await self._http.request("GET", f"{API}/users", params=params)
            if response.status_code == 204:
                return users
            body = response.json()
            users += [_user(u) for u in body.get("users", []) if isinstance(u, dict)]
            if not body.get("info", {}).get("more_records"):
                return users
            page += 1

    def record_url(self, record_id: str, kind: RecordKind) -> str:
        """`{web}/crm/{org domain}/tab/{Module}/{id}` (`/crm/tab/...` until the org is known)."""
        if not self._web_base:
            raise ValueError(f"the {CRM_NAME} web address is unknown until the first request")
        org = f"/{self._org_domain}" if self._org_domain else ""
        return f"{self._web_base}/crm{org}/tab/{_BY_KIND[kind].name}/{record_id}"

    async def _load_site(self) -> None:
        """Learn the org's domain name (and the web UI from the grant) once, for record URLs."""
        async with self._site_lock:
            if self._org_domain:
                return
            if not self._web_base:
                self._web_base = (await self._http.grant()).extras.get("web_base", "").rstrip("/")
            response = await self._http.request("GET", f"{API}/org")
            self._org_domain = str(response.json()["org"][0]["domain_name"])

    async def _search_module(self, module: _Module, number: PhoneNumber) -> list[Record]:
        """One criteria search: every phone field equal to any number form, up to Zoho's 10 conditions."""
        fields = ",".join(("id", *module.names, *module.phones, module.company, "Owner", "Modified_Time"))
        criteria = "or".join(
            f"({field}:equals:{escape_criteria(key)})"
            for field, key in _conditions(module, search_keys(number, self._last_n))
        )
        rows = await self._search(module.name, {"criteria": f"({criteria})", "fields": fields})
        return [self._record(module, row) for row in rows if self._same_number(number, module, row)]

    async def _search(self, module: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        response = await self._http.request(
            "GET", f"{API}/{module}/search", params={**params, "per_page": str(PER_PAGE)}
        )
        if response.status_code == 204:
            return []
        data = response.json().get("data", [])
        return [row for row in data if isinstance(row, dict)]

    def _same_number(self, number: PhoneNumber, module: _Module, row: Mapping[str, Any]) -> bool:
        return any(
            number.same_number(str(row[name]), self._region, self._last_n or 7)
            for name in module.phones
            if row.get(name)
        )

    def _record(self, module: _Module, row: Mapping[str, Any]) -> Record:
        company = row.get(module.company)
        owner = row.get("Owner")
        name = row.get("Full_Name") or row.get("Account_Name") or ""
        modified = row.get("Modified_Time")
        return Record(
            id=str(row["id"]),
            kind=module.kind,
            module=module.name,
            display_name=str(name.get("name", "") if isinstance(name, dict) else name),
            url=self.record_url(str(row["id"]), module.kind),
            company=str(company.get("name", "") if isinstance(company, dict) else company or ""),
            phones=tuple(str(row[n]) for n in module.phones if row.get(n)),
            email=str(row.get("Email") or ""),
            owner_id=str(owner.get("id", "")) if isinstance(owner, dict) else "",
            updated_at=dt.datetime.fromisoformat(modified) if isinstance(modified, str) else None,
        )

    async def _post_once(
        self, module: str, fields: Mapping[str, Any], recover: Callable[[], Awaitable[str | None]]
    ) -> str:
        """POST one record; after a failure that may have reached Zoho, look for it before re-raising."""
        body = {"data": [dict(fields)], "trigger": ["workflow"]}
        try:
            response = await self._http.request("POST", f"{API}/{module}", json=body)
        except Unavailable:
            found = await recover()
            if found:
                return found
            raise
        return str(_first_result(response)["id"])

    async def _created_meanwhile(self, new: NewRecord) -> str | None:
        try:
            number = parse(new.phone, self._region)
        except InvalidNumber:
            return None
        name = f"{new.first_name} {new.last_name}".strip()
        found = await self.search_by_phone(number)
        return next((r.id for r in found if r.kind is new.kind and r.display_name == name), None)


def search_keys(number: PhoneNumber, last_n: int) -> tuple[str, ...]:
    """Number forms to search, widest first: the last `last_n` digits, the national number, E.164, the rest.

    Zoho's `equals` on a phone field ignores formatting and matches part of the stored value
    (docs/zoho-phone-search.md), so the first key alone finds every stored format, numbers stored
    without their area code included; the digit post-filter then keeps only the same number. The
    other forms follow, as far as the 10 conditions allow, in case an org matches whole values.
    """
    keys = [number.last_digits(last_n)] if last_n and len(number.digits) > last_n else []
    if number.e164:
        keys += [phonenumbers.national_significant_number(phonenumbers.parse(number.e164)), number.e164]
    return tuple(dict.fromkeys([*keys, *number.match_keys(0)]))


def _conditions(module: _Module, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """(field, key) pairs, key by key across every phone field, at most MAX_CONDITIONS."""
    pairs = [(field, key) for key in keys for field in module.phones]
    return pairs[:MAX_CONDITIONS]


def _call_fields(log: CallLog, *, creating: bool) -> dict[str, Any]:
    """The Calls record for `log` (Who_Id for a contact; What_Id + $se_module for a lead or account)."""
    if log.direction is Direction.INTERNAL:
        raise ValidationFailed(
            Text("{crm} logs calls with customers only, not internal calls.", crm=CRM_NAME)
        )
    if log.started_at.tzinfo is None:
        raise ValueError("CallLog.started_at must be timezone-aware")
    inbound = log.direction is Direction.INBOUND
    minutes, seconds = divmod(max(0, log.talk_seconds), 60)
    fields: dict[str, Any] = {
        "Subject": log.subject[:255],
        "Call_Start_Time": log.started_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "Call_Duration": f"{minutes:02d}:{seconds:02d}",
        "Description": log.description[:32000],
        KEY_FIELD: log.idempotency_key,
    }
    if log.recording_url:
        fields[RECORDING_FIELD] = log.recording_url
    if creating:
        missed = inbound and log.outcome is not Outcome.ANSWERED
        fields["Call_Type"] = "Missed" if missed else ("Inbound" if inbound else "Outbound")
    if log.disposition in _PICKED:
        fields["Call_Result"] = _PICKED[log.disposition]
    elif log.outcome in _CALL_RESULTS:
        fields["Call_Result"] = _CALL_RESULTS[log.outcome]
    if log.owner_id:
        fields["Owner"] = {"id": log.owner_id}
    if log.record is not None:
        if log.record.kind is RecordKind.CONTACT:
            fields["Who_Id"] = {"id": log.record.id}
        else:
            fields.update({"What_Id": {"id": log.record.id}, "$se_module": _BY_KIND[log.record.kind].name})
    return fields


def _first_result(response: httpx.Response) -> dict[str, Any]:
    """`details` of the first per-record result; a per-record error becomes its typed error."""
    result = response.json()["data"][0]
    if result.get("status") != "success":
        raise ValidationFailed(
            Text(
                "{crm} refused the data{named}{said}; correct it and try again.",
                crm=CRM_NAME,
                named="",
                said=crm_says(f"{result.get('code')}: {result.get('message')}"),
            )
        )
    details: dict[str, Any] = result["details"]
    return details


def _user(entry: Mapping[str, Any]) -> CrmUser:
    active = entry.get("status") == "active"
    return CrmUser(str(entry["id"]), str(entry.get("email") or ""), str(entry.get("full_name") or ""), active)


def _error_body(response: httpx.Response) -> dict[str, Any]:
    """The request-level error object, or the first per-record error inside `data`."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if isinstance(body, dict) and isinstance(body.get("data"), list) and body["data"]:
        first = body["data"][0]
        return first if isinstance(first, dict) else {}
    return body if isinstance(body, dict) else {}
