"""The tray icon and its menu, or a small main window with the same menu where there is no tray."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from linkus_companion import APP_NAME
from linkus_companion.backend import CallView, CrmState, LinkState, Status
from linkus_companion.model import Direction, Outcome
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.resources import CRM_TROUBLE, icon, state_icon
from linkus_companion.ui.widgets.dial_box import DialBox

MAX_RECENT = 10


CRM_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce", "zoho": "Zoho CRM"}


def crm_name(status: Status) -> str:
    """The CRM's product name, or "CRM" before one is known."""
    return CRM_NAMES.get(status.crm_kind) or QCoreApplication.translate("Tray", "CRM")


def link_text(link: LinkState, retry_in: float | None = None) -> str:
    """The connection state in words."""
    if link is LinkState.RECONNECTING and retry_in is not None and retry_in >= 1:
        return QCoreApplication.translate("Tray", "Reconnecting to the PBX in %1 s…").replace(
            "%1", str(round(retry_in))
        )
    return {
        LinkState.NOT_CONFIGURED: QCoreApplication.translate("Tray", "Not set up"),
        LinkState.CONNECTING: QCoreApplication.translate("Tray", "Connecting to the PBX…"),
        LinkState.CONNECTED: QCoreApplication.translate("Tray", "Connected"),
        LinkState.RECONNECTING: QCoreApplication.translate("Tray", "Reconnecting to the PBX…"),
        LinkState.ERROR: QCoreApplication.translate("Tray", "Error"),
    }[link]


def link_words(status: Status) -> str:
    """The link in words: the PBX's, or on a gateway desktop that lost its gateway, the gateway's; a link
    that gave up says why (rejected credentials, a blocked address...), not just "Error"."""
    if status.link is LinkState.ERROR and status.message:
        return tr_text(status.message).rstrip(".。")
    if status.gateway_down and status.link is LinkState.CONNECTING:
        return QCoreApplication.translate("Tray", "Connecting to the gateway…")
    if not status.gateway_down or status.link is not LinkState.RECONNECTING:
        return link_text(status.link, status.retry_in)
    if status.retry_in is not None and status.retry_in >= 1:
        return QCoreApplication.translate("Tray", "Gateway unreachable: reconnecting in %1 s…").replace(
            "%1", str(round(status.retry_in))
        )
    return QCoreApplication.translate("Tray", "Gateway unreachable: reconnecting…")


def crm_text(crm: CrmState, status: Status | None = None) -> str:
    """The CRM state in words, naming the CRM and since when it fails."""
    status = status or Status(LinkState.CONNECTED, crm)
    since = status.crm_since.astimezone().strftime("%H:%M") if status.crm_since else "?"
    text = {
        CrmState.NONE: QCoreApplication.translate("Tray", "no CRM"),
        CrmState.CONNECTED: QCoreApplication.translate("Tray", "%1 connected"),
        CrmState.DISABLED: QCoreApplication.translate("Tray", "%1 disabled"),
        CrmState.ERROR: QCoreApplication.translate("Tray", "%1 error"),
        CrmState.FAILING: QCoreApplication.translate("Tray", "%1 failing since %2"),
        CrmState.RATE_LIMITED: QCoreApplication.translate("Tray", "%1 is limiting requests"),
        CrmState.AUTH_EXPIRED: QCoreApplication.translate(
            "Tray", "%1 sign-in expired: re-authorise in Settings"
        )
        if not status.crm_by_gateway
        else QCoreApplication.translate(
            "Tray", "%1 sign-in expired: your administrator must authorise it again"
        ),
    }[crm]
    return text.replace("%1", crm_name(status)).replace("%2", since)


def waiting_text(status: Status) -> str:
    """`3 call logs waiting for HubSpot` ("" when none wait); lupdate reads no plural forms from Python."""
    if not status.waiting_logs:
        return ""
    if status.waiting_logs == 1:
        text = QCoreApplication.translate("Tray", "1 call log waiting for %1")
    else:
        text = QCoreApplication.translate("Tray", "%2 call logs waiting for %1").replace(
            "%2", str(status.waiting_logs)
        )
    return text.replace("%1", crm_name(status))


def status_line(status: Status, paused: bool) -> str:
    """`Connected · HubSpot connected · 3 call logs waiting for HubSpot · pop-ups paused`."""
    parts = [link_words(status)]
    if status.link is not LinkState.NOT_CONFIGURED and not status.gateway_down:
        parts.append(crm_text(status.crm, status))
    if waiting_text(status):
        parts.append(waiting_text(status))
    if paused:
        parts.append(QCoreApplication.translate("Tray", "pop-ups paused"))
    return " · ".join(parts)


