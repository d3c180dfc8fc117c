"""The emulated Zoho CRM org: users, records, validation and the documented search semantics."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from linkus_companion.sim.zoho_criteria import Condition, Group, Node, conditions
from linkus_companion.sim.zoho_schema import (
    CALL_TYPES,
    MODULES,
    WHAT_MODULES,
    FieldSpec,
    display_name,
    phone_fields,
)

_FORMATTING = re.compile(r"[\s\-().\\/]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)$")
_DURATION = re.compile(r"^(\d{1,3}):([0-5]\d)$")


@dataclass
class User:
    """A Zoho CRM user."""

    id: str
    first_name: str
    last_name: str
    email: str
    role: str = "Sales"
    profile: str = "Standard"
    status: str = "active"
    zuid: str = ""
    phonebridge: bool = True
    """Holds (and activated) the PhoneBridge permission."""

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    def as_json(self) -> dict[str, Any]:
        """The `/users` entry."""
        return {
            "id": self.id,
            "email": self.email,
            "full_name": self.full_name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "status": self.status,
            "zuid": self.zuid,
            "confirm": True,
            "role": {"name": self.role, "id": self.id[:-3] + "101"},
            "profile": {"name": self.profile, "id": self.id[:-3] + "102"},
        }

    def ref(self) -> dict[str, str]:
        """`{"name", "id", "email"}` as owner fields carry it."""
        return {"name": self.full_name, "id": self.id, "email": self.email}


@dataclass(frozen=True)
class RecordError:
    """A per-record error in Zoho's shape."""

    code: str
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """`{code, details, message, status: "error"}`."""
        return {"code": self.code, "details": dict(self.details), "message": self.message, "status": "error"}


class QueryError(ValueError):
    """A criteria names a field the module cannot search."""

    def __init__(self, api_name: str) -> None:
        super().__init__(f"the field {api_name} is not available for search")
        self.api_name = api_name


def normalise_phone(text: str) -> str:
    """Text with formatting characters (spaces, dashes, dots, slashes, parentheses) removed, lowercased."""
    return _FORMATTING.sub("", text).lower()


