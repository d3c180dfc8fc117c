"""Seed data for the Salesforce emulator: users with e-mails; records with phones stored every which way."""

from __future__ import annotations

from collections.abc import Callable

from linkus_companion.sim.salesforce_data import Org
from linkus_companion.sim.salesforce_schema import ACCOUNT, CONTACT, LEAD

AddUser = Callable[..., str]

USERS = (
    ("Philli", "Huff", "philli@example.com", True),
    ("David", "Harris", "david@example.com", True),
    ("Kristin", "Hale", "kristin@example.com", True),
    ("Leo", "Ball", "leo@example.com", True),
    ("Olga", "Former", "olga@example.com", False),
)

ACCOUNTS = (
    ("Analytical Engines Ltd", "+44 20 7946 0000"),
    ("Acme Corporation", "(415) 555-0100"),
    ("Globex", "1-800-555-0199"),
)

CONTACTS = (
    # first, last, phone, mobile, account index
    ("Ada", "Lovelace", "+44 20 7946 0018", "", 0),
    ("Charles", "Babbage", "020 7946 0019", "07700 900123", 0),
    ("Grace", "Hopper", "(415) 555-0132", "", 1),
    ("Alan", "Turing", "415.555.0147 ext. 12", "", 1),
    ("Katherine", "Johnson", "0014155550163", "", 1),
    ("Edsger", "Dijkstra", "4155550178", "", None),
    ("Barbara", "Liskov", "+14155550185", "+1 (415) 555-0186", None),
    ("Hedy", "Lamarr", "+49 30 901820", "", None),
)

LEADS = (
    ("Margaret", "Hamilton", "+1 212-555-0101", "Draper Labs"),
    ("Claude", "Shannon", "212 555 0102", "Bell Labs"),
    ("Tim", "Berners-Lee", "+41 22 767 61 11", "CERN"),
)


def seed_org(org: Org, admin_id: str, add_user: AddUser) -> None:
    """Fill `org` with the seed users and CRM records (owned by the admin and the first users)."""
    users = [add_user(first, last, email, active=active) for first, last, email, active in USERS]
    owners = [admin_id, *users[:4]]
    accounts = [
        org.insert_seed(ACCOUNT, {"Name": name, "Phone": phone}, owners[i % len(owners)])
        for i, (name, phone) in enumerate(ACCOUNTS)
    ]
    for i, (first, last, phone, mobile, account) in enumerate(CONTACTS):
        values = {
            "FirstName": first,
            "LastName": last,
            "Phone": phone,
            "MobilePhone": mobile or None,
            "Email": f"{first.lower()}.{last.lower()}@example.org",
            "AccountId": accounts[account] if account is not None else None,
        }
        org.insert_seed(CONTACT, values, owners[i % len(owners)])
    for i, (first, last, phone, company) in enumerate(LEADS):
        values = {
            "FirstName": first,
            "LastName": last,
            "Phone": phone,
            "Company": company,
            "Email": f"{first.lower()}@{company.split()[0].lower()}.example",
        }
        org.insert_seed(LEAD, values, owners[i % len(owners)])
