"""The emulator's CRM REST endpoints (v3/v4 and 2026-03 paths), with auth, rate limits and fault injection."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from linkus_companion.sim.hubspot_errors import ApiError, bad_request, error, not_found
from linkus_companion.sim.hubspot_oauth import OAuthServer
from linkus_companion.sim.hubspot_search import parse_request
from linkus_companion.sim.hubspot_store import (
    ASSOCIATION_NAMES,
    ASSOCIATION_TYPES,
    CrmObject,
    Store,
    iso,
    object_type,
)

OBJECT_PREFIXES = ("/crm/v3/objects", "/crm/objects/2026-03")
MAX_BATCH = 100
DISPOSITIONS = {
    "9d9162e7-6cf3-4944-bf63-4dff82258764": "Busy",
    "f240bbac-87c9-4f6e-bf70-924b57d47db7": "Connected",
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff": "Left live message",
    "b2cf5968-551e-4856-9783-52b3da59a7d0": "Left voicemail",
    "73a0d17f-1163-4015-bdd5-ec830791da20": "No answer",
    "17b47fee-58de-441e-a44c-c6300d46f273": "Wrong number",
}
Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class Fault:
    """An injected failure for matching requests; `after_processing` does the work, then fails."""

    status: int
    method: str = ""
    path: str = ""
    """Exact request path; empty matches every CRM path."""
    after_processing: bool = False
    retry_after: float | None = None
    remaining: int = 1
    policy: str = "TEN_SECONDLY_ROLLING"
    """The 429's `policyName` (`DAILY`: the portal's daily limit is spent)."""

    def applies(self, request: Request) -> bool:
        """Whether this fault hits `request`."""
        method_ok = not self.method or request.method == self.method.upper()
        return self.remaining > 0 and method_ok and self.path in ("", request.url.path)

    def raised(self) -> ApiError:
        """The error HubSpot would send for this status."""
        headers = {"Retry-After": f"{self.retry_after:g}"} if self.retry_after is not None else {}
        if self.status == 429:
            failure = _rate_limited(self.policy, f"You have reached your {self.policy.lower()} limit.")
        else:
            failure = error(
                self.status,
                "INTERNAL_ERROR" if self.status >= 500 else "VALIDATION_ERROR",
                "Injected failure",
            )
        failure.headers.update(headers)
        return failure


async def with_faults(faults: list[Fault], request: Request, handler: Handler) -> Response:
    """Serve `request`, unless the first matching fault fails it (before or after the work)."""
    fault = next((f for f in faults if f.applies(request)), None)
    if fault is not None:
        fault.remaining -= 1
        if not fault.after_processing:
            raise fault.raised()
    response = await handler(request)
    if fault is not None:
        raise fault.raised()
    return response


class RateWindow:
    """At most `limit` requests per `period` seconds per key (sliding window)."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count a request for `key`; False when it is over the limit (and then it is not counted)."""
        now = self._clock()
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.period:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True


