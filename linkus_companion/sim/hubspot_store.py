"""The emulated HubSpot portal's data: contacts, companies, calls, associations, owners and users."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from linkus_companion.sim.hubspot_errors import bad_request, error, invalid_properties, not_found
from linkus_companion.sim.hubspot_search import (
    CALCULATED_PHONES,
    SearchRequest,
    index_keys,
    matches,
    wanted_keys,
)

OBJECT_TYPE_IDS = {"contacts": "0-1", "companies": "0-2", "calls": "0-48"}
MAX_VALUE_LENGTH = 65536
WRITABLE: dict[str, frozenset[str]] = {
    "contacts": frozenset(
        {"firstname", "lastname", "email", "phone", "mobilephone", "company", "jobtitle", "city", "country",
         "lifecyclestage", "hubspot_owner_id"}
    ),
    "companies": frozenset({"name", "domain", "phone", "city", "country", "industry", "hubspot_owner_id"}),
    "calls": frozenset(
        {"hs_timestamp", "hs_call_title", "hs_call_body", "hs_call_direction", "hs_call_duration",
         "hs_call_status", "hs_call_disposition", "hs_call_from_number", "hs_call_to_number",
         "hs_call_recording_url", "hs_call_callee_object_id", "hs_call_callee_object_type", "hs_call_source",
         "hs_call_external_id", "hs_activity_type", "hs_attachment_ids", "hubspot_owner_id"}
    ),
}  # fmt: skip
DATE_PROPERTIES = {
    "contacts": ("createdate", "lastmodifieddate"),
    "companies": ("createdate", "hs_lastmodifieddate"),
    "calls": ("hs_createdate", "hs_lastmodifieddate"),
}
DEFAULT_RETURNED = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "calls": ("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
}
ASSOCIATION_TYPES = {
    ("calls", "contacts"): 194,
    ("contacts", "calls"): 193,
    ("calls", "companies"): 182,
    ("companies", "calls"): 181,
    ("contacts", "companies"): 279,
    ("companies", "contacts"): 280,
}
ASSOCIATION_NAMES = {
    ("calls", "contacts"): "call_to_contact",
    ("contacts", "calls"): "contact_to_call",
    ("calls", "companies"): "call_to_company",
    ("companies", "calls"): "company_to_call",
    ("contacts", "companies"): "contact_to_company",
    ("companies", "contacts"): "company_to_contact",
}
"""v3 reads name association types: `call_to_contact`, `company_to_call`..."""
REQUIRED = {"calls": ("hs_timestamp",)}
CALL_DIRECTIONS = frozenset({"INBOUND", "OUTBOUND"})
CALL_STATUSES = frozenset(
    {"BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER",
     "QUEUED", "RINGING"}
)  # fmt: skip
_TYPE_NAMES = {
    alias: kind
    for kind, aliases in {"contacts": ("contact",), "companies": ("company",), "calls": ("call",)}.items()
    for alias in (kind, OBJECT_TYPE_IDS[kind], *aliases)
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UNIQUE_ID_PROPERTIES = {"contacts": frozenset({"hs_object_id", "email"})}


def iso(moment: dt.datetime) -> str:
    """HubSpot's timestamp form: `2026-01-31T10:15:00.123Z`."""
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def object_type(name: str) -> str:
    """`contacts`/`contact`/`0-1` → `contacts`; unknown types are a 400."""
    kind = _TYPE_NAMES.get(name.lower())
    if kind is None:
        raise bad_request(f"Unable to infer object type from: {name[:60]}", "objectType")
    return kind


