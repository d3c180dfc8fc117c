"""A zh_CN run leaves no English in the tray menu, the call history and the settings: every visible
text is walked and must be Chinese, or a name, number or address that stays as it is."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from types import SimpleNamespace

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

from linkus_companion import texts as texts_module
from linkus_companion.backend import (
    BackendError,
    CallPhase,
    CallView,
    CrmState,
    HistoryItem,
    LinkState,
    Status,
)
from linkus_companion.crm.http import classify_status
from linkus_companion.engine.history import Delivery
from linkus_companion.engine.outbox import NOT_TAKEN
from linkus_companion.texts import restored, stored, text_of
from linkus_companion.ui.history import HistoryWindow
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.settings.dialog import PAGES, SettingsDialog
from linkus_companion.ui.tray import TrayMenu
from tests.ui.conftest import ALICE, T0, call

KEPT = re.compile(
    r"(\uff08CRM 返回\uff1a[^\uff09]*\uff09|https?://\S+|/\S+|HubSpot|Salesforce|Zoho CRM|Zoho|Linkus Companion|English|CRM|PBX|API|ID|URL|UTC|HTTP|"
    r"Automatic New Contact|Open API|Windows|macOS|GNOME|Keyring|Secret Service|"
    r"\{\{\.[A-Za-z_]+\}\}|https?://\S+|[A-Za-z]:|[\d\s:+()\-—\u2013·.,/%#?&;…]|[a-z_]+\.[a-z_.]+|"
    r"CA|TLS|SHA-256|WebSocket|OAuth|URI|https|Chrome|Edge|HH:MM:SS|Open API|"
    r"Call: .*|Extension Call|Answered|Missed|No Answer|Busy|Voicemail|Failed|Inbound|Outbound|Internal|"
    r"Ctrl|Alt|Shift|\(&\w\)|&\w|linkus-companion(?: [a-z]+)*)"
)
"""Texts that stay as they are in Chinese: the CRM's own words in their labelled detail, product names,
protocol words, numbers, paths and addresses, and
the call-log template's default text and values (data written into the CRM as the manuals give it), and
commands to type."""
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


def test_no_english_left_in_the_tray_history_and_settings_in_chinese(qtbot, zh_cn, settings):
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
            HistoryItem(  # a row an older version stored in English
                call(CallPhase.ENDED, call_id="c3"),
                Delivery.FAILED,
                restored("HubSpot refused the data", NOT_TAKEN),
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


def test_a_failed_lookup_reads_in_chinese_on_the_call_card(qtbot, zh_cn):
    from linkus_companion.ui.call_card import CallCard

    failed = dataclasses.replace(call(CallPhase.RINGING), lookup_error=FAILING.crm_problem)
    card = CallCard(failed)
    qtbot.add_widget(card)
    card.show()
    shown = [t for t in visible_texts(card) if "503" in t]
    assert shown and all("出错" in t and "failed with" not in t for t in shown)


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_a_gateway_desktop_in_chinese_shows_a_gateway_side_crm_outage_without_english(
    qtbot, zh_cn, settings, tmp_path
):
    """The status and the call cross the real gateway protocol, then the tray, panel and settings show them."""
    from linkus_companion.gateway.demo import gateway_world
    from linkus_companion.ui.call_panel import CallPanel
    from linkus_companion.ui.tray import status_details

    async with gateway_world("hubspot", tmp_path / "site", lambda _line: None) as world:
        desktop = await world.desktop("1001", lambda _line: None)
        views: list[CallView] = []
        desktop.add_listener(
            SimpleNamespace(on_call=views.append, on_status=lambda _s: None, on_pop=lambda _p: None)
        )
        world.crm.set_outage(True)
        call_id = await world.pbx.inbound("+16285559021", "1001", talk=0.05)
        for _ in range(300):
            if desktop.status.crm is CrmState.FAILING and desktop.status.waiting_logs:
                break
            await asyncio.sleep(0.05)
        status = desktop.status
        ended = next(c for c in desktop.recent_calls() if c.call_id == call_id)
        # A request the gateway refuses comes back typed too (another extension's call).
        other = await world.desktop("1002", lambda _line: None)
        with pytest.raises(BackendError) as refused:
            await other.open_in_crm(call_id)
        world.crm.set_outage(False)
    texts_module._seen.clear()  # the desktop is another process: it knows only what the protocol carried
    assert status.crm is CrmState.FAILING and status.waiting_logs == 1 and ended.lookup_error

    menu = TrayMenu()
    qtbot.add_widget(menu)
    menu.set_status(status)
    menu.set_recent([ended])
    panel = CallPanel(place_file=tmp_path / "place.json")
    qtbot.add_widget(panel)
    panel.set_crm("HubSpot", "US")
    panel.set_status(status)
    for view in views:  # the card as the desktop saw the call: ringing, talking, ended
        panel.show_call(view)
    panel.flush()
    panel.show()
    assert panel.card(call_id) is not None
    dialog = SettingsDialog(settings)
    qtbot.add_widget(dialog)
    dialog.set_status(status)
    texts = [
        *visible_texts(menu),
        *[a.text() for a in menu.recent_menu.actions()],
        menu.status_action.text(),
        status_details(status),
        *visible_texts(panel),
        dialog.crm_status.text(),
        tr_text(text_of(refused.value)),
    ]
    assert english_left(texts) == []  # the CRM's own English words only inside their labelled detail
    assert any("503" in t and "\uff08CRM 返回\uff1aInjected failure\uff09" in t for t in texts), (
        "the reason, in Chinese"
    )


def test_a_refused_gateway_sign_in_names_the_administrator_in_chinese(qtbot, zh_cn, settings):
    from linkus_companion.crm.base import AuthExpired
    from linkus_companion.engine.health import CrmTrouble
    from linkus_companion.gateway.hub import DesktopHub
    from linkus_companion.gateway.metrics import Metrics

    hub = DesktopHub(Metrics(), (), "hubspot")
    hub.crm_health(CrmTrouble(AuthExpired("HubSpot rejected the sign-in."), T0))
    status = dataclasses.replace(hub.status, crm_by_gateway=True)  # as the gateway desktop receives it
    menu = TrayMenu()
    qtbot.add_widget(menu)
    menu.set_status(status)
    dialog = SettingsDialog(settings)
    qtbot.add_widget(dialog)
    dialog.set_status(status)
    texts = [menu.status_action.text(), dialog.crm_status.text()]
    assert english_left(texts) == [] and all("管理员" in t for t in texts)


SYSTEM_SAYS = re.compile(r"\uff08(系统返回|CRM 返回)\uff1a[^\uff09]*\uff09|PostgreSQL 返回\uff1a.*")
"""The system's, the database's and the CRM's own words, in their labelled detail."""


