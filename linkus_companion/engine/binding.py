"""Bind PBX extensions to CRM users: automatically by e-mail, or by the admin's manual map."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from linkus_companion.crm.base import CrmUser
from linkus_companion.pbx.resources import Extension
from linkus_companion.texts import Text


class BoundBy(StrEnum):
    """How an extension came to be bound."""

    EMAIL = "email"
    MANUAL = "manual"


@dataclass(frozen=True)
class Binding:
    """One extension and the CRM user who owns its call logs."""

    extension: str
    user: CrmUser
    bound_by: BoundBy


@dataclass(frozen=True)
class Unbound:
    """An extension with no owner in the CRM, and why: shown to the admin, never skipped silently."""

    extension: str
    reason: str


@dataclass(frozen=True)
class BindingReport:
    """The outcome of binding every extension."""

    bound: Mapping[str, Binding]
    unbound: tuple[Unbound, ...]

    def owner_of(self, extension: str) -> CrmUser | None:
        """The CRM user owning `extension`'s calls, or None when it is unbound."""
        binding = self.bound.get(extension)
        return binding.user if binding else None


def bind(
    extensions: Iterable[Extension], users: Iterable[CrmUser], manual: Mapping[str, str]
) -> BindingReport:
    """Bind each extension: a manual entry (extension -> CRM user id) wins over a matching e-mail.

    E-mails compare case-insensitively and ignore surrounding spaces; inactive CRM users and e-mails
    shared by several CRM users are never bound automatically.
    """
    by_id = {user.id: user for user in users}
    by_email: dict[str, list[CrmUser]] = {}
    for user in by_id.values():
        if user.active and user.email.strip():
            by_email.setdefault(_email_key(user.email), []).append(user)
    bound: dict[str, Binding] = {}
    unbound: list[Unbound] = []
    for ext in extensions:
        manual_id = manual.get(ext.number)
        if manual_id is not None:
            chosen = by_id.get(manual_id)
            if chosen is None:
                unbound.append(
                    Unbound(
                        ext.number, Text("the manually bound CRM user {user} does not exist", user=manual_id)
                    )
                )
            elif not chosen.active:
                unbound.append(
                    Unbound(
                        ext.number, Text("the manually bound CRM user {user} is inactive", user=chosen.email)
                    )
                )
            else:
                bound[ext.number] = Binding(ext.number, chosen, BoundBy.MANUAL)
            continue
        if not ext.email.strip():
            unbound.append(Unbound(ext.number, Text("the extension has no e-mail address on the PBX")))
            continue
        matches = by_email.get(_email_key(ext.email), [])
        if len(matches) == 1:
            bound[ext.number] = Binding(ext.number, matches[0], BoundBy.EMAIL)
        elif matches:
            unbound.append(
                Unbound(
                    ext.number,
                    Text(
                        "{count} CRM users share the e-mail {email}; bind it manually",
                        count=len(matches),
                        email=ext.email,
                    ),
                )
            )
        else:
            unbound.append(
                Unbound(ext.number, Text("no active CRM user has the e-mail {email}", email=ext.email))
            )
    return BindingReport(bound, tuple(unbound))


def _email_key(email: str) -> str:
    return email.strip().casefold()