@dataclass
class Owner:
    """A HubSpot owner (what `hubspot_owner_id` refers to) and the user behind it."""

    id: str
    user_id: int
    email: str
    first_name: str
    last_name: str
    super_admin: bool = False
    archived: bool = False
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def public(self) -> dict[str, Any]:
        """`PublicOwner`."""
        return {
            "id": self.id,
            "email": self.email,
            "type": "PERSON",
            "firstName": self.first_name,
            "lastName": self.last_name,
            "userId": self.user_id,
            "userIdIncludingInactive": self.user_id,
            "createdAt": iso(self.created),
            "updatedAt": iso(self.created),
            "archived": self.archived,
            "teams": [],
        }

    def user(self) -> dict[str, Any]:
        """`PublicUser` (settings users API)."""
        role = "SUPER_ADMIN" if self.super_admin else "SALES"
        return {
            "id": str(self.user_id),
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "roleIds": [role],
            "roleId": role,
            "superAdmin": self.super_admin,
            "secondaryTeamIds": [],
        }


@dataclass
class CrmObject:
    """One record with its property history; search sees a version only after the index lag."""

    kind: str
    id: str
    created: dt.datetime
    updated: dt.datetime
    versions: list[tuple[float, dict[str, str]]]
    """(monotonic time written, full property values), oldest first."""
    archived_at: dt.datetime | None = None
    """When it went to the recycling bin (archived records are out of reads, lists and search)."""

    @property
    def properties(self) -> dict[str, str]:
        """The current property values."""
        return self.versions[-1][1]

    def indexed(self, until: float) -> dict[str, str] | None:
        """The values the search index holds at monotonic time `until` (None: not indexed yet)."""
        seen = [props for written, props in self.versions if written <= until]
        return seen[-1] if seen else None

    def public(self, wanted: Iterable[str] = ()) -> dict[str, Any]:
        """`SimplePublicObject` with the default properties plus `wanted` (missing ones omitted)."""
        names = set(DEFAULT_RETURNED[self.kind]) | set(wanted)
        props = self.properties
        return {
            "id": self.id,
            "properties": {name: props[name] for name in sorted(names) if name in props},
            "createdAt": iso(self.created),
            "updatedAt": iso(self.updated),
            "archived": self.archived_at is not None,
        } | ({"archivedAt": iso(self.archived_at)} if self.archived_at else {})


