"""The call panel: a card per call in every state, its actions, docking and the ended cards' lifetime."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import httpx
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from linkus_companion.backend import CallPhase, CrmState, LinkState, Status
from linkus_companion.crm.http import classify_status
from linkus_companion.model import CallNote, Direction, Disposition, Outcome
from linkus_companion.ui import call_panel
from linkus_companion.ui.call_panel import KEPT_ENDED, PAINT_MS, CallPanel, dock_corner, docked_at
from linkus_companion.ui.tray import status_details, status_line, trouble_line
from tests.ui.conftest import ALICE, BOB, call, unnamed_controls


def ended(outcome: Outcome, **kw):
    return dataclasses.replace(call(CallPhase.ENDED, **kw), outcome=outcome)


def test_a_known_ringing_call_shows_name_company_kind_crm_and_owner_without_taking_focus(qtbot):
    work = QWidget()
    qtbot.add_widget(work)
    work.show()
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.set_crm("HubSpot", "US")
    view = dataclasses.replace(call(records=(ALICE,), chosen=ALICE), owner_name="Jane Owner")
    card = panel.show_call(view)
    assert panel.isVisible() and panel.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert panel.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert not panel.isActiveWindow()
    assert card._heading.text() == "Incoming call · ringing"
    assert card._number.text() == "(415) 555-0123"  # national format in the default region
    assert card._name.text() == "Alice Smith"
    assert card._details.text().splitlines() == ["Contact · Acme · HubSpot", "Owner: Jane Owner"]
    assert card._open.isVisibleTo(card) and not card._add.isVisibleTo(card)
    assert not card._retry.isVisibleTo(card) and not card._dismiss.isVisibleTo(card)
    panel.set_crm("HubSpot", "GB")
    assert card._number.text() == "+1 415-555-0123"  # international outside the default region


def test_every_state_in_words(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    card = panel.show_call(call())
    shown = {}
    for label, view in {
        "talking": call(CallPhase.TALKING),
        "held": call(CallPhase.HELD),
        "missed": dataclasses.replace(ended(Outcome.NO_ANSWER), answered_at=None),
        "no answer": ended(Outcome.NO_ANSWER, direction=Direction.OUTBOUND),
        "voicemail": ended(Outcome.VOICEMAIL),
        "busy": ended(Outcome.BUSY),
        "ended": ended(Outcome.ANSWERED),
        "transfer": dataclasses.replace(ended(Outcome.ANSWERED), transferred_to="1004"),
        "named transfer": dataclasses.replace(
            ended(Outcome.ANSWERED), transferred_to="1004", transferred_to_name="Dave Diaz"
        ),
    }.items():
        card.update_call(view)
        shown[label] = card._heading.text()
        if label == "missed":
            assert card._elapsed.text() == ""  # no talk time, not "00:00"
    assert shown == {
        "talking": "Incoming call · talking",
        "held": "Incoming call · on hold",
        "missed": "Incoming call · missed",
        "no answer": "Outgoing call · no answer",
        "voicemail": "Incoming call · voicemail",
        "busy": "Incoming call · busy",
        "ended": "Incoming call · ended",
        "transfer": "Incoming call · transferred to 1004",
        "named transfer": "Incoming call · transferred to Dave Diaz (1004)",
    }


def test_a_transfer_names_the_colleague_in_chinese_too(qtbot, zh_cn):
    panel = CallPanel()
    qtbot.add_widget(panel)
    view = dataclasses.replace(ended(Outcome.ANSWERED), transferred_to="1004", transferred_to_name="王芳")
    card = panel.show_call(call())
    card.update_call(view)
    assert card._heading.text().endswith("已转接至 王芳（1004）")  # noqa: RUF001 (Chinese punctuation)


def test_unknown_caller_offers_add_and_an_ended_call_offers_call_back(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    card = panel.show_call(call())
    assert card._name.text() == "Unknown caller"
    assert card._add.isVisibleTo(card) and not card._open.isVisibleTo(card)
    with qtbot.wait_signal(panel.add_requested) as blocker:
        card._add.click()
    assert blocker.args == ["c1"]
    card.update_call(ended(Outcome.ANSWERED))
    with qtbot.wait_signal(panel.call_back_requested) as blocker:
        card._call_back.setFocus()
        qtbot.keyClick(card._call_back, Qt.Key.Key_Return)
    assert blocker.args == ["c1"]
    panel.can_create = False
    assert not card._add.isVisibleTo(card)


def test_a_failed_lookup_offers_retry_and_add(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    card = panel.show_call(dataclasses.replace(call(), lookup_error="HubSpot is not answering."))
    assert card._error.text() == "The CRM lookup failed: HubSpot is not answering."
    assert card._retry.isVisibleTo(card) and card._add.isVisibleTo(card)
    with qtbot.wait_signal(panel.retry_requested) as blocker:
        card._retry.click()
    assert blocker.args == ["c1"]
    card.update_call(call(records=(ALICE,), chosen=ALICE))
    assert not card._error.isVisibleTo(card) and not card._retry.isVisibleTo(card)


def test_several_matches_show_a_pick_list(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    card = panel.show_call(call(records=(ALICE, BOB)))
    assert card._name.text() == "2 matching records" and card._picker.count() == 2
    card._picker.setCurrentRow(1)
    with qtbot.wait_signal(panel.record_chosen) as blocker:
        card._use.click()
    assert blocker.args == ["c1", "202"]


def test_every_control_tab_reaches_has_a_name_for_screen_readers(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.set_crm("HubSpot", "US", (Disposition.CONNECTED,))
    panel.show_call(call(records=(ALICE, BOB)))
    panel.show_call(dataclasses.replace(call(call_id="c2"), lookup_error="HubSpot failed with HTTP 503."))
    panel.show_call(call(call_id="c3"))
    panel.show_call(ended(Outcome.NO_ANSWER, call_id="c3"))
    panel.flush()
    assert unnamed_controls(panel) == []
    shown = [label.text() for label in panel.findChildren(QLabel) if label.isVisibleTo(panel)]
    assert panel.windowTitle() == "Calls" and "Calls" not in shown, "no second title inside the window"


def test_one_panel_newest_first_ended_cards_stay_until_dismissed(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    assert panel.show_call(call(CallPhase.ENDED)) is None  # an ended call never seen live gets no card
    for n in range(KEPT_ENDED + 2):
        panel.show_call(call(call_id=f"c{n}"))
    assert [c.call.call_id for c in panel.cards()][:2] == [f"c{KEPT_ENDED + 1}", f"c{KEPT_ENDED}"]
    for n in range(KEPT_ENDED + 1):
        panel.show_call(ended(Outcome.ANSWERED, call_id=f"c{n}"))
    ids = [c.call.call_id for c in panel.cards()]
    assert all(c.isVisibleTo(panel) for c in panel.cards())
    assert len(ids) == KEPT_ENDED + 1 and f"c{KEPT_ENDED + 1}" in ids  # the live one and the last 5 ended
    assert panel._dismiss_all.isVisibleTo(panel)
    first = panel.card("c5")
    first._dismiss.click()
    assert panel.card("c5") is None
    panel.dismiss_all()
    assert [c.call.call_id for c in panel.cards()] == [f"c{KEPT_ENDED + 1}"]
    panel.show_call(ended(Outcome.ANSWERED, call_id=f"c{KEPT_ENDED + 1}"))
    qtbot.keyClick(panel, Qt.Key.Key_Escape)
    assert panel.cards() == [] and not panel.isVisible()


def test_docks_to_the_corner_nearest_the_tray_and_remembers_a_move(qtbot, tmp_path):
    screen = QRect(0, 0, 1920, 1080)
    assert dock_corner(screen, None) is Qt.Corner.BottomRightCorner
    assert dock_corner(screen, QRect(1880, 0, 24, 24)) is Qt.Corner.TopRightCorner
    assert dock_corner(screen, QRect(10, 1050, 24, 24)) is Qt.Corner.BottomLeftCorner
    assert docked_at(screen, Qt.Corner.TopRightCorner, 380, 200) == QPoint(1919 - 12 - 380, 12)
    place = tmp_path / "panel.json"
    panel = CallPanel(place_file=place)
    qtbot.add_widget(panel)
    panel.show_call(call())
    area = panel.screen().availableGeometry()
    assert panel.frameGeometry().right() <= area.right() and panel.frameGeometry().bottom() <= area.bottom()
    panel._save_place(QPoint(40, 50))  # what a move by the user stores
    again = CallPanel(place_file=place)
    qtbot.add_widget(again)
    again.show_call(call())
    assert again.pos() == QPoint(40, 50)


def test_the_window_manager_placing_the_panel_is_not_a_move_by_the_user(qtbot, tmp_path, monkeypatch):
    """A window manager moves the panel right after it placed itself (frame, screen edge): that is not
    remembered, so the panel keeps docking by the tray as it grows and shrinks; a later move is."""
    monkeypatch.setattr(call_panel, "SETTLE_S", 0.2)
    place = tmp_path / "panel.json"
    panel = CallPanel(place_file=place)
    qtbot.add_widget(panel)
    panel.show_call(call())
    panel.flush()
    docked = panel.pos()
    panel.windowHandle().setPosition(docked.x(), 0)  # the window manager's adjustment, at once
    QApplication.processEvents()
    panel.show_call(call(call_id="c2"))
    panel.flush()
    area = panel.screen().availableGeometry()
    assert not place.exists()
    assert panel.frameGeometry().bottom() == area.bottom() - call_panel.MARGIN - 1  # still docked
    qtbot.wait(600)  # the panel settled (a refit of the new card's layout included)
    panel.windowHandle().setPosition(40, area.bottom() - 60)  # the user drags it near the bottom edge
    qtbot.waitUntil(place.exists)
    panel.show_call(call(call_id="c3"))
    panel.flush()
    kept = json.loads(place.read_text())
    assert panel.pos().x() == kept["x"] < 50 and panel.pos().y() < kept["y"]  # grown upwards, on the screen
    assert panel.frameGeometry().bottom() <= area.bottom()


def test_docks_where_the_tray_host_put_the_icon_after_start(qtbot):
    """A tray host places the icon only after it is shown: the panel asks where it is when it docks."""
    tray = QRect()  # not placed yet when the app starts
    panel = CallPanel(locate_tray=lambda: tray)
    qtbot.add_widget(panel)
    area = panel.screen().availableGeometry()
    tray = QRect(area.left() + 4, area.top() + 2, 22, 22)  # then the host docks it top left
    panel.show_call(call())
    assert panel.pos().x() < area.center().x() and panel.pos().y() < area.center().y()


def test_zh_cn_panel_has_no_english_left(qtbot, zh_cn):
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.set_crm("HubSpot", "US")
    panel.show_call(dataclasses.replace(call(records=(ALICE,), chosen=ALICE), owner_name="Jane Owner"))
    panel.show_call(dataclasses.replace(call(call_id="c2"), lookup_error="HubSpot 暂时无法访问。"))
    panel.show_call(call(call_id="c3", records=(ALICE, BOB)))
    panel.show_call(call(call_id="c4"))
    panel.show_call(ended(Outcome.NO_ANSWER, call_id="c4"))
    panel.flush()
    data = {"Alice Smith", "Bob Jones", "Acme", "Globex", "HubSpot", "Jane Owner", "contacts", "leads"}
    texts = []
    for widget in panel.findChildren(QLabel) + panel.findChildren(QPushButton):
        if widget.isVisibleTo(panel) and widget.text():
            texts.append(widget.text())
    for widget in panel.findChildren(QWidget):
        if widget.accessibleName():
            texts.append(widget.accessibleName())
    texts.append(panel.windowTitle())
    english = []
    for text in texts:
        rest = text
        for word in data:
            rest = rest.replace(word, "")
        if re.search(r"[A-Za-z]{2,}", rest.replace("CRM", "")):
            english.append(text)
    assert english == []
    assert panel.card("c4")._heading.text() == "来电 · 未接"


def test_every_card_fits_the_panel_in_chinese(qtbot, zh_cn):
    """A failed lookup on an ended call shows the most buttons; in zh_CN none may be cut at the edge."""
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.set_crm("HubSpot", "US", tuple(Disposition), note_minutes=10)
    error = "HubSpot 出错（HTTP 503）；请稍后重试。"  # noqa: RUF001 (Chinese punctuation)
    panel.show_call(dataclasses.replace(call(CallPhase.TALKING), lookup_error=error))
    card = panel.show_call(dataclasses.replace(ended(Outcome.ANSWERED), lookup_error=error))
    panel.show_call(call(CallPhase.TALKING, call_id="c2", records=(ALICE,), chosen=ALICE))
    known = panel.show_call(ended(Outcome.ANSWERED, call_id="c2", records=(ALICE,), chosen=ALICE))
    assert card is not None and known is not None
    panel.flush()
    room = panel._scroll.viewport().width()
    for each in (card, known):
        assert each.minimumSizeHint().width() <= room
        for button in each.findChildren(QPushButton):
            if button.isVisibleTo(each):
                assert button.mapTo(each, button.rect().topRight()).x() <= each.width()


def test_a_live_call_takes_a_note_and_an_outcome_saved_with_ctrl_enter(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.set_crm("HubSpot", "US", (Disposition.CONNECTED, Disposition.BUSY), note_minutes=10)
    card = panel.show_call(call(CallPhase.TALKING, records=(ALICE,), chosen=ALICE))
    assert card._note.isVisibleTo(card) and card._disposition.isVisibleTo(card)
    assert [card._disposition.itemText(i) for i in range(3)] == [
        "Outcome: as the call went",
        "Connected",
        "Busy",
    ]
    card._note.setPlainText("Wants a quote")
    card._disposition.setCurrentIndex(2)
    with qtbot.wait_signal(panel.note_saved) as blocker:
        qtbot.keyClick(card._note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["c1", CallNote("Wants a quote", Disposition.BUSY)]
    assert card._note_state.text() == "Saving…" and not card._save_note.isEnabled()
    card.note_failed("The CRM is not answering.")
    assert card._note_state.text() == "Not saved: The CRM is not answering." and card._save_note.isEnabled()
    card._note.setPlainText("Wants a quote for 40 seats")  # editing clears the old message
    assert not card._note_state.isVisibleTo(card)
    card.save_note()
    card.note_done()
    assert card._note_state.text() == "Saved for the call log."


def test_the_note_field_stays_for_the_configured_minutes_after_the_call(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.set_crm("Zoho CRM", "US", (), note_minutes=10)
    now = dt.datetime.now(dt.UTC)
    card = panel.show_call(call(CallPhase.TALKING))
    assert not card._disposition.isVisibleTo(card)  # no outcomes: no picker
    card.update_call(dataclasses.replace(call(CallPhase.ENDED), ended_at=now - dt.timedelta(minutes=9)))
    assert card._note.isVisibleTo(card)
    card.update_call(dataclasses.replace(call(CallPhase.ENDED), ended_at=now - dt.timedelta(minutes=11)))
    assert not card._note.isVisibleTo(card) and not card._save_note.isVisibleTo(card)


class _Paints(QObject):
    """Counts the paint events of the widget it watches."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_burst_of_updates_reaches_the_screen_in_one_paint(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    card = panel.show_call(call())
    panel.flush()
    qtbot.wait(2 * PAINT_MS)
    paints = _Paints(card._heading)
    for phase in (CallPhase.TALKING, CallPhase.HELD) * 4:
        panel.show_call(call(phase))
        QApplication.processEvents()  # each update would otherwise be painted on its own
    qtbot.wait_until(lambda: paints.count > 0)
    qtbot.wait(2 * PAINT_MS)
    # one paint for the eight (a few on a machine slow enough to spread the burst over several frames)
    assert paints.count <= 3 and card._heading.text() == "Incoming call · on hold"


