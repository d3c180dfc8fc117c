"""HubSpot connector: phone search over contacts and companies, contact creation, call logging, owners."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal
from urllib.parse import quote

import httpx

from linkus_companion.crm.base import (
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
from linkus_companion.crm.http import CrmHttp, classify_status, retry_after
from linkus_companion.crm.uploads import Part, check_limits, file_part, multipart
from linkus_companion.model import Direction, Disposition, NewRecord, Outcome, Record, RecordKind
from linkus_companion.phone import InvalidNumber, PhoneNumber, parse
from linkus_companion.texts import Text

ApiVersion = Literal["v3", "2026-03"]
CRM = "HubSpot"
CALL_KEY_PROPERTY = "hs_call_external_id"
"""Where the idempotency key `<call_id>:<extension>` is stored on the call engagement."""
CALL_TO_CONTACT = 194
"""HUBSPOT_DEFINED call→contact association type (HubSpot's own call examples)."""
SEARCH_LIMIT = 100
PHONES = {"contacts": ("phone", "mobilephone"), "companies": ("phone",)}
CALCULATED = {
    "phone": "hs_searchable_calculated_phone_number",
    "mobilephone": "hs_searchable_calculated_mobile_number",
}
RETURNED = {
    "contacts": ("firstname", "lastname", "email", "phone", "mobilephone", "company", "hubspot_owner_id"),
    "companies": ("name", "domain", "phone", "hubspot_owner_id"),
}
KINDS = {"contacts": RecordKind.CONTACT, "companies": RecordKind.ACCOUNT}
OBJECT_TYPE_IDS = {RecordKind.CONTACT: "0-1", RecordKind.ACCOUNT: "0-2"}
POLICY_WINDOWS = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}
STATUS = {
    Outcome.ANSWERED: "COMPLETED",
    Outcome.VOICEMAIL: "COMPLETED",
    Outcome.NO_ANSWER: "NO_ANSWER",
    Outcome.BUSY: "BUSY",
    Outcome.FAILED: "FAILED",
}
DISPOSITIONS = {
    Outcome.ANSWERED: "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    Outcome.VOICEMAIL: "b2cf5968-551e-4856-9783-52b3da59a7d0",
    Outcome.NO_ANSWER: "73a0d17f-1163-4015-bdd5-ec830791da20",
    Outcome.BUSY: "9d9162e7-6cf3-4944-bf63-4dff82258764",
}
PICKED = {
    Disposition.BUSY: "9d9162e7-6cf3-4944-bf63-4dff82258764",
    Disposition.CONNECTED: "f240bbac-87c9-4f6e-bf70-924b57d47db7",
    Disposition.LEFT_MESSAGE: "a4c4c377-d246-4b32-a13b-75a56a4cd0ff",
    Disposition.LEFT_VOICEMAIL: "b2cf5968-551e-4856-9783-52b3da59a7d0",
    Disposition.NO_ANSWER: "73a0d17f-1163-4015-bdd5-ec830791da20",
    Disposition.WRONG_NUMBER: "17b47fee-58de-441e-a44c-c6300d46f273",
}
"""HubSpot's default call outcomes (`hs_call_disposition` GUIDs) the user may pick."""
RECORDING_FOLDER = "/Linkus Companion/Call recordings"
RECORDING_ACCESS = "PUBLIC_NOT_INDEXABLE"
"""Reachable by its long URL (HubSpot's player fetches it with no HubSpot sign-in), never indexed."""
MAX_FILE_BYTES = 2 * 1024**3
_EXISTING_ID = re.compile(r"Existing ID: (\d+)")


class DuplicateContact(ValidationFailed):
    """HubSpot refused a contact because its e-mail already belongs to another (409 CONFLICT)."""

    @property
    def existing_id(self) -> str:
        """The id of the contact that already has the e-mail, when HubSpot said it."""
        found = _EXISTING_ID.search(str(self))
        return found.group(1) if found else ""


