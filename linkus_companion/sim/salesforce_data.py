"""The emulated org's records: validated create/update, SOQL queries and SOSL searches over them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from linkus_companion.sim.salesforce_schema import (
    BY_PREFIX,
    RELATIONSHIPS,
    SOBJECTS,
    Field,
    IdFactory,
    SObject,
    is_record_id,
    normalise_id,
    sobject,
)
from linkus_companion.sim.salesforce_soql import Condition, Ordering, Query, condition_fields, sort_records
from linkus_companion.sim.salesforce_sosl import FieldValue, Returning, Search

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TEXT_TYPES = ("string", "phone", "email", "textarea", "picklist")
_DEFAULTS: dict[str, dict[str, Any]] = {
    "lead": {"Status": "Open - Not Contacted", "IsConverted": False},
    "task": {"Status": "Not Started", "Priority": "Normal", "TaskSubtype": "Task"},
}
_SEARCH_ORDER = ("account", "contact", "lead", "user")
_CUSTOM_HINT = (
    "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. "
    "Please reference your WSDL or the describe call for the appropriate names."
)


class ApiError(Exception):
    """A REST error as Salesforce reports it: HTTP status and one `{message, errorCode, fields}` item."""

    def __init__(self, status: int, code: str, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict[str, Any]]:
        """The JSON error array."""
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields:
            item["fields"] = list(self.fields)
        return [item]


def timestamp(when: dt.datetime | None = None) -> str:
    """Salesforce's datetime format, `2026-01-31T12:00:00.000+0000`."""
    when = when or dt.datetime.now(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 100 else text[:100] + "..."


@dataclass
class Org:
    """All records of one org, keyed by object and id; every write is validated like the real API."""

    org_id: str
    ids: IdFactory

    def __post_init__(self) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in SOBJECTS}
        self.recycled: set[str] = set()
        """Ids of deleted records (the recycle bin): reading one is ENTITY_IS_DELETED, not NOT_FOUND."""

    # --- writes ---------------------------------------------------------------------------------------

    def create(self, type_name: str, data: Any, user_id: str) -> str:
        """Insert a record from a JSON body and return its id, or raise ApiError."""
        sobj = self.sobject_or_404(type_name)
        values = self._validated(sobj, data, creating=True)
        record = self._with_defaults(sobj, values, user_id)
        _require(sobj, record)
        self._check_owner(record)
        return self._store(sobj, record, user_id)

    def update(self, type_name: str, record_id: str, data: Any, user_id: str) -> None:
        """Apply a PATCH body to an existing record, or raise ApiError."""
        sobj = self.sobject_or_404(type_name)
        record = self.record(sobj, record_id)
        values = self._validated(sobj, data, creating=False)
        merged = {**record, **values}
        _require(sobj, merged)
        self._check_owner(merged)
        now = timestamp()
        merged.update(LastModifiedDate=now, LastModifiedById=user_id, SystemModstamp=now)
        self._derive(sobj, merged)
        record.clear()
        record.update(merged)

    def insert_seed(self, sobj: SObject, values: Mapping[str, Any], owner_id: str) -> str:
        """Add a record directly (seed data, tests), with the same defaults and derived fields."""
        return self._store(sobj, self._with_defaults(sobj, values, owner_id), owner_id)

    @staticmethod
    def _with_defaults(sobj: SObject, values: Mapping[str, Any], owner_id: str) -> dict[str, Any]:
        record: dict[str, Any] = {f.name: None for f in sobj.fields}
        record |= {**_DEFAULTS.get(sobj.name.lower(), {}), **values}
        if sobj.get_field("OwnerId") and owner_id and not record.get("OwnerId"):
            record["OwnerId"] = owner_id
        return record

    def _store(self, sobj: SObject, record: dict[str, Any], user_id: str) -> str:
        now = timestamp()
        record_id = self.ids.new(sobj.prefix)
        author = user_id or record_id
        record.update(
            Id=record_id,
            IsDeleted=False,
            CreatedDate=now,
            CreatedById=author,
            LastModifiedDate=now,
            LastModifiedById=author,
            SystemModstamp=now,
        )
        self._derive(sobj, record)
        self.records[sobj.name.lower()][record_id] = record
        return record_id

    def _validated(self, sobj: SObject, data: Any, *, creating: bool) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ApiError(
                400, "JSON_PARSER_ERROR", "The request body must be a JSON object of field values."
            )
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "attributes":
                continue
            spec = sobj.get_field(key)
            if spec is None:
                raise ApiError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {sobj.name}")
            if spec.name == "Id":
                raise ApiError(
                    400, "INVALID_FIELD", "The Id field should not be specified in the sobject data."
                )
            if not (spec.createable if creating else spec.updateable):
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {spec.name}. Please check the security settings of "
                    "this field and verify that it is read/write for your profile or permission set.",
                    (spec.name,),
                )
            values[spec.name] = self._checked(spec, value)
        return values

    def _checked(self, spec: Field, value: Any) -> Any:
        if value is None:
            return None
        if spec.type in _TEXT_TYPES or spec.type in ("reference", "date"):
            if not isinstance(value, str):
                raise ApiError(
                    400,
                    "JSON_PARSER_ERROR",
                    f"Cannot deserialize instance of string from value {_shown(value)}",
                )
        if spec.type in _TEXT_TYPES and spec.length and len(value) > spec.length:
            raise ApiError(
                400,
                "STRING_TOO_LONG",
                f"{spec.label}: data value too large: {_shown(value)} (max length={spec.length})",
                (spec.name,),
            )
        if spec.type == "email" and value and not _EMAIL.match(value):
            raise ApiError(
                400,
                "INVALID_EMAIL_ADDRESS",
                f"{spec.label}: invalid email address: {_shown(value)}",
                (spec.name,),
            )
        if spec.type == "picklist" and value and value not in spec.picklist:
            raise ApiError(
                400,
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{spec.label}: bad value for restricted picklist field: {_shown(value)}",
                (spec.name,),
            )
        if spec.type == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise ApiError(
                400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of int from value {_shown(value)}"
            )
        if spec.type == "boolean" and not isinstance(value, bool):
            raise ApiError(
                400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of boolean from value {_shown(value)}"
            )
        if spec.type == "date" and not _DATE.match(value):
            raise ApiError(
                400, "JSON_PARSER_ERROR", f"Cannot deserialize value of type date from {_shown(value)}"
            )
        if spec.type == "reference":
            return self._reference(spec, value)
        return value

    def _reference(self, spec: Field, value: str) -> str:
        target = BY_PREFIX.get(value[:3]) if is_record_id(value) else None
        if target is None or target.name not in spec.references:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{spec.label}: id value of incorrect type: {_shown(value)}",
                (spec.name,),
            )
        record_id = normalise_id(value)
        if record_id not in self.records[target.name.lower()]:
            raise ApiError(
                400, "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {record_id}", (spec.name,)
            )
        return record_id

    def _check_owner(self, record: Mapping[str, Any]) -> None:
        owner = record.get("OwnerId")
        if owner and not self.records["user"].get(owner, {}).get("IsActive"):
            raise ApiError(
                400, "INACTIVE_OWNER_OR_USER", "operation performed with inactive user", ("OwnerId",)
            )

    @staticmethod
    def _derive(sobj: SObject, record: dict[str, Any]) -> None:
        if sobj.name_parts:
            record["Name"] = " ".join(str(record[p]) for p in sobj.name_parts if record.get(p))
        if sobj.name == "Task":
            record["IsClosed"] = record.get("Status") == "Completed"

    # --- reads ----------------------------------------------------------------------------------------

    def sobject_or_404(self, type_name: str) -> SObject:
        """The object type, or the 404 Salesforce answers for an unknown sobject URL."""
        sobj = sobject(type_name)
        if sobj is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return sobj

    def record(self, sobj: SObject, record_id: str) -> dict[str, Any]:
        """The record with this id (15 or 18 characters), or 404."""
        found = (
            self.records[sobj.name.lower()].get(normalise_id(record_id)) if is_record_id(record_id) else None
        )
        if found is None and is_record_id(record_id) and normalise_id(record_id) in self.recycled:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        if found is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        return found

    def find(self, record_id: str) -> tuple[SObject, dict[str, Any]] | None:
        """Any record by id, with its type."""
        if not is_record_id(record_id):
            return None
        sobj = BY_PREFIX.get(record_id[:3])
        record = self.records[sobj.name.lower()].get(normalise_id(record_id)) if sobj else None
        return (sobj, record) if sobj and record else None

    def value(self, sobj: SObject, record: Mapping[str, Any], path: str) -> Any:
        """A field of `record`, following one relationship for dotted paths like `Account.Name`."""
        head, _, rest = path.partition(".")
        if not rest:
            spec = sobj.get_field(head)
            return record.get(spec.name) if spec else None
        target = self.find(str(record.get(RELATIONSHIPS.get(head.lower(), ""), "") or ""))
        return self.value(target[0], target[1], rest) if target else None

    def check_fields(self, sobj: SObject, paths: list[str]) -> None:
        """Raise INVALID_FIELD for a path that names no field (or no relationship) of `sobj`."""
        for path in paths:
            head, _, rest = path.partition(".")
            ok = sobj.get_field(head) is not None if not rest else self._relationship_ok(sobj, head, rest)
            if not ok:
                raise ApiError(
                    400, "INVALID_FIELD", f"No such column '{path}' on entity '{sobj.name}'. {_CUSTOM_HINT}"
                )

    def _relationship_ok(self, sobj: SObject, head: str, rest: str) -> bool:
        spec = sobj.get_field(RELATIONSHIPS.get(head.lower(), ""))
        if spec is None or "." in rest:
            return False
        return any(SOBJECTS[t.lower()].get_field(rest) for t in spec.references)

    def project(
        self, sobj: SObject, record: Mapping[str, Any], fields: tuple[str, ...], version: str
    ) -> dict[str, Any]:
        """The JSON form of `record` with the requested fields, as query and search return it."""
        out: dict[str, Any] = {"attributes": self.attributes(sobj, record["Id"], version)}
        for path in fields:
            head, _, rest = path.partition(".")
            if not rest:
                spec = sobj.get_field(head)
                if spec:
                    out[spec.name] = record.get(spec.name)
                continue
            target = self.find(str(record.get(RELATIONSHIPS[head.lower()]) or ""))
            name = head[0].upper() + head[1:]
            if target is None:
                out.setdefault(name, None)
                continue
            nested = out.get(name) or {"attributes": self.attributes(target[0], target[1]["Id"], version)}
            spec = target[0].get_field(rest)
            if spec:
                nested[spec.name] = target[1].get(spec.name)
            out[name] = nested
        return out

    @staticmethod
    def attributes(sobj: SObject, record_id: str, version: str) -> dict[str, str]:
        """`{"type": ..., "url": ...}` of a record."""
        return {"type": sobj.name, "url": f"/services/data/v{version}/sobjects/{sobj.name}/{record_id}"}

    def query(self, query: Query, version: str) -> list[dict[str, Any]]:
        """All rows of a parsed SOQL query, projected (paging is the caller's job)."""
        sobj = sobject(query.sobject)
        if sobj is None:
            raise ApiError(
                400,
                "INVALID_TYPE",
                f"sObject type '{query.sobject}' is not supported. If you are attempting to use a custom "
                "object, be sure to append the '__c' after the entity name. Please reference your WSDL or "
                "the describe call for the appropriate names.",
            )
        rows = self._select(sobj, query.fields, query.where, query.order_by, query.limit, query.offset)
        return [self.project(sobj, r, query.fields, version) for r in rows]

    def _select(
        self,
        sobj: SObject,
        fields: tuple[str, ...],
        where: Condition | None,
        order: tuple[Ordering, ...],
        limit: int | None,
        offset: int,
        candidates: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        self.check_fields(sobj, [*fields, *condition_fields(where), *(o.field for o in order)])

        def get(record: Mapping[str, Any], path: str) -> Any:
            return self.value(sobj, record, path)

        rows = list(self.records[sobj.name.lower()].values()) if candidates is None else candidates
        rows = [r for r in rows if not r.get("IsDeleted") and (where is None or where.test(r, get))]
        ordered = [dict(r) for r in sort_records(rows, order, get)]
        ordered = ordered[offset:]
        return ordered if limit is None else ordered[:limit]

    def search(self, search: Search, version: str) -> list[dict[str, Any]]:
        """The `searchRecords` of a parsed SOSL statement."""
        targets = search.returning or tuple(Returning(SOBJECTS[name].name) for name in _SEARCH_ORDER)
        results: list[dict[str, Any]] = []
        for spec in targets:
            sobj = sobject(spec.sobject)
            if sobj is None or not sobj.searchable:
                raise ApiError(400, "INVALID_TYPE", f"sObject type '{spec.sobject}' is not supported.")
            hits = [
                r
                for r in self.records[sobj.name.lower()].values()
                if search.expr.matches(_searched_values(sobj, r, search.group))
            ]
            rows = self._select(sobj, spec.fields, spec.where, spec.order_by, spec.limit, spec.offset, hits)
            results.extend(self.project(sobj, r, spec.fields, version) for r in rows)
        return results[: search.limit]


def _require(sobj: SObject, record: Mapping[str, Any]) -> None:
    missing = [f.name for f in sobj.fields if f.required and record.get(f.name) in (None, "")]
    if missing:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            tuple(missing),
        )


def _searched_values(sobj: SObject, record: Mapping[str, Any], group: str) -> list[FieldValue]:
    values: list[FieldValue] = []
    for spec in sobj.fields:
        text = record.get(spec.name)
        if not isinstance(text, str) or not text or spec.type in ("id", "reference", "date", "datetime"):
            continue
        wanted = {
            "phone": spec.type == "phone",
            "email": spec.type == "email",
            "name": spec.name_field,
            "sidebar": spec.name_field,
            "all": spec.type in _TEXT_TYPES and spec.type != "picklist",
        }[group]
        if wanted:
            values.append(FieldValue(text, phone=spec.type == "phone"))
    return values