class Store:
    """Every record of the portal, with HubSpot's validation rules and association bookkeeping."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._ids = itertools.count(1001)
        self.objects: dict[str, dict[str, CrmObject]] = {kind: {} for kind in OBJECT_TYPE_IDS}
        self.recycled: dict[str, dict[str, CrmObject]] = {kind: {} for kind in OBJECT_TYPE_IDS}
        """Archived records by kind (`?archived=true` lists them)."""
        self.owners: dict[str, Owner] = {}
        self.associations: set[tuple[str, str, str, str, int]] = set()
        """(from type, from id, to type, to id, association type id), both directions stored."""
        self._index: dict[str, dict[tuple[str, str], set[str]]] = {kind: {} for kind in OBJECT_TYPE_IDS}
        """Per kind: (property, normalised value) -> ids of records any version of which held it."""

    def add_owner(self, owner: Owner) -> None:
        """Register an owner (and the user behind it)."""
        self.owners[owner.id] = owner

    def create(self, kind: str, properties: Any, associations: Any = None) -> CrmObject:
        """Validate and store a new record; associations use `{to: {id}, types: [...]}`."""
        values = self._checked(kind, properties, REQUIRED.get(kind, ()))
        links = self._checked_associations(kind, [] if associations is None else associations)
        email = values.get("email", "").casefold()
        if kind == "contacts" and email:
            for existing in self.objects[kind].values():
                if existing.properties.get("email", "").casefold() == email:
                    raise error(409, "CONFLICT", f"Contact already exists. Existing ID: {existing.id}")
        now = dt.datetime.now(dt.UTC)
        object_id = str(next(self._ids))
        created, modified = DATE_PROPERTIES[kind]
        values |= {"hs_object_id": object_id, created: iso(now), modified: iso(now)}
        record = CrmObject(kind, object_id, now, now, [(self._clock(), values)])
        self.objects[kind][object_id] = record
        self._add_to_index(record, values)
        for to_kind, to_id, type_id in links:
            self.associate(kind, object_id, to_kind, to_id, type_id)
        return record

    def update(self, kind: str, object_id: str, properties: Any) -> CrmObject:
        """Apply a partial property update (PATCH)."""
        record = self.get(kind, object_id)
        changes = self._checked(kind, properties)
        now = dt.datetime.now(dt.UTC)
        values = record.properties | changes | {DATE_PROPERTIES[kind][1]: iso(now)}
        record.versions.append((self._clock(), values))
        self._add_to_index(record, values)
        record.updated = now
        return record

    def archive(self, kind: str, object_id: str) -> None:
        """Move a record to the recycling bin with its associations gone; an unknown id is no error (204)."""
        record = self.objects[kind].pop(object_id, None)
        if record is None:
            return
        record.archived_at = dt.datetime.now(dt.UTC)
        self.recycled[kind][object_id] = record
        self.associations = {
            a
            for a in self.associations
            if (a[0], a[1]) != (kind, object_id) and (a[2], a[3]) != (kind, object_id)
        }

    def get(self, kind: str, object_id: str, id_property: str = "") -> CrmObject:
        """A record by id, or by a unique property (`idProperty=email` for contacts)."""
        if not id_property or id_property == "hs_object_id":
            record = self.objects[kind].get(object_id)
        elif id_property in _UNIQUE_ID_PROPERTIES.get(kind, ()):
            wanted = object_id.casefold()
            found = (
                r
                for r in self.objects[kind].values()
                if r.properties.get(id_property, "").casefold() == wanted
            )
            record = next(found, None)
        else:
            raise bad_request(f"{id_property[:60]} is not a unique property of {kind}", "idProperty")
        if record is None:
            raise not_found(object_id)
        return record

    def search(self, kind: str, request: SearchRequest, lag: float) -> tuple[list[CrmObject], int]:
        """The page of records the index (lagging writes by `lag` s) matches, and the total."""
        until = self._clock() - lag
        hits = []
        for record in self._candidates(kind, request):
            seen = record.indexed(until)
            if seen is not None and matches(seen, request.filter_groups, request.query):
                hits.append(record)
        hits.sort(key=lambda r: int(r.id))
        return hits[request.after : request.after + request.limit], len(hits)

    def _candidates(self, kind: str, request: SearchRequest) -> Iterable[CrmObject]:
        """The records a search must check: by the exact-value index when its filters allow (as
        HubSpot's index answers in the same time over thousands of records), else all of them."""
        records = self.objects[kind]
        keys = wanted_keys(request.filter_groups)
        if keys is None:
            return records.values()
        index = self._index[kind]
        ids = set().union(*(index.get(key, ()) for key in keys))
        return [records[i] for i in ids if i in records]

    def _add_to_index(self, record: CrmObject, values: Mapping[str, str]) -> None:
        index = self._index[record.kind]
        for key in index_keys(values):
            index.setdefault(key, set()).add(record.id)

    def associate(
        self, kind: str, object_id: str, to_kind: str, to_id: str, type_id: int | None = None
    ) -> int:
        """Link two existing records both ways; `type_id` None means the default type. Returns it."""
        self.get(kind, object_id)
        self.get(to_kind, to_id)
        default = ASSOCIATION_TYPES.get((kind, to_kind))
        if default is None:
            raise bad_request(f"{kind} cannot be associated with {to_kind}", "toObjectType")
        chosen = default if type_id is None else type_id
        self.associations.add((kind, object_id, to_kind, to_id, chosen))
        self.associations.add((to_kind, to_id, kind, object_id, ASSOCIATION_TYPES[(to_kind, kind)]))
        return chosen

    def associated(self, kind: str, object_id: str, to_kind: str) -> list[tuple[str, int]]:
        """(to id, type id) of the records of `to_kind` linked from this one."""
        return sorted(
            (to_id, type_id)
            for f_kind, f_id, t_kind, to_id, type_id in self.associations
            if (f_kind, f_id, t_kind) == (kind, object_id, to_kind)
        )

    def _checked(self, kind: str, properties: Any, required: tuple[str, ...] = ()) -> dict[str, str]:
        if not isinstance(properties, dict):
            raise bad_request("Invalid input JSON: properties must be an object", "properties")
        values: dict[str, str] = {}
        problems = [
            (name, "REQUIRED_FIELD", f"{name} is required") for name in required if not properties.get(name)
        ]
        for name, raw in properties.items():
            if isinstance(raw, dict | list) or raw is None:
                problems.append((name, "INVALID_STRING", f"Property {name!r} must be a string"))
                continue
            value = str(raw).lower() if isinstance(raw, bool) else str(raw)
            problem = self._problem(kind, name, value)
            if problem:
                problems.append((name, *problem))
            else:
                values[name] = value
        if problems:
            raise invalid_properties(problems)
        return values

    def _problem(self, kind: str, name: str, value: str) -> tuple[str, str] | None:
        """(HubSpot error code, message) when `value` is not acceptable for property `name`."""
        if name not in WRITABLE[kind]:
            read_only = name in ("hs_object_id", *DATE_PROPERTIES[kind], *CALCULATED_PHONES)
            if read_only:
                return "READ_ONLY_VALUE", f"{name!r} is a read only property; its value cannot be set."
            return "PROPERTY_DOESNT_EXIST", f'Property "{name[:100]}" does not exist'
        if len(value) > MAX_VALUE_LENGTH:
            return "INVALID_STRING", f"{name} is longer than {MAX_VALUE_LENGTH} characters"
        if not value:
            return None
        return _value_problem(name, value, self.owners)

    def _checked_associations(self, kind: str, associations: Any) -> list[tuple[str, str, int]]:
        if not isinstance(associations, list):
            raise bad_request("associations must be a list", "associations")
        links: list[tuple[str, str, int]] = []
        for item in associations:
            to_id = str(((item or {}).get("to") or {}).get("id", "")) if isinstance(item, dict) else ""
            types = item.get("types") if isinstance(item, dict) else None
            if not to_id or not isinstance(types, list) or not types:
                raise bad_request("Each association needs to.id and types", "associations")
            for spec in types:
                type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
                to_kind = next(
                    (t for (f, t), i in ASSOCIATION_TYPES.items() if f == kind and i == type_id), None
                )
                if to_kind is None:
                    raise bad_request(
                        f"association type id {type_id} doesn't exist for {kind}", "associations"
                    )
                if to_id not in self.objects[to_kind]:
                    raise bad_request(f"No {to_kind} with id {to_id[:40]} to associate", "associations")
                links.append((to_kind, to_id, int(type_id)))  # type: ignore[arg-type]
        return links


def _value_problem(name: str, value: str, owners: Mapping[str, Owner]) -> tuple[str, str] | None:
    if name == "email" and not _EMAIL.match(value):
        return "INVALID_EMAIL", f"Email address {value[:200]} is invalid"
    if name == "hubspot_owner_id" and value not in owners:
        return "INVALID_OWNER_ID", f"{value[:40]} is not a valid owner id"
    if name == "hs_call_direction" and value not in CALL_DIRECTIONS:
        return "INVALID_OPTION", f"{value[:40]} was not one of the allowed options: {sorted(CALL_DIRECTIONS)}"
    if name == "hs_call_status" and value not in CALL_STATUSES:
        return "INVALID_OPTION", f"{value[:40]} was not one of the allowed options: {sorted(CALL_STATUSES)}"
    if name == "hs_call_duration" and not value.isdigit():
        return "INVALID_INTEGER", f"{value[:40]} is not a valid integer (milliseconds)"
    if name == "hs_timestamp" and not _is_timestamp(value):
        return "INVALID_DATETIME", f"{value[:40]} is not a valid datetime: use epoch milliseconds or ISO 8601"
    if name == "hs_call_recording_url" and not value.startswith("https://"):
        return "INVALID_URL", "hs_call_recording_url must be an HTTPS URL"
    return None


def _is_timestamp(value: str) -> bool:
    if value.isdigit():
        return True
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
