"""Emulated Zoho CRM REST API v8: search, records, users, org and field metadata."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from linkus_companion.sim.file_store import FORM_LIMITS, FileStore, serve
from linkus_companion.sim.zoho_accounts import Token
from linkus_companion.sim.zoho_criteria import CriteriaError, parse
from linkus_companion.sim.zoho_data import Org, QueryError, RecordError, User
from linkus_companion.sim.zoho_guard import Guard, Handler, zoho_error
from linkus_companion.sim.zoho_schema import MODULES, fields_metadata

MAX_PER_PAGE = 200
MAX_RECORDS_PER_WRITE = 100
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
"""Zoho CRM's limit for one uploaded attachment (20 MB)."""
ATTACHMENT_FIELDS = ("id", "File_Name", "Size", "Created_Time", "Modified_Time", "Owner", "Parent_Id")
SEARCH_SCOPE = "ZohoSearch.securesearch.READ"
USER_TYPES: dict[str, Callable[[User, Token], bool]] = {
    "AllUsers": lambda u, t: True,
    "ActiveUsers": lambda u, t: u.status == "active",
    "DeactiveUsers": lambda u, t: u.status == "disabled",
    "ConfirmedUsers": lambda u, t: True,
    "NotConfirmedUsers": lambda u, t: False,
    "DeletedUsers": lambda u, t: u.status == "deleted",
    "CurrentUser": lambda u, t: u.id == t.user_id,
    "AdminUsers": lambda u, t: u.profile == "Administrator",
}


