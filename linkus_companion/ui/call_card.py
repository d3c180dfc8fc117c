"""One call on the call panel: who is calling, what the CRM knows, and what the user can do about it."""

from __future__ import annotations

import datetime as dt
import itertools

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from linkus_companion.backend import CallPhase, CallView
from linkus_companion.model import CallNote, Direction, Disposition, Outcome, Record, RecordKind
from linkus_companion.phone import display
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.widgets.elapsed import ElapsedLabel
from linkus_companion.ui.widgets.record_picker import RecordPicker


def state_text(call: CallView) -> str:
    """The call's direction and state in words, e.g. `Incoming call · missed`."""
    direction = {
        Direction.INBOUND: QCoreApplication.translate("CallCard", "Incoming call"),
        Direction.OUTBOUND: QCoreApplication.translate("CallCard", "Outgoing call"),
        Direction.INTERNAL: QCoreApplication.translate("CallCard", "Internal call"),
    }[call.direction]
    if call.state_unknown and call.phase is not CallPhase.ENDED:
        unknown = QCoreApplication.translate("CallCard", "gateway unreachable — state unknown")
        return f"{direction} · {unknown}"
    return f"{direction} · {_state(call)}"


def _state(call: CallView) -> str:
    if call.phase is CallPhase.RINGING:
        return QCoreApplication.translate("CallCard", "ringing")
    if call.phase is CallPhase.TALKING:
        return QCoreApplication.translate("CallCard", "talking")
    if call.phase is CallPhase.HELD:
        return QCoreApplication.translate("CallCard", "on hold")
    if call.transferred_to_name:
        named = QCoreApplication.translate("CallCard", "transferred to %1 (%2)")
        return named.replace("%1", call.transferred_to_name).replace("%2", call.transferred_to)
    if call.transferred_to:
        return QCoreApplication.translate("CallCard", "transferred to %1").replace("%1", call.transferred_to)
    if call.outcome is Outcome.NO_ANSWER:
        return (
            QCoreApplication.translate("CallCard", "missed")
            if call.direction is Direction.INBOUND
            else QCoreApplication.translate("CallCard", "no answer")
        )
    return {
        Outcome.BUSY: QCoreApplication.translate("CallCard", "busy"),
        Outcome.VOICEMAIL: QCoreApplication.translate("CallCard", "voicemail"),
        Outcome.FAILED: QCoreApplication.translate("CallCard", "failed"),
    }.get(call.outcome or Outcome.ANSWERED, QCoreApplication.translate("CallCard", "ended"))


def kind_text(kind: RecordKind) -> str:
    """A record kind in words."""
    return {
        RecordKind.CONTACT: QCoreApplication.translate("CallCard", "Contact"),
        RecordKind.LEAD: QCoreApplication.translate("CallCard", "Lead"),
        RecordKind.ACCOUNT: QCoreApplication.translate("CallCard", "Company"),
    }[kind]


def disposition_text(disposition: Disposition) -> str:
    """A call outcome the user may pick, in words."""
    return {
        Disposition.CONNECTED: QCoreApplication.translate("CallCard", "Connected"),
        Disposition.LEFT_MESSAGE: QCoreApplication.translate("CallCard", "Left live message"),
        Disposition.LEFT_VOICEMAIL: QCoreApplication.translate("CallCard", "Left voicemail"),
        Disposition.NO_ANSWER: QCoreApplication.translate("CallCard", "No answer"),
        Disposition.BUSY: QCoreApplication.translate("CallCard", "Busy"),
        Disposition.WRONG_NUMBER: QCoreApplication.translate("CallCard", "Wrong number"),
        Disposition.INTERESTED: QCoreApplication.translate("CallCard", "Interested"),
        Disposition.NOT_INTERESTED: QCoreApplication.translate("CallCard", "Not interested"),
        Disposition.MORE_INFO: QCoreApplication.translate("CallCard", "Requested more info"),
        Disposition.CALL_BACK: QCoreApplication.translate("CallCard", "Requested call back"),
    }[disposition]


def _visible(widget: QWidget, visible: bool) -> None:
    """Show or hide `widget`, touching it only when that changes (each change re-lays the card out)."""
    if widget.isHidden() == visible:
        widget.setVisible(visible)


