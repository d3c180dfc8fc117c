"""HTML record pages at the web UI's paths (`/contacts/{hubId}/record/0-1/{id}`), where screen pops land."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from linkus_companion.sim.hubspot_store import OBJECT_TYPE_IDS, CrmObject, Store

_e = html.escape
_LEGACY_KINDS = {"contact": "contacts", "company": "companies"}
_LIST_COLUMNS = {
    "contacts": (("email", "Email"), ("phone", "Phone Number"), ("mobilephone", "Mobile Phone Number")),
    "companies": (("domain", "Company Domain Name"), ("phone", "Phone Number")),
}
"""The property columns of each index page, as HubSpot labels them."""


class RecordPages:
    """The contact and company pages of one portal, with each record's call timeline."""

    def __init__(self, store: Store, hub_id: int) -> None:
        self._store = store
        self._hub_id = hub_id

    def routes(self) -> list[Route]:
        """Current (`record/0-1/{id}`) and older (`contact/{id}`) page paths."""
        return [
            Route("/contacts/{hub_id:int}/record/{type_id}/{object_id}", self._record, methods=["GET"]),
            Route("/contacts/{hub_id:int}/objects/{type_id}/views/all/list", self._list, methods=["GET"]),
            Route("/contacts/{hub_id:int}/{legacy:str}/{object_id}", self._legacy, methods=["GET"]),
        ]

    async def _record(self, request: Request) -> Response:
        kind = next((k for k, t in OBJECT_TYPE_IDS.items() if t == request.path_params["type_id"]), "")
        return self._page(request.path_params["hub_id"], kind, request.path_params["object_id"])

    async def _legacy(self, request: Request) -> Response:
        kind = _LEGACY_KINDS.get(request.path_params["legacy"], "")
        return self._page(request.path_params["hub_id"], kind, request.path_params["object_id"])

    async def _list(self, request: Request) -> Response:
        """The index page of contacts or companies with their phone columns."""
        type_id = request.path_params["type_id"]
        kind = next((k for k, t in OBJECT_TYPE_IDS.items() if t == type_id), "")
        if request.path_params["hub_id"] != self._hub_id or kind not in ("contacts", "companies"):
            return _html("Page not found", "<p>This page does not exist.</p>", 404)
        columns = _LIST_COLUMNS[kind]
        head = "".join(f"<th>{_e(label)}</th>" for _name, label in columns)
        rows = "".join(
            f'<tr><td><a href="/contacts/{self._hub_id}/record/{type_id}/{_e(record.id)}">{_e(_title(record))}</a></td>'
            + "".join(f"<td>{_e(record.properties.get(name) or '')}</td>" for name, _label in columns)
            + "</tr>"
            for record in self._store.objects.get(kind, {}).values()
        )
        body = f"<table><thead><tr><th>Name</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        return _html(kind.capitalize(), body, 200)

    def _page(self, hub_id: int, kind: str, object_id: str) -> Response:
        record = self._store.objects.get(kind, {}).get(object_id) if kind != "calls" else None
        if hub_id != self._hub_id or record is None:
            return _html("Record not found", "<p>This record does not exist or was deleted.</p>", 404)
        rows = "".join(
            f"<tr><th>{_e(name)}</th><td>{_e(value)}</td></tr>"
            for name, value in sorted(record.properties.items())
        )
        calls = "".join(
            self._call(call_id) for call_id, _ in self._store.associated(record.kind, record.id, "calls")
        )
        body = f'<table class="properties">{rows}</table><h2>Activity</h2><ol class="timeline">{calls}</ol>'
        return _html(_title(record), body, 200)

    def _call(self, call_id: str) -> str:
        call = self._store.objects["calls"][call_id].properties
        url = _e(call.get("hs_call_recording_url", ""))
        player = f'<audio controls src="{url}"></audio> <a href="{url}">Recording</a>' if url else ""
        summary = f"{call.get('hs_call_direction', '')} {call.get('hs_call_status', '')}"
        return (
            f'<li class="call" id="call-{call_id}"><strong>{_e(call.get("hs_call_title", "Call"))}</strong> '
            f"{_e(summary)}<p>{_e(call.get('hs_call_body', ''))}</p>{player}</li>"
        )


def _title(record: CrmObject) -> str:
    props = record.properties
    if record.kind == "companies":
        return props.get("name") or f"Company {record.id}"
    name = f"{props.get('firstname', '')} {props.get('lastname', '')}".strip()
    return name or props.get("email") or f"Contact {record.id}"


def _html(title: str, body: str, status: int) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{_e(title)} | HubSpot</title></head><body><h1>{_e(title)}</h1>{body}</body></html>",
        status_code=status,
    )