def trouble_line(status: Status) -> str:
    """`HubSpot failing since 14:02 · 3 call logs waiting for HubSpot` ("" while all is well)."""
    parts = []
    if status.link in (LinkState.RECONNECTING, LinkState.ERROR):
        parts.append(link_words(status))
    if status.crm in CRM_TROUBLE:
        parts.append(crm_text(status.crm, status))
    if waiting_text(status):
        parts.append(waiting_text(status))
    return " · ".join(parts)


def status_details(status: Status) -> str:
    """The sentences explaining the status (PBX reason, CRM problem), in the interface language."""
    # a link in error says its sentence in the status line already
    lines = [tr_text(status.message)] if status.message and status.link is not LinkState.ERROR else []
    if status.crm_problem and status.crm_problem != status.message:
        lines.append(tr_text(status.crm_problem))
    return "\n".join(lines)


def recent_line(call: CallView, today: dt.date | None = None) -> str:
    """`Alice Smith — 09:31, incoming` (the date too when not today)."""
    who = (
        call.chosen.display_name
        if call.chosen
        else (call.records[0].display_name if len(call.records) == 1 else call.number)
    )
    local = call.started_at.astimezone()
    when = (
        local.strftime("%H:%M")
        if local.date() == (today or dt.date.today())
        else local.strftime("%Y-%m-%d %H:%M")
    )
    if call.direction is Direction.INBOUND and call.outcome is Outcome.NO_ANSWER:
        how = QCoreApplication.translate("Tray", "missed")
    elif call.direction is Direction.INBOUND:
        how = QCoreApplication.translate("Tray", "incoming")
    elif call.direction is Direction.OUTBOUND:
        how = QCoreApplication.translate("Tray", "outgoing")
    else:
        how = QCoreApplication.translate("Tray", "internal")
    return f"{who} — {when}, {how}"


class TrayMenu(QMenu):
    """Status line, recent calls, dial box, pause, settings, logs, about and quit.

    Signals:
        open_call(str): open the CRM record of a recent call.
        add_call(str): add the unknown number of a recent call to the CRM.
        dial(str), query(str): from the dial box (call; text typed for suggestions).
        pause_toggled(bool), history_requested(), settings_requested(),
        crm_fix_requested(): the status line was chosen while the CRM is in trouble (open Settings > CRM)., logs_requested(), about_requested(), quit_requested().
    """

    open_call = Signal(str)
    add_call = Signal(str)
    dial = Signal(str)
    query = Signal(str)
    pause_toggled = Signal(bool)
    history_requested = Signal()
    crm_fix_requested = Signal()
    settings_requested = Signal()
    logs_requested = Signal()
    about_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status = Status(LinkState.NOT_CONFIGURED, CrmState.NONE)
        self._recent: list[CallView] = []
        self.status_action = QAction(self)
        self.status_action.setEnabled(False)
        self.status_action.triggered.connect(self.crm_fix_requested)
        self.recent_menu = QMenu(self)
        self.dial_box = DialBox()
        self.dial_box.dial_requested.connect(self._on_dial)
        self.dial_box.query_changed.connect(self.query)
        self._dial_label = QLabel()
        self._dial_label.setBuddy(self.dial_box)
        dial_widget = QWidget()
        row = QHBoxLayout(dial_widget)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self._dial_label)
        row.addWidget(self.dial_box, 1)
        self.dial_action = QWidgetAction(self)
        self.dial_action.setDefaultWidget(dial_widget)
        self.pause_action = QAction(self, checkable=True)
        self.pause_action.toggled.connect(self.pause_toggled)
        self.history_action = QAction(self)
        self.history_action.triggered.connect(self.history_requested)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.settings_requested)
        self.logs_action = QAction(self)
        self.logs_action.triggered.connect(self.logs_requested)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.about_requested)
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.quit_requested)

        self.addAction(self.status_action)
        self.addSeparator()
        self.addMenu(self.recent_menu)
        self.addAction(self.history_action)
        self.addAction(self.dial_action)
        self.addSeparator()
        self.addAction(self.pause_action)
        self.addAction(self.settings_action)
        self.addAction(self.logs_action)
        self.addAction(self.about_action)
        self.addSeparator()
        self.addAction(self.quit_action)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.setTitle(APP_NAME)
        self.recent_menu.setTitle(self.tr("&Recent calls"))
        self._dial_label.setText(self.tr("&Dial:"))
        self.dial_box.setPlaceholderText(self.tr("Number or name"))
        self.dial_box.setAccessibleName(self.tr("Number to dial"))
        self.pause_action.setText(self.tr("&Pause pop-ups"))
        self.history_action.setText(self.tr("Call &history…"))
        self.settings_action.setText(self.tr("&Settings…"))
        self.logs_action.setText(self.tr("Open &logs folder"))
        self.about_action.setText(self.tr("&About %1").replace("%1", APP_NAME))
        self.quit_action.setText(self.tr("&Quit"))
        self.set_status(self._status)
        self.set_recent(self._recent)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_status(self, status: Status) -> None:
        """Show the connection status."""
        self._status = status
        self.status_action.setText(status_line(status, self.pause_action.isChecked()))
        self.status_action.setToolTip(status_details(status))
        self.status_action.setEnabled(status.crm in CRM_TROUBLE)  # choosing it opens Settings > CRM
        self.dial_action.setEnabled(status.link is LinkState.CONNECTED)

    def set_recent(self, calls: Sequence[CallView]) -> None:
        """Show the last calls, newest first."""
        self._recent = list(calls)[:MAX_RECENT]
        self.recent_menu.clear()
        for call in self._recent:
            action = self.recent_menu.addAction(recent_line(call))
            known = call.chosen is not None or bool(call.records)
            if known:
                action.setToolTip(self.tr("Open in CRM"))
                action.triggered.connect(lambda _=False, c=call.call_id: self.open_call.emit(c))
            else:
                action.setToolTip(self.tr("Add to CRM"))
                action.triggered.connect(lambda _=False, c=call.call_id: self.add_call.emit(c))
        if not self._recent:
            self.recent_menu.addAction(self.tr("No calls yet")).setEnabled(False)

    def _on_dial(self, number: str) -> None:
        self.dial.emit(number)
        self.hide()


