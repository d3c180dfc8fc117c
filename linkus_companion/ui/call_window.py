"""The in-call window: one small, non-modal window per active call that never steals focus while ringing."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from linkus_companion.backend import CallPhase, CallView
from linkus_companion.model import Direction
from linkus_companion.ui.resources import icon
from linkus_companion.ui.widgets.elapsed import ElapsedLabel
from linkus_companion.ui.widgets.record_picker import RecordPicker

MARGIN = 16
"""Pixels between the windows and from the screen edge."""


class CallWindow(QWidget):
    """Shows one call: number, matched name and company (or Unknown), direction, phase and duration.

    Signals:
        open_requested(str): call id whose chosen record to open in the CRM (manual pop).
        add_requested(str): call id whose number to add to the CRM.
        record_chosen(str, str): call id and the record id the user picked among several.
        closed(str): call id; the window was closed.
    """

    open_requested = Signal(str)
    add_requested = Signal(str)
    record_chosen = Signal(str, str)
    closed = Signal(str)

    def __init__(self, call: CallView, *, can_create: bool = True) -> None:
        super().__init__(None)
        self.call = call
        self._can_create = can_create
        self.setWindowFlags(
            Qt.WindowType.Window
            | Qt.WindowType.Tool
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        # Shown over whatever the user works in, without taking the keyboard from it.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self.setWindowIcon(icon("app"))
        self.setMinimumWidth(300)

        self._heading = QLabel()
        self._number = QLabel()
        self._number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = self._number.font()
        big.setPointSizeF(big.pointSizeF() * 1.4)
        big.setBold(True)
        self._number.setFont(big)
        self._name = QLabel()
        self._name.setWordWrap(True)
        bold = self._name.font()
        bold.setBold(True)
        self._name.setFont(bold)
        self._company = QLabel()
        self._elapsed = ElapsedLabel(self)
        self._elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._picker_label = QLabel()
        self._picker = RecordPicker(self)
        self._picker.picked.connect(lambda record_id: self.record_chosen.emit(self.call.call_id, record_id))
        self._picker_label.setBuddy(self._picker)
        self._use = QPushButton()
        self._use.clicked.connect(self._picker.pick_current)
        self._open = QPushButton()
        self._open.clicked.connect(lambda: self.open_requested.emit(self.call.call_id))
        self._add = QPushButton()
        self._add.clicked.connect(lambda: self.add_requested.emit(self.call.call_id))
        self._close = QPushButton()
        self._close.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self._heading, 1)
        top.addWidget(self._elapsed)
        buttons = QHBoxLayout()
        buttons.addWidget(self._open)
        buttons.addWidget(self._add)
        buttons.addStretch(1)
        buttons.addWidget(self._close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._number)
        layout.addWidget(self._name)
        layout.addWidget(self._company)
        layout.addWidget(self._picker_label)
        layout.addWidget(self._picker)
        layout.addWidget(self._use, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(buttons)
        self.retranslate()

    def update_call(self, call: CallView) -> None:
        """Show the call's new state; leaving the ringing phase lets the window take focus."""
        was_ringing = self.call.phase is CallPhase.RINGING
        self.call = call
        if was_ringing and call.phase is not CallPhase.RINGING:
            self._accept_focus()
        self._refresh()

    @property
    def accepts_focus(self) -> bool:
        """False while ringing (the window must not take the keyboard from the user's work)."""
        return not self.windowFlags() & Qt.WindowType.WindowDoesNotAcceptFocus

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self._picker_label.setText(self.tr("Several records share this number. &Choose one:"))
        self._use.setText(self.tr("&Use this record"))
        self._open.setText(self.tr("&Open in CRM"))
        self._add.setText(self.tr("&Add to CRM…"))
        self._close.setText(self.tr("Close"))
        self._number.setAccessibleName(self.tr("Phone number"))
        self._elapsed.setAccessibleName(self.tr("Duration"))
        self._picker.setAccessibleName(self.tr("Matching records"))
        self._open.setAccessibleName(self.tr("Open the caller's page in the CRM"))
        self._add.setAccessibleName(self.tr("Add this number to the CRM"))
        self._close.setAccessibleName(self.tr("Close the call window"))
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == event.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit(self.call.call_id)
        super().closeEvent(event)

    def _accept_focus(self) -> None:
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus, False)
        if visible:  # changing flags hides a window; show it again, still without activating it
            self.show()

    def _refresh(self) -> None:
        call = self.call
        self._heading.setText(self._heading_text())
        self._number.setText(call.number)
        self.setWindowTitle(f"{call.number} — {self._heading_text()}")
        record = call.chosen or (call.records[0] if len(call.records) == 1 else None)
        if call.looking_up:
            name = self.tr("Looking up the CRM…")
        elif call.lookup_error:
            name = self.tr("CRM lookup failed: %1").replace("%1", call.lookup_error)
        elif record is not None:
            name = record.display_name
        elif call.needs_choice:
            name = self.tr("%1 matching records").replace("%1", str(len(call.records)))
        else:
            name = self.tr("Unknown")
        self._name.setText(name)
        company = record.company if record is not None else ""
        self._company.setText(company)
        self._company.setVisible(bool(company))
        several = len(call.records) > 1
        for widget in (self._picker_label, self._picker, self._use):
            widget.setVisible(several)
        if several:
            self._picker.set_records(call.records, call.chosen.id if call.chosen else None)
        self._open.setEnabled(record is not None)
        self._add.setVisible(self._can_create and call.unknown)
        if call.phase is CallPhase.RINGING:
            self._elapsed.set_span(call.started_at)
        else:
            self._elapsed.set_span(call.answered_at or call.started_at, call.ended_at)
        self.setAccessibleName(f"{self._heading_text()}: {call.number} {name}")

    def _heading_text(self) -> str:
        call = self.call
        direction = {
            Direction.INBOUND: self.tr("Incoming call"),
            Direction.OUTBOUND: self.tr("Outgoing call"),
            Direction.INTERNAL: self.tr("Internal call"),
        }[call.direction]
        phase = {
            CallPhase.RINGING: self.tr("ringing"),
            CallPhase.TALKING: self.tr("answered"),
            CallPhase.HELD: self.tr("on hold"),
            CallPhase.ENDED: self.tr("call ended"),
        }[call.phase]
        return f"{direction} · {phase}"


