"""Incoming-call notifications."""

from __future__ import annotations

from linkus_companion.backend import CallPhase
from linkus_companion.model import Direction
from linkus_companion.ui.notifications import CallNotifier
from tests.ui.conftest import ALICE, BOB, call


def make(enabled: bool = True) -> tuple[CallNotifier, list[tuple[str, str]]]:
    shown: list[tuple[str, str]] = []
    return CallNotifier(lambda t, x: shown.append((t, x)) or True, lambda: enabled), shown


def test_once_per_call_after_the_lookup_with_name_and_company():
    notifier, shown = make()
    notifier.on_call(call(looking_up=True))
    assert shown == []
    notifier.on_call(call(records=(ALICE,), chosen=ALICE))
    notifier.on_call(call(records=(ALICE,), chosen=ALICE))
    notifier.on_call(call(CallPhase.TALKING, records=(ALICE,), chosen=ALICE))
    assert shown == [("Incoming call: (415) 555-0123", "Alice Smith — Acme")]  # national in the region
    assert notifier.last_call_id == "c1"
    abroad = CallNotifier(lambda t, x: shown.append((t, x)) or True, lambda: True, lambda: "GB")
    abroad.on_call(call(call_id="c2"))
    assert shown[-1] == ("Incoming call: +1 415-555-0123", "Unknown caller")


def test_unknown_several_and_outbound():
    notifier, shown = make()
    notifier.on_call(call(call_id="a"))
    notifier.on_call(call(call_id="b", records=(ALICE, BOB)))
    notifier.on_call(call(call_id="c", direction=Direction.OUTBOUND))
    assert [text for _, text in shown] == ["Unknown caller", "2 matching records"]


def test_setting_off_shows_nothing():
    notifier, shown = make(enabled=False)
    notifier.on_call(call())
    assert shown == []
