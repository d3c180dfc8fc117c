"""A local Salesforce org over TLS: OAuth, REST API, Lightning record pages, and an inspection API."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from linkus_companion.crm.base import Connector, GrantSource
from linkus_companion.crm.oauth import ClientCredentials
from linkus_companion.crm.oauth_providers import Provider, salesforce
from linkus_companion.crm.salesforce import RECORDING_LABEL, SalesforceConnector
from linkus_companion.model import RecordKind
from linkus_companion.serving import RunningServer, start_server
from linkus_companion.sim import salesforce_pages as pages
from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.sim.salesforce_auth import OAuthServer
from linkus_companion.sim.salesforce_data import ApiError, Org
from linkus_companion.sim.salesforce_files import ContentFiles
from linkus_companion.sim.salesforce_schema import (
    SOBJECTS,
    USER,
    IdFactory,
    case_safe_id,
    describe,
    describe_global,
)
from linkus_companion.sim.salesforce_seed import seed_org
from linkus_companion.sim.salesforce_soql import QueryError, parse_query
from linkus_companion.sim.salesforce_sosl import Returning, Search, parse_search, plain_search
from linkus_companion.tls import TlsFiles, generate

VERSIONS = (
    ("59.0", "Winter '24"),
    ("60.0", "Spring '24"),
    ("61.0", "Summer '24"),
    ("62.0", "Winter '25"),
    ("63.0", "Spring '25"),
    ("64.0", "Summer '25"),
    ("65.0", "Winter '26"),
    ("66.0", "Spring '26"),
)
_DATA_PATH = re.compile(r"^v(?P<version>\d+\.\d)(?:/(?P<rest>.*))?$")
_JSON = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class LoggedRequest:
    """One REST request the emulator served (for tests counting and inspecting traffic)."""

    method: str
    path: str
    params: dict[str, str]


@dataclass(frozen=True)
class _Failure:
    """An injected error for the next matching request."""

    method: str
    error: ApiError
    after_processing: bool
    retry_after: float | None


_RECORDING = re.compile(re.escape(RECORDING_LABEL) + r"(\S+)")


class SalesforceEmulator:
    """One org with an admin user, a connected app, seed data and real REST/OAuth semantics."""

    def __init__(
        self,
        *,
        token: str | None = None,
        seed: bool = True,
        tls_dir: Path | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        redirect_uris: tuple[str, ...] | None = None,
        rotate_refresh_tokens: bool = True,
        require_pkce: bool = False,
        session_seconds: float = 7200.0,
        api_limit: int = 100_000,
        query_batch_size: int = 2000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tls_dir = tls_dir
        self._own_tls_dir: Path | None = None
        self._tls: TlsFiles | None = None
        self._server: RunningServer | None = None
        self.org_id = case_safe_id("00D5gAQ00000Lc1")
        self.org = Org(self.org_id, IdFactory())
        self.admin_user_id = self.add_user("Ada", "Admin", "admin@example.com")
        self.api_limit = api_limit
        self.api_usage = 0
        self.query_batch_size = query_batch_size
        self.requests: list[LoggedRequest] = []
        self._cursors: dict[str, list[dict[str, Any]]] = {}
        self._failures: list[_Failure] = []
        self.down = False
        """While True every REST request answers 503 (an outage; OAuth and pages keep working)."""
        self.oauth = OAuthServer(
            base_url=lambda: self.base_url,
            org_id=self.org_id,
            client_id=client_id or "3MVG9" + secrets.token_urlsafe(60).replace("-", "A").replace("_", "B"),
            client_secret=client_secret or secrets.token_hex(32).upper(),
            users=lambda: self.org.records["user"],
            default_user=self.admin_user_id,
            redirect_uris=list(redirect_uris or ()),
            any_loopback=redirect_uris is None,
            rotate_refresh_tokens=rotate_refresh_tokens,
            require_pkce=require_pkce,
            session_seconds=session_seconds,
            clock=clock,
        )
        self.admin_token = self.oauth.new_session(self.admin_user_id, token)
        if seed:
            seed_org(self.org, self.admin_user_id, self.add_user)
        self.files = ContentFiles(self.org)
        self.app = Starlette(routes=self._routes())

    # --- lifecycle ------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve HTTPS on host:port (0 = ephemeral) with a fresh certificate for 127.0.0.1/localhost."""
        directory = self._tls_dir
        if directory is None:
            directory = self._own_tls_dir = Path(tempfile.mkdtemp(prefix="salesforce-emulator-"))
        self._tls = generate(directory)
        self._server = await start_server(self.app, host, port, self._tls)

    async def stop(self) -> None:
        """Stop serving and remove generated TLS files this emulator created itself."""
        if self._server is not None:
            await self._server.stop()
            self._server = None
        if self._own_tls_dir is not None:
            shutil.rmtree(self._own_tls_dir, ignore_errors=True)
            self._own_tls_dir = None

    async def __aenter__(self) -> SalesforceEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """`https://127.0.0.1:<port>`: the login host and the instance URL."""
        if self._server is None:
            raise RuntimeError("the Salesforce emulator is not running")
        return self._server.base_url

    @property
    def ca_file(self) -> Path:
        """The CA certificate clients must trust."""
        if self._tls is None:
            raise RuntimeError("the Salesforce emulator is not running")
        return self._tls.ca_file

    @property
    def oauth_client_id(self) -> str:
        """The connected app's consumer key."""
        return self.oauth.client_id

    @property
    def oauth_client_secret(self) -> str:
        """The connected app's consumer secret."""
        return self.oauth.client_secret

    # --- inspection and control -----------------------------------------------------------------------

    def add_user(self, first: str, last: str, email: str, *, active: bool = True) -> str:
        """Add a user (username = e-mail + `.prod`) and return its id."""
        values = {
            "FirstName": first,
            "LastName": last,
            "Email": email,
            "Username": f"{email}.prod",
            "IsActive": active,
        }
        return self.org.insert_seed(USER, values, "")

    def add_record(self, type_name: str, **values: Any) -> str:
        """Add a Contact, Lead or Account directly (owned by the admin unless OwnerId is given)."""
        sobj = self.org.sobject_or_404(type_name)
        return self.org.insert_seed(sobj, values, self.admin_user_id)

    def records(self, type_name: str) -> list[dict[str, Any]]:
        """Copies of every record of a type, in creation order."""
        return [dict(r) for r in self.org.records[type_name.lower()].values()]

    def record(self, record_id: str) -> dict[str, Any] | None:
        """A copy of any record by id."""
        found = self.org.find(record_id)
        return dict(found[1]) if found else None

    def tasks(self) -> list[dict[str, Any]]:
        """Every Task (call logs), in creation order."""
        return self.records("Task")

    def session_for(self, user_id: str) -> str:
        """A new access token for another user (as if that user had signed in)."""
        return self.oauth.new_session(user_id)

    def expire_sessions(self, *tokens: str) -> None:
        """Time out these access tokens (default: every one); refresh tokens stay valid."""
        self.oauth.expire_sessions(*tokens)

    def allow_redirect(self, uri: str) -> None:
        """Register a callback URL with the connected app; from then on callbacks must match exactly."""
        self.oauth.redirect_uris.append(uri)
        self.oauth.any_loopback = False

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        error_code: str = "SERVER_UNAVAILABLE",
        message: str = "Service temporarily unavailable",
        method: str = "",
        after_processing: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `count` REST requests (of `method`, when given) with this error.

        With `after_processing` the request is carried out first and only its answer is lost, as when a
        connection drops after Salesforce committed a create. `retry_after` adds a Retry-After header
        (Salesforce sends one with some 503 maintenance answers, never with its 403 limit errors).
        """
        error = ApiError(status, error_code, message)
        self._failures.extend([_Failure(method.upper(), error, after_processing, retry_after)] * count)

    @property
    def pending_failures(self) -> int:
        """Injected failures not yet served."""
        return len(self._failures)

    # --- the CrmEmulator surface (sim/crm_emulator.py) -----------------------------------------

    kind = "salesforce"

    @property
    def web_origin(self) -> str:
        """Lightning record pages are served by the same server."""
        return self.base_url

    def oauth_provider(self) -> Provider:
        """Salesforce's OAuth endpoints with the emulator as login host."""
        return salesforce(self.base_url)

    def oauth_credentials(self) -> ClientCredentials:
        """The emulator's connected app."""
        return ClientCredentials(self.oauth_client_id, self.oauth_client_secret)

    def connector(self, client: httpx.AsyncClient, grants: GrantSource, *, region: str = "US") -> Connector:
        """Our Salesforce connector on this org."""
        return SalesforceConnector(client, grants, region=region, **self.connector_options())

    def connector_options(self) -> dict[str, Any]:
        """What our connector needs to know about this org beyond the sign-in."""
        return {"instance_url": self.base_url}

    def seed_contact(
        self, phone: str, first: str, last: str, kind: RecordKind = RecordKind.CONTACT, *, owner: str = ""
    ) -> str:
        """A Contact or Lead, or for ACCOUNT an Account named `first last`, with the phone as given."""
        owned = {"OwnerId": owner} if owner else {}
        if kind is RecordKind.ACCOUNT:
            return self.add_record("Account", Name=f"{first} {last}", Phone=phone, **owned)
        if kind is RecordKind.LEAD:
            return self.add_record(
                "Lead", FirstName=first, LastName=last, Phone=phone, Company=f"{last} Ltd", **owned
            )
        return self.add_record("Contact", FirstName=first, LastName=last, Phone=phone, **owned)

    def call_logs(self) -> list[LoggedCall]:
        """Every call Task in the common shape: the recording is the Task's File (its VersionData URL),
        else the link in the description."""
        logs = []
        files = self.files.on_records()
        for task in self.tasks():
            if task.get("TaskSubtype") != "Call":
                continue
            description = str(task.get("Description") or "")
            recording = _RECORDING.search(description)
            logs.append(
                LoggedCall(
                    id=str(task["Id"]),
                    owner_id=str(task.get("OwnerId") or ""),
                    record_id=str(task.get("WhoId") or task.get("WhatId") or ""),
                    subject=str(task.get("Subject") or ""),
                    description=description,
                    recording_url=files.get(str(task["Id"])) or (recording.group(1) if recording else ""),
                    idempotency_key=str(task.get("CallObject") or ""),
                    outcome=str(task.get("CallDisposition") or ""),
                )
            )
        return logs

    def contact_pages(self, contact_id: str) -> tuple[str, str]:
        """The Lightning record page of a contact and the contacts list view."""
        return (
            f"{self.base_url}{pages.record_path('Contact', contact_id)}",
            f"{self.base_url}/lightning/o/Contact/list",
        )

    def record_names(self) -> dict[str, str]:
        """Id -> name of every Contact, Lead and Account."""
        names = {}
        for type_name in ("Contact", "Lead"):
            for record in self.records(type_name):
                names[str(record["Id"])] = " ".join(
                    str(record.get(k) or "") for k in ("FirstName", "LastName") if record.get(k)
                )
        for record in self.records("Account"):
            names[str(record["Id"])] = str(record.get("Name") or "")
        return names

    def set_outage(self, down: bool) -> None:
        """While down every REST request answers 503."""
        self.down = down

    # --- HTTP -----------------------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        return [
            Route("/", pages.home(self.org)),
            Route("/services/oauth2/authorize", self.oauth.authorize, methods=["GET", "POST"]),
            Route("/services/oauth2/token", self.oauth.token, methods=["POST"]),
            Route("/services/oauth2/revoke", self.oauth.revoke, methods=["GET", "POST"]),
            Route("/id/{org}/{user}", self._identity),
            Route("/services/data", self._versions),
            Route("/services/data/", self._versions),
            Route(
                "/services/data/{rest:path}", self._data, methods=["GET", "POST", "PATCH", "DELETE", "PUT"]
            ),
            Route("/lightning/r/{type}/{id}/{action}", pages.record_page(self.org)),
            Route("/lightning/o/{type}/list", pages.list_view(self.org)),
            Route("/{id}", pages.short_link(self.org)),
        ]

    async def _identity(self, request: Request) -> Response:
        try:
            return self.oauth.identity(request, request.path_params["org"], request.path_params["user"])
        except ApiError as err:
            return _error(err)

    async def _versions(self, request: Request) -> Response:
        return JSONResponse(
            [{"label": label, "url": f"/services/data/v{v}", "version": v} for v, label in VERSIONS],
            media_type=_JSON,
        )

    async def _data(self, request: Request) -> Response:
        match = _DATA_PATH.match(request.path_params["rest"])
        if match is None or match["version"] not in dict(VERSIONS):
            return _error(ApiError(404, "NOT_FOUND", "The requested resource does not exist"))
        version = match["version"]
        rest = (match["rest"] or "").strip("/")
        self.requests.append(LoggedRequest(request.method, request.url.path, dict(request.query_params)))
        try:
            user_id = self.oauth.authenticate(request)
            if self.api_usage >= self.api_limit:
                raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            self.api_usage += 1
            if self.down:
                raise ApiError(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable")
            failure = self._take_failure(request.method)
            if failure is not None and not failure.after_processing:
                return _failed(failure)
            response = await self._dispatch(request, version, rest, user_id)
            if failure is not None:
                return _failed(failure)
        except ApiError as err:
            response = _error(err)
        except QueryError as err:
            response = _error(ApiError(400, err.code, err.message))
        response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_usage}/{self.api_limit}"
        return response

    def _take_failure(self, method: str) -> _Failure | None:
        for index, failure in enumerate(self._failures):
            if failure.method in ("", method):
                return self._failures.pop(index)
        return None

    async def _dispatch(self, request: Request, version: str, rest: str, user_id: str) -> Response:
        parts = rest.split("/") if rest else []
        method = request.method
        if not parts:
            return _ok(
                {
                    name: f"/services/data/v{version}/{name}"
                    for name in ("sobjects", "query", "search", "limits")
                }
            )
        head = parts[0]
        if head == "limits" and len(parts) == 1:
            _allow(method, "GET")
            remaining = max(0, self.api_limit - self.api_usage)
            return _ok({"DailyApiRequests": {"Max": self.api_limit, "Remaining": remaining}})
        if head in ("query", "queryAll") and len(parts) <= 2:
            _allow(method, "GET")
            return self._query(request, version, parts[1] if len(parts) == 2 else "")
        if head == "search" and len(parts) == 1:
            _allow(method, "GET")
            search = parse_search(request.query_params.get("q", ""))
            return _ok({"searchRecords": self.org.search(search, version)})
        if head == "parameterizedSearch" and len(parts) == 1:
            _allow(method, "GET")
            return _ok({"searchRecords": self.org.search(_parameterized(request), version)})
        if head == "sobjects":
            return await self._sobjects(request, version, parts[1:], user_id)
        if head == "composite" and parts[1:] == ["sobjects"]:
            _allow(method, "POST")
            return await self._composite_create(request, user_id)
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")

    def _query(self, request: Request, version: str, locator: str) -> Response:
        if locator:
            cursor, _, offset_text = locator.rpartition("-")
            rows = self._cursors.get(cursor)
            if rows is None or not offset_text.isdigit():
                raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            offset = int(offset_text)
        else:
            query = request.query_params.get("q")
            if not query:
                raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
            parsed = parse_query(query)
            rows = self.org.query(parsed, version)
            if parsed.count:
                return _ok({"totalSize": len(rows), "done": True, "records": []})
            cursor, offset = "01g" + secrets.token_hex(6).upper(), 0
        batch = rows[offset : offset + self.query_batch_size]
        body: dict[str, Any] = {
            "totalSize": len(rows),
            "done": offset + len(batch) >= len(rows),
            "records": batch,
        }
        if not body["done"]:
            self._cursors[cursor] = rows
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{cursor}-{offset + len(batch)}"
        return _ok(body)

    async def _sobjects(self, request: Request, version: str, parts: list[str], user_id: str) -> Response:
        method = request.method
        if not parts:
            _allow(method, "GET")
            return _ok(
                {
                    "encoding": "UTF-8",
                    "maxBatchSize": 200,
                    "sobjects": [describe_global(s.name, version) for s in SOBJECTS.values()],
                }
            )
        sobj = self.org.sobject_or_404(parts[0])
        if sobj.name == "ContentVersion" and parts[2:] == ["VersionData"]:
            _allow(method, "GET")
            return self.files.download(self.org.record(sobj, parts[1])["Id"])
        if len(parts) == 1:
            _allow(method, "GET", "POST")
            if method == "GET":
                return _ok({"objectDescribe": describe_global(sobj.name, version), "recentItems": []})
            if sobj.name == "ContentVersion":
                record_id = await self.files.insert(request, user_id, version)
                return _ok({"id": record_id, "success": True, "errors": []}, status=201)
            record_id = self.org.create(sobj.name, await _json_body(request), user_id)
            return _ok({"id": record_id, "success": True, "errors": []}, status=201)
        if parts[1] == "describe" and len(parts) == 2:
            _allow(method, "GET")
            return _ok(describe(sobj.name, version))
        if len(parts) != 2:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        record = self.org.record(sobj, parts[1])
        _allow(method, "GET", "PATCH", "DELETE")
        if method == "PATCH":
            self.org.update(sobj.name, record["Id"], await _json_body(request), user_id)
            return Response(status_code=204)
        if method == "DELETE":
            record["IsDeleted"] = True
            del self.org.records[sobj.name.lower()][record["Id"]]
            self.org.recycled.add(record["Id"])
            if sobj.name == "ContentDocument":
                self.files.delete_document(record["Id"])
            return Response(status_code=204)
        wanted = request.query_params.get("fields")
        fields = tuple(f.strip() for f in wanted.split(",")) if wanted else tuple(f.name for f in sobj.fields)
        self.org.check_fields(sobj, list(fields))
        return _ok(self.org.project(sobj, record, fields, version))

    async def _composite_create(self, request: Request, user_id: str) -> Response:
        body = await _json_body(request)
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or not 0 < len(records) <= 200:
            raise ApiError(400, "INVALID_BATCH_SIZE", "The number of records must be between 1 and 200.")
        results: list[dict[str, Any]] = []
        created: list[tuple[str, str]] = []
        for item in records:
            type_name = str((item.get("attributes") or {}).get("type", "")) if isinstance(item, dict) else ""
            try:
                record_id = self.org.create(type_name, item, user_id)
            except ApiError as err:
                results.append({"success": False, "errors": [_composite_error(err)]})
                continue
            created.append((type_name.lower(), record_id))
            results.append({"id": record_id, "success": True, "errors": []})
        if body.get("allOrNone") and len(created) != len(records):
            for type_key, record_id in created:
                del self.org.records[type_key][record_id]
            rolled = {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using "
                "AllOrNone header",
                "fields": [],
            }
            results = [r if not r["success"] else {"success": False, "errors": [rolled]} for r in results]
        return _ok(results)


