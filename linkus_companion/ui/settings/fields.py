"""Editors generated from the config schema: one widget per setting, with its lock and its error."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkus_companion.config import SCHEMA, Effective, Settings, SettingsError
from linkus_companion.config.rules import Choice, Each, Pairs, Range, Template
from linkus_companion.config.setting import Setting, Value
from linkus_companion.texts import text_of
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.resources import icon
from linkus_companion.ui.settings.labels import choice_label, doc, label


class _Editor:
    """Adapts one Qt input to a setting: shows a value, reports user changes."""

    widget: QWidget
    textual = False
    """True when `value()` is the text a user typed (parsed by the setting)."""

    def retranslate(self, setting: Setting) -> None:
        """Set the texts the editor shows itself (choice labels) in the current language."""

    def show(self, value: Value, setting: Setting) -> None:
        raise NotImplementedError

    def value(self) -> object:
        raise NotImplementedError


class _Check(_Editor):
    def __init__(self, on_change: Callable[[], None]) -> None:
        self.widget = self.check = QCheckBox()
        self.check.toggled.connect(lambda _on: on_change())

    def show(self, value: Value, setting: Setting) -> None:
        self.check.setChecked(bool(value))

    def value(self) -> object:
        return self.check.isChecked()


class _Combo(_Editor):
    def __init__(self, setting: Setting, on_change: Callable[[], None]) -> None:
        assert isinstance(setting.rule, Choice)
        self.widget = self.combo = QComboBox()
        for option in setting.rule.options:
            self.combo.addItem(choice_label(setting.key, option), option)
        self.combo.activated.connect(lambda _index: on_change())

    def retranslate(self, setting: Setting) -> None:
        for index in range(self.combo.count()):
            self.combo.setItemText(index, choice_label(setting.key, str(self.combo.itemData(index))))

    def show(self, value: Value, setting: Setting) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)))

    def value(self) -> object:
        return self.combo.currentData()


class _Spin(_Editor):
    def __init__(self, setting: Setting, on_change: Callable[[], None]) -> None:
        assert isinstance(setting.rule, Range)
        self.widget = self.spin = QSpinBox()
        self.spin.setRange(setting.rule.low, setting.rule.high)
        self.spin.editingFinished.connect(on_change)

    def show(self, value: Value, setting: Setting) -> None:
        assert isinstance(value, int)
        self.spin.setValue(value)

    def value(self) -> object:
        return self.spin.value()


class _Line(_Editor):
    textual = True

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.widget = self.line = QLineEdit()
        self.line.editingFinished.connect(on_change)

    def show(self, value: Value, setting: Setting) -> None:
        if self.line.text() != setting.to_text(value):
            self.line.setText(setting.to_text(value))

    def value(self) -> object:
        return self.line.text()


class _PairsTable(_Editor):
    """A mapping (manual binding: extension -> CRM user ID) as a two-column table, a row per entry;
    Add row and Remove row beside it. Rows with an empty cell are not saved yet."""

    def __init__(self, setting: Setting, on_change: Callable[[], None]) -> None:
        self.widget = QWidget()
        self.table = QTableWidget(0, 2)
        self.table.setAccessibleName(label(setting.key))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setFixedHeight(self.table.fontMetrics().lineSpacing() * 7)
        self.table.itemChanged.connect(lambda _item: on_change())
        self.add, self.remove = QPushButton(), QPushButton()
        self.add.clicked.connect(self._add_row)
        self.remove.clicked.connect(lambda: self._remove_row(on_change))
        buttons = QVBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(buttons)
        layout.setAlignment(buttons, Qt.AlignmentFlag.AlignTop)
        self.widget.setFocusProxy(self.table)  # the label's mnemonic and Tab land in the table
        self.retranslate(setting)

    def retranslate(self, setting: Setting) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("SettingField", "Extension"),
                QCoreApplication.translate("SettingField", "CRM user ID"),
            ]
        )
        self.add.setText(QCoreApplication.translate("SettingField", "&Add row"))
        self.remove.setText(QCoreApplication.translate("SettingField", "Re&move row"))

    def show(self, value: Value, setting: Setting) -> None:
        pairs = sorted(value.items()) if isinstance(value, dict) else []
        if pairs == sorted(self._pairs().items()):
            return  # a row being typed stays
        blocked = self.table.blockSignals(True)
        self.table.setRowCount(len(pairs))
        for row, (key, item) in enumerate(pairs):
            self.table.setItem(row, 0, QTableWidgetItem(str(key)))
            self.table.setItem(row, 1, QTableWidgetItem(str(item)))
        self.table.blockSignals(blocked)

    def value(self) -> object:
        return self._pairs()

    def _pairs(self) -> dict[str, str]:
        pairs = {}
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, column) for column in (0, 1)]
            key, item = (cell.text().strip() if cell else "" for cell in cells)
            if key and item:
                pairs[key] = item
        return pairs

    def _add_row(self) -> None:
        row = self.table.rowCount()
        blocked = self.table.blockSignals(True)
        self.table.insertRow(row)
        cells = [QTableWidgetItem(""), QTableWidgetItem("")]
        for column, cell in enumerate(cells):
            self.table.setItem(row, column, cell)
        self.table.blockSignals(blocked)
        self.table.setFocus()
        self.table.editItem(cells[0])

    def _remove_row(self, on_change: Callable[[], None]) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            on_change()


class _Text(_Editor):
    """Multi-line text (templates), saved when typing pauses."""

    textual = True

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.widget = self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 4 + 12)
        self._pause = QTimer(self.text)
        self._pause.setSingleShot(True)
        self._pause.setInterval(600)
        self._pause.timeout.connect(on_change)
        self.text.textChanged.connect(self._pause.start)

    def show(self, value: Value, setting: Setting) -> None:
        if self.text.toPlainText() != value:
            self.text.setPlainText(str(value))

    def value(self) -> object:
        return self.text.toPlainText()


class _ChoiceList(_Editor):
    """A list of choices as check boxes; `ordered` adds Move up / Move down (and dragging) for priorities."""

    def __init__(self, setting: Setting, on_change: Callable[[], None], *, ordered: bool) -> None:
        assert isinstance(setting.rule, Each) and isinstance(setting.rule.item, Choice)
        self._options = setting.rule.item.options
        self.offered: tuple[str, ...] | None = None
        """The options shown (None: all of them); the stored ones not shown are kept as they are."""
        self._kept: tuple[str, ...] = ()
        self._on_change = on_change
        self.widget = QWidget()
        self.list = QListWidget()
        self.list.setAccessibleName(label(setting.key))
        self.list.itemChanged.connect(lambda _item: on_change())
        layout = QHBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1, Qt.AlignmentFlag.AlignTop)
        self.up = self.down = None
        if ordered:
            self.list.setDragDropMode(QListWidget.DragDropMode.InternalMove)
            self.list.model().rowsMoved.connect(lambda *_args: on_change())
            self.up, self.down = QPushButton(), QPushButton()
            self.up.clicked.connect(lambda: self._move(-1))
            self.down.clicked.connect(lambda: self._move(1))
            buttons = QVBoxLayout()
            buttons.addWidget(self.up)
            buttons.addWidget(self.down)
            layout.addLayout(buttons)
            layout.setAlignment(buttons, Qt.AlignmentFlag.AlignTop)
        self.retranslate(setting)

    def retranslate(self, setting: Setting) -> None:
        blocked = self.list.blockSignals(True)
        for index in range(self.list.count()):
            item = self.list.item(index)
            item.setText(choice_label(setting.key, str(item.data(Qt.ItemDataRole.UserRole))))
        self.list.blockSignals(blocked)
        if self.up is not None and self.down is not None:
            self.up.setText(QCoreApplication.translate("SettingField", "Move &up"))
            self.down.setText(QCoreApplication.translate("SettingField", "Move d&own"))

    def show(self, value: Value, setting: Setting) -> None:
        stored = tuple(str(v) for v in value) if isinstance(value, tuple) else ()
        options = tuple(o for o in self._options if self.offered is None or o in self.offered)
        # another CRM's name for the same records (accounts, companies) stands for this CRM's module
        stored = tuple(dict.fromkeys(SAME_RECORDS.get(v, v) if v not in options else v for v in stored))
        self._kept = tuple(v for v in stored if v not in options)
        chosen = tuple(v for v in stored if v in options)
        order = chosen + tuple(o for o in options if o not in chosen) if self.up else options
        current = self.list.currentRow()
        blocked = self.list.blockSignals(True)
        self.list.clear()
        for option in order:
            item = QListWidgetItem(choice_label(setting.key, option))
            item.setData(Qt.ItemDataRole.UserRole, option)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags & ~Qt.ItemFlag.ItemIsDropEnabled if self.up else flags)
            item.setCheckState(Qt.CheckState.Checked if option in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.setCurrentRow(current)
        self.list.blockSignals(blocked)
        rows = self.list.sizeHintForRow(0) * self.list.count()
        self.list.setFixedHeight(rows + 2 * self.list.frameWidth() + 2)

    def value(self) -> object:
        items = [self.list.item(i) for i in range(self.list.count())]
        checked = tuple(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() is Qt.CheckState.Checked
        )
        return checked + self._kept  # modules of another CRM stay as they were, for a switch back

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        blocked = self.list.blockSignals(True)
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)
        self.list.blockSignals(blocked)
        self._on_change()


ORDERED = frozenset({"match.module_priority"})
"""List settings whose order matters (shown with Move up / Move down)."""
CRM_MODULES = {
    "hubspot": ("contacts", "companies"),
    "salesforce": ("contacts", "leads", "accounts"),
    "zoho": ("contacts", "leads", "accounts"),
}
"""The modules each CRM has: a module list offers only the chosen CRM's ones."""
MODULE_LISTS = frozenset({"sync.modules", "match.module_priority"})
SAME_RECORDS = {"accounts": "companies", "companies": "accounts"}
"""Module names that hold the same records (HubSpot's companies are Salesforce's and Zoho's accounts)."""


