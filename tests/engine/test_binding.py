"""Binding extensions to CRM users by e-mail and by hand."""

from __future__ import annotations

from linkus_companion.crm.base import CrmUser
from linkus_companion.engine.binding import BoundBy, bind
from linkus_companion.pbx.resources import Extension

ALICE = CrmUser("u1", "Alice@Example.com", "Alice Anders")
BOB = CrmUser("u2", "bob@example.com", "Bob Brown")
GONE = CrmUser("u3", "carol@example.com", "Carol Chen", active=False)


def ext(number: str, email: str) -> Extension:
    return Extension(id=int(number), number=number, name=f"Ext {number}", email=email)


def test_extensions_bind_to_users_with_the_same_email_whatever_the_case() -> None:
    report = bind([ext("1001", " alice@EXAMPLE.com "), ext("1002", "bob@example.com")], [ALICE, BOB], {})
    assert report.owner_of("1001") == ALICE
    assert report.owner_of("1002") == BOB
    assert report.bound["1001"].bound_by is BoundBy.EMAIL
    assert report.unbound == ()


def test_a_manual_binding_wins_over_the_email() -> None:
    report = bind([ext("1001", "alice@example.com")], [ALICE, BOB], {"1001": "u2"})
    assert report.owner_of("1001") == BOB
    assert report.bound["1001"].bound_by is BoundBy.MANUAL


def test_unbound_extensions_are_reported_with_a_reason() -> None:
    report = bind(
        [
            ext("1003", "carol@example.com"),
            ext("1004", ""),
            ext("1005", "erin@example.com"),
            ext("1006", "x"),
        ],
        [ALICE, BOB, GONE],
        {"1006": "nobody"},
    )
    assert report.bound == {}
    reasons = {u.extension: u.reason for u in report.unbound}
    assert set(reasons) == {"1003", "1004", "1005", "1006"}
    assert "carol@example.com" in reasons["1003"]
    assert "no e-mail" in reasons["1004"]
    assert "nobody" in reasons["1006"]
    assert report.owner_of("1003") is None


def test_an_email_shared_by_two_crm_users_is_not_guessed() -> None:
    twin = CrmUser("u9", "ALICE@example.com", "Alice Again")
    report = bind([ext("1001", "alice@example.com")], [ALICE, twin], {})
    assert report.owner_of("1001") is None
    assert "bind it manually" in report.unbound[0].reason


def test_a_manual_binding_to_an_inactive_user_is_refused() -> None:
    report = bind([ext("1003", "carol@example.com")], [GONE], {"1003": "u3"})
    assert report.owner_of("1003") is None
    assert "inactive" in report.unbound[0].reason
