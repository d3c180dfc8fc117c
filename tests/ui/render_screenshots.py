"""Render the desktop windows with sample data, offscreen, in English and Chinese.

    .venv/bin/python tests/ui/render_screenshots.py docs/screenshots

Writes `<window>-<lang>.png` for the tray menu (also with a failing CRM), the call panel, the add
dialog, the call history and every settings page.
The lead's `linkus-companion demo` run under Xvfb shows the same windows driven by the simulators.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import httpx
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from linkus_companion.backend import CallPhase, CallView, CrmState, HistoryItem, LinkState, Status
from linkus_companion.config import Settings
from linkus_companion.config.sources import JsonDirSource, Layer
from linkus_companion.config.userfile import UserFile
from linkus_companion.crm.http import classify_status
from linkus_companion.engine.history import Delivery
from linkus_companion.model import Direction, Disposition, Outcome, Record, RecordKind
from linkus_companion.ui.add_record_dialog import AddRecordDialog
from linkus_companion.ui.call_panel import CallPanel
from linkus_companion.ui.history import HistoryWindow
from linkus_companion.ui.i18n import Translations
from linkus_companion.ui.settings.dialog import PAGES, SettingsDialog
from linkus_companion.ui.tray import TrayMenu

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
ALICE = Record(
    "0035g00000XyZ1",
    RecordKind.CONTACT,
    "Contact",
    "Alice Smith",
    "https://example.my.salesforce.com/x",
    company="Acme Corp",
    phones=("+14155550123",),
)
SAMPLE_NOTE = {"en": "Wants a quote for 40 seats by Friday.", "zh_CN": "希望周五前收到 40 个席位的报价。"}
"""What a user might type on a card, in each screenshot's language."""
SAMPLE_ERROR = {
    "en": "Salesforce is not answering (HTTP 503); try again in a minute.",
    "zh_CN": "Salesforce 没有响应（HTTP 503），请一分钟后重试。",  # noqa: RUF001 - Chinese punctuation
}
CALLS = [
    CallView(
        "c1",
        "1001",
        Direction.INBOUND,
        CallPhase.ENDED,
        "+14155550123",
        NOW - dt.timedelta(minutes=12),
        records=(ALICE,),
        chosen=ALICE,
        outcome=Outcome.ANSWERED,
    ),
    CallView(
        "c2",
        "1001",
        Direction.INBOUND,
        CallPhase.ENDED,
        "+442071234567",
        NOW - dt.timedelta(minutes=40),
        outcome=Outcome.NO_ANSWER,
    ),
    CallView(
        "c3",
        "1001",
        Direction.OUTBOUND,
        CallPhase.ENDED,
        "+8613812345678",
        NOW - dt.timedelta(hours=2),
        outcome=Outcome.ANSWERED,
    ),
]


def _side_by_side(path: Path, *widgets: QWidget) -> None:
    images = [w.grab().toImage() for w in widgets]
    out = QImage(
        sum(i.width() for i in images) + 8 * (len(images) - 1),
        max(i.height() for i in images),
        QImage.Format.Format_ARGB32,
    )
    out.fill(0)
    painter = QPainter(out)
    x = 0
    for image in images:
        painter.drawImage(x, 0, image)
        x += image.width() + 8
    painter.end()
    out.save(str(path))


