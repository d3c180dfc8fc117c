"""A label showing the time elapsed since a moment, ticking each second until the span ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QLabel, QWidget


def format_elapsed(seconds: float) -> str:
    """`65` -> `01:05`, `3725` -> `1:02:05`."""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ElapsedLabel(QLabel):
    """Shows `mm:ss` from `start` to `end`, or to now (ticking) while `end` is None."""

    def __init__(self, parent: QWidget | None = None, now: Callable[[], dt.datetime] = _utc_now) -> None:
        super().__init__(format_elapsed(0), parent)
        self._now = now
        self._start: dt.datetime | None = None
        self._end: dt.datetime | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._refresh)
        self._fit("00:00")

    def _fit(self, text: str) -> None:
        """A fixed size with room for `text` (and `00:00`): the ticking never re-lays out the window."""
        metrics = self.fontMetrics()
        self._room = max(text, "00:00", key=metrics.horizontalAdvance)
        margins = self.contentsMargins()
        extra = 2 * self.margin() + margins.left() + margins.right() + 2
        self.setFixedSize(
            metrics.horizontalAdvance(self._room) + extra,
            metrics.height() + 2 * self.margin() + margins.top() + margins.bottom(),
        )

    def set_span(self, start: dt.datetime | None, end: dt.datetime | None = None) -> None:
        """Count from `start` (None: show nothing) to `end` (None: to now, ticking)."""
        self._start, self._end = start, end
        if start is not None and end is None:
            self._timer.start()
        else:
            self._timer.stop()
        self._refresh()

    def seconds(self) -> float:
        """The span shown, in seconds."""
        if self._start is None:
            return 0.0
        return ((self._end or self._now()) - self._start).total_seconds()

    def _refresh(self) -> None:
        text = format_elapsed(self.seconds()) if self._start is not None else ""
        if text != self.text():
            metrics = self.fontMetrics()
            if metrics.horizontalAdvance(text) > metrics.horizontalAdvance(self._room):
                self._fit(text)  # past an hour
            self.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._fit(self.text() or "00:00")
        super().changeEvent(event)
