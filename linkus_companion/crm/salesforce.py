"""Salesforce connector: one SOSL phone search, Contact/Lead creation, call logging as Tasks, users."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import httpx

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
    ValidationFailed,
    crm_says,
    kind_word,
)
from linkus_companion.crm.http import CrmHttp, classify_status, retry_after
from linkus_companion.crm.uploads import Part, check_limits, file_part, multipart
from linkus_companion.model import Direction, Disposition, NewRecord, Outcome, Record, RecordKind
from linkus_companion.phone import MAX_INPUT, InvalidNumber, PhoneNumber, parse
from linkus_companion.texts import Text

logger = logging.getLogger(__name__)
Lookup = Callable[[], Awaitable[str | None]]

API_VERSION = "66.0"
"""The newest REST API version this connector was tested with (Spring '26)."""
CRM = "Salesforce"
RECORDING_LABEL = "Recording: "
"""Prefix of the line that carries the recording link in a Task's Description (Tasks have no URL field)."""
MAX_FILE_BYTES = 2 * 1024**3
"""A ContentVersion blob sent as multipart may be up to 2 GB."""
LEAD_COMPANY_PLACEHOLDER = "[not provided]"
"""Company for a Lead whose company is unknown (Lead.Company is required), as Web-to-Lead writes it."""
SOSL_RESERVED = frozenset("?&|!{}[]()^~*:\\\"'+-")
"""Characters SOSL reserves inside FIND {...}; each is escaped with a backslash."""
_SOQL_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_MODULES = {RecordKind.CONTACT: "Contact", RecordKind.LEAD: "Lead", RecordKind.ACCOUNT: "Account"}
_KINDS = {module: kind for kind, module in _MODULES.items()}
_PHONE_FIELDS = {
    "Contact": ("Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone"),
    "Lead": ("Phone", "MobilePhone"),
    "Account": ("Phone",),
}
_RETURNING = (
    "Contact(Id, Name, Phone, MobilePhone, HomePhone, OtherPhone, AssistantPhone, Email, OwnerId, "
    "Account.Name, LastModifiedDate), "
    "Lead(Id, Name, Company, Phone, MobilePhone, Email, OwnerId, LastModifiedDate "
    "WHERE IsConverted = false), "
    "Account(Id, Name, Phone, OwnerId, LastModifiedDate)"
)
_CALL_TYPES = {Direction.INBOUND: "Inbound", Direction.OUTBOUND: "Outbound", Direction.INTERNAL: "Internal"}
_DISPOSITIONS = {
    Outcome.ANSWERED: "Answered",
    Outcome.NO_ANSWER: "No Answer",
    Outcome.BUSY: "Busy",
    Outcome.VOICEMAIL: "Voicemail",
    Outcome.FAILED: "Failed",
}
_PICKED = {
    Disposition.CONNECTED: "Connected",
    Disposition.LEFT_MESSAGE: "Left live message",
    Disposition.LEFT_VOICEMAIL: "Left voicemail",
    Disposition.NO_ANSWER: "No Answer",
    Disposition.BUSY: "Busy",
    Disposition.WRONG_NUMBER: "Wrong number",
    Disposition.INTERESTED: "Interested",
    Disposition.NOT_INTERESTED: "Not interested",
    Disposition.MORE_INFO: "Requested more info",
    Disposition.CALL_BACK: "Requested call back",
}
"""Task.CallDisposition ("Call Result", free text) for each outcome the user may pick."""
_LIMITS = {"Subject": 255, "Description": 32000}


def sosl_phrase(text: str) -> str:
    """`text` as one quoted SOSL phrase: reserved characters escaped, operators and spaces inert."""
    return '"' + "".join("\\" + ch if ch in SOSL_RESERVED else ch for ch in text) + '"'


def soql_string(text: str) -> str:
    """`text` as a quoted SOQL string literal (quotes, backslashes and control characters escaped)."""
    return "'" + "".join(_SOQL_ESCAPES.get(ch, ch) for ch in text) + "'"


def classify(response: httpx.Response) -> CrmError | None:
    """The typed error a Salesforce REST response means (its errorCode decides), or None on success."""
    if response.status_code < 300:
        return None
    code, message, fields = _first_error(response)
    detail = f"{code}: {message}" if code else message
    if code == "INVALID_SESSION_ID" or response.status_code == 401:
        return AuthExpired(
            Text(
                "{crm} rejected the session{said}. Connect to {crm} again in Settings.",
                crm=CRM,
                said=crm_says(detail),
            )
        )
    if code == "REQUEST_LIMIT_EXCEEDED" and "TotalRequests" in message:
        return QuotaExhausted(
            Text(
                "{crm} refused the request: the org's daily API request limit is used up.",
                crm=CRM,
            ),
            retry_after=retry_after(response),
        )
    if code == "REQUEST_LIMIT_EXCEEDED":
        return RateLimited(
            Text(
                "{crm} refused the request: the org's API request limit is reached{said}.",
                crm=CRM,
                said=crm_says(message),
            ),
            retry_after=retry_after(response),
        )
    if response.status_code == 404:
        return NotFound(
            Text("{crm} has no such record{said}; it may have been deleted.", crm=CRM, said=crm_says(detail))
        )
    if response.status_code == 400:
        named = Text(" in field {fields}", fields=", ".join(fields)) if fields else ""
        return ValidationFailed(
            Text(
                "{crm} refused the data{named}{said}; correct it and try again.",
                crm=CRM,
                named=named,
                said=crm_says(detail),
            )
        )
    return classify_status(CRM, response, detail)


def _first_error(response: httpx.Response) -> tuple[str, str, list[str]]:
    try:
        body = response.json()
    except ValueError:
        return "", f"HTTP {response.status_code}", []
    item = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    if isinstance(body, dict):
        item = body
    code = str(item.get("errorCode") or item.get("error") or "")
    message = str(item.get("message") or item.get("error_description") or f"HTTP {response.status_code}")
    fields = [str(f) for f in item.get("fields") or [] if isinstance(f, str)]
    return code[:64], message[:300], fields


class SalesforceConnector:
    """The Connector for one Salesforce org, through CrmHttp with the org's grant."""

    kind = "salesforce"
    creatable: tuple[RecordKind, ...] = (RecordKind.CONTACT, RecordKind.LEAD)
    dispositions: tuple[Disposition, ...] = tuple(_PICKED)

    def __init__(
        self,
        client: httpx.AsyncClient,
        grants: GrantSource,
        *,
        instance_url: str,
        region: str = "US",
        api_version: str = API_VERSION,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = CrmHttp(client, grants, crm=CRM, classify=classify, sleep=sleep)
        self._instance_url = instance_url.rstrip("/")
        self._region = region
        self._pinned = api_version
        self._version: str | None = None

    # --- search ---------------------------------------------------------------------------------------

    async def search_by_phone(self, number: PhoneNumber) -> list[Record]:
        """Contacts, leads and accounts with this number: one SOSL request, then a digit comparison.

        Text longer than any phone number (phone.MAX_INPUT) is not searched at all.
        """
        keys = [key for key in number.match_keys() if 2 <= len(key) <= MAX_INPUT]
        if not keys or len(number.raw) > MAX_INPUT or len(number.digits) > MAX_INPUT:
            return []
        sosl = f"FIND {{{' OR '.join(sosl_phrase(k) for k in keys)}}} IN PHONE FIELDS RETURNING {_RETURNING}"
        body = await self._get_json("search/", params={"q": sosl})
        rows = body.get("searchRecords", []) if isinstance(body, dict) else body
        records = [self._record(row) for row in rows if row.get("attributes", {}).get("type") in _KINDS]
        return [r for r in records if any(number.same_number(p, self._region) for p in r.phones)]

    def _record(self, row: Mapping[str, Any]) -> Record:
        module = str(row["attributes"]["type"])
        kind = _KINDS[module]
        account = row.get("Account") or {}
        company = {"Contact": account.get("Name"), "Lead": row.get("Company"), "Account": row.get("Name")}[
            module
        ]
        phones = tuple(str(row[f]) for f in _PHONE_FIELDS[module] if row.get(f))
        return Record(
            id=str(row["Id"]),
            kind=kind,
            module=module,
            display_name=str(row.get("Name") or ""),
            url=self.record_url(str(row["Id"]), kind),
            company=str(company or ""),
            phones=phones,
            email=str(row.get("Email") or ""),
            owner_id=str(row.get("OwnerId") or ""),
            updated_at=_datetime(row.get("LastModifiedDate")),
        )

    # --- create ---------------------------------------------------------------------------------------

    async def create_record(self, new: NewRecord) -> Record:
        """Create a Contact or Lead; after a failure that may have reached Salesforce, search first."""
        if new.kind not in self.creatable:
            raise ValidationFailed(
                Text(
                    "{crm} can create contacts and leads here, not a {kind}.",
                    crm=CRM,
                    kind=kind_word(new.kind),
                )
            )
        module = _MODULES[new.kind]
        last_name = new.last_name or new.first_name or new.phone or "Unknown"
        fields: dict[str, Any] = {
            "FirstName": new.first_name if new.last_name else "",
            "LastName": last_name,
            "Phone": new.phone,
            "Email": new.email,
            "Description": new.note,
            "OwnerId": new.owner_id,
        }
        if new.kind is RecordKind.LEAD:
            fields["Company"] = new.company or LEAD_COMPANY_PLACEHOLDER
        body = {k: v for k, v in fields.items() if v}
        display_name = " ".join(p for p in (body.get("FirstName"), last_name) if p)
        record_id = await self._insert(module, body, lambda: self._created_meanwhile(new, display_name))
        return Record(
            id=record_id,
            kind=new.kind,
            module=module,
            display_name=display_name,
            url=self.record_url(record_id, new.kind),
            company=str(body.get("Company", "")),
            phones=(new.phone,) if new.phone else (),
            email=new.email,
            owner_id=new.owner_id,
        )

    async def _created_meanwhile(self, new: NewRecord, display_name: str) -> str | None:
        """The id of a record a failed create may still have made: same kind, number and name."""
        try:
            number = parse(new.phone, self._region)
        except InvalidNumber:
            return None
        found = await self.search_by_phone(number)
        name = display_name.casefold()
        return next((r.id for r in found if r.kind is new.kind and r.display_name.casefold() == name), None)

    async def _insert(self, module: str, body: Mapping[str, Any], meanwhile: Lookup) -> str:
        """POST one record, never blindly repeated: after a failure that may have reached Salesforce
        (timeout, 5xx), `meanwhile` looks for what it may have created, and that id is the answer."""
        try:
            response = await self._http.request("POST", await self._path(f"sobjects/{module}/"), json=body)
        except CrmError as error:
            if not error.retryable:
                raise
            try:
                found = await meanwhile()
            except CrmError:
                found = None
            if found is None:
                raise error from None
            logger.info("%s %s create failed (%s) but had been saved; using it", CRM, module, error)
            return found
        return str(response.json()["id"])

    # --- calls ----------------------------------------------------------------------------------------

    async def log_call(self, log: CallLog) -> str:
        """Create the call Task; an ambiguous failure is checked (by its CallObject key) before resending."""
        fields = {**self._task_fields(log), "TaskSubtype": "Call"}
        return await self._insert("Task", fields, lambda: self.find_call(log.idempotency_key))

    async def update_call(self, crm_call_id: str, log: CallLog) -> None:
        """Rewrite the Task (e.g. with the recording link that arrived late)."""
        path = await self._path(f"sobjects/Task/{crm_call_id}")
        await self._http.request("PATCH", path, json=self._task_fields(log), idempotent=True)

    async def find_call(self, idempotency_key: str) -> str | None:
        """The Task whose CallObject holds this key, found with SOQL."""
        literal = soql_string(_call_object(idempotency_key))  # escaped: cannot leave the literal
        soql = f"SELECT Id FROM Task WHERE CallObject = {literal} ORDER BY CreatedDate ASC LIMIT 1"  # noqa: S608
        body = await self._get_json("query/", params={"q": soql})
        records = body.get("records", [])
        return str(records[0]["Id"]) if records else None

    async def attach_recording(self, crm_call_id: str, recording: RecordingFile) -> str:
        """A Salesforce File (ContentVersion, multipart) first published to the Task, so it plays for
        everyone who can see the Task; an earlier upload of the same name on the Task is reused."""
        check_limits(CRM, recording, MAX_FILE_BYTES)
        found = await self._recording_on(crm_call_id, recording.name)
        if found:
            return found
        entity = {
            "Title": recording.name.rsplit(".", 1)[0],
            "PathOnClient": recording.name,
            "FirstPublishLocationId": crm_call_id,
            "ContentLocation": "S",
        }
        form = multipart(
            [
                Part("entity_content", json.dumps(entity).encode(), content_type="application/json"),
                file_part("VersionData", recording),
            ]
        )
        path = await self._path("sobjects/ContentVersion/")
        try:
            response = await self._http.request("POST", path, headers=form.headers, content=form.body)
        except CrmError as error:
            if error.retryable and (found := await self._recording_on(crm_call_id, recording.name)):
                return found
            raise
        return str(response.json()["id"])

    async def delete_recording(self, crm_call_id: str, file_id: str) -> None:
        """Delete the File (its ContentDocument: every version and every share with it)."""
        soql = f"SELECT ContentDocumentId FROM ContentVersion WHERE Id = {soql_string(file_id)}"  # noqa: S608
        records = (await self._get_json("query/", params={"q": soql})).get("records", [])
        if records:
            path = await self._path(f"sobjects/ContentDocument/{records[0]['ContentDocumentId']}")
            with contextlib.suppress(NotFound):
                await self._http.request("DELETE", path)

    async def _recording_on(self, task_id: str, name: str) -> str:
        """The ContentVersion called `name` first published to the Task, if any."""
        soql = (
            "SELECT Id FROM ContentVersion WHERE FirstPublishLocationId = "  # noqa: S608
            f"{soql_string(task_id)} AND PathOnClient = {soql_string(name)} LIMIT 1"
        )
        records = (await self._get_json("query/", params={"q": soql})).get("records", [])
        return str(records[0]["Id"]) if records else ""

    def _task_fields(self, log: CallLog) -> dict[str, Any]:
        description = log.description
        if log.recording_url and log.recording_url not in description:
            description = f"{description}\n\n{RECORDING_LABEL}{log.recording_url}".lstrip()
        fields: dict[str, Any] = {
            "Subject": log.subject or "Extension Call",
            "Description": description,
            "Type": "Call",
            "Status": "Completed",
            "Priority": "Normal",
            "CallType": _CALL_TYPES[log.direction],
            "CallDurationInSeconds": max(0, log.talk_seconds),
            "CallObject": _call_object(log.idempotency_key),
            "CallDisposition": _PICKED[log.disposition] if log.disposition else _DISPOSITIONS[log.outcome],
            "ActivityDate": log.started_at.date().isoformat(),
        }
        for name, limit in _LIMITS.items():
            fields[name] = fields[name][:limit]
        if log.owner_id:
            fields["OwnerId"] = log.owner_id
        if log.record is not None:
            fields["WhatId" if log.record.kind is RecordKind.ACCOUNT else "WhoId"] = log.record.id
        return fields

    # --- users and pages ------------------------------------------------------------------------------

    async def list_users(self) -> list[CrmUser]:
        """Active users with their e-mails, following `nextRecordsUrl` through every batch."""
        soql = "SELECT Id, Name, Email, Username, IsActive FROM User WHERE IsActive = true ORDER BY Name"
        body = await self._get_json("query/", params={"q": soql})
        users = _users(body.get("records", []))
        while not body.get("done", True) and body.get("nextRecordsUrl"):
            body = await self._get_json_at(str(body["nextRecordsUrl"]))
            users += _users(body.get("records", []))
        return users

    async def warm_up(self) -> None:
        """Choose the API version and hold the kept-alive connection open, before the first call."""
        await self._api_version()
        await self._http.open_connections(1)

    def record_url(self, record_id: str, kind: RecordKind) -> str:
        """The Lightning record page, `{instance}/lightning/r/{Object}/{id}/view`."""
        return f"{self._instance_url}/lightning/r/{_MODULES[kind]}/{record_id}/view"

    # --- plumbing -------------------------------------------------------------------------------------

    async def _path(self, resource: str) -> str:
        return f"/services/data/v{await self._api_version()}/{resource}"

    async def _api_version(self) -> str:
        """The newest version the org offers that is not newer than the one we were tested with."""
        if self._version is None:
            offered = await self._get_json_at("/services/data/")
            usable = [
                str(v["version"])
                for v in offered
                if _version_key(str(v["version"])) <= _version_key(self._pinned)
            ]
            if not usable:
                raise ValidationFailed(
                    Text(
                        "This {crm} org offers no REST API version up to {pinned}.",
                        crm=CRM,
                        pinned=self._pinned,
                    )
                )
            self._version = max(usable, key=_version_key)
        return self._version

    async def _get_json(self, resource: str, params: Mapping[str, str]) -> Any:
        return await self._get_json_at(await self._path(resource), params)

    async def _get_json_at(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        response = await self._http.request("GET", path, params=params)
        try:
            return response.json()
        except json.JSONDecodeError:
            return {}


def _users(rows: Iterable[Mapping[str, Any]]) -> list[CrmUser]:
    return [
        CrmUser(
            id=str(r["Id"]),
            email=str(r.get("Email") or ""),
            name=str(r.get("Name") or ""),
            active=bool(r.get("IsActive", True)),
        )
        for r in rows
    ]


def _call_object(key: str) -> str:
    """The CallObject value for an idempotency key (hashed when longer than the field's 255 characters)."""
    return key if len(key) <= 255 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def _datetime(value: Any) -> dt.datetime | None:
    """Salesforce's `2026-01-31T12:00:00.000+0000`."""
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None