async def test_failures_of_files_sockets_and_servers_read_in_chinese_without_foreign_words(zh_cn, tmp_path):
    """Real failures (a corrupt and an unreadable settings file, a damaged database, a taken port, no keyring,
    a refused PBX, a CRM refusing data and a sign-in): each sentence shown reads in Chinese, the system's and
    the CRM's words only in their labelled detail, never an exception's name."""
    import socket

    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    from linkus_companion.config.errors import SettingsError
    from linkus_companion.config.userfile import UserFile
    from linkus_companion.crm.base import CrmError
    from linkus_companion.crm.oauth_loopback import LoopbackRedirect
    from linkus_companion.crm.zoho import _first_result
    from linkus_companion.pbx.client import PbxClient
    from linkus_companion.pbx.errors import PbxError
    from linkus_companion.platform.logs import CrashReporter
    from linkus_companion.ports import listening_socket
    from linkus_companion.secrets import SecretStore
    from linkus_companion.store import StoreError
    from linkus_companion.store_sqlite import SqliteStore

    shown: list[str] = []
    corrupt = tmp_path / "settings.json"
    corrupt.write_text("{not json", encoding="utf-8")
    [problem] = UserFile(corrupt).load()[1]
    shown.append(problem.text)
    with pytest.raises(SettingsError) as unreadable:
        UserFile(tmp_path).load()  # a folder where the file should be
    shown.append(text_of(unreadable.value))
    damaged = tmp_path / "calls.db"
    damaged.write_bytes(b"this is not a database file, just text" * 100)
    with pytest.raises(StoreError) as database:
        SqliteStore.at(damaged)
    shown.append(text_of(database.value))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError) as busy:
            listening_socket("127.0.0.1", port)
        shown.append(text_of(busy.value))
        with pytest.raises(OSError) as redirect:
            async with LoopbackRedirect(f"http://127.0.0.1:{port}/callback"):
                pass
        shown.append(text_of(redirect.value))
    with pytest.raises(OSError) as no_address:
        listening_socket("192.0.2.1", 0)  # an address this computer does not have: nothing is sent
    shown.append(text_of(no_address.value))
    keyring.set_keyring(FailKeyring())
    with pytest.raises(Exception) as no_keyring:
        SecretStore().get("pbx.client_secret")
    shown.append(text_of(no_keyring.value))
    async with PbxClient(f"http://127.0.0.1:{port}", "id", "secret", timeout=2) as pbx:  # nothing listens now
        with pytest.raises(PbxError) as refused:
            await pbx.token()
    shown.append(text_of(refused.value))
    body = {"data": [{"status": "error", "code": "INVALID_DATA", "message": "invalid data", "details": {}}]}
    with pytest.raises(CrmError) as zoho:
        _first_result(httpx.Response(202, json=body))
    shown.append(text_of(zoho.value))
    notices: list[str] = []
    CrashReporter(notices.append, tmp_path / "linkus-companion.log")._tell(KeyError("x"))
    shown.extend(notices)

    chinese = [tr_text(sentence) for sentence in shown]
    assert len(chinese) == 10
    for text in chinese:
        assert not re.search(r"Error|Errno|Exception|Traceback", text), text
    bare = [SYSTEM_SAYS.sub(" ", text) for text in chinese]
    assert english_left(bare, ("JSON",)) == [], chinese
    assert sum("系统返回" in t for t in chinese) <= 2, chinese  # our own words for the usual failures
    assert any("CRM 返回\uff1aINVALID_DATA" in t for t in chinese)


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_test_connection_against_an_unreachable_pbx_reads_in_chinese(qtbot, zh_cn, settings):
    """Settings → PBX → Test connection, with nothing listening at the address and then a CA file that
    is not there: the result line says why in Chinese, with no httpx or Python words."""
    import socket

    from linkus_companion.app import EmbeddedActions
    from linkus_companion.runtime import PBX_SECRET
    from linkus_companion.secrets import SecretStore
    from linkus_companion.ui.tasks import Tasks

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.set_user("pbx.url", f"http://127.0.0.1:{port}")
    settings.set_user("pbx.client_id", "client-1")
    secrets = SecretStore()
    secrets.set(PBX_SECRET, "s3cret")
    crashed: list[BaseException] = []
    dialog = SettingsDialog(settings, EmbeddedActions(settings, secrets, lambda: None), Tasks(crashed.append))
    qtbot.add_widget(dialog)
    dialog.show()
    shown = []
    for ca_file in ("", "/nonexistent/pbx-ca.pem"):
        if ca_file:
            settings.set_user("pbx.url", f"https://127.0.0.1:{port}")
            settings.set_user("pbx.ca_file", ca_file)
        dialog.test_button.click()
        working = dialog.pbx_result.text()
        for _ in range(200):
            if dialog.pbx_result.text() != working:
                break
            await asyncio.sleep(0.05)
        shown.append(dialog.pbx_result.text())
    assert crashed == []
    assert "连接被拒绝" in shown[0] and f"127.0.0.1:{port}" in shown[0], shown
    assert "/nonexistent/pbx-ca.pem" in shown[1], shown
    assert english_left(shown, ("PEM",)) == [] and not any(
        re.search("Error|Errno|httpx", t) for t in shown
    ), shown
