"""Zoho emulator seed data: users with e-mails, records whose numbers are stored every which way."""

from __future__ import annotations

from typing import Any

from linkus_companion.sim.zoho_data import Org, User

USERS = (
    ("Amy", "Lee", "amy.lee@example.com", {"role": "Sales Rep"}),
    ("Raj", "Patel", "raj.patel@example.com", {"role": "Support"}),
    ("Mia", "Chen", "mia.chen@example.com", {"role": "Sales Rep", "phonebridge": False}),
    ("Old", "Timer", "old.timer@example.com", {"status": "disabled"}),
)
ACCOUNTS = (
    {"Account_Name": "Globex Corporation", "Phone": "+1 (212) 555-0140", "Fax": "212-555-0141"},
    {"Account_Name": "Initech Ltd", "Phone": "020 7946 0958"},
)
CONTACTS = (
    {"First_Name": "Ada", "Last_Name": "Lovelace", "Phone": "+442079460018", "Email": "ada@example.com"},
    {"First_Name": "Grace", "Last_Name": "Hopper", "Phone": "(415) 555-0102", "Mobile": "415.555.0192"},
    {"First_Name": "Alan", "Last_Name": "Turing", "Phone": "+1 415 555 0104 ext. 12"},
    {"First_Name": "Edsger", "Last_Name": "Dijkstra", "Mobile": "0031 20 555 0105"},
    {"First_Name": "Barbara", "Last_Name": "Liskov", "Home_Phone": "4155550106"},
    {"First_Name": "Ken", "Last_Name": "Thompson", "Other_Phone": "+1-415-555-0107"},
    {"First_Name": "Hedy", "Last_Name": "Lamarr", "Phone": "00 49 30 901820", "Email": "hedy@example.com"},
)
LEADS = (
    {"First_Name": "Linus", "Last_Name": "Torvalds", "Company": "Transmeta", "Phone": "+358 9 555 0110"},
    {"First_Name": "Margaret", "Last_Name": "Hamilton", "Company": "MIT", "Mobile": "617/555/0111"},
)


def seed_org(org: Org) -> None:
    """Add the seed users and records (contacts owned by several users, one linked to an account)."""
    admin = next(iter(org.users.values()))
    users = [admin, *(org.add_user(first, last, email, **extra) for first, last, email, extra in USERS)]
    accounts = [_insert(org, "Accounts", fields, admin) for fields in ACCOUNTS]
    for index, fields in enumerate(CONTACTS):
        owner = users[index % 3]
        extra = {"Account_Name": {"id": accounts[0]}} if index == 1 else {}
        _insert(org, "Contacts", {**fields, **extra, "Owner": {"id": owner.id}}, admin)
    for fields in LEADS:
        _insert(org, "Leads", fields, admin)


def _insert(org: Org, module: str, fields: dict[str, Any], actor: User) -> str:
    record = org.insert(module, fields, actor)
    if not isinstance(record, dict):
        raise ValueError(f"seed {module} refused: {record.code} {dict(record.details)}")
    return str(record["id"])