class CrmApi:
    """Routes of `/crm/v8` on the API domain."""

    def __init__(self, org: Org, guard: Guard) -> None:
        self.org = org
        self.guard = guard
        self.files = FileStore()
        self.attachments: dict[str, dict[str, Any]] = {}
        """Attachment id -> its metadata as the Attachments list shows it."""

    def routes(self) -> list[BaseRoute]:
        """Starlette routes, each behind the guard with the scope Zoho requires."""

        def guarded(scopes: Callable[[Request], tuple[str, ...]], handler: Handler) -> Callable[..., Any]:
            async def endpoint(request: Request) -> Response:
                return await self.guard.run(request, scopes(request), handler)

            return endpoint

        def module_scope(operation: str) -> Callable[[Request], tuple[str, ...]]:
            return lambda r: (f"ZohoCRM.modules.{r.path_params['module']}.{operation}",)

        def fixed(*scopes: str) -> Callable[[Request], tuple[str, ...]]:
            return lambda r: scopes

        base = "/crm/v8"

        def search_scopes(request: Request) -> tuple[str, ...]:
            return (*module_scope("READ")(request), SEARCH_SCOPE)

        return [
            Route(f"{base}/users", guarded(fixed("ZohoCRM.users.READ"), self._users)),
            Route(f"{base}/org", guarded(fixed("ZohoCRM.org.READ"), self._org)),
            Route(f"{base}/settings/fields", guarded(fixed("ZohoCRM.settings.fields.READ"), self._fields)),
            Route(f"{base}/{{module}}/search", guarded(search_scopes, self._search)),
            Route(
                f"{base}/{{module}}/upsert", guarded(module_scope("CREATE"), self._upsert), methods=["POST"]
            ),
            Route(f"{base}/{{module}}", guarded(module_scope("CREATE"), self._insert), methods=["POST"]),
            Route(f"{base}/{{module}}", guarded(module_scope("UPDATE"), self._update), methods=["PUT"]),
            Route(f"{base}/{{module}}", guarded(module_scope("READ"), self._list), methods=["GET"]),
            Route(f"{base}/{{module}}", guarded(module_scope("DELETE"), self._delete), methods=["DELETE"]),
            Route(f"{base}/{{module}}/{{record_id}}", guarded(module_scope("READ"), self._get)),
            Route(
                f"{base}/{{module}}/{{record_id}}/Attachments",
                guarded(module_scope("CREATE"), self._attach),
                methods=["POST"],
            ),
            Route(
                f"{base}/{{module}}/{{record_id}}/Attachments", guarded(module_scope("READ"), self._attached)
            ),
            Route(
                f"{base}/{{module}}/{{record_id}}/Attachments/{{attachment_id}}",
                guarded(module_scope("READ"), self._download),
            ),
            Route(
                f"{base}/{{module}}/{{record_id}}/Attachments/{{attachment_id}}",
                guarded(module_scope("DELETE"), self._detach),
                methods=["DELETE"],
            ),
            Route(
                f"{base}/{{module}}/{{record_id}}",
                guarded(module_scope("UPDATE"), self._update),
                methods=["PUT"],
            ),
            Route(
                f"{base}/{{module}}/{{record_id}}",
                guarded(module_scope("DELETE"), self._delete),
                methods=["DELETE"],
            ),
        ]

    def _actor(self, token: Token) -> User:
        return self.org.users[token.user_id]

    async def _users(self, request: Request, token: Token) -> Response:
        kind = request.query_params.get("type", "AllUsers")
        selector = USER_TYPES.get(kind)
        if selector is None:
            return zoho_error(400, "INVALID_DATA", "invalid data", {"param_name": "type"})
        users = [u.as_json() for u in self.org.users.values() if selector(u, token)]
        return _page(request, "users", users)

    async def _org(self, request: Request, token: Token) -> Response:
        admin = next(iter(self.org.users.values()))
        return JSONResponse({"org": [self.org.as_json(admin)]})

    async def _fields(self, request: Request, token: Token) -> Response:
        module = request.query_params.get("module", "")
        if module not in MODULES:
            return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        return JSONResponse({"fields": fields_metadata(module)})

    async def _search(self, request: Request, token: Token) -> Response:
        module = request.path_params["module"]
        if module not in MODULES:
            return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        query = request.query_params
        try:
            if "criteria" in query:  # precedence: criteria > email > phone > word
                found = self.org.search_criteria(module, parse(query["criteria"]))
            elif "email" in query:
                found = self.org.search_email(module, query["email"])
            elif "phone" in query:
                found = self.org.search_phone(module, query["phone"])
            elif "word" in query:
                found = self.org.search_word(module, query["word"])
            else:
                return _missing("criteria")
        except CriteriaError as exc:
            return zoho_error(400, "INVALID_QUERY", "invalid query formed", {"reason": str(exc)})
        except QueryError as exc:
            return zoho_error(
                400,
                "INVALID_QUERY",
                "invalid query formed",
                {"reason": "the field is not available for search", "api_name": exc.api_name},
            )
        wanted = [f for f in query.get("fields", "").split(",") if f]
        shown = [{k: v for k, v in r.items() if not wanted or k in wanted or k == "id"} for r in found]
        return _page(request, "data", shown)

    async def _list(self, request: Request, token: Token) -> Response:
        """Get Records: `fields` is required; pages of `per_page` in the order they were added."""
        module = request.path_params["module"]
        if module not in MODULES:
            return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        wanted = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not wanted:
            return _missing("fields")
        records = self.org.records[module].values()
        return _page(
            request, "data", [{k: v for k, v in r.items() if k in wanted or k == "id"} for r in records]
        )

    async def _delete(self, request: Request, token: Token) -> Response:
        """Delete Records: the id in the path, or up to 100 in `ids`; per-record results."""
        module = request.path_params["module"]
        if module not in MODULES:
            return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        path_id = request.path_params.get("record_id")
        ids = [path_id] if path_id else [i for i in request.query_params.get("ids", "").split(",") if i]
        if not ids:
            return _missing("ids")
        if len(ids) > MAX_RECORDS_PER_WRITE:
            return zoho_error(400, "LIMIT_EXCEEDED", "the number of records exceeds 100")
        results = [
            {"code": "SUCCESS", "details": {"id": i}, "message": "record deleted", "status": "success"}
            if self.org.records[module].pop(i, None) is not None
            else {
                "code": "INVALID_DATA",
                "details": {"id": i},
                "message": "record not deleted",
                "status": "error",
            }
            for i in ids
        ]
        ok = sum(1 for r in results if r["status"] == "success")
        return JSONResponse(
            {"data": results}, status_code=200 if ok == len(ids) else (400 if ok == 0 else 207)
        )

    async def _get(self, request: Request, token: Token) -> Response:
        module = request.path_params["module"]
        if module not in MODULES:
            return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        record = self.org.find(module, request.path_params["record_id"])
        if record is None:
            return Response(status_code=204)
        return JSONResponse({"data": [record]})

    async def _insert(self, request: Request, token: Token) -> Response:
        return await self._write(request, token, "insert")

    async def _update(self, request: Request, token: Token) -> Response:
        return await self._write(request, token, "update")

    async def _upsert(self, request: Request, token: Token) -> Response:
        return await self._write(request, token, "upsert")

    def _duplicate(self, module: str, item: dict[str, Any], checked: list[str]) -> tuple[str, str] | None:
        """(field, id) of the first record holding one of `item`'s `checked` values (case-insensitive)."""
        for name in checked:
            wanted = str(item.get(name) or "").casefold()
            for record in self.org.records[module].values() if wanted else ():
                if str(record.get(name) or "").casefold() == wanted:
                    return name, str(record["id"])
        return None

    async def _write(self, request: Request, token: Token, mode: str) -> Response:
        module = request.path_params["module"]
        if module not in MODULES:
            return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return zoho_error(400, "INVALID_DATA", "body is not valid JSON")
        items = body.get("data") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            return zoho_error(400, "INVALID_DATA", "invalid data", {"api_name": "data"})
        if len(items) > MAX_RECORDS_PER_WRITE:
            return zoho_error(400, "LIMIT_EXCEEDED", "the number of records exceeds 100")
        actor = self._actor(token)
        path_id = request.path_params.get("record_id")
        checked = body.get("duplicate_check_fields") or (["Email"] if "Email" in MODULES[module] else [])
        results = []
        for item in items:
            found = self._duplicate(module, item, [str(n) for n in checked]) if mode == "upsert" else None
            if mode == "update" or found:
                outcome = self.org.update(
                    module, found[1] if found else str(path_id or item.get("id") or ""), item, actor
                )
                result = _result(outcome, "record updated")
            else:
                result = _result(self.org.insert(module, item, actor), "record added")
            if mode == "upsert" and result["status"] == "success":
                result |= {
                    "action": "update" if found else "insert",
                    "duplicate_field": found[0] if found else None,
                }
            results.append(result)
        ok = sum(1 for r in results if r["status"] == "success")
        status = (201 if mode == "insert" else 200) if ok == len(results) else (400 if ok == 0 else 207)
        return JSONResponse({"data": results}, status_code=status)

    # --- attachments (multipart `file`, at most 20 MB; downloads honour Range) ----------------------

    def _parent(self, request: Request) -> tuple[str, dict[str, Any]] | Response:
        module = request.path_params["module"]
        if module not in MODULES:
            return zoho_error(400, "INVALID_MODULE", "the module name given seems to be invalid")
        record = self.org.find(module, request.path_params["record_id"])
        if record is None:
            return zoho_error(
                400, "INVALID_DATA", "the related id given seems to be invalid", {"api_name": "id"}
            )
        return module, record

    async def _attach(self, request: Request, token: Token) -> Response:
        parent = self._parent(request)
        if isinstance(parent, Response):
            return parent
        module, record = parent
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return zoho_error(400, "INVALID_DATA", "invalid data", {"param_name": "file"})
        async with request.form(**FORM_LIMITS) as form:
            upload = form.get("file")
            if isinstance(upload, str) or upload is None:
                return _missing("file")
            if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
                return zoho_error(400, "FILE_SIZE_MORE_THAN_ALLOWED", "Cannot upload file more than 20MB")
            attachment_id = self.org.new_id()
            stored = await self.files.save(attachment_id, upload, parent=record["id"])
        actor = self._actor(token)
        now = self.org.now().isoformat(timespec="seconds")
        self.attachments[attachment_id] = {
            "id": attachment_id,
            "File_Name": stored.name,
            "Size": str(stored.size),
            "Created_Time": now,
            "Modified_Time": now,
            "Owner": actor.ref(),
            "Created_By": actor.ref(),
            "Modified_By": actor.ref(),
            "Parent_Id": {"id": record["id"], "name": record.get("Subject", "")},
            "$se_module": module,
            "$file_id": stored.sha256,
            "$type": "Attachment",
            "$editable": True,
            "$link_url": None,
        }
        details = {k: self.attachments[attachment_id][k] for k in ("Modified_Time", "Created_Time", "id")}
        details |= {"Modified_By": actor.ref(), "Created_By": actor.ref()}
        body = {"code": "SUCCESS", "details": details, "message": "attachment uploaded successfully"}
        return JSONResponse({"data": [body | {"status": "success"}]})

    async def _attached(self, request: Request, token: Token) -> Response:
        parent = self._parent(request)
        if isinstance(parent, Response):
            return parent
        wanted = [f for f in request.query_params.get("fields", "").split(",") if f]
        if not wanted:
            return _missing("fields")
        rows = [
            {k: v for k, v in a.items() if k in wanted or k == "id"}
            for a in self.attachments.values()
            if a["Parent_Id"]["id"] == parent[1]["id"]
        ]
        return _page(request, "data", rows)

    def _attachment(self, request: Request) -> str | Response:
        parent = self._parent(request)
        if isinstance(parent, Response):
            return parent
        attachment_id = request.path_params["attachment_id"]
        found = self.attachments.get(attachment_id)
        if found is None or found["Parent_Id"]["id"] != parent[1]["id"]:
            return zoho_error(
                400, "INVALID_DATA", "the related id given seems to be invalid", {"api_name": "id"}
            )
        return str(attachment_id)

    async def _download(self, request: Request, token: Token) -> Response:
        found = self._attachment(request)
        if isinstance(found, Response):
            return found
        return serve(self.files.files[found], attachment=True)

    async def _detach(self, request: Request, token: Token) -> Response:
        found = self._attachment(request)
        if isinstance(found, Response):
            return found
        del self.attachments[found]
        self.files.remove(found)
        body = {"code": "SUCCESS", "details": {"id": found}, "message": "record deleted", "status": "success"}
        return JSONResponse({"data": [body]})