def _parameterized(request: Request) -> Search:
    """`parameterizedSearch/?q=...&sobject=Contact&Contact.fields=Id,Name&Contact.limit=10&in=PHONE`."""
    params = request.query_params
    returning = []
    for name in params.getlist("sobject"):
        fields = tuple(f.strip() for f in params.get(f"{name}.fields", "Id").split(",") if f.strip())
        limit = params.get(f"{name}.limit", "")
        returning.append(Returning(name, fields or ("Id",), limit=int(limit) if limit.isdigit() else None))
    overall = params.get("overallLimit", "")
    scope = params.get("in", "ALL").lower()
    return plain_search(
        params.get("q", ""), scope, tuple(returning), int(overall) if overall.isdigit() else 2000
    )


def _ok(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status, media_type=_JSON)


def _failed(failure: _Failure) -> Response:
    response = _error(failure.error)
    if failure.retry_after is not None:
        response.headers["Retry-After"] = f"{failure.retry_after:g}"
    return response


def _error(err: ApiError) -> Response:
    return JSONResponse(err.body(), status_code=err.status, media_type=_JSON)


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise ApiError(
            405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {','.join(allowed)}"
        )


def _composite_error(err: ApiError) -> dict[str, Any]:
    return {"statusCode": err.code, "message": err.message, "fields": list(err.fields)}


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character in the request body: {exc}") from None
