"""Dial URLs delivered as QFileOpenEvents (macOS), held until the app is ready to dial."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtGui import QFileOpenEvent

from linkus_companion.platform.dial import SCHEMES


class OpenUrlEvents(QObject):
    """Event filter on the application catching `tel:`/`callto:` QFileOpenEvents.

    Install it right after creating the QApplication: macOS may deliver the URL that launched the
    app before any window exists. URLs are queued until set_ready(), then emitted in order.

    Signals:
        url_opened(str): a dial URL, e.g. `tel:+15550100`.
    """

    url_opened = Signal(str)

    def __init__(self, app: QCoreApplication, platform: str = sys.platform) -> None:
        super().__init__(app)
        self._app = app
        self._pending: list[str] | None = []
        # Only macOS hands URLs over as FileOpen events (elsewhere the OS starts `linkus-companion dial`):
        # an application-wide filter would cost every Qt event of the app a Python call for nothing.
        self._filtering = platform == "darwin"
        if self._filtering:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Take dial URLs out of FileOpen events; let every other event through."""
        if event.type() != QEvent.Type.FileOpen or not isinstance(event, QFileOpenEvent):
            return False
        url = event.url()
        if url.scheme().lower() not in SCHEMES:
            return False
        text = url.toString()
        if self._pending is None:
            self.url_opened.emit(text)
        else:
            self._pending.append(text)
        return True

    def set_ready(self) -> None:
        """Emit the queued URLs; later ones are emitted as they arrive."""
        pending, self._pending = self._pending or [], None
        for text in pending:
            self.url_opened.emit(text)

    def remove(self) -> None:
        """Stop filtering the application's events."""
        if self._filtering:
            self._app.removeEventFilter(self)
