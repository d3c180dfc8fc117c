"""Play a call's recording the way each CRM's player does, as a CRM user other than the call's owner."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from linkus_companion.sim.crm_emulator import CrmEmulator
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.salesforce import SalesforceEmulator
from linkus_companion.sim.zoho import ZohoEmulator


@dataclass(frozen=True)
class Played:
    """What the player received: the whole file, its type, and a range the player asked for."""

    audio: bytes
    content_type: str
    head: bytes
    """Bytes 0-99 fetched with `Range`, as an <audio> element asks for them."""


async def play(crm: CrmEmulator, call_key: str, viewer_email: str, link_ca: ssl.SSLContext | None) -> Played:
    """The recording of the call logged with `call_key`, fetched with `viewer_email`'s CRM sign-in.

    `link_ca` verifies a capability link's https server (the gateway); CRM-hosted files are verified
    with the CRM's own certificate.
    """
    if isinstance(crm, HubSpotEmulator):
        return await _hubspot(crm, call_key, viewer_email, link_ca)
    if isinstance(crm, SalesforceEmulator):
        return await _salesforce(crm, call_key, viewer_email, link_ca)
    assert isinstance(crm, ZohoEmulator)
    return await _zoho(crm, call_key, viewer_email, link_ca)


def _call_id(crm: CrmEmulator, call_key: str) -> str:
    return next(c.id for c in crm.call_logs() if c.idempotency_key == call_key)


async def _fetch(http: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> Played:
    whole = await http.get(url, headers=headers)
    assert whole.status_code == 200, whole.text[:300]
    part = await http.get(url, headers={**(headers or {}), "Range": "bytes=0-99"})
    assert part.status_code == 206 and part.headers["content-range"].startswith("bytes 0-99/")
    return Played(whole.content, whole.headers["content-type"].split(";")[0], part.content)


async def _link(url: str, link_ca: ssl.SSLContext | None) -> Played:
    """A capability link, fetched with no cookie and no credential (any CRM's player or browser)."""
    async with httpx.AsyncClient(verify=link_ca or True, timeout=10) as http:
        return await _fetch(http, url + "/audio" if "/recordings/" in url else url)


async def _hubspot(crm: HubSpotEmulator, key: str, email: str, link_ca: ssl.SSLContext | None) -> Played:
    token = crm.issue_tokens(email)["access_token"]
    async with httpx.AsyncClient(base_url=crm.base_url, timeout=10) as api:
        call = await api.get(
            f"/crm/v3/objects/calls/{_call_id(crm, key)}",
            params={"properties": "hs_call_recording_url,hs_attachment_ids"},
            headers={"Authorization": f"Bearer {token}"},
        )
    url = str(call.json()["properties"]["hs_call_recording_url"])
    assert url.startswith("https://"), "HubSpot's player only fetches https recordings"
    if url.startswith(crm.file_host_url):  # HubSpot's servers fetch their own file, no sign-in
        return await _link(url, crm.file_host_tls.client_context())
    return await _link(url, link_ca)


async def _salesforce(
    crm: SalesforceEmulator, key: str, email: str, link_ca: ssl.SSLContext | None
) -> Played:
    user = next(u["Id"] for u in crm.records("User") if u["Email"] == email)
    auth = {"Authorization": f"Bearer {crm.session_for(user)}"}
    task_id = _call_id(crm, key)
    async with httpx.AsyncClient(
        base_url=crm.base_url, verify=ssl.create_default_context(cafile=str(crm.ca_file)), timeout=10
    ) as api:

        async def query(soql: str) -> list[dict[str, Any]]:
            body = (await api.get("/services/data/v66.0/query/", params={"q": soql}, headers=auth)).json()
            return list(body["records"])

        links = await query(
            f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{task_id}'"
        )
        if not links:  # link mode: the Task's description carries the player link
            description = str(crm.record(task_id)["Description"])  # type: ignore[index]
            assert "Recording: " in description, "the Task has no recording"
            url = description.rsplit("Recording: ", 1)[1].split()[0]
            return await _link(url, link_ca)
        document = links[0]["ContentDocumentId"]
        versions = await query(
            f"SELECT Id, VersionData FROM ContentVersion WHERE ContentDocumentId = '{document}' AND IsLatest = true"
        )
        return await _fetch(api, str(versions[0]["VersionData"]), auth)


async def _zoho(crm: ZohoEmulator, key: str, email: str, link_ca: ssl.SSLContext | None) -> Played:
    user = next(u for u in crm.org.users.values() if u.email == email)
    auth = {"Authorization": f"Zoho-oauthtoken {crm.issue_token(user).value}"}
    call_id = _call_id(crm, key)
    async with httpx.AsyncClient(base_url=crm.base_url, timeout=10) as api:
        listed = await api.get(
            f"/crm/v8/Calls/{call_id}/Attachments", params={"fields": "id,File_Name"}, headers=auth
        )
        if listed.status_code == 204:  # link mode: the Calls record's recording field
            record = (await api.get(f"/crm/v8/Calls/{call_id}", headers=auth)).json()["data"][0]
            assert record.get("Voice_Recording__s"), "the call has no recording"
            return await _link(str(record["Voice_Recording__s"]), link_ca)
        attachment = listed.json()["data"][0]["id"]
        return await _fetch(api, f"/crm/v8/Calls/{call_id}/Attachments/{attachment}", auth)