def render(out: Path, language: str, settings: Settings) -> None:
    menu = TrayMenu()
    menu.set_status(Status(LinkState.CONNECTED, CrmState.CONNECTED, crm_kind="salesforce"))
    menu.set_recent(CALLS)
    menu.popup(menu.pos())
    menu.recent_menu.popup(menu.pos())
    _side_by_side(out / f"tray-menu-{language}.png", menu, menu.recent_menu)

    window = CallPanel()
    window.set_crm("Salesforce", "US")
    missed = CallView(
        "c7", "1001", Direction.INBOUND, CallPhase.RINGING, "+442071234567", NOW - dt.timedelta(minutes=3)
    )
    window.show_call(missed)
    window.show_call(
        dataclasses.replace(
            missed,
            phase=CallPhase.ENDED,
            ended_at=NOW - dt.timedelta(minutes=2, seconds=40),
            outcome=Outcome.NO_ANSWER,
        )
    )
    window.show_call(
        CallView(
            "c8", "1001", Direction.INBOUND, CallPhase.RINGING, "+16285550999", NOW - dt.timedelta(seconds=9)
        )
    )
    known = window.show_call(
        CallView(
            "c9",
            "1001",
            Direction.INBOUND,
            CallPhase.TALKING,
            "+14155550123",
            NOW - dt.timedelta(seconds=83),
            records=(ALICE,),
            chosen=ALICE,
            answered_at=NOW - dt.timedelta(seconds=71),
            owner_name="Jane Doe",
        )
    )
    known._elapsed.set_span(NOW - dt.timedelta(seconds=71), NOW)
    window.flush()
    window.grab().save(str(out / f"call-panel-{language}.png"))
    window.close_all()

    # a card with a note and an outcome, and one whose CRM lookup failed (Retry, Add to CRM)
    window.set_crm(
        "Salesforce", "US", (Disposition.CONNECTED, Disposition.LEFT_VOICEMAIL, Disposition.CALL_BACK)
    )
    failing = CallView(
        "c10",
        "1001",
        Direction.INBOUND,
        CallPhase.RINGING,
        "+13125550188",
        NOW - dt.timedelta(seconds=12),
        lookup_error=SAMPLE_ERROR[language],
    )
    window.show_call(failing)
    noted = window.show_call(
        CallView(
            "c11",
            "1001",
            Direction.OUTBOUND,
            CallPhase.TALKING,
            "+14155550123",
            NOW - dt.timedelta(seconds=140),
            records=(ALICE,),
            chosen=ALICE,
            answered_at=NOW - dt.timedelta(seconds=131),
            owner_name="Jane Doe",
        )
    )
    noted._elapsed.set_span(NOW - dt.timedelta(seconds=131), NOW)
    noted._note.setPlainText(SAMPLE_NOTE[language])
    noted._disposition.setCurrentIndex(noted._disposition.findData(Disposition.CALL_BACK))
    noted.save_note()
    noted.note_done()
    window.flush()
    window.grab().save(str(out / f"call-panel-note-{language}.png"))

    dialog = AddRecordDialog(
        "020 7123 4567", kinds=(RecordKind.CONTACT, RecordKind.LEAD), region="GB", crm_name="Salesforce"
    )
    dialog.first_name.setText("Carol")
    dialog.last_name.setText("Danvers")
    dialog.company.setText("Stark Industries")
    dialog.show()
    dialog.adjustSize()
    dialog.grab().save(str(out / f"add-dialog-{language}.png"))

    settings_dialog = SettingsDialog(settings)
    settings_dialog.set_status(Status(LinkState.CONNECTED, CrmState.CONNECTED, crm_kind="salesforce"))
    settings_dialog.show()
    settings_dialog.resize(760, 640)
    settings_dialog.show_page("Call-log sync")
    settings_dialog.grab().save(str(out / f"settings-{language}.png"))
    for widget in (menu, window, dialog, settings_dialog):
        widget.close()
        widget.deleteLater()
    render_status(out, language)
    render_history(out, language)
    render_settings_pages(out, language, settings)


def render_status(out: Path, language: str) -> None:
    """The tray menu while the CRM fails, with call logs waiting."""
    menu = TrayMenu()
    menu.set_status(
        Status(
            LinkState.CONNECTED,
            CrmState.FAILING,
            crm_kind="hubspot",
            crm_problem=classify_status("HubSpot", httpx.Response(503)).args[0],
            crm_since=NOW - dt.timedelta(minutes=7),
            waiting_logs=3,
        )
    )
    menu.set_recent(CALLS)
    menu.popup(menu.pos())
    menu.grab().save(str(out / f"tray-crm-failing-{language}.png"))
    menu.close()
    menu.deleteLater()


def render_history(out: Path, language: str) -> None:
    """The call history window with delivered, waiting and refused call logs."""
    items = [
        HistoryItem(CALLS[0], Delivery.DELIVERED),
        HistoryItem(CALLS[1], Delivery.WAITING, str(classify_status("HubSpot", httpx.Response(503)))),
        HistoryItem(
            dataclasses.replace(
                CALLS[2],
                started_at=NOW - dt.timedelta(days=1, hours=3),
                answered_at=NOW - dt.timedelta(days=1, hours=3) + dt.timedelta(seconds=6),
                ended_at=NOW - dt.timedelta(days=1, hours=3) + dt.timedelta(seconds=251),
            ),
            Delivery.FAILED,
            str(classify_status("HubSpot", httpx.Response(400))),
        ),
    ]
    window = HistoryWindow(lambda _text: items, crm="HubSpot")
    window.refresh()
    window.show()
    window.grab().save(str(out / f"history-{language}.png"))
    window.close()
    window.deleteLater()


def render_settings_pages(out: Path, language: str, settings: Settings) -> None:
    """Every page of the settings, showing a failing CRM on the CRM page."""
    dialog = SettingsDialog(settings)
    dialog.set_status(
        Status(
            LinkState.CONNECTED,
            CrmState.FAILING,
            crm_kind="hubspot",
            crm_problem=classify_status("HubSpot", httpx.Response(503)).args[0],
            crm_since=NOW - dt.timedelta(minutes=7),
            waiting_logs=3,
        )
    )
    dialog.show()
    dialog.resize(760, 640)
    for index, (title, _groups) in enumerate(PAGES):
        dialog.nav.setCurrentRow(index)
        slug = str(title).lower().replace(" ", "-")
        dialog.grab().save(str(out / f"settings-{slug}-{language}.png"))
    dialog.close()
    dialog.deleteLater()


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    translations = Translations(app)
    with tempfile.TemporaryDirectory() as tmp:
        managed = Path(tmp) / "managed"
        managed.mkdir()
        (managed / "company.json").write_text(json.dumps({"calllog.skip_unanswered_agents": True}))
        settings = Settings(UserFile(Path(tmp) / "user.json"), [JsonDirSource(managed, Layer.LOCKED)])
        for language in ("en", "zh_CN"):
            translations.apply(language)
            app.processEvents()
            render(out, language, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
