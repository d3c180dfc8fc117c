"""Field metadata of the emulated Zoho CRM modules (Contacts, Leads, Accounts, Calls)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    """One field: Zoho `data_type`, whether the system requires it, lookup target, picklist values."""

    data_type: str
    mandatory: bool = False
    lookup: str = ""
    picklist: tuple[str, ...] = ()
    read_only: bool = False
    max_length: int = 255


_OWNER = FieldSpec("ownerlookup", lookup="users")
_TIMES = {
    "Created_Time": FieldSpec("datetime", read_only=True),
    "Modified_Time": FieldSpec("datetime", read_only=True),
    "Created_By": FieldSpec("ownerlookup", lookup="users", read_only=True),
    "Modified_By": FieldSpec("ownerlookup", lookup="users", read_only=True),
}
_PHONE = FieldSpec("phone", max_length=30)
CALL_TYPES = ("Inbound", "Outbound", "Missed")
CALL_RESULTS = (
    "Interested",
    "Not interested",
    "No response",
    "Busy",
    "Requested more info",
    "Requested call back",
    "Invalid number",
)

MODULES: Mapping[str, Mapping[str, FieldSpec]] = {
    "Contacts": {
        "First_Name": FieldSpec("text", max_length=40),
        "Last_Name": FieldSpec("text", mandatory=True, max_length=80),
        "Full_Name": FieldSpec("text", read_only=True),
        "Email": FieldSpec("email", max_length=100),
        "Phone": _PHONE,
        "Mobile": _PHONE,
        "Home_Phone": _PHONE,
        "Other_Phone": _PHONE,
        "Asst_Phone": _PHONE,
        "Fax": _PHONE,
        "Account_Name": FieldSpec("lookup", lookup="Accounts"),
        "Description": FieldSpec("textarea", max_length=32000),
        "Owner": _OWNER,
        **_TIMES,
    },
    "Leads": {
        "First_Name": FieldSpec("text", max_length=40),
        "Last_Name": FieldSpec("text", mandatory=True, max_length=80),
        "Full_Name": FieldSpec("text", read_only=True),
        "Email": FieldSpec("email", max_length=100),
        "Phone": _PHONE,
        "Mobile": _PHONE,
        "Fax": _PHONE,
        "Company": FieldSpec("text", max_length=200),
        "Lead_Source": FieldSpec("picklist", picklist=("-None-", "Cold Call", "Web Download", "Partner")),
        "Description": FieldSpec("textarea", max_length=32000),
        "Owner": _OWNER,
        **_TIMES,
    },
    "Accounts": {
        "Account_Name": FieldSpec("text", mandatory=True, max_length=200),
        "Phone": _PHONE,
        "Fax": _PHONE,
        "Website": FieldSpec("website"),
        "Description": FieldSpec("textarea", max_length=32000),
        "Owner": _OWNER,
        **_TIMES,
    },
    "Calls": {
        "Subject": FieldSpec("text", mandatory=True),
        "Call_Type": FieldSpec("picklist", mandatory=True, picklist=CALL_TYPES),
        "Call_Start_Time": FieldSpec("datetime", mandatory=True),
        "Call_Duration": FieldSpec("text", max_length=10),
        "Call_Duration_in_seconds": FieldSpec("integer", read_only=True),
        "Call_Purpose": FieldSpec(
            "picklist", picklist=("-None-", "Prospecting", "Administrative", "Negotiation")
        ),
        "Call_Result": FieldSpec("picklist", picklist=CALL_RESULTS),
        "Call_Agenda": FieldSpec("text"),
        "Caller_ID": FieldSpec("text", max_length=30),
        "Dialled_Number": FieldSpec("text", max_length=30),
        "Description": FieldSpec("textarea", max_length=32000),
        "Voice_Recording__s": FieldSpec("website", max_length=2000),
        "Outgoing_Call_Status": FieldSpec(
            "picklist", picklist=("Scheduled", "Completed", "Overdue", "Cancelled")
        ),
        "CTI_Entry": FieldSpec("boolean"),
        "Who_Id": FieldSpec("lookup", lookup="Contacts"),
        "What_Id": FieldSpec("lookup", lookup="$se_module"),
        "Owner": _OWNER,
        **_TIMES,
    },
}
WHAT_MODULES = ("Leads", "Accounts")
"""Modules a call's `What_Id` may point at (named by `$se_module`)."""


def phone_fields(module: str) -> tuple[str, ...]:
    """The module's fields of type Phone (what `search?phone=` looks in)."""
    return tuple(name for name, spec in MODULES[module].items() if spec.data_type == "phone")


def display_name(module: str, record: Mapping[str, object]) -> str:
    """The record's name as the web UI shows it."""
    if module == "Accounts":
        return str(record.get("Account_Name") or "")
    if module == "Calls":
        return str(record.get("Subject") or "")
    return " ".join(str(record.get(k) or "") for k in ("First_Name", "Last_Name")).strip()


def fields_metadata(module: str) -> list[dict[str, object]]:
    """`GET /settings/fields` entries in Zoho's shape (what the official SDK reads)."""
    result: list[dict[str, object]] = []
    for index, (name, spec) in enumerate(MODULES[module].items(), start=1):
        entry: dict[str, object] = {
            "api_name": name,
            "id": f"41508680000000{index:05d}",
            "field_label": name.replace("_", " "),
            "data_type": spec.data_type,
            "json_type": _JSON_TYPES.get(spec.data_type, "string"),
            "system_mandatory": spec.mandatory,
            "read_only": spec.read_only,
            "length": spec.max_length,
            "custom_field": name.endswith("__c"),
            "pick_list_values": [
                {"display_value": v, "actual_value": v, "id": str(i)} for i, v in enumerate(spec.picklist)
            ],
        }
        if spec.data_type == "lookup" and spec.lookup != "$se_module":
            entry["lookup"] = {"module": {"api_name": spec.lookup, "id": "1"}}
        result.append(entry)
    return result


_JSON_TYPES = {
    "ownerlookup": "jsonobject",
    "lookup": "jsonobject",
    "integer": "integer",
    "boolean": "boolean",
}