def _show(label: QLabel, text: str) -> None:
    """Put `text` in `label` if it changed; an empty label is hidden."""
    if label.text() != text:
        label.setText(text)
    _visible(label, bool(text))


class CallCard(QFrame):
    """Shows one call; every action is a button reachable with Tab and Enter.

    Signals (each carries the call id):
        open_requested(str), add_requested(str), retry_requested(str), call_back_requested(str),
        dismissed(str); record_chosen(str, str) also carries the id of the record picked;
        note_saved(str, object): the call id and the CallNote typed for its CRM log.
    """

    open_requested = Signal(str)
    add_requested = Signal(str)
    retry_requested = Signal(str)
    call_back_requested = Signal(str)
    record_chosen = Signal(str, str)
    dismissed = Signal(str)
    note_saved = Signal(str, object)

    def __init__(self, call: CallView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call = call
        self.region = "US"
        self.crm_name = ""
        self.can_create = True
        self.note_minutes = 15
        """How long after the call ended the card still takes a note."""
        self.dispositions: tuple[Disposition, ...] = ()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self._heading = QLabel()
        self._elapsed = ElapsedLabel(self)
        self._elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._number = QLabel()
        self._number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = self._number.font()
        big.setPointSizeF(big.pointSizeF() * 1.25)
        big.setBold(True)
        self._number.setFont(big)
        self._name = QLabel()
        self._name.setWordWrap(True)
        bold = self._name.font()
        bold.setBold(True)
        self._name.setFont(bold)
        self._details = QLabel()
        self._details.setWordWrap(True)
        self._error = QLabel()
        self._error.setWordWrap(True)
        self._error.setStyleSheet("color: #b3261e;")
        # The pick list is built the first time several records share the number (most calls never need it).
        self._chooser: QWidget | None = None
        self._picker_label: QLabel | None = None
        self._picker: RecordPicker | None = None
        self._use: QPushButton | None = None
        self._open = self._button(self.open_requested)
        self._add = self._button(self.add_requested)
        self._retry = self._button(self.retry_requested)
        self._call_back = self._button(self.call_back_requested)
        self._dismiss = self._button(self.dismissed)
        self._note = QPlainTextEdit()
        self._note.setTabChangesFocus(True)
        self._note.setFixedHeight(self._note.fontMetrics().lineSpacing() * 3 + 10)
        self._note.installEventFilter(self)
        self._note.textChanged.connect(self._note_edited)
        self._disposition = QComboBox()
        # The outcome list shrinks to the card; a long outcome is elided rather than widening the panel.
        self._disposition.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._disposition.setMinimumContentsLength(8)
        self._disposition.currentIndexChanged.connect(self._note_edited)
        self._save_note = QPushButton()
        self._save_note.setAutoDefault(True)
        self._save_note.clicked.connect(self.save_note)
        self._note_state = QLabel()
        self._note_state.setWordWrap(True)
        self._note_state.setVisible(False)  # says how saving went, once the user saved
        self._note_expiry = QTimer(self)
        self._note_expiry.setSingleShot(True)
        self._note_expiry.timeout.connect(self.refresh)

        top = QHBoxLayout()
        top.addWidget(self._heading, 1)
        top.addWidget(self._elapsed)
        top.addWidget(self._dismiss)  # beside the timer, so the action row fits the card in every language
        buttons = QHBoxLayout()
        for button in (self._open, self._add, self._retry, self._call_back):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self._number)
        layout.addWidget(self._name)
        layout.addWidget(self._details)
        layout.addWidget(self._error)
        layout.addWidget(self._note)
        note_row = QHBoxLayout()
        note_row.addWidget(self._disposition, 1)
        note_row.addWidget(self._save_note)
        layout.addLayout(note_row)
        layout.addWidget(self._note_state)
        layout.addLayout(buttons)
        self.retranslate()

    def _build_chooser(self) -> RecordPicker:
        """The pick list, its label and Use this record, under the lookup error."""
        self._chooser = QWidget(self)
        self._picker_label = QLabel()
        self._picker = RecordPicker(self._chooser)
        self._picker.setMaximumHeight(90)
        self._picker.picked.connect(lambda record_id: self.record_chosen.emit(self.call.call_id, record_id))
        self._picker_label.setBuddy(self._picker)
        self._use = QPushButton()
        self._use.clicked.connect(self._picker.pick_current)
        column = QVBoxLayout(self._chooser)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self._picker_label)
        column.addWidget(self._picker)
        column.addWidget(self._use, 0, Qt.AlignmentFlag.AlignLeft)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self._error) + 1, self._chooser)
        # Tab goes top to bottom: Dismiss, the list, Use this record, then the note and the card's buttons.
        chain: list[QWidget] = [self._dismiss, self._picker, self._use, self._note, self._disposition]
        chain += [self._save_note, self._open, self._add, self._retry, self._call_back]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._translate_chooser()
        return self._picker

    def _translate_chooser(self) -> None:
        if self._picker is None or self._picker_label is None or self._use is None:
            return
        self._picker_label.setText(self.tr("Several records share this number. &Choose one:"))
        self._use.setText(self.tr("&Use this record"))
        self._picker.setAccessibleName(self.tr("Matching records"))
        self._use.setAccessibleName(self.tr("Use the selected record for this call"))

    def _button(self, signal: SignalInstance) -> QPushButton:
        button = QPushButton()
        button.setAutoDefault(True)  # Enter presses the focused button
        button.clicked.connect(lambda: signal.emit(self.call.call_id))
        return button

    def update_call(self, call: CallView) -> None:
        """Show the call's new state."""
        self.call = call
        self.refresh()

    def reuse(self, call: CallView) -> None:
        """Show another call on this (dismissed) card: nothing typed or picked for the last one stays."""
        self._note_expiry.stop()
        for widget in (self._note, self._disposition):
            widget.blockSignals(True)
        self._note.clear()
        self._disposition.setCurrentIndex(0)
        for widget in (self._note, self._disposition):
            widget.blockSignals(False)
        self._save_note.setEnabled(True)
        self._note_state.setVisible(False)
        self.update_call(call)

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self._open.setText(self.tr("&Open in CRM"))
        self._add.setText(self.tr("&Add to CRM…"))
        self._retry.setText(self.tr("&Retry lookup"))
        self._call_back.setText(self.tr("Call &back"))
        self._dismiss.setText(self.tr("Dismiss"))
        self._number.setAccessibleName(self.tr("Phone number"))
        self._elapsed.setAccessibleName(self.tr("Duration"))
        self._open.setAccessibleName(self.tr("Open the caller's page in the CRM"))
        self._add.setAccessibleName(self.tr("Add this number to the CRM"))
        self._retry.setAccessibleName(self.tr("Look the number up in the CRM again"))
        self._call_back.setAccessibleName(self.tr("Call this number back"))
        self._dismiss.setAccessibleName(self.tr("Remove this call from the panel"))
        self._translate_chooser()
        self._note.setPlaceholderText(self.tr("Note for the call log"))
        self._note.setAccessibleName(self.tr("Note for the CRM call log"))
        self._disposition.setAccessibleName(self.tr("Call outcome"))
        self._save_note.setText(self.tr("&Save note"))
        self._save_note.setAccessibleName(self.tr("Save the note into the CRM call log"))
        self.set_dispositions(self.dispositions)
        self.refresh()

    # -- note -------------------------------------------------------------------------------------

    def set_dispositions(self, dispositions: tuple[Disposition, ...]) -> None:
        """The outcomes the CRM lets the user pick (none: no picker)."""
        current = self._disposition.currentData()
        self.dispositions = dispositions
        self._disposition.blockSignals(True)
        self._disposition.clear()
        self._disposition.addItem(self.tr("Outcome: as the call went"), None)
        for disposition in dispositions:
            self._disposition.addItem(disposition_text(disposition), disposition)
        self._disposition.setCurrentIndex(max(0, self._disposition.findData(current)))
        self._disposition.blockSignals(False)

    def note(self) -> CallNote:
        """What the user typed and picked."""
        picked = self._disposition.currentData()  # Qt hands the enum back as its str value
        return CallNote(self._note.toPlainText().strip(), Disposition(picked) if picked else None)

    def save_note(self) -> None:
        """Send the note to the call log (Ctrl+Enter in the note does the same)."""
        self._save_note.setEnabled(False)
        self._note_state.setText(self.tr("Saving…"))
        self._note_state.setVisible(True)
        self.note_saved.emit(self.call.call_id, self.note())

    def note_done(self) -> None:
        """The note reached the call log (or its outbox)."""
        self._note_state.setText(self.tr("Saved for the call log."))

    def note_failed(self, message: str) -> None:
        """The note could not be saved; what was typed stays."""
        self._save_note.setEnabled(True)
        self._note_state.setText(self.tr("Not saved: %1").replace("%1", message))

    def _note_edited(self) -> None:
        self._save_note.setEnabled(True)
        self._note_state.setVisible(False)

    def takes_note(self) -> bool:
        """While the call is live, and for `note_minutes` after it ended."""
        call = self.call
        if call.direction is Direction.INTERNAL:
            return False
        if call.phase is not CallPhase.ENDED or call.ended_at is None:
            return True
        left = call.ended_at + dt.timedelta(minutes=self.note_minutes) - dt.datetime.now(dt.UTC)
        if left.total_seconds() > 0:
            self._note_expiry.start(int(left.total_seconds() * 1000) + 100)
            return True
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._note and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.save_note()
                return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refresh(self) -> None:
        """Fill every widget from the call."""
        call = self.call
        ended = call.phase is CallPhase.ENDED
        heading = state_text(call)
        _show(self._heading, heading)
        number = display(call.number, self.region)
        _show(self._number, number)
        record = call.chosen or (call.records[0] if len(call.records) == 1 else None)
        if call.looking_up:
            name = self.tr("Looking up %1…").replace("%1", self.crm_name or self.tr("the CRM"))
        elif record is not None:
            name = record.display_name
        elif call.needs_choice:
            name = self.tr("%1 matching records").replace("%1", str(len(call.records)))
        elif call.lookup_error:
            name = self.tr("Not looked up")
        elif call.direction is Direction.INTERNAL:
            name = ""
        else:
            name = (
                self.tr("Unknown caller")
                if call.direction is Direction.INBOUND
                else self.tr("Not in the CRM")
            )
        _show(self._name, name)
        details = self._details_text(record)
        _show(self._details, details)
        error = (
            self.tr("The CRM lookup failed: %1").replace("%1", tr_text(call.lookup_error))
            if call.lookup_error
            else ""
        )
        _show(self._error, error)
        several = len(call.records) > 1
        if several:
            (self._picker or self._build_chooser()).set_records(
                call.records, call.chosen.id if call.chosen else None
            )
        if self._chooser is not None:
            _visible(self._chooser, several)
        _visible(self._open, record is not None)
        _visible(self._add, self._add_wanted(record))
        _visible(self._retry, bool(call.lookup_error) and not call.looking_up)
        _visible(self._call_back, ended and call.direction is not Direction.INTERNAL)
        _visible(self._dismiss, ended)
        noting = self.takes_note()
        _visible(self._note, noting)
        _visible(self._save_note, noting)
        _visible(self._disposition, noting and bool(self.dispositions))
        if not noting:
            _visible(self._note_state, False)
        if call.phase is CallPhase.RINGING:
            self._elapsed.set_span(call.started_at)
        elif ended and call.answered_at is None:
            self._elapsed.set_span(None)  # a missed call has no talk time to show (not "00:00")
        else:
            self._elapsed.set_span(call.answered_at or call.started_at, call.ended_at)
        self.setAccessibleName(f"{heading}: {number} {name}".strip())

    def _add_wanted(self, record: Record | None) -> bool:
        """Add to CRM for an unknown number, or one the CRM could not be asked about."""
        call = self.call
        if not self.can_create or record is not None or call.looking_up or call.needs_choice:
            return False
        return call.direction is not Direction.INTERNAL

    def _details_text(self, record: Record | None) -> str:
        """Record kind, company and CRM; the owner; when the record last changed."""
        if record is None:
            return ""
        parts = [kind_text(record.kind)]
        if record.company and record.company != record.display_name:
            parts.append(record.company)
        if self.crm_name:
            parts.append(self.crm_name)
        lines = [" · ".join(parts)]
        if self.call.owner_name:
            lines.append(self.tr("Owner: %1").replace("%1", self.call.owner_name))
        if record.updated_at is not None:
            when = record.updated_at.astimezone().date().isoformat()
            lines.append(self.tr("Last updated %1").replace("%1", when))
        return "\n".join(lines)
