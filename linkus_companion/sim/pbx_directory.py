"""The PBX's configured objects: extensions, trunk and DID, queues, ring groups, contacts, phonebooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NUM_TYPES = {
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
ADDRESS_FIELDS = ("zip_code", "street", "city", "state", "country")


@dataclass
class Extension:
    """A SIP extension with its user."""

    id: int
    number: str
    first_name: str
    last_name: str
    email_addr: str
    mobile_number: str = ""
    role_name: str = "Employee"
    presence_status: str = "available"

    @property
    def caller_id_name(self) -> str:
        """Display name (First Last)."""
        return f"{self.first_name} {self.last_name}".strip()

    def basic_info(self) -> dict[str, Any]:
        """The `Ext_Basicinfo` row of extension/list and extension/search."""
        return {
            "id": self.id,
            "number": self.number,
            "caller_id_name": self.caller_id_name,
            "email_addr": self.email_addr,
            "mobile_number": self.mobile_number,
            "role_name": self.role_name,
            "presence_status": self.presence_status,
            "online_status": {
                "sip_phone": {"status": 0, "ext_dev_type": "sip", "status_list": []},
                "linkus_desktop": {"status": 1, "ext_dev_type": "linkusdesktop"},
                "linkus_mobile": {"status": 0, "ext_dev_type": "linkusmobile"},
                "linkus_web": {"status": 0, "ext_dev_type": "linkusweb"},
            },
        }

    def details(self) -> dict[str, Any]:
        """The `data` of extension/get."""
        return {
            "id": self.id,
            "type": "SIP",
            "number": self.number,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "caller_id_name": self.caller_id_name,
            "email_addr": self.email_addr,
            "mobile_number": self.mobile_number,
            "presence_status": self.presence_status,
            "concurrent_registrations": 1,
        }


@dataclass
class Contact:
    """A company contact."""

    id: int
    first_name: str
    last_name: str = ""
    company: str = ""
    email: str = ""
    remark: str = ""
    number_list: list[dict[str, str]] = field(default_factory=list)
    address: dict[str, str] = field(default_factory=dict)

    @property
    def contact_name(self) -> str:
        """First Last."""
        return f"{self.first_name} {self.last_name}".strip()

    def numbers(self) -> list[str]:
        """Every phone number of the contact."""
        return [n["number"] for n in self.number_list]

    def flat(self) -> dict[str, Any]:
        """The row shape with flat number keys (company_contact/search, phonebook/get)."""
        row: dict[str, Any] = {
            "id": self.id,
            "contact_name": self.contact_name,
            "company": self.company,
            "email": self.email,
            "remark": self.remark,
        }
        row.update({flat: "" for flat in NUM_TYPES.values()})
        for entry in self.number_list:
            row[NUM_TYPES[entry["num_type"]]] = entry["number"]
        return row


@dataclass
class Phonebook:
    """A named group of company contacts."""

    id: int
    name: str
    member_select: str = "sel_specific"
    contact_ids: set[int] = field(default_factory=set)


@dataclass
class Group:
    """A queue or ring group: a number that rings several extensions."""

    kind: str
    number: str
    name: str
    members: tuple[str, ...]


@dataclass
class Directory:
    """Everything configured on the simulated PBX."""

    trunk: str = "SIPTrunk1"
    did: str = "+15550100"
    extensions: dict[str, Extension] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    phonebooks: dict[int, Phonebook] = field(default_factory=dict)
    _next_id: int = 100

    def new_id(self) -> int:
        """A fresh object id."""
        self._next_id += 1
        return self._next_id

    def add_extension(self, number: str, first_name: str, last_name: str, email: str) -> Extension:
        """Create an extension (its id follows the others)."""
        ext = Extension(len(self.extensions) + 1, number, first_name, last_name, email)
        self.extensions[number] = ext
        return ext

    def extension_by_id(self, ext_id: int) -> Extension | None:
        """The extension with that id."""
        return next((e for e in self.extensions.values() if e.id == ext_id), None)

    def phonebooks_of(self, contact_id: int) -> list[dict[str, Any]]:
        """`phonebook_list` of a contact: [{id, name}]."""
        return [
            {"id": book.id, "name": book.name}
            for book in self.phonebooks.values()
            if book.member_select == "sel_all" or contact_id in book.contact_ids
        ]

    def phonebook_members(self, book: Phonebook) -> list[Contact]:
        """The contacts in a phonebook."""
        if book.member_select == "sel_all":
            return list(self.contacts.values())
        return [self.contacts[i] for i in sorted(book.contact_ids) if i in self.contacts]

    def name_of(self, number: str) -> str:
        """The caller-ID name the PBX shows for a number (extension user, group, contact), or ""."""
        if number in self.extensions:
            return self.extensions[number].caller_id_name
        if number in self.groups:
            return self.groups[number].name
        for contact in self.contacts.values():
            if number in contact.numbers():
                return contact.contact_name
        return ""


def seeded() -> Directory:
    """The demo PBX: five extensions, a queue, a ring group, three contacts and one phonebook."""
    d = Directory()
    for number, first, last in (
        ("1001", "Alice", "Anders"),
        ("1002", "Bob", "Brown"),
        ("1003", "Carol", "Chen"),
        ("1004", "Dave", "Diaz"),
        ("1005", "Erin", "Evans"),
    ):
        d.add_extension(number, first, last, f"{first.lower()}@example.com")
    d.groups["6400"] = Group("queue", "6400", "Sales Queue", ("1001", "1002", "1003"))
    d.groups["6300"] = Group("ring_group", "6300", "Support Group", ("1004", "1005"))
    for first, last, company, email, numbers in (
        (
            "Ada",
            "Lovelace",
            "Analytical Engines",
            "ada@engines.example",
            [("business_number", "+442071234567"), ("mobile_number", "07700900123")],
        ),
        ("Grace", "Hopper", "Navy Labs", "grace@navy.example", [("mobile_number", "+15550123456")]),
        ("Alan", "Turing", "Bletchley", "alan@bletchley.example", [("business_number", "+441234567890")]),
    ):
        contact = Contact(
            d.new_id(),
            first,
            last,
            company,
            email,
            number_list=[{"num_type": t, "number": n} for t, n in numbers],
        )
        d.contacts[contact.id] = contact
    book = Phonebook(d.new_id(), "Customers", contact_ids=set(list(d.contacts)[:2]))
    d.phonebooks[book.id] = book
    return d
