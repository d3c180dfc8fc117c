"""A keyboard-friendly list of CRM records to choose one from (several records share a number)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from linkus_companion.model import Record


def record_line(record: Record) -> str:
    """`Name — Company (module)` for lists and menus."""
    text = record.display_name or record.id
    if record.company and record.company != record.display_name:
        text += f" — {record.company}"
    return f"{text} ({record.module})"


class RecordPicker(QListWidget):
    """Lists records; Enter, a double click or `pick_current()` emits `picked(record_id)`.

    Signals:
        picked(str): the id of the record the user chose.
    """

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.itemActivated.connect(self._on_activated)

    def set_records(self, records: Sequence[Record], chosen_id: str | None = None) -> None:
        """Show `records`, marking and selecting the chosen one."""
        current = self.current_id() or chosen_id
        self.clear()
        for record in records:
            item = QListWidgetItem(record_line(record))
            item.setData(Qt.ItemDataRole.UserRole, record.id)
            item.setToolTip(", ".join(record.phones) or record.url)
            if record.id == chosen_id:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.addItem(item)
            if record.id == current:
                self.setCurrentItem(item)
        if self.currentRow() < 0 and self.count():
            self.setCurrentRow(0)
        rows = max(1, min(self.count(), 4))
        self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 2)

    def current_id(self) -> str | None:
        """The id of the selected record."""
        item = self.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def pick_current(self) -> None:
        """Choose the selected record."""
        record_id = self.current_id()
        if record_id is not None:
            self.picked.emit(record_id)

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.picked.emit(str(item.data(Qt.ItemDataRole.UserRole)))