def _result(outcome: dict[str, Any] | RecordError, message: str) -> dict[str, Any]:
    if isinstance(outcome, RecordError):
        return outcome.as_json()
    keys = ("Modified_Time", "Modified_By", "Created_Time", "id", "Created_By")
    return {
        "code": "SUCCESS",
        "details": {k: outcome[k] for k in keys},
        "message": message,
        "status": "success",
    }


def _missing(param: str) -> Response:
    """400 REQUIRED_PARAM_MISSING naming the parameter."""
    return zoho_error(
        400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {"param_name": param}
    )


def _page(request: Request, key: str, items: list[dict[str, Any]]) -> Response:
    """One page of `items` with Zoho's `info`, or 204 when there is nothing at all."""
    try:
        page = max(1, int(request.query_params.get("page", "1")))
        per_page = int(request.query_params.get("per_page", str(MAX_PER_PAGE)))
    except ValueError:
        return zoho_error(400, "INVALID_DATA", "invalid data", {"param_name": "page"})
    if not 1 <= per_page <= MAX_PER_PAGE:
        return zoho_error(
            400, "INVALID_DATA", "invalid data", {"param_name": "per_page", "maximum": MAX_PER_PAGE}
        )
    if not items:
        return Response(status_code=204)
    chunk = items[(page - 1) * per_page : page * per_page]
    info = {
        "per_page": per_page,
        "count": len(chunk),
        "page": page,
        "more_records": page * per_page < len(items),
    }
    return JSONResponse({key: chunk, "info": info})
