"""The tray menu, its icon states and the fallback window."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt

from linkus_companion.backend import CallPhase, CrmState, LinkState, Status
from linkus_companion.model import Direction, Outcome
from linkus_companion.ui.resources import icon, state_icon
from linkus_companion.ui.tray import MAX_RECENT, Tray, TrayMenu, recent_line, status_line
from tests.ui.conftest import ALICE, T0, call

CONNECTED = Status(LinkState.CONNECTED, CrmState.CONNECTED, crm_kind="hubspot")


@pytest.fixture
def menu(qtbot):
    m = TrayMenu()
    qtbot.add_widget(m)
    return m


def test_every_state_has_its_own_icon():
    keys = {state_icon(link, False).cacheKey() for link in LinkState}
    assert len(keys) == len(LinkState) - 1  # connecting and reconnecting share the amber icon
    assert state_icon(LinkState.CONNECTED, True).cacheKey() == icon("state-paused").cacheKey()
    assert state_icon(LinkState.ERROR, True).cacheKey() == icon("state-error").cacheKey()
    assert not icon("state-connected").isNull()


def test_status_line_names_pbx_crm_and_pause():
    assert status_line(CONNECTED, False) == "Connected · HubSpot connected"
    assert status_line(Status(LinkState.RECONNECTING, CrmState.ERROR), True) == (
        "Reconnecting to the PBX… · CRM error · pop-ups paused"
    )
    assert status_line(Status(LinkState.NOT_CONFIGURED, CrmState.NONE), False) == "Not set up"


def test_a_gateway_desktop_names_the_gateway_until_it_has_heard_from_it():
    before = Status(LinkState.CONNECTING, CrmState.NONE, crm_kind="hubspot", gateway_down=True)
    assert status_line(before, False) == "Connecting to the gateway…"
    away = dataclasses.replace(before, link=LinkState.RECONNECTING, retry_in=12.4)
    assert status_line(away, True) == "Gateway unreachable: reconnecting in 12 s… · pop-ups paused"
    assert status_line(dataclasses.replace(away, retry_in=0.3), False) == "Gateway unreachable: reconnecting…"


def test_a_failing_crm_is_never_shown_connected_and_says_since_when_why_and_what_waits(qtbot):
    since = dt.datetime(2026, 12, 6, 14, 2, tzinfo=dt.UTC)
    failing = dataclasses.replace(
        CONNECTED,
        crm=CrmState.FAILING,
        crm_problem="HubSpot failed with HTTP 503; try again later.",
        crm_since=since,
        waiting_logs=3,
    )
    hhmm = since.astimezone().strftime("%H:%M")
    assert status_line(failing, False) == (
        f"Connected · HubSpot failing since {hhmm} · 3 call logs waiting for HubSpot"
    )
    expired = dataclasses.replace(CONNECTED, crm=CrmState.AUTH_EXPIRED)
    assert "re-authorise" in status_line(expired, False)
    assert "limiting" in status_line(dataclasses.replace(CONNECTED, crm=CrmState.RATE_LIMITED), False)
    assert (
        state_icon(LinkState.CONNECTED, False, CrmState.FAILING).cacheKey() == icon("state-error").cacheKey()
    )
    tray = Tray(use_tray=True)
    tray.set_status(failing)
    assert tray.menu.status_action.isEnabled(), "the failing status line leads to Settings > CRM"
    with qtbot.wait_signal(tray.menu.crm_fix_requested):
        tray.menu.status_action.trigger()
    assert "HTTP 503" in tray.icon.toolTip() and "connected" not in tray.icon.toolTip().lower().split("·")[1]
    reconnecting = Status(LinkState.RECONNECTING, CrmState.CONNECTED, retry_in=4.6)
    assert status_line(reconnecting, False).startswith("Reconnecting to the PBX in 5 s")


def test_recent_line_name_or_number_time_and_direction():
    today = T0.astimezone().date()
    local = T0.astimezone().strftime("%H:%M")
    known = dataclasses.replace(
        call(CallPhase.ENDED, records=(ALICE,), chosen=ALICE), outcome=Outcome.ANSWERED
    )
    missed = dataclasses.replace(call(CallPhase.ENDED), outcome=Outcome.NO_ANSWER)
    out = call(CallPhase.ENDED, direction=Direction.OUTBOUND)
    assert recent_line(known, today) == f"Alice Smith — {local}, incoming"
    assert recent_line(missed, today) == f"+14155550123 — {local}, missed"
    assert recent_line(out, today) == f"+14155550123 — {local}, outgoing"
    assert T0.astimezone().strftime("%Y-%m-%d %H:%M") in recent_line(out, today + dt.timedelta(days=1))


def test_recent_calls_open_known_and_add_unknown(qtbot, menu):
    known = call(CallPhase.ENDED, call_id="k", records=(ALICE,), chosen=ALICE)
    unknown = call(CallPhase.ENDED, call_id="u")
    menu.set_recent([known, unknown] + [call(CallPhase.ENDED, call_id=str(i)) for i in range(12)])
    actions = menu.recent_menu.actions()
    assert len(actions) == MAX_RECENT
    with qtbot.wait_signal(menu.open_call) as blocker:
        actions[0].trigger()
    assert blocker.args == ["k"]
    with qtbot.wait_signal(menu.add_call) as blocker:
        actions[1].trigger()
    assert blocker.args == ["u"]
    menu.set_recent([])
    assert [a.text() for a in menu.recent_menu.actions()] == ["No calls yet"]


@pytest.mark.parametrize(
    ("action", "signal"),
    [
        ("settings_action", "settings_requested"),
        ("logs_action", "logs_requested"),
        ("about_action", "about_requested"),
        ("quit_action", "quit_requested"),
    ],
)
def test_menu_actions_emit(qtbot, menu, action, signal):
    with qtbot.wait_signal(getattr(menu, signal)):
        getattr(menu, action).trigger()


def test_pause_and_dial(qtbot, menu):
    with qtbot.wait_signal(menu.pause_toggled) as blocker:
        menu.pause_action.trigger()
    assert blocker.args == [True]
    menu.set_status(CONNECTED)
    assert menu.dial_action.isEnabled()
    qtbot.keyClicks(menu.dial_box, "+1 415 555 0123")
    with qtbot.wait_signal(menu.dial) as blocker:
        qtbot.keyClick(menu.dial_box, Qt.Key.Key_Return)
    assert blocker.args == ["+1 415 555 0123"]
    assert menu.dial_box.text() == ""
    menu.set_status(Status(LinkState.ERROR, CrmState.CONNECTED))
    assert not menu.dial_action.isEnabled()


def test_dial_box_asks_for_suggestions_and_dials_the_picked_number(qtbot, menu):
    box = menu.dial_box
    menu.set_status(CONNECTED)
    with qtbot.wait_signal(menu.query) as blocker:
        qtbot.keyClicks(box, "ali")
    assert blocker.args == ["ali"]
    box.set_suggestions([("Alice Smith — Acme (contacts)", "+14155550123")])
    box.setText("Alice Smith — Acme (contacts) · +14155550123")
    with qtbot.wait_signal(menu.dial) as blocker:
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert blocker.args == ["+14155550123"]


def test_fallback_window_where_there_is_no_tray(qtbot):
    tray = Tray(use_tray=False)
    assert tray.icon is None
    qtbot.add_widget(tray.window)
    tray.show()
    assert tray.window.isVisible()
    tray.set_status(Status(LinkState.ERROR, CrmState.CONNECTED, "The PBX refused the API credentials."))
    assert tray.window.status_label.text() == "The PBX refused the API credentials · CRM connected", "why"
    assert tray.window.message_label.isHidden(), "said once"
    assert tray.menu in [a.menu() for a in tray.window.menuBar().actions()]
    tray.window.close()  # closing hides; the app keeps running
    assert not tray.window.isVisible()
    assert tray.notify("title", "text") is False


def test_tray_icon_tooltip_and_pause(qtbot):
    tray = Tray(use_tray=True)
    tray.set_status(Status(LinkState.RECONNECTING, CrmState.CONNECTED, "PBX unreachable; retrying in 5 s"))
    assert tray.icon.toolTip().splitlines() == [
        "Linkus Companion",
        "Reconnecting to the PBX… · CRM connected",
        "PBX unreachable; retrying in 5 s",
    ]
    tray.menu.pause_action.trigger()
    assert tray.paused
    assert "pop-ups paused" in tray.icon.toolTip()
    assert tray.icon.icon().cacheKey() == icon("state-paused").cacheKey()
    assert tray.icon.contextMenu() is tray.menu