class Org:
    """One Zoho CRM organisation and its data."""

    def __init__(self, org_id: str, company: str, clock: Callable[[], dt.datetime]) -> None:
        self.id = org_id
        self.domain_name = f"org{org_id}"
        self.company = company
        self.users: dict[str, User] = {}
        self.records: dict[str, dict[str, dict[str, Any]]] = {module: {} for module in MODULES}
        self._clock = clock
        self._ids = itertools.count(1234567)

    def now(self) -> dt.datetime:
        """The org's clock."""
        return self._clock()

    def new_id(self) -> str:
        """A fresh 19-digit record id."""
        return f"4150868{next(self._ids):012d}"

    def add_user(self, first: str, last: str, email: str, **extra: Any) -> User:
        """Add a user; the first one added is the administrator."""
        user_id = self.new_id()
        user = User(user_id, first, last, email, zuid=f"7{user_id[-9:]}", **extra)
        self.users[user_id] = user
        return user

    def as_json(self, admin: User) -> dict[str, Any]:
        """The `/org` entry."""
        return {
            "id": self.id,
            "domain_name": self.domain_name,
            "company_name": self.company,
            "primary_email": admin.email,
            "zgid": self.id,
            "time_zone": "GMT",
            "country_code": "US",
            "currency": "US Dollar",
            "currency_symbol": "$",
            "iso_code": "USD",
            "type": "production",
        }

    def find(self, module: str, record_id: str) -> dict[str, Any] | None:
        """A record by id."""
        return self.records.get(module, {}).get(record_id)

    def insert(self, module: str, data: Mapping[str, Any], actor: User) -> dict[str, Any] | RecordError:
        """Validate and store a new record; returns it or the per-record error."""
        fields = MODULES[module]
        missing = [name for name, spec in fields.items() if spec.mandatory and _blank(data.get(name))]
        if (
            module == "Calls"
            and data.get("Call_Type") in CALL_TYPES[:2]
            and _blank(data.get("Call_Duration"))
        ):
            missing.append("Call_Duration")
        if missing:
            return RecordError("MANDATORY_NOT_FOUND", "required field not found", {"api_name": missing[0]})
        record: dict[str, Any] = {"Owner": actor.ref()}
        error = self._apply(module, record, data)
        if error:
            return error
        now = self._clock().isoformat(timespec="seconds")
        record.update(id=self.new_id(), Created_Time=now, Modified_Time=now)
        record.update(Created_By=_short(actor), Modified_By=_short(actor))
        self._derive(module, record)
        self.records[module][record["id"]] = record
        return record

    def update(
        self, module: str, record_id: str, data: Mapping[str, Any], actor: User
    ) -> dict[str, Any] | RecordError:
        """Validate and apply changes to a record."""
        record = self.find(module, record_id)
        if record is None:
            return RecordError("INVALID_DATA", "the related id given seems to be invalid", {"id": record_id})
        if module == "Calls" and "Call_Type" in data and data["Call_Type"] != record.get("Call_Type"):
            return RecordError("INVALID_DATA", "Call_Type cannot be updated", {"api_name": "Call_Type"})
        changed = dict(record)
        error = self._apply(module, changed, data)
        if error:
            return error
        changed.update(Modified_Time=self._clock().isoformat(timespec="seconds"), Modified_By=_short(actor))
        self._derive(module, changed)
        record.clear()
        record.update(changed)
        return record

    def _apply(self, module: str, record: dict[str, Any], data: Mapping[str, Any]) -> RecordError | None:
        fields = MODULES[module]
        for name, value in data.items():
            if name.startswith("$") or name == "id":
                continue
            spec = fields.get(name)
            if spec is None or spec.read_only:
                return RecordError("INVALID_DATA", "invalid field", {"api_name": name})
            converted = self._convert(module, name, spec, value, data)
            if isinstance(converted, RecordError):
                return converted
            record[name] = converted
        if module == "Calls" and "What_Id" in data:
            record["$se_module"] = data.get("$se_module")
        return None

    def _convert(
        self, module: str, name: str, spec: FieldSpec, value: Any, data: Mapping[str, Any]
    ) -> Any | RecordError:
        invalid = RecordError(
            "INVALID_DATA", "invalid data", {"api_name": name, "expected_data_type": spec.data_type}
        )
        if value is None:
            return None
        if spec.data_type in ("lookup", "ownerlookup"):
            return self._lookup(module, name, spec, value, data) or invalid
        if spec.data_type == "boolean":
            return value if isinstance(value, bool) else invalid
        if not isinstance(value, str):
            return invalid
        if len(value) > spec.max_length:
            return RecordError(
                "INVALID_DATA", "invalid data", {"api_name": name, "maximum_length": spec.max_length}
            )
        valid = {
            "email": lambda: not value or bool(_EMAIL.match(value)),
            "datetime": lambda: bool(_ISO_WITH_OFFSET.match(value)),
            "picklist": lambda: value in spec.picklist,
        }.get(spec.data_type, lambda: True)()
        if module == "Calls" and name == "Call_Duration":
            valid = bool(_DURATION.match(value))
        return value if valid else invalid

    def _lookup(
        self, module: str, name: str, spec: FieldSpec, value: Any, data: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        target_id = value.get("id") if isinstance(value, dict) else value
        if isinstance(target_id, int) and not isinstance(target_id, bool):
            target_id = str(target_id)  # ids are sent as JSON numbers or strings
        if not isinstance(target_id, str):
            return None
        if spec.data_type == "ownerlookup":
            user = self.users.get(target_id)
            return user.ref() if user and user.status == "active" else None
        target = data.get("$se_module") if spec.lookup == "$se_module" else spec.lookup
        if target not in (WHAT_MODULES if spec.lookup == "$se_module" else (spec.lookup,)):
            return None
        found = self.find(str(target), target_id)
        return {"name": display_name(str(target), found), "id": target_id} if found else None

    def _derive(self, module: str, record: dict[str, Any]) -> None:
        if module in ("Contacts", "Leads"):
            record["Full_Name"] = " ".join(
                str(record.get(k) or "") for k in ("First_Name", "Last_Name")
            ).strip()
        if module == "Calls":
            match = _DURATION.match(str(record.get("Call_Duration") or ""))
            record["Call_Duration_in_seconds"] = int(match[1]) * 60 + int(match[2]) if match else 0

    def search_phone(self, module: str, query: str) -> list[dict[str, Any]]:
        """`?phone=`: every Phone-type field; formatting ignored; the query may be part of the value."""
        wanted = normalise_phone(query)
        if not wanted:
            return []
        names = phone_fields(module)
        return [
            r
            for r in self.records[module].values()
            if any(wanted in normalise_phone(str(r.get(n) or "")) for n in names)
        ]

    def search_email(self, module: str, query: str) -> list[dict[str, Any]]:
        """`?email=`: every Email field, case-insensitive equality."""
        wanted = query.strip().lower()
        return [r for r in self.records[module].values() if str(r.get("Email") or "").lower() == wanted]

    def search_word(self, module: str, query: str) -> list[dict[str, Any]]:
        """`?word=`: any text value containing the word, case-insensitive."""
        wanted = query.strip().lower()
        return [
            r
            for r in self.records[module].values()
            if wanted and any(isinstance(v, str) and wanted in v.lower() for v in r.values())
        ]

    def search_criteria(self, module: str, node: Node) -> list[dict[str, Any]]:
        """`?criteria=`: the parsed expression evaluated per record; unknown fields raise QueryError."""
        fields = MODULES[module]
        for condition in conditions(node):
            if condition.field != "id" and condition.field not in fields:
                raise QueryError(condition.field)
        return [r for r in self.records[module].values() if _matches(node, r, fields)]


def _matches(node: Node, record: Mapping[str, Any], fields: Mapping[str, FieldSpec]) -> bool:
    if isinstance(node, Group):
        results = (_matches(item, record, fields) for item in node.items)
        return all(results) if node.connective == "and" else any(results)
    return _condition(node, record, fields)


def _condition(cond: Condition, record: Mapping[str, Any], fields: Mapping[str, FieldSpec]) -> bool:
    raw = record.get(cond.field)
    actual = str((raw.get("id") if isinstance(raw, dict) else raw) or "")
    is_phone = cond.field in fields and fields[cond.field].data_type == "phone"

    def equals(value: str) -> bool:
        if is_phone:  # v5+: `equals` on phone fields behaves like contains
            wanted = normalise_phone(value)
            return bool(wanted) and wanted in normalise_phone(actual)
        return actual.casefold() == value.casefold()

    op, values = cond.operator, cond.values
    if op in ("equals", "in"):
        return any(equals(v) for v in values)
    if op in ("not_equal", "not_in"):
        return not any(equals(v) for v in values)
    if op == "starts_with":
        return actual.casefold().startswith(values[0].casefold())
    if op == "between":
        return _compare(actual, values[0]) >= 0 and _compare(actual, values[1]) <= 0
    order = _compare(actual, values[0])
    return {"greater_than": order > 0, "greater_equal": order >= 0, "less_than": order < 0}.get(
        op, order <= 0
    )


def _compare(left: str, right: str) -> int:
    try:
        a, b = float(left), float(right)
    except ValueError:
        return (left > right) - (left < right)
    return (a > b) - (a < b)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _short(user: User) -> dict[str, str]:
    return {"name": user.full_name, "id": user.id}
