"""The in-call window and the stack of them."""

from __future__ import annotations

from PySide6.QtCore import Qt

from linkus_companion.backend import CallPhase
from linkus_companion.ui.call_window import MARGIN, CallWindow, CallWindowStack
from tests.ui.conftest import ALICE, BOB, call


def test_ringing_window_shows_the_match_and_never_takes_focus(qtbot):
    window = CallWindow(call(records=(ALICE,), chosen=ALICE))
    qtbot.add_widget(window)
    window.show()
    assert window.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert window.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus
    assert not window.accepts_focus
    assert not window.isModal()
    assert window._number.text() == "+14155550123"
    assert window._name.text() == "Alice Smith"
    assert window._company.text() == "Acme"
    assert "Incoming call" in window._heading.text() and "ringing" in window._heading.text()
    assert window._open.isEnabled()
    assert not window._add.isVisibleTo(window)


def test_answering_lets_the_window_take_focus_and_times_the_talk(qtbot):
    window = CallWindow(call())
    qtbot.add_widget(window)
    window.show()
    window.update_call(call(CallPhase.TALKING, records=(ALICE,), chosen=ALICE))
    assert window.accepts_focus
    assert window.isVisible()
    window.update_call(call(CallPhase.ENDED, records=(ALICE,), chosen=ALICE))
    assert window._elapsed.text() == "01:00"
    assert "call ended" in window._heading.text()


def test_unknown_number_offers_add_to_crm(qtbot):
    window = CallWindow(call())
    qtbot.add_widget(window)
    assert window._name.text() == "Unknown"
    assert window._add.isVisibleTo(window)
    assert not window._open.isEnabled()
    with qtbot.wait_signal(window.add_requested) as blocker:
        window._add.click()
    assert blocker.args == ["c1"]


def test_no_add_button_where_records_cannot_be_created(qtbot):
    window = CallWindow(call(), can_create=False)
    qtbot.add_widget(window)
    assert not window._add.isVisibleTo(window)


def test_looking_up_then_found(qtbot):
    window = CallWindow(call(looking_up=True))
    qtbot.add_widget(window)
    assert "Looking up" in window._name.text()
    assert not window._add.isVisibleTo(window)
    window.update_call(call(records=(ALICE,), chosen=ALICE))
    assert window._name.text() == "Alice Smith"


def test_several_records_show_a_pick_list(qtbot):
    window = CallWindow(call(records=(ALICE, BOB)))
    qtbot.add_widget(window)
    assert window._picker.isVisibleTo(window)
    assert window._picker.count() == 2
    assert "2 matching records" in window._name.text()
    assert not window._open.isEnabled()
    window._picker.setCurrentRow(1)
    with qtbot.wait_signal(window.record_chosen) as blocker:
        window._use.click()
    assert blocker.args == ["c1", "202"]
    with qtbot.wait_signal(window.record_chosen) as blocker:
        qtbot.keyClick(window._picker, Qt.Key.Key_Return)
    assert blocker.args == ["c1", "202"]
    window.update_call(call(records=(ALICE, BOB), chosen=BOB))
    assert window._name.text() == "Bob Jones"
    assert window._open.isEnabled()


def test_open_in_crm_button(qtbot):
    window = CallWindow(call(CallPhase.TALKING, records=(ALICE,), chosen=ALICE))
    qtbot.add_widget(window)
    with qtbot.wait_signal(window.open_requested) as blocker:
        window._open.click()
    assert blocker.args == ["c1"]


def test_every_control_has_an_accessible_name_and_a_keyboard_path(qtbot):
    window = CallWindow(call(records=(ALICE, BOB)))
    qtbot.add_widget(window)
    for button in (window._open, window._add, window._use, window._close):
        assert button.accessibleName() or button.text()
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert window._picker.accessibleName()
    assert "&" in window._open.text() and "&" in window._add.text()


def test_stack_one_window_per_call_stacked_upwards(qtbot):
    stack = CallWindowStack(linger_ms=0)
    first = stack.show_call(call(call_id="a"))
    second = stack.show_call(call(call_id="b"))
    for window in (first, second):
        qtbot.add_widget(window)
    assert stack.show_call(call(CallPhase.TALKING, call_id="a")) is first
    assert len(stack.windows()) == 2
    assert second.geometry().bottom() < first.geometry().top()
    assert first.geometry().top() - second.geometry().bottom() >= MARGIN - 1
    first.close()
    assert stack.windows() == [second]


def test_stack_ended_known_call_closes_itself_unknown_stays(qtbot):
    stack = CallWindowStack(linger_ms=10)
    stack.show_call(call(call_id="k", records=(ALICE,), chosen=ALICE))
    unknown = stack.show_call(call(call_id="u"))
    qtbot.add_widget(unknown)
    stack.show_call(call(CallPhase.ENDED, call_id="k", records=(ALICE,), chosen=ALICE))
    stack.show_call(call(CallPhase.ENDED, call_id="u"))
    qtbot.wait_until(lambda: stack.window("k") is None)
    assert stack.window("u") is unknown
    assert stack.show_call(call(CallPhase.ENDED, call_id="never-seen")) is None


def test_stack_signals_carry_the_call(qtbot):
    stack = CallWindowStack()
    window = stack.show_call(call(call_id="x", records=(ALICE,), chosen=ALICE))
    qtbot.add_widget(window)
    with qtbot.wait_signal(stack.open_requested) as blocker:
        window._open.click()
    assert blocker.args == ["x"]
    stack.close_all()
    assert stack.windows() == []