class CrmApi:
    """Routes for objects, search, associations, owners, users and dispositions."""

    def __init__(
        self, store: Store, oauth: OAuthServer, *, search_rate: int, burst_limit: int, search_lag: float
    ) -> None:
        self.store = store
        self.oauth = oauth
        self.search_lag = search_lag
        self.faults: list[Fault] = []
        self.latency = 0.0
        """Seconds each API request takes to be served (HubSpot's own processing time)."""
        self.serving = 0
        self.most_serving = 0
        """API requests served at once now, and at most so far (how many a client had in flight)."""
        self._search_window = RateWindow(search_rate, 1.0)
        self._burst_window = RateWindow(burst_limit, 10.0)

    def routes(self) -> list[Route]:
        """Every CRM route, both path families."""
        routes: list[Route] = []
        for prefix in OBJECT_PREFIXES:
            kind = prefix + "/{kind}"
            routes += [
                Route(kind, self._guard(self._create, write=True), methods=["POST"]),
                Route(kind, self._guard(self._list), methods=["GET"]),
                Route(kind + "/search", self._guard(self._search, search=True), methods=["POST"]),
                Route(kind + "/batch/create", self._guard(self._batch_create, write=True), methods=["POST"]),
                Route(kind + "/batch/read", self._guard(self._batch_read), methods=["POST"]),
                Route(
                    kind + "/batch/archive", self._guard(self._batch_archive, write=True), methods=["POST"]
                ),
                Route(kind + "/{object_id}", self._guard(self._get), methods=["GET"]),
                Route(kind + "/{object_id}", self._guard(self._patch, write=True), methods=["PATCH"]),
                Route(kind + "/{object_id}", self._guard(self._archive, write=True), methods=["DELETE"]),
            ]
        for prefix in ("/crm/v4/objects", "/crm/objects/2026-03"):
            path = prefix + "/{from_kind}/{from_id}/associations/default/{to_kind}/{to_id}"
            routes.append(Route(path, self._guard(self._associate_default, write=True), methods=["PUT"]))
        routes += [
            Route(
                "/crm/v4/objects/{kind}/{object_id}/associations/{to_kind}",
                self._guard(self._associations),
                methods=["GET"],
            ),
            Route("/crm/v4/associations/{kind}/{to_kind}/labels", self._guard(self._labels), methods=["GET"]),
            Route(
                "/crm/v4/associations/{kind}/{to_kind}/batch/read",
                self._guard(self._batch_associations),
                methods=["POST"],
            ),
            Route("/calling/v1/dispositions", self._guard(self._dispositions), methods=["GET"]),
        ]
        owners_scope = "crm.objects.owners.read"
        for path in ("/crm/v3/owners", "/crm/v3/owners/", "/crm/owners/2026-03", "/crm/owners/2026-03/"):
            routes.append(Route(path, self._guard(self._owners, scope=owners_scope), methods=["GET"]))
        for path in ("/crm/v3/owners/{owner_id}", "/crm/owners/2026-03/{owner_id}"):
            routes.append(Route(path, self._guard(self._owner, scope=owners_scope), methods=["GET"]))
        users_scope = "settings.users.read"
        for path in ("/settings/users/v3", "/settings/users/2026-03"):
            routes.append(Route(path, self._guard(self._users, scope=users_scope), methods=["GET"]))
        routes.append(
            Route("/settings/v3/users/{user_id}", self._guard(self._user, scope=users_scope), methods=["GET"])
        )
        return routes

    def _guard(
        self, handler: Handler, *, write: bool = False, search: bool = False, scope: str = ""
    ) -> Handler:
        """Wrap a handler with authentication, scope check, rate limits and injected faults."""

        async def guarded(request: Request) -> Response:
            try:
                needed = scope or _object_scope(request, write)
                issued = self.oauth.authenticate(request, needed)
                if not self._burst_window.allow(issued.token):
                    raise _rate_limited(
                        "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit."
                    )
                if search and not self._search_window.allow(issued.token):
                    raise _rate_limited("SECONDLY", "You have reached your secondly limit.")
                self.serving += 1
                self.most_serving = max(self.most_serving, self.serving)
                try:
                    if self.latency > 0:
                        await asyncio.sleep(self.latency)
                    return await with_faults(self.faults, request, handler)
                finally:
                    self.serving -= 1
            except ApiError as exc:
                return exc.response()

        return guarded

    # --- objects -----------------------------------------------------------------------------------

    async def _create(self, request: Request) -> Response:
        body = await _json(request)
        record = self.store.create(_kind(request), body.get("properties"), body.get("associations", []))
        return JSONResponse(_written(record), status_code=201)

    async def _batch_create(self, request: Request) -> Response:
        kind = _kind(request)
        inputs = (await _json(request)).get("inputs")
        if not isinstance(inputs, list) or len(inputs) > MAX_BATCH:
            raise bad_request(f"inputs must be a list of at most {MAX_BATCH} objects", "inputs")
        started = iso(dt.datetime.now(dt.UTC))
        results, errors = [], []
        for item in inputs:
            try:
                if not isinstance(item, dict):
                    raise bad_request("Each input must be an object", "inputs")
                results.append(
                    _written(self.store.create(kind, item.get("properties"), item.get("associations", [])))
                )
            except ApiError as exc:
                errors.append(_standard_error(exc))
        return _batch_response(started, results, errors, status=201)

    async def _get(self, request: Request) -> Response:
        record = self.store.get(
            _kind(request), request.path_params["object_id"], request.query_params.get("idProperty", "")
        )
        return JSONResponse(self._read(request, record))

    async def _batch_read(self, request: Request) -> Response:
        """`BatchResponseSimplePublicObject`: like HubSpot, batch read takes no `associations`."""
        kind, body = _kind(request), await _json(request)
        inputs, wanted = body.get("inputs"), body.get("properties") or []
        if not isinstance(inputs, list) or len(inputs) > MAX_BATCH or not isinstance(wanted, list):
            raise bad_request(f"inputs must be a list of at most {MAX_BATCH} ids", "inputs")
        id_property, names = str(body.get("idProperty") or ""), [str(name) for name in wanted]
        return _batch_read(
            inputs, lambda object_id: self.store.get(kind, object_id, id_property).public(names)
        )

    async def _patch(self, request: Request) -> Response:
        body = await _json(request)
        record = self.store.update(_kind(request), request.path_params["object_id"], body.get("properties"))
        return JSONResponse(record.public(body["properties"]))

    async def _archive(self, request: Request) -> Response:
        self.store.archive(_kind(request), request.path_params["object_id"])
        return Response(status_code=204)

    async def _batch_archive(self, request: Request) -> Response:
        kind, inputs = _kind(request), (await _json(request)).get("inputs")
        if not isinstance(inputs, list) or len(inputs) > MAX_BATCH:
            raise bad_request(f"inputs must be a list of at most {MAX_BATCH} ids", "inputs")
        for item in inputs:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise bad_request("Each input must be an object with an id", "inputs")
        for item in inputs:
            self.store.archive(kind, item["id"])
        return Response(status_code=204)

    async def _list(self, request: Request) -> Response:
        archived = request.query_params.get("archived", "false").lower() == "true"
        shelf = self.store.recycled if archived else self.store.objects
        records = sorted(shelf[_kind(request)].values(), key=lambda r: int(r.id))
        page, paging = _page(request, records, default_limit=10, max_limit=100)
        return JSONResponse({"results": [self._read(request, r) for r in page], **paging})

    def _read(self, request: Request, record: CrmObject) -> dict[str, Any]:
        """`SimplePublicObjectWithAssociations`: the asked properties, and each asked kind's links."""
        body = record.public(_listed(request, "properties"))
        linked: dict[str, Any] = {}
        for name in _listed(request, "associations"):
            to_kind = object_type(name)
            found = self.store.associated(record.kind, record.id, to_kind)
            label = ASSOCIATION_NAMES.get((record.kind, to_kind), "")
            if found and label:
                linked[to_kind] = {"results": [{"id": to_id, "type": label} for to_id, _ in found]}
        return body | ({"associations": linked} if linked else {})

    async def _search(self, request: Request) -> Response:
        search = parse_request(await _json(request))
        page, total = self.store.search(_kind(request), search, self.search_lag)
        body: dict[str, Any] = {"total": total, "results": [r.public(search.properties) for r in page]}
        if search.after + len(page) < total:
            after = str(search.after + len(page))
            body["paging"] = {"next": {"after": after, "link": f"?after={after}"}}
        return JSONResponse(body)

    # --- associations ------------------------------------------------------------------------------

    async def _associate_default(self, request: Request) -> Response:
        p = request.path_params
        kind, to_kind = object_type(p["from_kind"]), object_type(p["to_kind"])
        forward = self.store.associate(kind, p["from_id"], to_kind, p["to_id"])
        now = iso(dt.datetime.now(dt.UTC))
        results = [
            _default_link(p["from_id"], p["to_id"], forward),
            _default_link(p["to_id"], p["from_id"], ASSOCIATION_TYPES[(to_kind, kind)]),
        ]
        return JSONResponse({"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now})

    async def _associations(self, request: Request) -> Response:
        p = request.path_params
        kind, to_kind = object_type(p["kind"]), object_type(p["to_kind"])
        self.store.get(kind, p["object_id"])
        return JSONResponse({"results": _linked(self.store.associated(kind, p["object_id"], to_kind))})

    async def _batch_associations(self, request: Request) -> Response:
        """`BatchResponsePublicAssociationMultiWithLabel`: each input's links to `to_kind`."""
        kind, to_kind = object_type(request.path_params["kind"]), object_type(request.path_params["to_kind"])
        inputs = (await _json(request)).get("inputs")
        if not isinstance(inputs, list) or len(inputs) > MAX_BATCH:
            raise bad_request(f"inputs must be a list of at most {MAX_BATCH} ids", "inputs")

        def links(object_id: str) -> dict[str, Any]:
            self.store.get(kind, object_id)
            return {"from": {"id": object_id}, "to": _linked(self.store.associated(kind, object_id, to_kind))}

        return _batch_read(inputs, links)

    async def _labels(self, request: Request) -> Response:
        pair = (object_type(request.path_params["kind"]), object_type(request.path_params["to_kind"]))
        if pair not in ASSOCIATION_TYPES:
            return JSONResponse({"results": []})
        return JSONResponse(
            {"results": [{"category": "HUBSPOT_DEFINED", "typeId": ASSOCIATION_TYPES[pair], "label": None}]}
        )

    async def _dispositions(self, request: Request) -> Response:
        return JSONResponse([{"id": guid, "label": label} for guid, label in DISPOSITIONS.items()])

    # --- owners and users --------------------------------------------------------------------------

    async def _owners(self, request: Request) -> Response:
        email = request.query_params.get("email", "").casefold()
        archived = request.query_params.get("archived", "false").lower() == "true"
        owners = [
            o for o in self.store.owners.values()
            if o.archived == archived and (not email or o.email.casefold() == email)
        ]  # fmt: skip
        page, paging = _page(request, owners, default_limit=100, max_limit=500)
        return JSONResponse({"results": [o.public() for o in page], **paging})

    async def _owner(self, request: Request) -> Response:
        wanted = request.path_params["owner_id"]
        by_user = request.query_params.get("idProperty", "id") == "userId"
        owner = next(
            (o for o in self.store.owners.values() if (str(o.user_id) if by_user else o.id) == wanted), None
        )
        if owner is None:
            raise not_found(wanted)
        return JSONResponse(owner.public())

    async def _users(self, request: Request) -> Response:
        owners = [o for o in self.store.owners.values() if not o.archived]
        page, paging = _page(request, owners, default_limit=100, max_limit=100)
        return JSONResponse({"results": [o.user() for o in page], **paging})

    async def _user(self, request: Request) -> Response:
        wanted = request.path_params["user_id"]
        by_email = request.query_params.get("idProperty", "USER_ID") == "EMAIL"
        for owner in self.store.owners.values():
            if (owner.email.casefold() == wanted.casefold()) if by_email else str(owner.user_id) == wanted:
                return JSONResponse(owner.user())
        raise not_found(wanted)


def call_view(store: Store, record: CrmObject) -> dict[str, Any]:
    """A logged call as tests and the demo inspect it: owner, associations and all properties."""
    return {
        "id": record.id,
        "owner_id": record.properties.get("hubspot_owner_id", ""),
        "properties": dict(record.properties),
        "associations": {
            kind: [i for i, _ in store.associated("calls", record.id, kind)]
            for kind in ("contacts", "companies")
        },
        "created_at": iso(record.created),
    }


def _written(record: CrmObject) -> dict[str, Any]:
    """A create answer: like HubSpot, the properties just set with the defaults it fills in."""
    return record.public(record.properties)


def _linked(found: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """(to id, type id) pairs as v4 `MultiAssociatedObjectWithLabel`s, one per linked record."""
    grouped: dict[str, list[int]] = {}
    for to_id, type_id in found:
        grouped.setdefault(to_id, []).append(type_id)
    return [
        {
            "toObjectId": to_id,
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": t} for t in types],
        }
        for to_id, types in grouped.items()
    ]


def _batch_read(inputs: list[Any], read: Callable[[str], dict[str, Any]]) -> JSONResponse:
    """Read each `{id}` input; the missing ones become the batch's errors."""
    started = iso(dt.datetime.now(dt.UTC))
    results, errors = [], []
    for item in inputs:
        try:
            results.append(read(str(item.get("id", "")) if isinstance(item, dict) else ""))
        except ApiError as exc:
            errors.append(_standard_error(exc))
    return _batch_response(started, results, errors, status=200)


def _batch_response(
    started: str, results: list[dict[str, Any]], errors: list[dict[str, Any]], *, status: int
) -> JSONResponse:
    """A batch answer: `status` when every input worked, 207 with the errors otherwise."""
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": iso(dt.datetime.now(dt.UTC)),
    }
    if errors:
        body |= {"errors": errors, "numErrors": len(errors)}
    return JSONResponse(body, status_code=207 if errors else status)


def _standard_error(exc: ApiError) -> dict[str, Any]:
    """A batch item's failure as a spec `StandardError`."""
    return {
        "status": "error",
        "category": exc.body["category"],
        "message": exc.body["message"],
        "context": exc.body.get("context", {}),
        "errors": exc.body.get("errors", []),
        "links": {},
    }


def _rate_limited(policy: str, message: str) -> ApiError:
    return ApiError(
        429,
        {"status": "error", "message": message, "errorType": "RATE_LIMIT", "correlationId": str(uuid.uuid4()),
         "policyName": policy, "requestId": str(uuid.uuid4()), "category": "RATE_LIMITS"},
    )  # fmt: skip


def _object_scope(request: Request, write: bool) -> str:
    raw = request.path_params.get("kind") or request.path_params.get("from_kind") or "contacts"
    kind = object_type(raw)
    subject = "companies" if kind == "companies" else "contacts"  # calls use the contacts scopes
    return f"crm.objects.{subject}.{'write' if write else 'read'}"


def _kind(request: Request) -> str:
    return object_type(request.path_params["kind"])


def _default_link(from_id: str, to_id: str, type_id: int) -> dict[str, Any]:
    return {
        "from": {"id": from_id},
        "to": {"id": to_id},
        "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id},
    }


def _listed(request: Request, name: str) -> list[str]:
    """A query parameter given as a comma-separated list, repeated, or both."""
    return [item for value in request.query_params.getlist(name) for item in value.split(",") if item]


def _page(
    request: Request, items: list[Any], *, default_limit: int, max_limit: int
) -> tuple[list[Any], dict[str, Any]]:
    try:
        limit = int(request.query_params.get("limit", default_limit))
        start = int(request.query_params.get("after", "0") or 0)
    except ValueError:
        raise bad_request("limit and after must be integers", "limit") from None
    limit = max(1, min(limit, max_limit))
    page = items[start : start + limit]
    if start + limit >= len(items):
        return page, {}
    after = str(start + limit)
    return page, {"paging": {"next": {"after": after, "link": f"?after={after}"}}}


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"Invalid input JSON: {exc}"[:300]) from None
    if not isinstance(body, dict):
        raise bad_request("Invalid input JSON: expected an object")
    return body