def test_the_panel_shows_a_crm_outage_and_the_waiting_logs_in_the_tray_words(qtbot, qapp, translations):
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.show_call(call())
    since = dt.datetime(2026, 12, 6, 14, 2).astimezone()
    why = classify_status("HubSpot", httpx.Response(503)).args[0]
    failing = Status(
        LinkState.CONNECTED,
        CrmState.FAILING,
        crm_kind="hubspot",
        crm_since=since,
        waiting_logs=3,
        crm_problem=why,
    )
    panel.set_status(failing)
    banner = panel._trouble
    assert banner.isVisibleTo(panel)
    state, reason = banner.text().split("\n")
    assert state == "HubSpot failing since 14:02 · 3 call logs waiting for HubSpot"
    assert state in status_line(failing, paused=False)  # the same words as the tray
    assert reason == why == status_details(failing)  # and why, as the tray's tooltip says it
    translations.apply("zh_CN")
    qapp.processEvents()  # the language change reaches the open panel
    assert banner.text() == trouble_line(failing) + "\n" + status_details(failing)
    assert not re.search(r"[A-Za-z]{2,}", re.sub("HubSpot|HTTP", "", banner.text()))
    assert banner.accessibleName() and not re.search(r"[A-Za-z]{2,}", banner.accessibleName())
    translations.apply("en")
    panel.set_status(Status(LinkState.CONNECTED, CrmState.CONNECTED, crm_kind="hubspot"))
    assert not banner.isVisibleTo(panel)  # the next success clears it