class SearchPacer:
    """Spaces search requests to at most `rate` per `period` seconds (HubSpot: 4 per second per token).

    The default period is a little over a second so that network jitter never lands five in one of
    HubSpot's seconds.
    """

    def __init__(
        self,
        rate: int = 4,
        period: float = 1.2,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._rate = rate
        self._period = period
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when one more search may be sent."""
        async with self._lock:
            while True:
                now = self._clock()
                while self._sent and self._sent[0] <= now - self._period:
                    self._sent.popleft()
                if len(self._sent) < self._rate:
                    self._sent.append(now)
                    return
                await self._sleep(self._sent[0] + self._period - now)


def classify(response: httpx.Response) -> CrmError | None:
    """HubSpot's error bodies as typed errors: 429 policy windows, the refused property, duplicates."""
    if response.is_success:
        return None
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    message = str(body.get("message", ""))[:300]
    if response.status_code == 429 and str(body.get("policyName", "")) == "DAILY":
        return QuotaExhausted(
            Text("{crm} refused the request: the portal's daily API limit is used up.", crm=CRM),
            retry_after=retry_after(response),
        )
    if response.status_code == 429:
        policy = str(body.get("policyName", ""))
        wait = retry_after(response)
        wait = POLICY_WINDOWS.get(policy) if wait is None else wait
        when = (
            Text("in {seconds} s", seconds=f"{wait:g}")
            if wait is not None
            else Text("tomorrow")
            if policy == "DAILY"
            else Text("later")
        )
        return RateLimited(
            Text(
                "{crm} is limiting requests{said}; try again {when}.",
                crm=CRM,
                said=crm_says(policy),
                when=when,
            ),
            retry_after=wait,
        )
    if response.status_code == 409:
        return DuplicateContact(Text("{crm} already has this record{said}.", crm=CRM, said=crm_says(message)))
    if response.status_code == 400 and body.get("category") == "VALIDATION_ERROR":
        fields = sorted(
            {str(e.get("in")) for e in body.get("errors", []) if isinstance(e, dict) and e.get("in")}
        )
        named = Text(" in {fields}", fields=", ".join(fields)) if fields else ""
        detail = "; ".join(str(e.get("message", "")) for e in body.get("errors", []) if isinstance(e, dict))
        return ValidationFailed(
            Text(
                "{crm} refused the data{named}{said}; correct it and try again.",
                crm=CRM,
                named=named,
                said=crm_says(detail or message),
            )
        )
    return classify_status(CRM, response, message)


class HubSpotConnector:
    """The Connector for HubSpot over the v3/v4 or the date-based (2026-03) API paths."""

    kind = "hubspot"
    creatable: tuple[RecordKind, ...] = (RecordKind.CONTACT,)
    dispositions: tuple[Disposition, ...] = tuple(PICKED)

    def __init__(
        self,
        client: httpx.AsyncClient,
        grants: GrantSource,
        *,
        region: str = "US",
        version: ApiVersion = "2026-03",
        hub_id: str = "",
        web_base: str = "https://app.hubspot.com",
        recheck_window: float = 12.0,
        recheck_interval: float = 1.0,
        pacer: SearchPacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_attempts: int = 4,
        companies_first: bool = False,
    ) -> None:
        """`companies_first`: the admin ranks companies above contacts, so both are searched at once."""
        self._http = CrmHttp(
            client, grants, crm=CRM, classify=classify, sleep=sleep, max_attempts=max_attempts
        )
        self._region = region
        self._version = version
        self._hub_id = hub_id
        self._web_base = web_base.rstrip("/")
        self._recheck_window = recheck_window
        self._recheck_interval = recheck_interval
        self._pacer = pacer or SearchPacer(sleep=sleep)
        self._sleep = sleep
        self._companies_first = companies_first

    async def warm_up(self) -> None:
        """Take the account details from the sign-in and open the connection(s) a lookup uses now."""
        await self._remember_account()
        await self._http.open_connections(2 if self._companies_first else 1)

    # --- search ------------------------------------------------------------------------------------

    async def search_by_phone(self, number: PhoneNumber) -> list[Record]:
        """Contacts with this number; companies only when no contact has it (or companies rank first).

        One search when a contact matches: HubSpot allows few searches a second per account, and the
        pacer serves them in the order callers rang.
        """
        if number.internal:
            return []
        await self._remember_account()
        if self._companies_first:
            contacts, companies = await asyncio.gather(
                self._search_phone("contacts", number), self._search_phone("companies", number)
            )
            return contacts + companies
        return await self._search_phone("contacts", number) or await self._search_phone("companies", number)

    async def _search_phone(self, kind: str, number: PhoneNumber) -> list[Record]:
        return [self._record(kind, item) for item in await self._phone_hits(kind, number)]

    async def _phone_hits(self, kind: str, number: PhoneNumber) -> list[dict[str, Any]]:
        """Search results whose stored numbers really are `number` (a last-digits coincidence is dropped)."""
        body = {
            "filterGroups": phone_filter_groups(kind, number),
            "properties": list(RETURNED[kind]),
            "limit": SEARCH_LIMIT,
            "after": "0",
            "sorts": [],
        }
        results = await self._search(kind, body)
        return [item for item in results if self._same_number(kind, item, number)]

    def _same_number(self, kind: str, item: Mapping[str, Any], number: PhoneNumber) -> bool:
        props = item.get("properties") or {}
        return any(number.same_number(str(props.get(p) or ""), self._region) for p in PHONES[kind])

    async def _search(self, kind: str, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        response = await self._http.request(
            "POST", f"{self._objects(kind)}/search", json=body, idempotent=True, pace=self._pacer.wait
        )
        return list(response.json().get("results", []))

    # --- contacts ----------------------------------------------------------------------------------

    async def create_record(self, new: NewRecord) -> Record:
        """Create a contact; after an ambiguous failure, look for it before sending again."""
        if new.kind not in self.creatable:
            raise ValidationFailed(
                Text(
                    "{crm} keeps people as contacts only; a {kind} cannot be created.",
                    crm=CRM,
                    kind=kind_word(new.kind),
                )
            )
        props = {
            "firstname": new.first_name,
            "lastname": new.last_name,
            "email": new.email,
            "phone": new.phone,
            "company": new.company,
            "hubspot_owner_id": new.owner_id,
        }
        props = {name: value for name, value in props.items() if value}
        if not (new.first_name or new.last_name or new.email):
            raise ValidationFailed(
                Text("{crm} needs a first name, last name or e-mail for a new contact.", crm=CRM)
            )
        await self._remember_account()
        if new.email and (existing := await self._contact_by_email(new.email)) is not None:
            return existing
        try:
            item = await self._create(
                "contacts", {"properties": props, "associations": []}, lambda: self._find_new(new)
            )
        except DuplicateContact as exc:
            if not exc.existing_id:
                raise
            item = await self._get("contacts", exc.existing_id)
        return self._record("contacts", item)

    async def _find_new(self, new: NewRecord) -> dict[str, Any] | None:
        """The contact a failed create may have made anyway: by e-mail (no lag), else by number and name."""
        if new.email:
            record = await self._contact_by_email(new.email)
            return None if record is None else {"id": record.id, "properties": {"email": new.email}}
        try:
            number = parse(new.phone, self._region)
        except InvalidNumber:
            return None
        for item in await self._phone_hits("contacts", number):
            props = item.get("properties") or {}
            if (props.get("firstname") or "", props.get("lastname") or "") == (new.first_name, new.last_name):
                return item
        return None

    async def _contact_by_email(self, email: str) -> Record | None:
        params = {"idProperty": "email", "properties": ",".join(RETURNED["contacts"])}
        try:
            response = await self._http.request(
                "GET", f"{self._objects('contacts')}/{_segment(email)}", params=params
            )
        except NotFound:
            return None
        return self._record("contacts", response.json())

    async def _get(self, kind: str, object_id: str) -> dict[str, Any]:
        params = {"properties": ",".join(RETURNED[kind])}
        response = await self._http.request(
            "GET", f"{self._objects(kind)}/{_segment(object_id)}", params=params
        )
        return dict(response.json())

    async def _create(
        self,
        kind: str,
        body: Mapping[str, Any],
        find: Callable[[], Awaitable[dict[str, Any] | None]],
        *,
        wait_out_limits: bool = True,
    ) -> dict[str, Any]:
        """POST once; resend only when HubSpot surely wrote nothing (429) or a re-check finds nothing.

        Without `wait_out_limits` a 429 is raised to the caller (the outbox reschedules the call log).
        """
        try:
            return await self._post(kind, body)
        except RateLimited as exc:  # refused before anything was written
            if not wait_out_limits:
                raise
            await self._sleep(min(exc.retry_after or 1.0, 60.0))
        except Unavailable:  # written or not: look before sending again
            found = await self._recheck(find)
            if found is not None:
                return found
        return await self._post(kind, body)

    async def _post(self, kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
        response = await self._http.request("POST", self._objects(kind), json=body)
        return dict(response.json())

    async def _recheck(self, find: Callable[[], Awaitable[dict[str, Any] | None]]) -> dict[str, Any] | None:
        """Poll `find` for `recheck_window` seconds: HubSpot's search lags new records."""
        deadline = time.monotonic() + self._recheck_window
        while True:
            found = await find()
            if found is not None or time.monotonic() >= deadline:
                return found
            await self._sleep(self._recheck_interval)

    # --- calls -------------------------------------------------------------------------------------

    async def log_call(self, log_entry: CallLog) -> str:
        """Create the call engagement, owned and associated; an ambiguous failure is checked before resending."""
        body = {
            "properties": call_properties(log_entry),
            "associations": _contact_association(log_entry.record),
        }
        found = await self._create(
            "calls", body, lambda: self._call_item(log_entry.idempotency_key), wait_out_limits=False
        )
        existing = str(found["id"])
        record = log_entry.record
        if record is not None and record.kind is RecordKind.ACCOUNT:
            await self._http.request("PUT", self._associate_path(existing, "companies", record.id))
        return existing

    async def update_call(self, crm_call_id: str, log_entry: CallLog) -> None:
        """Rewrite the call's properties (e.g. the recording link arrived)."""
        props = {
            name: value for name, value in call_properties(log_entry).items() if name != CALL_KEY_PROPERTY
        }
        path = f"{self._objects('calls')}/{_segment(crm_call_id)}"
        await self._http.request("PATCH", path, json={"properties": props}, idempotent=True)

    async def attach_recording(self, crm_call_id: str, recording: RecordingFile) -> str:
        """Upload to the file manager (overwriting by path: never two copies) and set the call's recording URL.

        A file already at the path with the same size is reused, so a retry after the call update
        failed does not upload again.
        """
        check_limits(CRM, recording, MAX_FILE_BYTES)
        path = f"{RECORDING_FOLDER}/{recording.name}"
        try:
            found = (
                await self._http.request("GET", f"/files/v3/files/stat/{quote(path.lstrip('/'))}")
            ).json()
            stored = found.get("file") or {}
        except NotFound:
            stored = {}
        if not stored.get("url") or stored.get("size") != recording.size:
            options = {"access": RECORDING_ACCESS, "overwrite": True}
            form = multipart(
                [
                    file_part("file", recording),
                    _field("folderPath", RECORDING_FOLDER),
                    _field("fileName", recording.name),
                    _field("options", json.dumps(options)),
                ]
            )
            response = await self._http.request(
                "POST", "/files/v3/files", headers=form.headers, content=form.body, idempotent=True
            )
            stored = response.json()
        url, file_id = str(stored.get("url") or ""), str(stored["id"])
        if not url.startswith("https://"):
            raise CrmError(
                Text("{crm} stored the recording without an https address; it cannot play it.", crm=CRM)
            )
        props = {"hs_call_recording_url": url, "hs_attachment_ids": file_id}
        path = f"{self._objects('calls')}/{_segment(crm_call_id)}"
        await self._http.request("PATCH", path, json={"properties": props}, idempotent=True)
        return file_id

    async def delete_recording(self, crm_call_id: str, file_id: str) -> None:
        """Delete the file from the file manager and clear the call's recording properties."""
        with contextlib.suppress(NotFound):
            await self._http.request("DELETE", f"/files/v3/files/{_segment(file_id)}")
        props = {"hs_call_recording_url": "", "hs_attachment_ids": ""}
        with contextlib.suppress(NotFound):
            path = f"{self._objects('calls')}/{_segment(crm_call_id)}"
            await self._http.request("PATCH", path, json={"properties": props}, idempotent=True)

    async def find_call(self, idempotency_key: str) -> str | None:
        """The call engagement carrying this key, via search (which lags new calls by seconds)."""
        item = await self._call_item(idempotency_key)
        return None if item is None else str(item["id"])

    async def _call_item(self, key: str) -> dict[str, Any] | None:
        body = {
            "filterGroups": [
                {"filters": [{"propertyName": CALL_KEY_PROPERTY, "operator": "EQ", "value": key}]}
            ],
            "properties": [CALL_KEY_PROPERTY],
            "limit": 10,
            "after": "0",
            "sorts": [],
        }
        for item in await self._search("calls", body):
            if (item.get("properties") or {}).get(CALL_KEY_PROPERTY) == key:
                return item
        return None

    # --- users and pages ---------------------------------------------------------------------------

    async def list_users(self) -> list[CrmUser]:
        """Owners (their ids are what `hubspot_owner_id` takes) that have an e-mail."""
        path = "/crm/v3/owners" if self._version == "v3" else "/crm/owners/2026-03"
        users: list[CrmUser] = []
        after = ""
        while True:
            params = {"limit": "100", "archived": "false"} | ({"after": after} if after else {})
            page = (await self._http.request("GET", path, params=params)).json()
            for owner in page.get("results", []):
                name = f"{owner.get('firstName') or ''} {owner.get('lastName') or ''}".strip()
                if owner.get("email"):
                    users.append(
                        CrmUser(
                            str(owner["id"]),
                            owner["email"],
                            name or owner["email"],
                            not owner.get("archived"),
                        )
                    )
            after = str(((page.get("paging") or {}).get("next") or {}).get("after") or "")
            if not after:
                return users

    def record_url(self, record_id: str, kind: RecordKind) -> str:
        """`{web}/contacts/{hubId}/record/0-1/{id}` (0-2 for companies)."""
        if kind not in OBJECT_TYPE_IDS:
            raise ValueError(f"{CRM} has no {kind} records")
        if not self._hub_id:
            raise CrmError(
                Text("The {crm} account id is unknown; connect to {crm} again in Settings.", crm=CRM)
            )
        return (
            f"{self._web_base}/contacts/{self._hub_id}/record/{OBJECT_TYPE_IDS[kind]}/{_segment(record_id)}"
        )

    async def _remember_account(self) -> None:
        """Take the hub id and web UI base from the grant (the OAuth sign-in found them)."""
        extras = (await self._http.grant()).extras
        self._hub_id = extras.get("hub_id") or self._hub_id
        self._web_base = (extras.get("web_base") or self._web_base).rstrip("/")

    def _record(self, kind: str, item: Mapping[str, Any]) -> Record:
        props = {k: str(v) for k, v in (item.get("properties") or {}).items() if v is not None}
        record_id = str(item["id"])
        if kind == "contacts":
            name = f"{props.get('firstname', '')} {props.get('lastname', '')}".strip()
            display, company = name or props.get("email") or f"Contact {record_id}", props.get("company", "")
        else:
            display = props.get("name") or props.get("domain") or f"Company {record_id}"
            company = props.get("name", "")
        return Record(
            id=record_id,
            kind=KINDS[kind],
            module=kind,
            display_name=display,
            url=self.record_url(record_id, KINDS[kind]),
            company=company,
            phones=tuple(props[p] for p in PHONES[kind] if props.get(p)),
            email=props.get("email", ""),
            owner_id=props.get("hubspot_owner_id", ""),
            updated_at=_when(item.get("updatedAt")),
        )

    def _objects(self, kind: str) -> str:
        return f"/crm/v3/objects/{kind}" if self._version == "v3" else f"/crm/objects/2026-03/{kind}"

    def _associate_path(self, call_id: str, kind: str, record_id: str) -> str:
        prefix = "/crm/v4/objects" if self._version == "v3" else "/crm/objects/2026-03"
        return f"{prefix}/calls/{_segment(call_id)}/associations/default/{kind}/{_segment(record_id)}"


def phone_filter_groups(kind: str, number: PhoneNumber) -> list[dict[str, Any]]:
    """OR-ed groups: the digits-only calculated properties IN the digit forms, the stored ones IN the texts.

    Contacts need 4 groups (phone and mobile, each calculated and stored) and companies 2: within HubSpot's 6.
    """
    digit_keys = list(number.match_keys())
    texts = [number.e164 or "", number.national or "", number.raw, *digit_keys]
    text_keys = list(dict.fromkeys(t for t in texts if t))
    groups = []
    for prop in PHONES[kind]:
        groups.append(
            {"filters": [{"propertyName": CALCULATED[prop], "operator": "IN", "values": digit_keys}]}
        )
        groups.append({"filters": [{"propertyName": prop, "operator": "IN", "values": text_keys}]})
    return groups


def call_properties(entry: CallLog) -> dict[str, str]:
    """The call engagement's properties for a call log."""
    body = entry.description
    recording = entry.recording_url
    if recording and not recording.startswith("https://"):  # HubSpot takes only https recording links
        body, recording = f"{body}\nRecording: {recording}", ""
    props = {
        "hs_timestamp": str(int(entry.started_at.timestamp() * 1000)),
        "hs_call_title": entry.subject,
        "hs_call_body": body,
        "hs_call_direction": {Direction.INBOUND: "INBOUND", Direction.OUTBOUND: "OUTBOUND"}.get(
            entry.direction, ""
        ),
        "hs_call_status": STATUS[entry.outcome],
        "hs_call_disposition": PICKED[entry.disposition]
        if entry.disposition in PICKED
        else DISPOSITIONS.get(entry.outcome, ""),
        "hs_call_duration": str(max(0, entry.talk_seconds) * 1000),
        "hs_call_from_number": entry.from_number,
        "hs_call_to_number": entry.to_number,
        "hs_call_recording_url": recording,
        "hs_call_source": "INTEGRATIONS_PLATFORM",
        "hubspot_owner_id": entry.owner_id,
        CALL_KEY_PROPERTY: entry.idempotency_key,
    }
    if entry.record is not None:
        props["hs_call_callee_object_id"] = entry.record.id
        props["hs_call_callee_object_type"] = (
            "CONTACT" if entry.record.kind is RecordKind.CONTACT else "COMPANY"
        )
    return {name: value for name, value in props.items() if value}


def _contact_association(record: Record | None) -> list[dict[str, Any]]:
    if record is None or record.kind is not RecordKind.CONTACT:
        return []
    spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": CALL_TO_CONTACT}
    return [{"to": {"id": record.id}, "types": [spec]}]


def _field(name: str, value: str) -> Part:
    return Part(name, value.encode())


def _segment(value: str) -> str:
    """A path segment with everything but unreserved characters percent-encoded."""
    return quote(value, safe="")


def _when(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
