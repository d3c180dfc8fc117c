"""The call history keeps each row to one or two lines in both languages: a failed log's long reason is
elided in its cell, and read whole in the cell's tooltip and under the table."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtWidgets import QApplication

from linkus_companion.backend import CallPhase, HistoryItem
from linkus_companion.crm.http import classify_status
from linkus_companion.engine.history import Delivery
from linkus_companion.texts import restored, stored
from linkus_companion.ui.history import HistoryWindow, log_text
from linkus_companion.ui.i18n import tr_text
from tests.ui.conftest import ALICE, call

REFUSED = classify_status(
    "HubSpot",
    httpx.Response(400, json={"status": "error", "message": "Property values were not valid"}),
).args[0]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_failed_log_keeps_its_row_short_and_its_reason_whole_elsewhere(qtbot, translations, language):
    translations.apply(language)
    items = [
        HistoryItem(call(CallPhase.ENDED, records=(ALICE,), chosen=ALICE), Delivery.DELIVERED),
        HistoryItem(call(CallPhase.ENDED, call_id="c2"), Delivery.FAILED, restored(stored(REFUSED))),
    ]
    window = HistoryWindow(lambda _text: items, crm="HubSpot")
    qtbot.add_widget(window)
    window.show()
    window.resize(680, 400)  # narrower than it opens: the reason does not fit its cell in either language
    qtbot.waitExposed(window)
    window.refresh()
    QApplication.processEvents()
    line = window.table.fontMetrics().lineSpacing()
    assert window.table.rowHeight(0) < 2 * line, "a logged call: one line"
    assert window.table.rowHeight(1) < 3 * line, "a failed log: its state and one line of reason"
    assert window.table.horizontalScrollBar().maximum() == 0, "the reason is elided, not scrolled to"
    cell = window.table.item(1, 5)
    state, reason = cell.text().split("\n")
    whole = log_text(items[1], "HubSpot")
    assert whole == f"{state}: {reason}" and reason == tr_text(REFUSED)
    width = window.table.visualItemRect(cell).width()
    assert window.table.fontMetrics().horizontalAdvance(reason) > width, "the reason is longer than its cell"
    assert cell.toolTip() == whole
    assert not window.detail.isVisibleTo(window), "the logged call has nothing more to say"
    window.table.selectRow(1)
    assert window.detail.isVisibleTo(window) and window.detail.text() == whole
