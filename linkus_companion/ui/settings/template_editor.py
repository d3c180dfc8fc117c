"""Call-log templates: the subject and description editors with a live preview and the variable list."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from linkus_companion.config import Settings
from linkus_companion.engine import templates
from linkus_companion.model import Direction, Outcome
from linkus_companion.ui.settings.fields import SettingField
from linkus_companion.ui.settings.labels import label

SAMPLE = templates.CallFacts(
    call_id="1772440200.42",
    direction=Direction.INBOUND,
    outcome=Outcome.ANSWERED,
    started_at=dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
    talk_seconds=185,
    ring_seconds=7,
    from_number="+14155550123",
    to_number="1001",
    extension="1001",
    extension_name="Alex Chen",
    contact_name="Alice Smith",
    company="Acme Corp",
    recording_url="https://pbx.example.com/recording/1772440200.42",
    did="+14155550100",
)
"""The call the preview shows."""

KEYS = ("calllog.subject", "calllog.description")


def _text(widget: QWidget) -> str:
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    assert isinstance(widget, QLineEdit)
    return widget.text()


class TemplateEditor(QWidget):
    """Both templates with their preview as the user types, unknown variables named, and the variable
    list (Enter or a double click inserts the variable where the cursor was)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *, tz: dt.tzinfo = dt.UTC) -> None:
        super().__init__(parent)
        self._values = templates.call_variables(SAMPLE, tz)
        self.fields = {key: SettingField(settings, key) for key in KEYS}
        self.previews = {key: QLabel() for key in KEYS}
        self._last_editor: QWidget = self.fields[KEYS[1]].editor
        self._row_labels = {key: (QLabel(), QLabel()) for key in KEYS}
        """Each template's row label and its preview's."""
        form = QFormLayout()
        for key in KEYS:
            field = self.fields[key]
            name, preview_label = self._row_labels[key]
            form.addRow(name, field)
            preview = self.previews[key]
            preview.setWordWrap(True)
            preview.setTextFormat(Qt.TextFormat.PlainText)
            preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(preview_label, preview)
            editor = field.editor
            assert isinstance(editor, QLineEdit | QPlainTextEdit)
            editor.textChanged.connect(self.refresh)
            field.editor.installEventFilter(self)
        self.variables = QListWidget()
        self.variables.setWordWrap(True)  # a long meaning (Chinese glosses) wraps instead of being cut
        self.variables.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.variables.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for variable in templates.VARIABLES:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, variable)
            self.variables.addItem(item)
        self.variables.itemActivated.connect(self._insert)
        self.insert_button = QPushButton()
        self.insert_button.clicked.connect(lambda: self._insert(self.variables.currentItem()))
        self.defaults_note = QLabel()
        self.defaults_note.setWordWrap(True)
        self._variables_label = QLabel()
        self._variables_label.setBuddy(self.variables)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.defaults_note)
        layout.addWidget(self._variables_label)
        layout.addWidget(self.variables, 1)
        layout.addWidget(self.insert_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.retranslate()

    def retranslate(self) -> None:
        """Every text around the templates in the current language (the templates are the user's)."""
        for key, (name, preview_label) in self._row_labels.items():
            name.setText(label(key))
            preview_label.setText(self.tr("Preview:"))
            self.previews[key].setAccessibleName(self.tr("Preview of %1").replace("%1", label(key)))
        self.variables.setAccessibleName(self.tr("Template variables"))
        for row, (variable, meaning) in enumerate(templates.VARIABLES.items()):
            meaning = QCoreApplication.translate("TemplateVariables", meaning)
            item = self.variables.item(row)
            item.setText(f"{{{{.{variable}}}}} — {meaning}")
            item.setToolTip(item.text())
        self.insert_button.setText(self.tr("&Insert variable"))
        self.defaults_note.setText(
            self.tr(
                "The defaults are the PBX manual's own text and values, written into the CRM as they are; "
                "the templates you save are used instead."
            )
        )
        self._variables_label.setText(self.tr("&Variables:"))
        self.refresh()

    def preview(self, key: str) -> str:
        """The preview text of template `key` as shown."""
        return self.previews[key].text()

    def refresh(self) -> None:
        """Render both templates for the sample call; name the unknown variables."""
        for key in KEYS:
            text = _text(self.fields[key].editor)
            unknown = templates.validate(text)
            rendered = templates.render(text, self._values)
            if unknown:
                rendered += "\n" + self.tr("Unknown variables: %1").replace("%1", ", ".join(unknown))
            self.previews[key].setText(rendered)
            self.previews[key].setStyleSheet("color: #b3261e;" if unknown else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == event.Type.FocusIn and isinstance(watched, QWidget):
            self._last_editor = watched
        return False

    def _insert(self, item: QListWidgetItem | None) -> None:
        editor = self._last_editor
        if item is None or not editor.isEnabled():
            return
        placeholder = "{{." + str(item.data(Qt.ItemDataRole.UserRole)) + "}}"
        if isinstance(editor, QPlainTextEdit):
            editor.insertPlainText(placeholder)
        elif isinstance(editor, QLineEdit):
            editor.insert(placeholder)
            editor.editingFinished.emit()
        editor.setFocus()
