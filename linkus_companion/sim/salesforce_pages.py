"""The emulated org's web UI: a home page, Lightning record pages, and `/{id}` short links."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from linkus_companion.sim.salesforce_data import Org
from linkus_companion.sim.salesforce_schema import ACCOUNT, CONTACT, LEAD, is_record_id, sobject

Endpoint = Callable[[Request], Awaitable[Response]]
_NOT_FOUND = "<!doctype html><title>Page not found | Salesforce</title><h1>This page isn't available</h1>"
_ACTIONS = ("view", "edit", "clone")


def record_path(type_name: str, record_id: str) -> str:
    """The Lightning record page path, `/lightning/r/{Object}/{id}/view`."""
    return f"/lightning/r/{type_name}/{record_id}/view"


def home(org: Org) -> Endpoint:
    """`/`: links to every account, contact and lead."""

    async def page(request: Request) -> Response:
        links = "".join(
            f'<li><a href="{record_path(sobj.name, rid)}">{sobj.name}: {html.escape(str(r["Name"]))}</a></li>'
            for sobj in (ACCOUNT, CONTACT, LEAD)
            for rid, r in org.records[sobj.name.lower()].items()
        )
        return HTMLResponse(
            "<!doctype html><html><head><title>Home | Salesforce</title></head><body>"
            f"<h1>Salesforce emulator</h1><ul>{links}</ul></body></html>"
        )

    return page


def record_page(org: Org) -> Endpoint:
    """`/lightning/r/{Object}/{id}/{view|edit|clone}`: the record's fields and its call activities."""

    async def page(request: Request) -> Response:
        sobj = sobject(request.path_params["type"])
        found = org.find(request.path_params["id"])
        if (
            sobj is None
            or found is None
            or found[0] is not sobj
            or request.path_params["action"] not in _ACTIONS
        ):
            return HTMLResponse(_NOT_FOUND, status_code=404)
        record = found[1]
        rows = "".join(
            f"<tr><th>{html.escape(f.label)}</th><td>{html.escape(str(record[f.name]))}</td></tr>"
            for f in sobj.fields
            if record.get(f.name) not in (None, "") and f.type not in ("id", "datetime", "boolean")
        )
        activities = "".join(
            f"<li>{html.escape(str(t.get('Subject') or ''))}: "
            f"{html.escape(str(t.get('CallDisposition') or ''))}</li>"
            for t in org.records["task"].values()
            if record["Id"] in (t.get("WhoId"), t.get("WhatId"))
        )
        title = html.escape(str(record.get("Name") or record["Id"]))
        return HTMLResponse(
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{title} | {sobj.label} | Salesforce</title></head><body>"
            f"<h1 data-record-id='{record['Id']}'>{sobj.label}: {title}</h1><table>{rows}</table>"
            f"<h2>Activity</h2><ul>{activities}</ul></body></html>"
        )

    return page


def list_view(org: Org) -> Endpoint:
    """`/lightning/o/{Object}/list`: the object's records with their name and phone columns."""

    async def page(request: Request) -> Response:
        sobj = sobject(request.path_params["type"])
        if sobj is None or sobj not in (ACCOUNT, CONTACT, LEAD):
            return HTMLResponse(_NOT_FOUND, status_code=404)
        fields = [f for f in sobj.fields if f.type == "phone" and "Fax" not in f.name]
        head = "".join(f"<th>{html.escape(f.label)}</th>" for f in fields)
        rows = "".join(
            f'<tr><td><a href="{record_path(sobj.name, rid)}">{html.escape(str(r["Name"]))}</a></td>'
            + "".join(f"<td>{html.escape(str(r.get(f.name) or ''))}</td>" for f in fields)
            + "</tr>"
            for rid, r in org.records[sobj.name.lower()].items()
        )
        return HTMLResponse(
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{sobj.label} | Salesforce</title></head><body><h1>{sobj.label}</h1>"
            f"<table><thead><tr><th>Name</th>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>"
        )

    return page


def short_link(org: Org) -> Endpoint:
    """`/{id}`: redirects to the record's Lightning page."""

    async def page(request: Request) -> Response:
        record_id = request.path_params["id"]
        found = org.find(record_id) if is_record_id(record_id) else None
        if found is None:
            return HTMLResponse(_NOT_FOUND, status_code=404)
        return RedirectResponse(record_path(found[0].name, found[1]["Id"]), status_code=302)

    return page
