"""The call history window: the calls of the last days, searchable, with call back, open and add to CRM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkus_companion.backend import CallView, HistoryItem
from linkus_companion.engine.history import Delivery
from linkus_companion.model import Direction
from linkus_companion.phone import display
from linkus_companion.ui.call_card import state_text
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.resources import icon

DAYS = 30
COLUMNS = 6


def when_text(moment: dt.datetime, today: dt.date | None = None) -> str:
    """`Today 09:31`, `Yesterday 17:02` or `2026-12-01 09:31` in local time."""
    local = moment.astimezone()
    today = today or dt.date.today()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return QCoreApplication.translate("History", "Today %1").replace("%1", clock)
    if local.date() == today - dt.timedelta(days=1):
        return QCoreApplication.translate("History", "Yesterday %1").replace("%1", clock)
    return local.strftime("%Y-%m-%d %H:%M")


def duration_text(seconds: int) -> str:
    """`4:05`, or `1:02:03` past an hour; `—` when nobody talked."""
    if seconds <= 0:
        return "—"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def log_state(item: HistoryItem, crm: str) -> str:
    """Whether the call log reached the CRM, in a few words."""
    return {
        Delivery.DELIVERED: QCoreApplication.translate("History", "Logged in %1"),
        Delivery.WAITING: QCoreApplication.translate("History", "Waiting for %1"),
        Delivery.FAILED: QCoreApplication.translate("History", "Refused by %1"),
        Delivery.NONE: QCoreApplication.translate("History", "Not logged"),
        Delivery.ELSEWHERE: QCoreApplication.translate("History", "Logged by the site gateway"),
    }[item.log].replace("%1", crm or QCoreApplication.translate("History", "the CRM"))


def log_text(item: HistoryItem, crm: str) -> str:
    """Whether the call log reached the CRM, with the whole reason when it did not."""
    text = log_state(item, crm)
    return f"{text}: {tr_text(item.log_error)}" if item.log_error else text


def name_text(call: CallView, looked_up: bool = True) -> str:
    """The record the call was logged against: none for an unknown caller, not known yet when the CRM
    could not be asked (its log looks the number up when it reaches the CRM)."""
    if call.chosen is not None:
        return call.chosen.display_name
    if len(call.records) > 1:
        return QCoreApplication.translate("History", "%1 matching records").replace(
            "%1", str(len(call.records))
        )
    if call.direction is Direction.INTERNAL:
        return ""
    if not looked_up:
        return QCoreApplication.translate("History", "Not looked up (CRM unreachable)")
    return QCoreApplication.translate("History", "No CRM record")


class HistoryWindow(QWidget):
    """Calls of the last DAYS days from `load(text)`, newest first.

    Signals (each carries the call id): call_back(str), open_in_crm(str), add_to_crm(str);
    note_written(str, str) also carries the note to put into the call's CRM log.
    """

    call_back = Signal(str)
    open_in_crm = Signal(str)
    add_to_crm = Signal(str)
    note_written = Signal(str, str)

    def __init__(
        self, load: Callable[[str], Sequence[HistoryItem]], region: str = "US", crm: str = ""
    ) -> None:
        super().__init__()
        self._load = load
        self._region = region
        self._crm = crm
        self._items: list[HistoryItem] = []
        self.setWindowIcon(icon("app"))
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self._search_label = QLabel()
        self._search_label.setBuddy(self.search)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(250)
        self._pause.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._pause.start)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(COLUMNS - 1, QHeaderView.ResizeMode.Stretch)
        # A row is one line, two when the log has a reason (elided in the cell): the whole reason is in the
        # cell's tooltip and under the table for the selected call.
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemActivated.connect(lambda _item: self._activate())
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel()
        """The selected call's log state with its whole reason (when there is one)."""
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.call_back_button = QPushButton()
        self.open_button = QPushButton()
        self.add_button = QPushButton()
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.edit_note)
        self.note_dialog: QInputDialog | None = None
        self.call_back_button.clicked.connect(lambda: self._emit(self.call_back))
        self.open_button.clicked.connect(lambda: self._emit(self.open_in_crm))
        self.add_button.clicked.connect(lambda: self._emit(self.add_to_crm))
        top = QHBoxLayout()
        top.addWidget(self._search_label)
        top.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        for button in (self.call_back_button, self.open_button, self.add_button, self.note_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.resize(960, 460)  # the log's state and most of a reason fit beside the other columns
        self.retranslate()

    def retranslate(self) -> None:
        """Every text in the current language."""
        self.setWindowTitle(QCoreApplication.translate("History", "Call history"))
        self._search_label.setText(QCoreApplication.translate("History", "&Search:"))
        self.search.setPlaceholderText(QCoreApplication.translate("History", "Name or number"))
        self.search.setAccessibleName(QCoreApplication.translate("History", "Search calls by name or number"))
        self.table.setAccessibleName(QCoreApplication.translate("History", "Calls"))
        self.table.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("History", "Date and time"),
                QCoreApplication.translate("History", "Call"),
                QCoreApplication.translate("History", "Number"),
                QCoreApplication.translate("History", "Name"),
                QCoreApplication.translate("History", "Duration"),
                QCoreApplication.translate("History", "CRM call log"),
            ]
        )
        self.call_back_button.setText(QCoreApplication.translate("History", "&Call back"))
        self.open_button.setText(QCoreApplication.translate("History", "&Open in CRM"))
        self.add_button.setText(QCoreApplication.translate("History", "&Add to CRM"))
        self.note_button.setText(QCoreApplication.translate("History", "Edit &note…"))
        self.show_items(self._items)

    def hideEvent(self, event: QHideEvent) -> None:
        self._pause.stop()  # a search typed just before closing is not run against a store shut meanwhile
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refresh(self) -> None:
        """Load the calls matching the search text."""
        self.show_items(self._load(self.search.text()))

    def show_items(self, items: Sequence[HistoryItem]) -> None:
        """Fill the table."""
        self._items = list(items)
        self.table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            call = item.call
            talk = (
                round((call.ended_at - call.answered_at).total_seconds())
                if call.ended_at and call.answered_at
                else 0
            )
            texts = (
                when_text(call.started_at),
                state_text(call),
                display(call.number, self._region),
                name_text(call, item.looked_up),
                duration_text(talk),
                log_state(item, self._crm) + (f"\n{tr_text(item.log_error)}" if item.log_error else ""),
            )
            for column, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                cell.setToolTip(log_text(item, self._crm) if column == COLUMNS - 1 else text)
                self.table.setItem(row, column, cell)
        searching = bool(self.search.text().strip())
        self.empty.setText(
            QCoreApplication.translate("History", "No call matches the search.")
            if searching
            else QCoreApplication.translate("History", "No calls in the last %1 days.").replace(
                "%1", str(DAYS)
            )
        )
        self.empty.setVisible(not self._items)
        if self._items and not self.table.selectedItems():
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> HistoryItem | None:
        """The call of the selected row."""
        rows = self.table.selectionModel().selectedRows()
        return self._items[rows[0].row()] if rows and rows[0].row() < len(self._items) else None

    def _update_buttons(self) -> None:
        item = self.selected()
        known = item is not None and item.call.chosen is not None
        self.call_back_button.setEnabled(item is not None)
        self.open_button.setEnabled(known)
        self.add_button.setEnabled(item is not None and not known)
        self.note_button.setEnabled(item is not None and item.log is not Delivery.NONE)
        self.detail.setText(log_text(item, self._crm) if item is not None and item.log_error else "")
        self.detail.setVisible(bool(self.detail.text()))

    def edit_note(self) -> QInputDialog | None:
        """Ask for a note for the selected call; the note goes into its CRM log (`note_written`)."""
        item = self.selected()
        if item is None:
            return None
        dialog = QInputDialog(self)
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        dialog.setWindowTitle(QCoreApplication.translate("History", "Note for the call log"))
        dialog.setLabelText(
            QCoreApplication.translate("History", "The note is added to this call's log in %1:").replace(
                "%1", self._crm or QCoreApplication.translate("History", "the CRM")
            )
        )
        call_id = item.call.call_id
        dialog.textValueSelected.connect(lambda text: self.note_written.emit(call_id, text))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.note_dialog = dialog
        return dialog

    def _activate(self) -> None:
        item = self.selected()
        if item is not None:
            self._emit(self.open_in_crm if item.call.chosen is not None else self.call_back)

    def _emit(self, signal: SignalInstance) -> None:
        item = self.selected()
        if item is not None:
            signal.emit(item.call.call_id)