class CallWindowStack(QObject):
    """One CallWindow per active call, stacked upwards from the bottom-right corner of the screen.

    A window of an ended call closes itself after `linger_ms` when there is nothing left to do (the
    caller is known); an unknown caller's window stays so the user can still add the number.

    Signals:
        open_requested(str), add_requested(str), record_chosen(str, str): as CallWindow's.
    """

    open_requested = Signal(str)
    add_requested = Signal(str)
    record_chosen = Signal(str, str)

    def __init__(self, parent: QObject | None = None, *, linger_ms: int = 20000) -> None:
        super().__init__(parent)
        self._linger_ms = linger_ms
        self._windows: dict[str, CallWindow] = {}
        self.can_create = True

    def windows(self) -> list[CallWindow]:
        """The open windows, oldest first."""
        return list(self._windows.values())

    def window(self, call_id: str) -> CallWindow | None:
        """The window of `call_id`, if open."""
        return self._windows.get(call_id)

    def show_call(self, call: CallView) -> CallWindow | None:
        """Create or update the window of `call` (an ended call that has no window gets none)."""
        window = self._windows.get(call.call_id)
        if window is None:
            if call.phase is CallPhase.ENDED:
                return None
            window = CallWindow(call, can_create=self.can_create)
            window.open_requested.connect(self.open_requested)
            window.add_requested.connect(self.add_requested)
            window.record_chosen.connect(self.record_chosen)
            window.closed.connect(self._forget)
            self._windows[call.call_id] = window
            window.adjustSize()
            window.show()
            self._reflow()
        else:
            window.update_call(call)
            window.adjustSize()
        if call.phase is CallPhase.ENDED and not call.unknown and self._linger_ms > 0:
            QTimer.singleShot(self._linger_ms, window, window.close)
        return window

    def close_all(self) -> None:
        """Close every window (quitting)."""
        for window in self.windows():
            window.close()

    def _forget(self, call_id: str) -> None:
        window = self._windows.pop(call_id, None)
        if window is not None:
            window.deleteLater()
        self._reflow()

    def _reflow(self) -> None:
        area = QGuiApplication.primaryScreen().availableGeometry()
        bottom = area.bottom() - MARGIN
        for window in self._windows.values():
            size = window.frameGeometry().size()
            top_left = QPoint(area.right() - MARGIN - size.width(), bottom - size.height())
            window.move(top_left.x(), max(area.top(), top_left.y()))
            bottom = top_left.y() - MARGIN