def test_a_dismissed_card_shown_again_for_the_next_call_keeps_nothing_of_the_last(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    panel.set_crm("HubSpot", "US", (Disposition.CONNECTED,), note_minutes=10)
    card = panel.show_call(call(CallPhase.TALKING, records=(ALICE,), chosen=ALICE))
    card._note.setPlainText("Wants a quote")
    card._disposition.setCurrentIndex(1)
    card.save_note()
    panel.show_call(ended(Outcome.ANSWERED, records=(ALICE,), chosen=ALICE))
    panel.dismiss("c1")
    again = panel.show_call(call(call_id="c2", number="+14155550199"))
    assert again is card  # no widgets built for the next call
    assert panel.cards() == [again] and again.isVisibleTo(panel)
    assert again._number.text() == "(415) 555-0199" and again._name.text() == "Unknown caller"
    assert again._heading.text() == "Incoming call · ringing" and not again._open.isVisibleTo(again)
    assert again._note.toPlainText() == "" and again._disposition.currentIndex() == 0
    assert not again._note_state.isVisibleTo(again) and again._save_note.isEnabled()
    assert not again._dismiss.isVisibleTo(again)


def test_the_timer_ticking_never_re_lays_out_the_card(qtbot):
    panel = CallPanel()
    qtbot.add_widget(panel)
    card = panel.show_call(call(CallPhase.TALKING))
    panel.flush()
    size = card._elapsed.size()
    card._elapsed.set_span(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=12, seconds=3))
    assert card._elapsed.text() == "12:03" and card._elapsed.size() == size
    assert card._elapsed.minimumSize() == card._elapsed.maximumSize()  # fixed: no layout request
    card._elapsed.set_span(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1, minutes=2))
    assert card._elapsed.text() == "1:02:00"
    assert card._elapsed.width() >= card._elapsed.fontMetrics().horizontalAdvance("1:02:00")


