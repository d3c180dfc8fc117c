"""Dial URLs arriving as QFileOpenEvents (macOS) are held until the app is ready, then delivered in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from linkus_companion.platform.url_events import OpenUrlEvents


@pytest.fixture
def events(qapp: QApplication) -> Iterator[tuple[OpenUrlEvents, list[str]]]:
    catcher = OpenUrlEvents(qapp, platform="darwin")
    received: list[str] = []
    catcher.url_opened.connect(received.append)
    yield catcher, received
    catcher.remove()
    catcher.deleteLater()


def _open(url: str) -> bool:
    app = QCoreApplication.instance()
    assert app is not None
    return app.sendEvent(app, QFileOpenEvent(QUrl(url)))


def test_urls_before_ready_are_queued_then_delivered_in_order(
    events: tuple[OpenUrlEvents, list[str]],
) -> None:
    catcher, received = events
    assert _open("tel:+15550100")
    assert _open("callto:+15550101")
    assert received == []
    catcher.set_ready()
    assert received == ["tel:+15550100", "callto:+15550101"]


def test_urls_after_ready_are_delivered_at_once(events: tuple[OpenUrlEvents, list[str]]) -> None:
    catcher, received = events
    catcher.set_ready()
    _open("TEL:5550100")
    assert received == ["tel:5550100"]


def test_elsewhere_no_application_wide_filter_runs(qapp: QApplication) -> None:
    """Linux and Windows start the app with the URL: no Python call for every Qt event of the app."""
    catcher = OpenUrlEvents(qapp, platform="linux")
    received: list[str] = []
    catcher.url_opened.connect(received.append)
    catcher.set_ready()
    assert not _open("tel:+15550100") and received == []
    catcher.remove()
    catcher.deleteLater()


def test_other_file_open_events_pass_through(events: tuple[OpenUrlEvents, list[str]]) -> None:
    catcher, received = events
    catcher.set_ready()
    _open("file:///tmp/report.pdf")
    _open("https://example.com/tel:123")
    assert received == []
