"""Add to CRM: a small non-modal dialog that creates a contact or lead for the number of a call."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from linkus_companion import phone
from linkus_companion.model import NewRecord, Record, RecordKind

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_MAX_NOTE = 2000


def normalised_number(number: str, region: str) -> str:
    """E.164 when the number parses for `region`, else the number as given."""
    try:
        return phone.to_e164(number, region)
    except phone.InvalidNumber:
        return number.strip()


class AddRecordDialog(QDialog):
    """Collects a new record; `save_requested` carries it, the owner reports back with
    `saving_failed(message)` (everything typed stays) or `saved(record)`.

    Signals:
        save_requested(object): the NewRecord to create.
        open_requested(object): the created Record, to open in the CRM.
    """

    save_requested = Signal(object)
    open_requested = Signal(object)

    def __init__(
        self,
        number: str,
        *,
        kinds: Sequence[RecordKind] = (RecordKind.CONTACT,),
        default_kind: RecordKind = RecordKind.CONTACT,
        region: str = "US",
        crm_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setModal(False)
        self._region = region
        self._crm_name = crm_name
        self._created: Record | None = None
        kinds = [k for k in kinds if k in (RecordKind.CONTACT, RecordKind.LEAD)] or [RecordKind.CONTACT]

        self._kind_group = QButtonGroup(self)
        self._kind_buttons: dict[RecordKind, QRadioButton] = {}
        kind_row = QHBoxLayout()
        for kind in kinds:
            button = QRadioButton()
            self._kind_group.addButton(button)
            self._kind_buttons[kind] = button
            kind_row.addWidget(button)
        self._only_kind = QLabel()  # one kind to create: said in words, not as a lone radio button
        kind_row.addWidget(self._only_kind)
        kind_row.addStretch(1)
        self._kind_buttons.get(default_kind, self._kind_buttons[kinds[0]]).setChecked(True)
        for button in self._kind_buttons.values():
            button.setVisible(len(kinds) > 1)
        self._only_kind.setVisible(len(kinds) == 1)

        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.email = QLineEdit()
        self.company = QLineEdit()
        self.number = QLineEdit(
            phone.display(normalised_number(number, region), region)
        )  # as the card shows it
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 4 + 12)
        for edit in (self.first_name, self.last_name, self.company):
            edit.setMaxLength(80)
        self.email.setMaxLength(254)
        self.number.setMaxLength(phone.MAX_INPUT)

        self._form = QFormLayout()
        self._kind_label = QLabel()
        self._form.addRow(self._kind_label, kind_row)
        self._labels: list[tuple[QLabel, QWidget]] = []
        for widget in (self.first_name, self.last_name, self.email, self.company, self.number, self.note):
            label = QLabel()
            label.setBuddy(widget)
            self._labels.append((label, widget))
            self._form.addRow(label, widget)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.progress.setTextVisible(False)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = QPushButton()
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setVisible(False)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.open_button.clicked.connect(self._on_open)
        self.save_button.setDefault(True)
        self._showing_problem = False
        for edit in (self.first_name, self.last_name, self.email, self.company, self.number):
            edit.textChanged.connect(self._recheck)
        self.note.textChanged.connect(self._recheck)

        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.first_name.setFocus()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        crm = self._crm_name or self.tr("the CRM")
        self.setWindowTitle(self.tr("Add to CRM"))
        self._kind_label.setText(self.tr("Record type:"))
        names = {RecordKind.CONTACT: self.tr("&Contact"), RecordKind.LEAD: self.tr("L&ead")}
        for kind, button in self._kind_buttons.items():
            button.setText(names[kind])
            button.setAccessibleName(names[kind].replace("&", ""))
        only = next(iter(self._kind_buttons))
        self._only_kind.setText(
            self.tr("%1 in %2").replace("%1", names[only].replace("&", "")).replace("%2", crm)
        )
        texts = (
            self.tr("&First name:"),
            self.tr("&Last name:"),
            self.tr("E-&mail:"),
            self.tr("C&ompany:"),
            self.tr("&Number:"),
            self.tr("No&te:"),
        )
        for (label, widget), text in zip(self._labels, texts, strict=True):
            label.setText(text)
            widget.setAccessibleName(text.replace("&", "").rstrip(":\uff1a"))
        self.first_name.setPlaceholderText(self.tr("First or last name is required"))
        self.email.setPlaceholderText(self.tr("name@example.com"))
        self.open_button.setText(self.tr("&Open in %1").replace("%1", crm))
        self.message.setAccessibleName(self.tr("Message"))
        self.progress.setAccessibleName(self.tr("Saving"))

    def record(self) -> NewRecord:
        """What the user typed, as a NewRecord (not validated)."""
        kind = next(k for k, b in self._kind_buttons.items() if b.isChecked())
        return NewRecord(
            kind=kind,
            phone=normalised_number(self.number.text(), self._region),
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            email=self.email.text().strip(),
            company=self.company.text().strip(),
            note=self.note.toPlainText().strip(),
        )

    def problem(self) -> tuple[str, QWidget] | None:
        """The first thing to fix, and the field to fix it in; None when the input is fine."""
        new = self.record()
        if not new.first_name and not new.last_name:
            return self.tr("Enter a first name or a last name."), self.first_name
        if new.email and not _EMAIL.fullmatch(new.email):
            return self.tr("Enter an e-mail address like name@example.com, or leave it empty."), self.email
        try:
            number = phone.parse(self.number.text(), self._region)
        except phone.InvalidNumber:
            return self.tr("Enter the phone number with digits only, e.g. +1 555 0100."), self.number
        if number.internal:
            return self.tr("This is an internal extension, not a customer's number."), self.number
        if len(new.note) > _MAX_NOTE:
            return self.tr("Shorten the note to at most %1 characters.").replace(
                "%1", str(_MAX_NOTE)
            ), self.note
        return None

    def submit(self) -> None:
        """Validate; ask for the record to be saved, or say what to fix."""
        problem = self.problem()
        if problem is not None:
            text, widget = problem
            self._say(text, error=True)
            self._showing_problem = True
            widget.setFocus()
            return
        self._showing_problem = False
        self._set_busy(True)
        self._say(self.tr("Saving…"))
        self.save_requested.emit(self.record())

    def saving_failed(self, message: str) -> None:
        """Saving failed: keep everything typed and say what to fix."""
        self._set_busy(False)
        self._say(self.tr("Not saved: %1").replace("%1", message), error=True)
        self.save_button.setText(self.tr("Try again"))
        self.first_name.setFocus()

    def saved(self, record: Record) -> None:
        """Saving worked: say so and offer to open the new record."""
        self._created = record
        self._set_busy(False)
        for widget in (*(w for _, w in self._labels), *self._kind_buttons.values()):
            widget.setEnabled(False)
        self._say(self.tr("Saved %1.").replace("%1", record.display_name or record.id))
        self.save_button.setVisible(False)
        self.cancel_button.setText(self.tr("Close"))
        self.open_button.setVisible(True)
        self.open_button.setDefault(True)
        self.open_button.setFocus()

    @property
    def busy(self) -> bool:
        """True while saving."""
        return self.progress.isVisible()

    def reject(self) -> None:
        """Cancel is refused while saving (the CRM may still create the record)."""
        if not self.busy:
            super().reject()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        for widget in (*(w for _, w in self._labels), *self._kind_buttons.values()):
            widget.setEnabled(not busy)

    def _recheck(self) -> None:
        """A validation message follows the input: the next problem, or gone once all is fixed."""
        if not self._showing_problem:
            return
        problem = self.problem()
        if problem is None:
            self._showing_problem = False
            self.message.setVisible(False)
        else:
            self._say(problem[0], error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "")
        self.message.setVisible(True)

    def _on_open(self) -> None:
        if self._created is not None:
            self.open_requested.emit(self._created)
        self.accept()