def test_the_panel_grows_with_a_card_that_grows(qtbot):
    """Saving a note adds a line to the card: the panel makes room instead of scrolling."""
    panel = CallPanel()
    qtbot.add_widget(panel)
    card = panel.show_call(call(CallPhase.TALKING, records=(ALICE,), chosen=ALICE))
    panel.flush()
    before = panel.height()
    card._note.setPlainText("Wants a quote")
    card.save_note()
    card.note_done()
    qtbot.wait_until(lambda: panel.height() > before)
    assert not panel._scroll.verticalScrollBar().isVisible()


def test_a_day_of_calls_leaves_as_many_widgets_as_the_first_ones(qtbot):
    """Ended cards beyond the kept ones are reused or destroyed: 300 calls build no more widgets than 30."""
    panel = CallPanel()
    qtbot.add_widget(panel)

    def calls(first: int, count: int) -> int:
        for n in range(first, first + count):
            panel.show_call(call(call_id=f"c{n}", records=(ALICE,), chosen=ALICE))
            panel.show_call(ended(Outcome.ANSWERED, call_id=f"c{n}", records=(ALICE,), chosen=ALICE))
            panel.flush()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        return len(QApplication.allWidgets())

    after_some = calls(0, 30)
    assert calls(30, 270) <= after_some
    assert len(panel.cards()) == KEPT_ENDED
