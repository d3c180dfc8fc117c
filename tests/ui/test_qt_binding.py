"""The Qt binding must not leak or drop references: PySide6 6.12.0 on Python 3.11 crashed the app this way."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QWidget


def test_calls_returning_nothing_keep_none_alive(qapp: QApplication) -> None:
    widget = QWidget()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        widget.move(1, 2)
    assert sys.getrefcount(None) >= before - 100, "the binding drops references to None (pin PySide6)"
