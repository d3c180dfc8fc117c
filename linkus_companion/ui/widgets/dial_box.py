"""A one-line dial box: type a number (or a name, with suggestions) and press Enter to call."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget


class DialBox(QLineEdit):
    """Emits `dial_requested(number)` on Enter and `query_changed(text)` when typing pauses.

    Suggestions given to `set_suggestions` as (label, number) appear in a completer; picking one puts
    its number in the box.

    Signals:
        dial_requested(str): the number (or text) to call.
        query_changed(str): the text after the user stopped typing for `debounce_ms`.
    """

    dial_requested = Signal(str)
    query_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, debounce_ms: int = 300) -> None:
        super().__init__(parent)
        self.setClearButtonEnabled(True)
        self._numbers: dict[str, str] = {}
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._on_suggestion)
        self.setCompleter(completer)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(lambda: self.query_changed.emit(self.text().strip()))
        self.textEdited.connect(lambda _text: self._debounce.start())
        self.returnPressed.connect(self._on_return)

    def set_suggestions(self, suggestions: Sequence[tuple[str, str]]) -> None:
        """Offer `(label, number)` pairs for the current text."""
        self._numbers = {f"{label} · {number}": number for label, number in suggestions}
        self._model.setStringList(list(self._numbers))
        if self._numbers and self.hasFocus():
            self.completer().complete()

    def _on_suggestion(self, text: str) -> None:
        # QCompleter writes the chosen label into the box; replace it by the number it stands for.
        QTimer.singleShot(0, lambda: self.setText(self._numbers.get(text, text)))

    def _on_return(self) -> None:
        text = self.text().strip()
        if text in self._numbers:
            text = self._numbers[text]
        if text:
            self.dial_requested.emit(text)
            self.clear()