def _editor_for(setting: Setting, on_change: Callable[[], None]) -> _Editor:
    if setting.kind is bool:
        return _Check(on_change)
    if isinstance(setting.rule, Each) and isinstance(setting.rule.item, Choice):
        return _ChoiceList(setting, on_change, ordered=setting.key in ORDERED)
    if isinstance(setting.rule, Choice):
        return _Combo(setting, on_change)
    if isinstance(setting.rule, Range):
        return _Spin(setting, on_change)
    if isinstance(setting.rule, Pairs):
        return _PairsTable(setting, on_change)
    if isinstance(setting.rule, Template) and setting.rule.max_chars > 255:
        return _Text(on_change)
    return _Line(on_change)


def lock_text(effective: Effective) -> str:
    """The tooltip of a locked setting, naming the policy that locked it."""
    text = QCoreApplication.translate("SettingField", "Locked by your administrator (policy: %1)")
    return text.replace("%1", effective.policy_name or "?")


class SettingField(QWidget):
    """The editor of one setting: writes the user's value on each change, shows a lock when an admin
    locked it (read-only, the tooltip names the policy) and the reason when a value is refused.

    Signals:
        saved(str): the key, after the user's value was stored.
    """

    saved = Signal(str)

    def __init__(self, settings: Settings, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setting = SCHEMA[key]
        self._editor = _editor_for(self.setting, self._commit)
        self.editor = self._editor.widget
        self.lock = QLabel()
        self.lock.setPixmap(icon("lock").pixmap(16, 16))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setVisible(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        compact = isinstance(self.editor, QCheckBox | QComboBox | QSpinBox)
        row.addWidget(self.editor, 0 if compact else 1)
        row.addWidget(self.lock, 0, Qt.AlignmentFlag.AlignVCenter)
        if compact:
            row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.setFocusProxy(self.editor)
        unsubscribe = settings.subscribe(self._on_setting)
        self.destroyed.connect(lambda _obj=None: unsubscribe())
        self.refresh()

    @property
    def locked(self) -> bool:
        """Whether an admin locked this setting."""
        return self.settings.effective(self.setting.key).locked

    def refresh(self) -> None:
        """Show the effective value, lock and tooltip."""
        effective = self.settings.effective(self.setting.key)
        if isinstance(self._editor, _ChoiceList) and self.setting.key in MODULE_LISTS:
            self._editor.offered = CRM_MODULES.get(str(self.settings.get("crm.kind")))
        self.editor.blockSignals(True)
        self._editor.show(effective.value, self.setting)
        self.editor.blockSignals(False)
        self.editor.setEnabled(not effective.locked)
        self.lock.setVisible(effective.locked)
        tip = doc(self.setting.doc)
        if effective.locked:
            tip = lock_text(effective) + "\n" + tip
            self.lock.setToolTip(lock_text(effective))
            self.lock.setAccessibleName(lock_text(effective))
        self.editor.setToolTip(tip)
        self.editor.setAccessibleName(label(self.setting.key))
        self.editor.setAccessibleDescription(tip)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._editor.retranslate(self.setting)
            self.refresh()
        super().changeEvent(event)

    def _on_setting(self, key: str, _effective: Effective) -> None:
        if key == self.setting.key or (key == "crm.kind" and self.setting.key in MODULE_LISTS):
            self.refresh()

    def _commit(self) -> None:
        key = self.setting.key
        value = self._editor.value()
        try:
            if self._editor.textual:
                assert isinstance(value, str)
                if self.setting.to_text(self.settings.get(key)) == value:
                    self.error.setVisible(False)
                    return
                self.settings.set_user_text(key, value)
            elif self.settings.get(key) != value:
                self.settings.set_user(key, value)
        except SettingsError as exc:
            self.error.setText(tr_text(text_of(exc)))
            self.error.setVisible(True)
            return
        self.error.setVisible(False)
        self.saved.emit(key)
