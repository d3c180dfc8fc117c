"""Typed PBX resources returned by the REST API: system information, extensions, contacts, phonebooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from linkus_companion.pbx.clock import PbxClock
from linkus_companion.pbx.models import MalformedPayload, field_text
from linkus_companion.texts import Text

FIRMWARE_MINIMUMS = {"83": "83.21.0.66", "37": "37.21.0.66"}
"""Per edition (firmware prefix: 83 Software, 37 Appliance), the firmware the CRM integration needs."""
PHONEBRIDGE_MINIMUM = "37.16.0.70"
"""Zoho PhoneBridge needs this Appliance firmware."""

NUMBER_FIELDS = {
    "business_number": "business",
    "business_number2": "business2",
    "business_fax": "business_fax",
    "mobile_number": "mobile",
    "mobile_number2": "mobile2",
    "home_number": "home",
    "home_number2": "home2",
    "home_fax": "home_fax",
    "other_number": "other",
}
"""`num_type` -> the flat key the same number has in search results and phonebook members."""


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def firmware_warning(firmware: str, *, phonebridge: bool = False) -> str | None:
    """A sentence for the user when `firmware` is older than the integration needs, else None."""
    try:
        version = _version(firmware)
    except ValueError:
        return Text(
            "The PBX reports firmware {firmware}; Linkus Companion cannot check it is recent enough.",
            firmware=repr(firmware[:30]),
        )
    edition = firmware.split(".", 1)[0]
    minimum = PHONEBRIDGE_MINIMUM if phonebridge and edition == "37" else FIRMWARE_MINIMUMS.get(edition)
    if minimum and version < _version(minimum):
        return Text(
            "The PBX firmware {firmware} is older than {minimum}; upgrade the PBX before relying on it.",
            firmware=firmware,
            minimum=minimum,
        )
    return None


@dataclass(frozen=True)
class SystemInfo:
    """system/information: identity, firmware and the clock used for CDR searches."""

    device_name: str
    model_name: str
    sn: str
    firmware: str
    clock: PbxClock
    firmware_warning: str | None
    """Set when the firmware is older than the minimum; also logged as a warning."""


@dataclass(frozen=True)
class Extension:
    """One extension from extension/list or extension/search."""

    id: int
    number: str
    name: str
    email: str
    mobile: str = ""
    presence: str = ""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Extension:
        """From an `Ext_Basicinfo` row."""
        return cls(
            id=_id(row),
            number=field_text(row, "number", required=True),
            name=field_text(row, "caller_id_name"),
            email=field_text(row, "email_addr"),
            mobile=field_text(row, "mobile_number"),
            presence=field_text(row, "presence_status"),
        )


@dataclass(frozen=True)
class ContactNumber:
    """One number of a company contact, with its `num_type` (e.g. `business_number`)."""

    num_type: str
    number: str


@dataclass(frozen=True)
class ContactFields:
    """What we write into a company contact (create, or update with the full set)."""

    first_name: str
    numbers: tuple[ContactNumber, ...]
    last_name: str = ""
    company: str = ""
    email: str = ""
    remark: str = ""
    phonebook_ids: tuple[int, ...] = ()

    def body(self) -> dict[str, Any]:
        """The JSON body for company_contact/create (and update, with `id` added)."""
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "email": self.email,
            "remark": self.remark,
            "phonebook_id_list": list(self.phonebook_ids),
            "number_list": [{"num_type": n.num_type, "number": n.number} for n in self.numbers],
        }


@dataclass(frozen=True)
class CompanyContact:
    """A PBX company contact (search rows carry `name` only; get carries first/last name)."""

    id: int
    name: str
    numbers: tuple[ContactNumber, ...]
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    email: str = ""
    remark: str = ""
    phonebook_ids: tuple[int, ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CompanyContact:
        """From a company_contact/search|list row or a phonebook member (flat number keys)."""
        numbers = tuple(
            ContactNumber(num_type, field_text(row, flat))
            for num_type, flat in NUMBER_FIELDS.items()
            if field_text(row, flat)
        )
        return cls(
            id=_id(row),
            name=field_text(row, "contact_name"),
            numbers=numbers,
            company=field_text(row, "company"),
            email=field_text(row, "email"),
            remark=field_text(row, "remark"),
            phonebook_ids=_phonebook_ids(row),
        )

    @classmethod
    def from_detail(cls, data: Mapping[str, Any]) -> CompanyContact:
        """From company_contact/get `data` (`number_list` of `{num_type, number}`)."""
        items = data.get("number_list") or []
        if not isinstance(items, list):
            raise MalformedPayload("number_list is not a list")
        numbers = tuple(
            ContactNumber(field_text(n, "num_type"), field_text(n, "number"))
            for n in items
            if field_text(n, "number")
        )
        first, last = field_text(data, "first_name"), field_text(data, "last_name")
        return cls(
            id=_id(data),
            name=f"{first} {last}".strip(),
            numbers=numbers,
            first_name=first,
            last_name=last,
            company=field_text(data, "company"),
            email=field_text(data, "email"),
            remark=field_text(data, "remark"),
            phonebook_ids=_phonebook_ids(data),
        )


@dataclass(frozen=True)
class Phonebook:
    """A phonebook (company-contacts group); `contacts` is filled by phonebook/get only."""

    id: int
    name: str
    member_select: str = ""
    contacts: tuple[CompanyContact, ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Phonebook:
        """From phonebook/get `data` or a phonebook/search|list row."""
        members = data.get("contacts_list") or []
        if not isinstance(members, list):
            raise MalformedPayload("contacts_list is not a list")
        return cls(
            id=_id(data),
            name=field_text(data, "name"),
            member_select=field_text(data, "member_select"),
            contacts=tuple(CompanyContact.from_row(m) for m in members),
        )


def _id(obj: Mapping[str, Any]) -> int:
    value = obj.get("id")
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedPayload("id is not an integer")
    return value


def _phonebook_ids(obj: Mapping[str, Any]) -> tuple[int, ...]:
    items = obj.get("phonebook_list") or []
    if not isinstance(items, list):
        raise MalformedPayload("phonebook_list is not a list")
    return tuple(_id(item) for item in items if isinstance(item, Mapping))
