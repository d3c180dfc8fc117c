"""Yeastar P-Series Open API REST client: typed endpoints over the token keeper and transport."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Self, TypeVar

import httpx

from linkus_companion.model import Direction
from linkus_companion.pbx.clock import PbxClock
from linkus_companion.pbx.errors import PbxError, PbxUnavailable, from_response
from linkus_companion.pbx.models import CallInfo, CdrRecord, MalformedPayload, merge_legs
from linkus_companion.pbx.resources import (
    CompanyContact,
    ContactFields,
    Extension,
    Phonebook,
    SystemInfo,
    firmware_warning,
)
from linkus_companion.pbx.tokens import OwnTokenVault, Token, TokenKeeper, TokenVault
from linkus_companion.pbx.transport import Transport
from linkus_companion.texts import Text

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_SIZE = 1000
PICKED_PAGE_SIZE = 250
"""Rows per page when only a few calls' rows are kept (`search_cdr` with uids): a busy PBX's window holds
thousands of other calls, and a 1,000-row page is ~1.4 MB of JSON held and parsed at once (a PBX answers
each page with a query of its own, so not much smaller)."""


class PbxClient:
    """One PBX connection: obtains and renews API tokens and calls the Open API endpoints."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        ca_file: Path | None = None,
        fingerprint: str | None = None,
        timeout: float = 10.0,
        refresh_margin: float = 300.0,
        phonebridge: bool = False,
    ) -> None:
        self._transport = Transport(base_url, ca_file=ca_file, fingerprint=fingerprint, timeout=timeout)
        self._tokens = TokenKeeper(self._transport, client_id, client_secret, refresh_margin)
        self.base_url = self._transport.base_url
        self.ssl_context = self._transport.ssl_context
        """The TLS context (CA file or pinned fingerprint) for the event WebSocket; None over http."""
        self._phonebridge = phonebridge
        self._info: SystemInfo | None = None
        self._download_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"PbxClient({self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- tokens -------------------------------------------------------------------------------

    async def token(self) -> Token:
        """A valid access token, renewed ahead of expiry; concurrent callers share one renewal."""
        return await self._tokens.token()

    async def token_rejected(self, stale: Token) -> Token:
        """A new token after the PBX answered 10004 for `stale`; renews once however many ask."""
        return await self._tokens.token_rejected(stale)

    def keep_tokens_in(self, vault: TokenVault) -> None:
        """Share the token pair through `vault` (gateway replicas: one pair per site, never revoked here)."""
        self._tokens.vault, self._tokens.own_vault = vault, None

    def keep_own_tokens_in(self, vault: OwnTokenVault) -> None:
        """Keep this app's token pair in `vault` across restarts (a desktop: revoked on a clean stop)."""
        self._tokens.vault = self._tokens.own_vault = vault

    async def close(self) -> None:
        """Revoke the live token (frees one of the PBX's 8 slots) and close the connections."""
        await self._tokens.close()
        await self._transport.aclose()

    # --- requests -----------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        endpoint: str,
        action: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        """Call `endpoint` with the access token; a 10004 renews the token and retries once."""
        token = await self.token()
        reply = await self._transport.send(
            method, endpoint, {**(params or {}), "access_token": token.access}, body
        )
        if reply.get("errcode") == 10004:
            token = await self.token_rejected(token)
            reply = await self._transport.send(
                method, endpoint, {**(params or {}), "access_token": token.access}, body
            )
        if reply.get("errcode") != 0:
            raise from_response(reply, action)
        return reply

    async def _pages(
        self,
        endpoint: str,
        action: str,
        params: Mapping[str, str | int] | None = None,
        keep: Callable[[Mapping[str, Any]], bool] | None = None,
        page_size: int = PAGE_SIZE,
    ) -> list[Mapping[str, Any]]:
        """Every `data` row of a list/search endpoint, page by page (only those `keep` accepts)."""
        rows: list[Mapping[str, Any]] = []
        seen = 0
        page = 1
        while True:
            reply = await self.call(
                "GET", endpoint, action, params={**(params or {}), "page": page, "page_size": page_size}
            )
            data = reply.get("data") or []
            if not isinstance(data, list):
                raise PbxUnavailable(Text("The PBX sent an unreadable answer while {action}.", action=action))
            rows.extend(row for row in data if isinstance(row, Mapping) and (keep is None or keep(row)))
            seen += len(data)
            total = reply.get("total_number")
            if not data or len(data) < page_size or (isinstance(total, int) and seen >= total):
                return rows
            page += 1

    # --- system and extensions ----------------------------------------------------------------

    async def system_information(self) -> SystemInfo:
        """system/information; logs a warning when the firmware is older than required."""
        reply = await self.call("GET", "system/information", Text("reading the PBX information"))
        data = reply.get("data") if isinstance(reply.get("data"), Mapping) else reply
        assert isinstance(data, Mapping)
        firmware = str(data.get("firmware_version", ""))
        try:
            clock = PbxClock.from_system_time(
                str(data["system_time"]),
                int(data["timestamp"]),
                str(data["system_date_format"]),
                str(data["system_time_format"]),
            )
        except (KeyError, TypeError, ValueError):
            raise PbxUnavailable(Text("The PBX sent unreadable system information.")) from None
        warning = firmware_warning(firmware, phonebridge=self._phonebridge)
        if warning:
            log.warning("%s", warning)
        self._info = SystemInfo(
            device_name=str(data.get("device_name", "")),
            model_name=str(data.get("model_name", "")),
            sn=str(data.get("sn", "")),
            firmware=firmware,
            clock=clock,
            firmware_warning=warning,
        )
        return self._info

    async def pbx_info(self) -> SystemInfo:
        """system/information as read last (read once when not yet known)."""
        return self._info or await self.system_information()

    async def list_extensions(self) -> list[Extension]:
        """Every extension (extension/list)."""
        rows = await self._pages("extension/list", Text("listing extensions"))
        return _parse_all(rows, Extension.from_row)

    async def search_extensions(self, value: str) -> list[Extension]:
        """Extensions matching a keyword (extension/search)."""
        rows = await self._pages("extension/search", Text("searching extensions"), {"search_value": value})
        return _parse_all(rows, Extension.from_row)

    # --- calls --------------------------------------------------------------------------------

    async def dial(
        self, caller: str, callee: str, *, dial_permission: str = "", auto_answer: bool = False
    ) -> str:
        """call/dial: ring `caller` (an extension), then `callee`; returns the call id."""
        body: dict[str, str] = {
            "caller": caller,
            "callee": callee,
            "auto_answer": "yes" if auto_answer else "no",
        }
        if dial_permission:
            body["dial_permission"] = dial_permission
        reply = await self.call("POST", "call/dial", Text("dialling {number}", number=callee), body=body)
        return str(reply.get("call_id", ""))

    async def query_calls(
        self, *, call_id: str = "", extension: str = "", direction: Direction | None = None
    ) -> list[CallInfo]:
        """call/query: ongoing calls by id, by extension, by direction, or all."""
        params: dict[str, str | int] = {}
        if call_id:
            params["call_id"] = call_id
        elif extension:
            params["extension"] = extension
        elif direction is not None:
            params["type"] = direction.value
        reply = await self.call("GET", "call/query", Text("querying calls"), params=params)
        data = reply.get("data") or []
        return _parse_all(data if isinstance(data, list) else [], CallInfo.from_msg)

    async def hangup(self, channel_id: str) -> str:
        """call/hangup one member (its `channel_id` from a call event); returns the call id."""
        reply = await self.call("POST", "call/hangup", Text("hanging up"), body={"channel_id": channel_id})
        return str(reply.get("call_id", ""))

    # --- company contacts ---------------------------------------------------------------------

    async def search_company_contacts(self, value: str) -> list[CompanyContact]:
        """company_contact/search by keyword (name, company or number)."""
        rows = await self._pages(
            "company_contact/search", Text("searching company contacts"), {"search_value": value}
        )
        return _parse_all(rows, CompanyContact.from_row)

    async def list_company_contacts(self) -> list[CompanyContact]:
        """company_contact/list: every company contact."""
        rows = await self._pages("company_contact/list", Text("listing company contacts"))
        return _parse_all(rows, CompanyContact.from_row)

    async def get_company_contact(self, contact_id: int) -> CompanyContact:
        """company_contact/get with names and `number_list`."""
        reply = await self.call(
            "GET", "company_contact/get", Text("reading a company contact"), params={"id": contact_id}
        )
        return _parse_one(reply.get("data"), CompanyContact.from_detail)

    async def create_company_contact(self, fields: ContactFields) -> int:
        """company_contact/create; returns the new id."""
        reply = await self.call(
            "POST", "company_contact/create", Text("creating a company contact"), body=fields.body()
        )
        return _new_id(reply)

    async def update_company_contact(self, contact_id: int, fields: ContactFields) -> None:
        """company_contact/update with the full field set (numbers are replaced)."""
        body = {"id": contact_id, **fields.body()}
        await self.call("POST", "company_contact/update", Text("updating a company contact"), body=body)

    async def delete_company_contact(self, contact_id: int) -> None:
        """company_contact/delete (fails with 70091 while it is in a phonebook)."""
        await self.call(
            "GET", "company_contact/delete", Text("deleting a company contact"), params={"id": contact_id}
        )

    # --- phonebooks ---------------------------------------------------------------------------

    async def create_phonebook(self, name: str, contact_ids: tuple[int, ...] = ()) -> int:
        """phonebook/create with specific members; returns the new id."""
        body = {"name": name, "member_select": "sel_specific", "add_contacts_id_list": list(contact_ids)}
        reply = await self.call("POST", "phonebook/create", Text("creating a phonebook"), body=body)
        return _new_id(reply)

    async def update_phonebook(
        self,
        phonebook_id: int,
        *,
        name: str = "",
        add: tuple[int, ...] = (),
        remove: tuple[int, ...] = (),
    ) -> None:
        """phonebook/update: rename and/or add and remove member contacts."""
        body: dict[str, Any] = {"id": phonebook_id}
        if name:
            body["name"] = name
        if add:
            body["add_contacts_id_list"] = list(add)
        if remove:
            body["del_contacts_id_list"] = list(remove)
        await self.call("POST", "phonebook/update", Text("updating a phonebook"), body=body)

    async def get_phonebook(self, phonebook_id: int) -> Phonebook:
        """phonebook/get with its member contacts."""
        reply = await self.call(
            "GET", "phonebook/get", Text("reading a phonebook"), params={"id": phonebook_id}
        )
        return _parse_one(reply.get("data"), Phonebook.from_data)

    async def search_phonebooks(self, value: str) -> list[Phonebook]:
        """phonebook/search by name."""
        rows = await self._pages("phonebook/search", Text("searching phonebooks"), {"search_value": value})
        return _parse_all(rows, Phonebook.from_data)

    async def list_phonebooks(self) -> list[Phonebook]:
        """phonebook/list: every phonebook (without members)."""
        rows = await self._pages("phonebook/list", Text("listing phonebooks"))
        return _parse_all(rows, Phonebook.from_data)

    async def delete_phonebook(self, phonebook_id: int) -> None:
        """phonebook/delete."""
        await self.call("GET", "phonebook/delete", Text("deleting a phonebook"), params={"id": phonebook_id})

    # --- CDR and recordings -------------------------------------------------------------------

    async def search_cdr(
        self, start: dt.datetime, end: dt.datetime, uids: Collection[str] | None = None
    ) -> list[CdrRecord]:
        """cdr/search between two aware datetimes (sent in the PBX's display format).

        `uids`: only these calls' rows are read and kept; a busy PBX's window holds thousands of others.
        """
        clock = (await self.pbx_info()).clock
        params = {"start_time": clock.display(start), "end_time": clock.display(end)}
        keep = None if uids is None else (lambda row: row.get("uid") in uids)
        size = PAGE_SIZE if uids is None else PICKED_PAGE_SIZE
        rows = await self._pages("cdr/search", Text("searching call records"), params, keep, size)
        return merge_legs(_parse_all(rows, lambda row: CdrRecord.from_row(row, clock)))

    async def list_groups(self) -> dict[str, tuple[str, ...]]:
        """Queue and ring-group numbers with their member extensions (queue/list, ring_group/list)."""
        groups: dict[str, tuple[str, ...]] = {}
        for endpoint, key, members in _GROUP_LISTS:
            reply = await self.call("GET", endpoint, Text("listing queues and ring groups"))
            rows = reply.get(key) or reply.get("data") or []
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, Mapping) and isinstance(row.get("number"), str):
                    groups[row["number"]] = _members(row, members)
        return groups

    async def recording_url(self, file: str) -> str:
        """recording/download step 1: the short-lived `download_resource_url` for a file name."""
        reply = await self.call(
            "GET", "recording/download", Text("preparing a recording download"), params={"file": file}
        )
        url = reply.get("download_resource_url")
        if not isinstance(url, str) or not url.startswith("/"):
            raise PbxUnavailable(Text("The PBX did not say where to download the recording."))
        return url

    @contextlib.asynccontextmanager
    async def stream_recording(self, file: str) -> AsyncIterator[AsyncIterator[bytes]]:
        """Both download steps; yields the audio as byte chunks (one download at a time)."""
        async with self._download_lock:
            path = await self.recording_url(file)
            token = await self.token()
            try:
                async with self._transport.stream(path, token.access) as response:
                    if response.status_code != 200 or "json" in response.headers.get("content-type", ""):
                        await response.aread()
                        raise _download_error(response)
                    yield response.aiter_bytes()
            except httpx.HTTPError as err:
                raise self._transport.error(err) from None

    async def download_recording(self, file: str) -> bytes:
        """The whole recording file (30012 `recording` / CDR `record_file`)."""
        async with self.stream_recording(file) as chunks:
            return b"".join([chunk async for chunk in chunks])


