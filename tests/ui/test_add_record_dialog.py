"""The Add to CRM dialog: validation, progress, success and a failure that keeps the typed data."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from linkus_companion.model import NewRecord, RecordKind
from linkus_companion.ui.add_record_dialog import AddRecordDialog, normalised_number
from tests.ui.conftest import ALICE


@pytest.fixture
def dialog(qtbot):
    d = AddRecordDialog("(415) 555-0123", kinds=(RecordKind.CONTACT, RecordKind.LEAD), crm_name="HubSpot")
    qtbot.add_widget(d)
    d.show()
    return d


def test_number_is_prefilled_as_the_panel_shows_it_and_saved_normalised(qtbot, dialog):
    assert dialog.number.text() == "(415) 555-0123"  # national for the default region, as on the card
    foreign = AddRecordDialog("+442071234567", kinds=(RecordKind.CONTACT,), crm_name="HubSpot")
    qtbot.add_widget(foreign)
    assert foreign.number.text() == "+44 20 7123 4567"  # international for another country
    dialog.first_name.setText("Ann")
    assert dialog.record().phone == "+14155550123"
    assert normalised_number("020 7123 4567", "GB") == "+442071234567"
    assert normalised_number("12ab", "US") == "12ab"
    assert not dialog.isModal()


def test_a_name_is_required(qtbot, dialog):
    with qtbot.assert_not_emitted(dialog.save_requested):
        dialog.save_button.click()
    assert "first name or a last name" in dialog.message.text()
    assert dialog.message.isVisible()


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("email", "not-an-address", "e-mail"),
        ("number", "call me", "digits only"),
        ("number", "1001", "internal extension"),
    ],
)
def test_invalid_input_says_what_to_fix(qtbot, dialog, field, value, says):
    dialog.last_name.setText("Jones")
    getattr(dialog, field).setText(value)
    with qtbot.assert_not_emitted(dialog.save_requested):
        dialog.submit()
    assert says in dialog.message.text()
    assert not dialog.busy


def test_save_sends_the_record_and_shows_progress(qtbot, dialog):
    dialog._kind_buttons[RecordKind.LEAD].setChecked(True)
    qtbot.keyClicks(dialog.first_name, "Carol")
    dialog.last_name.setText("Danvers")
    dialog.email.setText("carol@example.com")
    dialog.company.setText("Stark")
    dialog.note.setPlainText("called about pricing")
    with qtbot.wait_signal(dialog.save_requested) as blocker:
        qtbot.keyClick(dialog.first_name, Qt.Key.Key_Return)
    assert blocker.args == [
        NewRecord(
            RecordKind.LEAD,
            "+14155550123",
            first_name="Carol",
            last_name="Danvers",
            email="carol@example.com",
            company="Stark",
            note="called about pricing",
        )
    ]
    assert dialog.busy
    assert not dialog.save_button.isEnabled()
    assert not dialog.first_name.isEnabled()
    dialog.reject()  # cannot be cancelled while the CRM works
    assert dialog.isVisible()


def test_failure_keeps_everything_typed(dialog):
    dialog.first_name.setText("Carol")
    dialog.email.setText("carol@example.com")
    dialog.submit()
    dialog.saving_failed("The CRM refused the e-mail address: it is already used by another contact.")
    assert not dialog.busy
    assert dialog.first_name.text() == "Carol"
    assert dialog.email.text() == "carol@example.com"
    assert dialog.first_name.isEnabled() and dialog.save_button.isEnabled()
    assert "already used" in dialog.message.text()
    assert dialog.save_button.text() == "Try again"


def test_success_offers_to_open_the_new_record(qtbot, dialog):
    dialog.first_name.setText("Alice")
    dialog.submit()
    dialog.saved(ALICE)
    assert "Saved Alice Smith" in dialog.message.text()
    assert dialog.open_button.isVisible()
    assert "HubSpot" in dialog.open_button.text()
    with qtbot.wait_signal(dialog.open_requested) as blocker:
        dialog.open_button.click()
    assert blocker.args == [ALICE]
    assert not dialog.isVisible()


def test_only_contact_where_the_crm_has_no_leads(qtbot):
    d = AddRecordDialog("+14155550123", kinds=(RecordKind.CONTACT, RecordKind.ACCOUNT))
    qtbot.add_widget(d)
    assert list(d._kind_buttons) == [RecordKind.CONTACT]


def test_controls_have_labels_and_accessible_names(dialog):
    for widget in (
        dialog.first_name,
        dialog.last_name,
        dialog.email,
        dialog.company,
        dialog.number,
        dialog.note,
    ):
        assert widget.accessibleName()
    for label, widget in dialog._labels:
        assert label.buddy() is widget
        assert "&" in label.text()


def test_one_creatable_kind_is_said_in_words_not_offered_as_a_lone_choice(qtbot):
    d = AddRecordDialog("+14155550123", kinds=(RecordKind.CONTACT,), crm_name="HubSpot")
    qtbot.add_widget(d)
    d.show()
    assert d._kind_label.text() == "Record type:"
    assert d._only_kind.isVisible() and d._only_kind.text() == "Contact in HubSpot"
    assert not d._kind_buttons[RecordKind.CONTACT].isVisible()
    assert d.record().kind is RecordKind.CONTACT


def test_several_kinds_are_a_real_choice(dialog):
    assert not dialog._only_kind.isVisible()
    assert all(button.isVisible() for button in dialog._kind_buttons.values())


def test_a_validation_message_follows_the_fix(dialog):
    dialog.save_button.click()
    assert dialog.message.text() == "Enter a first name or a last name." and dialog.message.isVisible()
    dialog.last_name.setText("Danvers")
    assert not dialog.message.isVisible()
    dialog.email.setText("not-an-address")
    assert not dialog.message.isVisible()  # no nagging before the next Save
    dialog.save_button.click()
    assert "e-mail" in dialog.message.text()
    dialog.email.setText("carol@example")
    assert "e-mail" in dialog.message.text()  # still wrong: the message stays
    dialog.email.setText("carol@example.com")
    assert not dialog.message.isVisible()
