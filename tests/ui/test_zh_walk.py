"""A zh_CN run leaves no English in the tray menu, the call history and the settings: every visible
text is walked and must be Chinese, or a name, number or address that stays as it is."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import httpx
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTableWidget,
    QWidget,
)

from linkus_companion.backend import CallPhase, CrmState, HistoryItem, LinkState, Status
from linkus_companion.crm.http import classify_status
from linkus_companion.engine.history import Delivery
from linkus_companion.texts import restored, stored
from linkus_companion.ui.history import HistoryWindow
from linkus_companion.ui.i18n import Translations
from linkus_companion.ui.settings.dialog import PAGES, SettingsDialog
from linkus_companion.ui.tray import TrayMenu
from tests.ui.conftest import ALICE, T0, call

KEPT = re.compile(
    r"(https?://\S+|/\S+|HubSpot|Salesforce|Zoho CRM|Zoho|Linkus Companion|English|CRM|PBX|API|ID|URL|UTC|HTTP|"
    r"Automatic New Contact|Open API|Windows|macOS|GNOME|Keyring|Secret Service|"
    r"\{\{\.[A-Za-z_]+\}\}|https?://\S+|[A-Za-z]:|[\d\s:+()\-—\u2013·.,/%#?&;…]|[a-z_]+\.[a-z_.]+|"
    r"CA|TLS|SHA-256|WebSocket|OAuth|URI|https|Chrome|Edge|HH:MM:SS|Open API|"
    r"Call: .*|Extension Call|Answered|Missed|No Answer|Busy|Voicemail|Failed|Inbound|Outbound|Internal|"
    r"Ctrl|Alt|Shift|\(&\w\)|&\w)"
)
"""Texts that stay as they are in Chinese: product names, protocol words, numbers, paths and addresses, and
the call-log template's default text and values (data written into the CRM as the manuals give it)."""
FAILING = Status(
    LinkState.CONNECTED,
    CrmState.FAILING,
    crm_kind="hubspot",
    crm_problem=classify_status("HubSpot", httpx.Response(503)).args[0],
    crm_since=T0,
    waiting_logs=3,
)


def english_left(texts: list[str], names: tuple[str, ...] = (ALICE.display_name,)) -> list[str]:
    """The texts with English words left once the kept words and the CRM's own names are removed."""

    def rest(text: str) -> str:
        for name in names:
            text = text.replace(name, " ")
        return KEPT.sub(" ", text)

    return [t for t in texts if re.search(r"[A-Za-z]{2,}", rest(t))]


def visible_texts(root: QWidget) -> list[str]:
    """Every text a user sees in `root`: labels, buttons, menus, fields, lists, tables and headers."""
    texts: list[str] = []
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        if isinstance(widget, QLabel | QAbstractButton | QGroupBox):
            texts.append(widget.text() if not isinstance(widget, QGroupBox) else widget.title())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QComboBox):
            texts.extend(widget.itemText(i) for i in range(widget.count()))
        if isinstance(widget, QListWidget):
            texts.extend(widget.item(i).text() for i in range(widget.count()))
        if isinstance(widget, QTableWidget):
            for column in range(widget.columnCount()):
                header = widget.horizontalHeaderItem(column)
                texts.append(header.text() if header else "")
                texts.extend(
                    widget.item(row, column).text()
                    for row in range(widget.rowCount())
                    if widget.item(row, column)
                )
        if isinstance(widget, QMenu):
            texts.extend(a.text() for a in widget.actions())
        texts.append(widget.toolTip())
    return [t for t in texts if t.strip()]


@pytest.fixture
def chinese(qapp):
    translations = Translations(qapp)
    assert translations.apply("zh_CN") == "zh_CN"
    yield
    translations.apply("en")


def test_no_english_left_in_the_tray_history_and_settings_in_chinese(qtbot, chinese, settings):
    menu = TrayMenu()
    qtbot.add_widget(menu)
    menu.set_status(FAILING)
    menu.set_recent([call(CallPhase.ENDED, records=(ALICE,), chosen=ALICE)])
    texts = (
        visible_texts(menu)
        + [a.text() for a in menu.recent_menu.actions()]
        + [
            menu.status_action.text(),
            menu.status_action.toolTip(),
        ]
    )
    assert english_left(texts) == []

    ended = call(CallPhase.ENDED, records=(ALICE,), chosen=ALICE)
    history = HistoryWindow(
        lambda _t: [
            HistoryItem(ended, Delivery.DELIVERED),
            HistoryItem(
                call(CallPhase.ENDED, call_id="c2"), Delivery.WAITING, restored(stored(FAILING.crm_problem))
            ),
        ],
        crm="HubSpot",
    )
    qtbot.add_widget(history)
    history.refresh()  # the waiting log's reason as the store keeps it: typed, shown in Chinese
    history.show()
    assert english_left(visible_texts(history)) == []

    dialog = SettingsDialog(settings)
    qtbot.add_widget(dialog)
    dialog.set_status(FAILING)
    dialog.show()
    for index in range(len(PAGES)):
        dialog.nav.setCurrentRow(index)
        assert english_left(visible_texts(dialog.pages.currentWidget())) == [], PAGES[index][0]
    assert english_left([dialog.windowTitle(), dialog.saved_note.text(), dialog.crm_status.text()]) == []
    assert dt.datetime.now(dt.UTC) > T0


def test_a_failed_lookup_reads_in_chinese_on_the_call_card(qtbot, chinese):
    from linkus_companion.ui.call_card import CallCard

    failed = dataclasses.replace(call(CallPhase.RINGING), lookup_error=FAILING.crm_problem)
    card = CallCard(failed)
    qtbot.add_widget(card)
    card.show()
    shown = [t for t in visible_texts(card) if "503" in t]
    assert shown and all("出错" in t and "failed with" not in t for t in shown)
