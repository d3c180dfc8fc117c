"""The emulated org's object schema (Contact, Lead, Account, Task, User) and Salesforce record ids."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


@dataclass(frozen=True)
class Field:
    """One field: API name, type, label, length and who may write it."""

    name: str
    type: str
    """`id`, `string`, `phone`, `email`, `textarea`, `picklist`, `int`, `boolean`, `reference`, `date`,
    `datetime`."""
    label: str
    length: int = 0
    required: bool = False
    createable: bool = True
    updateable: bool = True
    picklist: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    name_field: bool = False


@dataclass(frozen=True)
class SObject:
    """One object type: key prefix, fields, and its compound Name."""

    name: str
    prefix: str
    label: str
    fields: tuple[Field, ...]
    name_parts: tuple[str, ...] = ()
    """Fields joined into a read-only Name (Contact, Lead, User); empty when Name is a real field."""
    searchable: bool = True
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name.lower(): f for f in self.fields})

    def get_field(self, name: str) -> Field | None:
        """The field named `name` (case-insensitive), if it exists."""
        return self.by_name.get(name.lower())


def _system(owner: bool = True) -> tuple[Field, ...]:
    fields = [
        Field("Id", "id", "Record ID", 18, createable=False, updateable=False),
        Field("IsDeleted", "boolean", "Deleted", createable=False, updateable=False),
        Field("CreatedDate", "datetime", "Created Date", createable=False, updateable=False),
        Field("CreatedById", "reference", "Created By ID", 18, False, False, False, references=("User",)),
        Field("LastModifiedDate", "datetime", "Last Modified Date", createable=False, updateable=False),
        Field(
            "LastModifiedById",
            "reference",
            "Last Modified By ID",
            18,
            False,
            False,
            False,
            references=("User",),
        ),
        Field("SystemModstamp", "datetime", "System Modstamp", createable=False, updateable=False),
    ]
    if owner:
        fields.append(Field("OwnerId", "reference", "Owner ID", 18, references=("User",)))
    return tuple(fields)


_PERSON = (
    Field("Salutation", "picklist", "Salutation", 40, picklist=("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")),
    Field("FirstName", "string", "First Name", 40, name_field=True),
    Field("LastName", "string", "Last Name", 80, required=True, name_field=True),
    Field("Name", "string", "Full Name", 121, createable=False, updateable=False, name_field=True),
    Field("Title", "string", "Title", 128),
    Field("Email", "email", "Email", 80),
    Field("Phone", "phone", "Business Phone", 40),
    Field("MobilePhone", "phone", "Mobile Phone", 40),
    Field("Description", "textarea", "Description", 32000),
)

CONTACT = SObject(
    "Contact",
    "003",
    "Contact",
    (
        *_system(),
        *_PERSON,
        Field("AccountId", "reference", "Account ID", 18, references=("Account",)),
        Field("HomePhone", "phone", "Home Phone", 40),
        Field("OtherPhone", "phone", "Other Phone", 40),
        Field("AssistantPhone", "phone", "Asst. Phone", 40),
        Field("Fax", "phone", "Business Fax", 40),
        Field("Department", "string", "Department", 80),
    ),
    name_parts=("FirstName", "LastName"),
)

LEAD = SObject(
    "Lead",
    "00Q",
    "Lead",
    (
        *_system(),
        *_PERSON,
        Field("Company", "string", "Company", 255, required=True),
        Field("Fax", "phone", "Fax", 40),
        Field(
            "Status",
            "picklist",
            "Status",
            255,
            picklist=(
                "Open - Not Contacted",
                "Working - Contacted",
                "Closed - Converted",
                "Closed - Not Converted",
            ),
        ),
        Field(
            "LeadSource",
            "picklist",
            "Lead Source",
            255,
            picklist=("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"),
        ),
        Field("IsConverted", "boolean", "Converted", createable=False, updateable=False),
    ),
    name_parts=("FirstName", "LastName"),
)

ACCOUNT = SObject(
    "Account",
    "001",
    "Account",
    (
        *_system(),
        Field("Name", "string", "Account Name", 255, required=True, name_field=True),
        Field("Phone", "phone", "Account Phone", 40),
        Field("Fax", "phone", "Account Fax", 40),
        Field("Website", "string", "Website", 255),
        Field("Industry", "string", "Industry", 255),
        Field("Description", "textarea", "Account Description", 32000),
    ),
)

TASK = SObject(
    "Task",
    "00T",
    "Task",
    (
        *_system(),
        Field("Subject", "string", "Subject", 255),
        Field("Description", "textarea", "Comments", 32000),
        Field("ActivityDate", "date", "Due Date Only"),
        Field(
            "Status",
            "picklist",
            "Status",
            255,
            required=True,
            picklist=("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
        ),
        Field("Priority", "picklist", "Priority", 40, required=True, picklist=("High", "Normal", "Low")),
        Field("Type", "picklist", "Type", 255, picklist=("Call", "Email", "Meeting", "Other")),
        Field(
            "TaskSubtype",
            "picklist",
            "Task Subtype",
            255,
            updateable=False,
            picklist=("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"),
        ),
        Field("CallType", "picklist", "Call Type", 40, picklist=("Internal", "Inbound", "Outbound")),
        Field("CallDurationInSeconds", "int", "Call Duration"),
        Field("CallObject", "string", "Call Object Identifier", 255),
        Field("CallDisposition", "string", "Call Result", 255),
        Field("WhoId", "reference", "Name ID", 18, references=("Contact", "Lead")),
        Field("WhatId", "reference", "Related To ID", 18, references=("Account",)),
        Field("IsClosed", "boolean", "Closed", createable=False, updateable=False),
    ),
    searchable=False,
)

USER = SObject(
    "User",
    "005",
    "User",
    (
        *_system(owner=False),
        Field("Username", "string", "Username", 80, required=True),
        Field("FirstName", "string", "First Name", 40, name_field=True),
        Field("LastName", "string", "Last Name", 80, required=True, name_field=True),
        Field("Name", "string", "Full Name", 121, createable=False, updateable=False, name_field=True),
        Field("Email", "email", "Email", 128, required=True),
        Field("Phone", "phone", "Phone", 40),
        Field("MobilePhone", "phone", "Mobile", 40),
        Field("IsActive", "boolean", "Active"),
        Field("Title", "string", "Title", 80),
    ),
    name_parts=("FirstName", "LastName"),
)

CONTENT_VERSION = SObject(
    "ContentVersion",
    "068",
    "Content Version",
    (
        *_system(),
        Field("Title", "string", "Title", 255),
        Field("PathOnClient", "string", "Path On Client", 500, required=True, updateable=False),
        Field("VersionData", "base64", "Version Data", updateable=False),
        Field(
            "ContentDocumentId",
            "reference",
            "ContentDocument ID",
            18,
            updateable=False,
            references=("ContentDocument",),
        ),
        Field(
            "FirstPublishLocationId",
            "reference",
            "First Publish Location ID",
            18,
            updateable=False,
            references=("Task", "Contact", "Lead", "Account", "User"),
        ),
        Field(
            "ContentLocation", "picklist", "Content Location", 1, updateable=False, picklist=("S", "E", "L")
        ),
        Field("ContentSize", "int", "Size", createable=False, updateable=False),
        Field("FileExtension", "string", "File Extension", 40, createable=False, updateable=False),
        Field("FileType", "string", "File Type", 20, createable=False, updateable=False),
        Field("IsLatest", "boolean", "Is Latest", createable=False, updateable=False),
        Field("VersionNumber", "string", "Version Number", 20, createable=False, updateable=False),
    ),
    searchable=False,
)

CONTENT_DOCUMENT = SObject(
    "ContentDocument",
    "069",
    "Content Document",
    (
        *_system(),
        Field("Title", "string", "Title", 255),
        Field(
            "LatestPublishedVersionId",
            "reference",
            "Latest Published Version ID",
            18,
            createable=False,
            updateable=False,
            references=("ContentVersion",),
        ),
        Field("ContentSize", "int", "Size", createable=False, updateable=False),
        Field("FileExtension", "string", "File Extension", 40, createable=False, updateable=False),
        Field("FileType", "string", "File Type", 20, createable=False, updateable=False),
    ),
    searchable=False,
)

CONTENT_DOCUMENT_LINK = SObject(
    "ContentDocumentLink",
    "06A",
    "Content Document Link",
    (
        *_system(owner=False),
        Field(
            "ContentDocumentId",
            "reference",
            "ContentDocument ID",
            18,
            required=True,
            updateable=False,
            references=("ContentDocument",),
        ),
        Field(
            "LinkedEntityId",
            "reference",
            "Linked Entity ID",
            18,
            required=True,
            updateable=False,
            references=("Task", "Contact", "Lead", "Account", "User"),
        ),
        Field("ShareType", "picklist", "Share Type", 1, picklist=("V", "C", "I")),
        Field(
            "Visibility", "picklist", "Visibility", 40, picklist=("AllUsers", "InternalUsers", "SharedUsers")
        ),
    ),
    searchable=False,
)

SOBJECTS = {
    s.name.lower(): s
    for s in (CONTACT, LEAD, ACCOUNT, TASK, USER, CONTENT_VERSION, CONTENT_DOCUMENT, CONTENT_DOCUMENT_LINK)
}
BY_PREFIX = {s.prefix: s for s in SOBJECTS.values()}
RELATIONSHIPS = {
    "account": "AccountId",
    "owner": "OwnerId",
    "who": "WhoId",
    "what": "WhatId",
    "contentdocument": "ContentDocumentId",
}
"""Relationship name -> the reference field it follows (`Account.Name`, `Owner.Email`, ...)."""


def sobject(name: str) -> SObject | None:
    """The object type named `name` (case-insensitive)."""
    return SOBJECTS.get(name.lower())


def case_safe_id(id15: str) -> str:
    """The 18-character case-insensitive form of a 15-character record id."""
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if ch.isupper():
                bits |= 1 << i
        suffix += _CHECKSUM_ALPHABET[bits]
    return id15 + suffix


def is_record_id(value: str) -> bool:
    """Whether `value` is a well-formed 15- or 18-character id (with a valid checksum when 18)."""
    if len(value) not in (15, 18) or not value.isalnum() or not value.isascii():
        return False
    return len(value) == 15 or case_safe_id(value[:15]) == value


def normalise_id(value: str) -> str:
    """An id in its 18-character form (15-character ids are accepted as Salesforce does)."""
    return case_safe_id(value) if len(value) == 15 else value


class IdFactory:
    """Issues ids: a key prefix, a pod and a zero-padded counter, in their case-safe 18-character form."""

    def __init__(self, pod: str = "5gAQ0") -> None:
        self._pod = pod
        self._counter = itertools.count(1)

    def new(self, prefix: str) -> str:
        """A new 18-character id with the given 3-character key prefix."""
        body = f"{prefix}{self._pod}{next(self._counter):07d}"[:15]
        return case_safe_id(body)


def describe_global(name: str, version: str) -> dict[str, Any]:
    """An object's entry in the sobjects list (describeGlobal)."""
    sobj = SOBJECTS[name.lower()]
    return {
        "name": sobj.name,
        "label": sobj.label,
        "keyPrefix": sobj.prefix,
        "createable": sobj.name != "User",
        "updateable": True,
        "queryable": True,
        "searchable": sobj.searchable,
        "urls": {
            "sobject": f"/services/data/v{version}/sobjects/{sobj.name}",
            "describe": f"/services/data/v{version}/sobjects/{sobj.name}/describe",
            "rowTemplate": f"/services/data/v{version}/sobjects/{sobj.name}/{{ID}}",
        },
    }


def describe(name: str, version: str) -> dict[str, Any]:
    """An object's describe: its fields with types, lengths and who may write them."""
    sobj = SOBJECTS[name.lower()]
    fields = [
        {
            "name": f.name,
            "label": f.label,
            "type": f.type,
            "length": f.length,
            "nillable": not f.required,
            "createable": f.createable,
            "updateable": f.updateable,
            "nameField": f.name == "Name",
            "referenceTo": list(f.references),
            "picklistValues": [{"value": v, "label": v, "active": True} for v in f.picklist],
        }
        for f in sobj.fields
    ]
    return {**describe_global(name, version), "fields": fields}