class FallbackWindow(QMainWindow):
    """Where there is no system tray: a small window with the status and the tray's menu as menu bar."""

    def __init__(self, menu: TrayMenu) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon("app"))
        self.menuBar().addMenu(menu)
        self.icon_label = QLabel()
        self.status_label = QLabel()
        self.status_label.setAccessibleName(self.tr("Status"))
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(self.icon_label)
        head.addWidget(self.status_label, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(head)
        layout.addWidget(self.message_label)
        layout.addStretch(1)
        self.setCentralWidget(central)
        self.resize(360, 140)

    def show_status(self, text: str, message: str, status_icon: QIcon) -> None:
        """Show the status line, its explanation and the state icon."""
        self.status_label.setText(text)
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))
        self.icon_label.setPixmap(status_icon.pixmap(24, 24))
        self.setWindowIcon(status_icon)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing hides the window; the app keeps handling calls until Quit.
        event.ignore()
        self.hide()


class Tray(QObject):
    """The tray icon (or the fallback window) with its menu; shows the status and notifications.

    Signals:
        message_clicked(): the user clicked the last notification.
    """

    message_clicked = Signal()

    def __init__(self, parent: QObject | None = None, *, use_tray: bool | None = None) -> None:
        super().__init__(parent)
        self._status = Status(LinkState.NOT_CONFIGURED, CrmState.NONE)
        self.menu = TrayMenu()
        self.menu.pause_toggled.connect(lambda _p: self.set_status(self._status))
        if use_tray is None:
            use_tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon: QSystemTrayIcon | None = None
        self.window: FallbackWindow | None = None
        if use_tray:
            self.icon = QSystemTrayIcon(self)
            self.icon.setContextMenu(self.menu)
            self.icon.messageClicked.connect(self.message_clicked)
            self.icon.activated.connect(self._on_activated)
        else:
            self.window = FallbackWindow(self.menu)
        self.set_status(self._status)

    def show(self) -> None:
        """Show the tray icon (or the fallback window)."""
        if self.icon is not None:
            self.icon.show()
        else:
            assert self.window is not None
            self.window.show()

    def hide(self) -> None:
        """Remove the icon or window (quitting)."""
        if self.icon is not None:
            self.icon.hide()
        elif self.window is not None:
            self.window.hide()

    @property
    def paused(self) -> bool:
        """Whether the user paused pop-ups."""
        return self.menu.pause_action.isChecked()

    def set_status(self, status: Status) -> None:
        """Show `status` in the icon, the tooltip and the menu."""
        self._status = status
        self.menu.set_status(status)
        text = status_line(status, self.paused)
        state = state_icon(status.link, self.paused, status.crm)
        details = status_details(status)
        tooltip = f"{APP_NAME}\n{text}" + (f"\n{details}" if details else "")
        if self.icon is not None:
            self.icon.setIcon(state)
            self.icon.setToolTip(tooltip)
        if self.window is not None:
            self.window.show_status(text, details, state)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # macOS opens the menu on press by itself; elsewhere a left click shows it too.
        if reason is QSystemTrayIcon.ActivationReason.Trigger and sys.platform != "darwin":
            self.menu.popup(QCursor.pos())

    def notify(self, title: str, text: str) -> bool:
        """Show a desktop notification; False when this desktop cannot show one."""
        if self.icon is None or not QSystemTrayIcon.supportsMessages():
            return False
        self.icon.showMessage(title, text, icon("app"), 10000)
        return True
