"""The settings window: generated from the schema, admin locks, validation, templates and CRM actions."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QSpinBox

from linkus_companion.backend import CrmState, LinkState, Status
from linkus_companion.config import SCHEMA
from linkus_companion.engine import templates
from linkus_companion.model import Direction, Outcome
from linkus_companion.ui.settings.dialog import OWN_EDITOR, PAGES, SettingsDialog, page_keys
from linkus_companion.ui.settings.labels import LABELS, choice_label
from linkus_companion.ui.settings.template_editor import SAMPLE, TemplateEditor
from tests.ui.conftest import lock, unnamed_controls


@pytest.fixture
def dialog(qtbot, settings):
    d = SettingsDialog(settings)
    qtbot.add_widget(d)
    return d


def test_every_setting_has_a_label_and_a_place(dialog):
    assert set(LABELS) == set(SCHEMA)
    placed = [key for keys in page_keys() for key in keys]
    assert sorted(placed + sorted(OWN_EDITOR)) == sorted(SCHEMA)
    assert set(dialog.fields) == set(SCHEMA) - {"crm.enabled"}
    assert dialog.nav.count() == len(PAGES)


def test_widget_types_follow_the_rules(dialog):
    kinds = {
        "pop.enabled": QCheckBox,
        "pop.trigger": QComboBox,
        "pbx.heartbeat_seconds": QSpinBox,
        "pbx.url": QLineEdit,
        "calllog.description": QPlainTextEdit,
        "calllog.subject": QLineEdit,
    }
    for key, kind in kinds.items():
        assert isinstance(dialog.fields[key].editor, kind), key
    trigger = dialog.fields["pop.trigger"].editor
    assert [trigger.itemText(i) for i in range(trigger.count())] == ["Ringing", "Answered", "Call ended"]
    assert choice_label("pop.mode", "auto") == "Auto (incoming calls only)"
    assert dialog.fields["pbx.url"].editor.toolTip().startswith("PBX Open API base address")


def test_changes_are_saved_as_the_users_values(qtbot, dialog, settings):
    trigger = dialog.fields["pop.trigger"].editor
    trigger.setCurrentIndex(trigger.findData("answered"))
    trigger.activated.emit(trigger.currentIndex())
    assert settings.effective("pop.trigger") == ("answered", "user", False, None)
    check = dialog.fields["ui.notifications"].editor
    check.click()
    assert settings.get("ui.notifications") is False
    url = dialog.fields["pbx.url"].editor
    url.setText("https://pbx.example.com:8088")
    url.editingFinished.emit()
    assert settings.get("pbx.url") == "https://pbx.example.com:8088"


def test_invalid_value_is_refused_with_the_reason_and_kept_for_fixing(dialog, settings):
    field = dialog.fields["pbx.url"]
    field.editor.setText("http://pbx.example.com")
    field.editor.editingFinished.emit()
    assert settings.get("pbx.url") == ""
    assert not field.error.isHidden()
    assert "https://" in field.error.text()
    assert field.editor.text() == "http://pbx.example.com"
    field.editor.setText("https://pbx.example.com")
    field.editor.editingFinished.emit()
    assert field.error.isHidden()


def test_locked_settings_are_read_only_with_a_lock_naming_the_policy(qtbot, settings, policy_dir):
    policy = lock(policy_dir, pop__trigger="answered", crm__kind="salesforce")
    settings.reload()
    dialog = SettingsDialog(settings)
    qtbot.add_widget(dialog)
    field = dialog.fields["pop.trigger"]
    assert field.locked
    assert not field.editor.isEnabled()
    assert not field.lock.isHidden()
    assert str(policy) in field.lock.toolTip()
    assert "Locked by your administrator" in field.editor.toolTip()
    assert field.editor.currentData() == "answered"
    assert dialog.fields["pop.mode"].editor.isEnabled()
    assert dialog.fields["pop.mode"].lock.isHidden()


def test_a_policy_change_updates_an_open_window(dialog, settings, policy_dir):
    field = dialog.fields["ui.language"]
    assert field.editor.isEnabled()
    lock(policy_dir, ui__language="zh_CN")
    settings.reload()
    assert not field.editor.isEnabled()
    assert field.editor.currentText() == "简体中文"


def test_rows_follow_the_chosen_crm_and_engine(dialog, settings):
    assert dialog.row_visible("pbx.url") and not dialog.row_visible("gateway.url")
    assert not dialog.row_visible("crm.zoho_data_centre")
    settings.set_user("crm.kind", "zoho")
    assert dialog.row_visible("crm.zoho_data_centre") and dialog.row_visible("crm.phonebridge")
    assert not dialog.row_visible("crm.salesforce_login")
    settings.set_user("backend", "gateway")
    assert dialog.row_visible("gateway.url") and not dialog.row_visible("pbx.client_id")


def test_template_preview_is_live_and_names_unknown_variables(qtbot, settings):
    editor = TemplateEditor(settings)
    qtbot.add_widget(editor)
    assert editor.preview("calllog.description") == (
        "Call: 2026-03-02 09:30:00 Answered from +14155550123 to 1001 00:03:05"
    )
    description = editor.fields["calllog.description"].editor
    description.setPlainText("{{Contact_Name}} ({{.Company}}) {{.Nope}}")
    assert editor.preview("calllog.description").startswith("Alice Smith (Acme Corp) {{.Nope}}")
    assert "Unknown variables: .Nope" in editor.preview("calllog.description")
    qtbot.wait_until(
        lambda: settings.get("calllog.description") == "{{Contact_Name}} ({{.Company}}) {{.Nope}}"
    )


def test_variable_list_inserts_into_the_last_template(qtbot, settings):
    editor = TemplateEditor(settings)
    qtbot.add_widget(editor)
    subject = editor.fields["calllog.subject"].editor
    subject.setText("Call ")
    editor._last_editor = subject
    editor.variables.setCurrentRow(
        list(
            editor.variables.item(i).data(Qt.ItemDataRole.UserRole) for i in range(editor.variables.count())
        ).index("Call_Type")
    )
    editor.insert_button.click()
    assert subject.text() == "Call {{.Call_Type}}"
    assert editor.preview("calllog.subject") == "Call Inbound"
    assert settings.get("calllog.subject") == "Call {{.Call_Type}}"
    assert editor.variables.count() > 10 and editor.variables.accessibleName()


def test_crm_status_and_buttons_without_actions_are_disabled(dialog):
    dialog.set_status(Status(LinkState.CONNECTED, CrmState.DISABLED))
    assert dialog.crm_status.text() == "Disabled"
    assert dialog.disable_button.text() == "&Enable"
    assert dialog.authorize_button.text() == "Re-&authorise…"
    assert not dialog.authorize_button.isEnabled()
    dialog.set_status(Status(LinkState.CONNECTED, CrmState.ERROR, "The CRM sign-in expired."))
    assert dialog.crm_status.text() == "Error — The CRM sign-in expired."


def test_every_field_is_labelled_for_keyboard_and_screen_readers(dialog):
    for key, field in dialog.fields.items():
        assert field.editor.accessibleName(), key
        assert field.focusProxy() is field.editor
    for row in range(dialog.nav.count()):  # and every control Tab reaches on each page has a name
        dialog.nav.setCurrentRow(row)
        assert unnamed_controls(dialog) == [], dialog.nav.item(row).text()
    buddies = {label.buddy() for label, _ in dialog._labels}
    assert all(
        f in buddies for k, f in dialog.fields.items() if k not in ("calllog.subject", "calllog.description")
    )


def test_module_lists_are_check_lists_and_the_priority_an_ordered_list(qtbot, dialog, settings):
    synced = dialog.fields["sync.modules"]._editor
    assert [synced.list.item(i).text() for i in range(synced.list.count())] == [
        "Contacts",
        "Leads",
        "Accounts",
        "Companies",
    ]
    assert synced.up is None, "the synced modules have no order"
    synced.list.item(1).setCheckState(Qt.CheckState.Checked)
    assert settings.get("sync.modules") == ("contacts", "leads")

    priority = dialog.fields["match.module_priority"]._editor
    priority.list.setCurrentRow(2)  # Accounts
    qtbot.mouseClick(priority.up, Qt.MouseButton.LeftButton)
    assert settings.get("match.module_priority") == ("contacts", "accounts", "leads", "companies")
    priority.list.item(3).setCheckState(Qt.CheckState.Unchecked)  # Companies
    assert settings.get("match.module_priority") == ("contacts", "accounts", "leads")
    settings.set_user("match.module_priority", ("leads", "contacts"))
    shown = [priority.list.item(i).text() for i in range(priority.list.count())]
    assert shown == ["Leads", "Contacts", "Accounts", "Companies"], "the chosen order, the rest after it"
    assert priority.list.item(2).checkState() is Qt.CheckState.Unchecked


def test_module_lists_offer_the_chosen_crms_modules_and_keep_the_others(qtbot, dialog, settings):
    """HubSpot has contacts and companies, Salesforce and Zoho contacts, leads and accounts."""
    synced = dialog.fields["sync.modules"]._editor
    priority = dialog.fields["match.module_priority"]._editor

    def shown(editor) -> list[str]:
        return [editor.list.item(i).text() for i in range(editor.list.count())]

    settings.set_user("crm.kind", "hubspot")
    assert shown(synced) == shown(priority) == ["Contacts", "Companies"]
    priority.list.setCurrentRow(1)
    qtbot.mouseClick(priority.up, Qt.MouseButton.LeftButton)
    # the user's order for HubSpot (whose companies are the accounts); leads kept for a switch back
    assert settings.get("match.module_priority") == ("companies", "contacts", "leads")
    settings.set_user("crm.kind", "salesforce")
    assert shown(synced) == ["Contacts", "Leads", "Accounts"]
    assert shown(priority) == ["Accounts", "Contacts", "Leads"]
    synced.list.item(1).setCheckState(Qt.CheckState.Checked)
    assert settings.get("sync.modules") == ("contacts", "leads")


def test_the_manual_binding_is_a_table_of_extensions_and_crm_users(qtbot, dialog, settings):
    field = dialog.fields["binding"]
    table = field._editor.table
    settings.set_user("binding", {"1004": "7000004"})
    assert [(table.item(0, 0).text(), table.item(0, 1).text())] == [("1004", "7000004")]
    qtbot.mouseClick(field._editor.add, Qt.MouseButton.LeftButton)
    assert table.rowCount() == 2
    table.item(1, 0).setText("1005")  # half a row is not saved yet, and stays while typed
    assert settings.get("binding") == {"1004": "7000004"} and table.rowCount() == 2
    table.item(1, 1).setText("7000005")
    assert settings.get("binding") == {"1004": "7000004", "1005": "7000005"}
    table.item(1, 0).setText("not an extension")
    assert not field.error.isHidden() and settings.get("binding")["1005"] == "7000005"
    assert table.item(1, 0).text() == "not an extension", "what was typed stays to be fixed"
    table.item(1, 0).setText("1006")
    assert field.error.isHidden()
    assert settings.get("binding") == {"1004": "7000004", "1006": "7000005"}
    table.setCurrentCell(0, 0)
    qtbot.mouseClick(field._editor.remove, Qt.MouseButton.LeftButton)
    assert settings.get("binding") == {"1006": "7000005"}


def test_in_chinese_the_templates_keep_the_manuals_defaults_and_explain_them(qtbot, settings, zh_cn):
    """The Chinese manuals give the defaults in English ("Extension Call", "Call: {{.Time}} ..."): they stay,
    the words around them are Chinese and each value written into the CRM has its meaning beside it."""
    editor = TemplateEditor(settings)
    qtbot.add_widget(editor)
    assert editor.fields["calllog.subject"].editor.text() == "Extension Call"
    assert editor.preview("calllog.description").startswith("Call: 2026-03-02 09:30:00 Answered from")
    assert re.search("[\u4e00-\u9fff]{6}", editor.defaults_note.text()), editor.defaults_note.text()
    entries = {
        editor.variables.item(i).data(Qt.ItemDataRole.UserRole): editor.variables.item(i).text()
        for i in range(editor.variables.count())
    }
    written = {  # every value the variable writes into the CRM
        name: {
            templates.call_variables(replace(SAMPLE, direction=d, outcome=o))[name]
            for d in Direction
            for o in Outcome
        }
        for name in ("Call_Log_Status", "Call_Type")
    }
    for name, words in written.items():
        meaning = entries[name].split(" — ", 1)[1]
        for word in words:
            assert re.search(re.escape(word) + "\uff08[\u4e00-\u9fff]+\uff09", meaning), (word, meaning)
        assert not re.search("[A-Za-z]{2,}", re.sub("|".join(words), "", meaning)), meaning
    settings.set_user("calllog.subject", "分机通话")
    reopened = TemplateEditor(settings)
    qtbot.add_widget(reopened)
    assert reopened.fields["calllog.subject"].editor.text() == "分机通话", "the saved one wins"


def test_the_template_editor_follows_a_language_switch(qtbot, settings, translations, qapp):
    editor = TemplateEditor(settings)
    qtbot.add_widget(editor)
    english = [editor.variables.item(i).text() for i in range(editor.variables.count())]
    translations.apply("zh_CN")
    qapp.processEvents()
    chinese = [editor.variables.item(i).text() for i in range(editor.variables.count())]
    assert all(re.search("[\u4e00-\u9fff]", text) for text in chinese), chinese
    assert (
        re.search("[\u4e00-\u9fff]", editor.defaults_note.text())
        and editor.insert_button.text() != "&Insert variable"
    )
    assert editor.fields["calllog.subject"].editor.text() == "Extension Call", "the template itself is data"
    translations.apply("en")
    qapp.processEvents()
    assert [editor.variables.item(i).text() for i in range(editor.variables.count())] == english


def test_the_variable_list_wraps_long_meanings_instead_of_cutting_them(qtbot, settings, zh_cn):
    editor = TemplateEditor(settings)
    qtbot.add_widget(editor)
    editor.resize(640, 700)
    editor.show()
    qtbot.waitExposed(editor)
    status = next(
        editor.variables.item(i)
        for i in range(editor.variables.count())
        if editor.variables.item(i).data(Qt.ItemDataRole.UserRole) == "Call_Log_Status"
    )
    rect = editor.variables.visualItemRect(status)
    assert rect.right() <= editor.variables.viewport().width(), "no part of the line is off to the right"
    assert rect.height() > 1.5 * editor.variables.fontMetrics().lineSpacing(), "the long meaning wraps"
    assert status.toolTip() == status.text()