_GROUP_LISTS = (
    ("queue/list", "queue_list", ("static_agent_list", "dynamic_agent_list")),
    ("ring_group/list", "ring_group_list", ("member_list",)),
)


def _members(row: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, ...]:
    """The extension numbers (`text2`) of a group's member lists, in order."""
    numbers = [
        str(item["text2"])
        for key in keys
        for item in (row.get(key) or [])
        if isinstance(item, Mapping) and item.get("text2")
    ]
    return tuple(dict.fromkeys(numbers))


def _download_error(response: httpx.Response) -> PbxError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("errcode"), int):
        return from_response(body, Text("downloading the recording"))
    return PbxUnavailable(
        Text("The PBX answered HTTP {status} to the recording download.", status=response.status_code)
    )


def _parse_all(rows: list[Any], parse: Callable[[Any], T]) -> list[T]:
    """Parse each row; a malformed row is logged and skipped, not fatal for the rest."""
    parsed: list[T] = []
    for row in rows:
        try:
            parsed.append(parse(row))
        except MalformedPayload as err:
            log.warning("Skipped an unreadable PBX row: %s", err)
    return parsed


def _parse_one(data: object, parse: Callable[[Any], T]) -> T:
    if not isinstance(data, Mapping):
        raise PbxUnavailable(Text("The PBX answered without the requested data."))
    try:
        return parse(data)
    except MalformedPayload as err:
        log.warning("Unreadable PBX reply: %s", err)
        raise PbxUnavailable(
            Text("The PBX sent data Linkus Companion cannot read; check that its firmware is supported.")
        ) from None


def _new_id(reply: Mapping[str, Any]) -> int:
    value = reply.get("id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise PbxUnavailable(Text("The PBX did not return the id of the new entry."))
    return value
