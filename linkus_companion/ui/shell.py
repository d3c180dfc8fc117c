"""The desktop shell: adapts Backend callbacks to the tray, the call panel, notifications and dialogs."""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from linkus_companion import APP_NAME, __version__
from linkus_companion.backend import Backend, CallPhase, CallView, HistoryItem, LinkState, PopNotice, Status
from linkus_companion.click_to_call import ClickToCall, spoken
from linkus_companion.config import Effective, Settings
from linkus_companion.model import CallNote, NewRecord, Record, RecordKind
from linkus_companion.platform.dial import DialError, OutboundRule, number_from_args, number_from_text
from linkus_companion.platform.single_instance import Reply
from linkus_companion.texts import text_of
from linkus_companion.ui.actions import IntegrationActions
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.notifications import CallNotifier
from linkus_companion.ui.resources import icon
from linkus_companion.ui.tasks import Tasks
from linkus_companion.ui.tray import CRM_NAMES, Tray

if (
    TYPE_CHECKING
):  # the windows below load on first open (the call panel at the first call): start-up stays lean
    from linkus_companion.ui.add_record_dialog import AddRecordDialog
    from linkus_companion.ui.call_panel import CallPanel
    from linkus_companion.ui.history import HistoryWindow
    from linkus_companion.ui.settings.dialog import SettingsDialog

log = logging.getLogger(__name__)

_MAX_KEPT_CALLS = 50
_MIN_QUERY = 2


def bring_forward(window: QWidget) -> None:
    """Show `window` on top of the others, restored if the user minimised it."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


class DesktopShell(QObject):
    """Everything the user sees, driven by one Backend (a BackendListener).

    Signals:
        quit_requested(): the user chose Quit.
    """

    quit_requested = Signal()

    def __init__(
        self,
        backend: Backend,
        settings: Settings,
        *,
        actions: IntegrationActions | None = None,
        use_tray: bool | None = None,
        open_logs: Callable[[], object] | None = None,
        panel_file: Path | None = None,
    ) -> None:
        """`panel_file` remembers where the user moved the call panel (None: not remembered)."""
        super().__init__()
        self.backend = backend
        self.settings = settings
        self.actions = actions
        self.tasks = Tasks(crashed=lambda exc: sys.excepthook(type(exc), exc, exc.__traceback__))
        self.tray = Tray(self, use_tray=use_tray)
        self._panel: CallPanel | None = None
        self._panel_file = panel_file
        self.notifier = CallNotifier(
            self.tray.notify,
            lambda: bool(settings.get("ui.notifications")),
            lambda: str(settings.get("match.region")),
        )
        self.add_dialogs: dict[str, AddRecordDialog] = {}
        self.settings_dialog: SettingsDialog | None = None
        self.history_window: HistoryWindow | None = None
        self.first_run: QWidget | None = None
        """The first-run window while it is open (a second launch raises it)."""
        self.message_box: QMessageBox | None = None
        self._views: dict[str, CallView] = {}
        self._status = backend.status
        self._open_logs = open_logs
        self._unlisten: Callable[[], None] | None = None
        self._pending_args: list[list[str]] = []
        self._retry_at: float | None = None
        """When the backend tries to reconnect next (monotonic), while it says "reconnecting in N s"."""
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._count_down)
        self.click_to_call = ClickToCall(backend, settings)
        self._unsubscribe = settings.subscribe(self._on_setting)

        menu = self.tray.menu
        menu.open_call.connect(self.open_in_crm)
        menu.add_call.connect(self.add_to_crm)
        menu.dial.connect(self.dial)
        menu.query.connect(self.suggest)
        menu.pause_toggled.connect(lambda paused: self.backend.set_pops_paused(paused))
        menu.history_requested.connect(self.show_history)
        menu.settings_requested.connect(self.show_settings)
        menu.crm_fix_requested.connect(lambda: self.show_settings().show_page("CRM"))
        menu.logs_requested.connect(self.open_logs)
        menu.about_requested.connect(self.show_about)
        menu.quit_requested.connect(self.quit_requested)
        self.tray.message_clicked.connect(self._on_message_clicked)

    @property
    def panel(self) -> CallPanel:
        """The call panel, built at the first call: its widgets cost memory and start-up time."""
        if self._panel is None:
            from linkus_companion.ui.call_panel import CallPanel

            panel = self._panel = CallPanel(place_file=self._panel_file)
            panel.open_requested.connect(self.open_in_crm)
            panel.add_requested.connect(self.add_to_crm)
            panel.retry_requested.connect(self.retry_lookup)
            panel.call_back_requested.connect(self.call_back)
            panel.record_chosen.connect(self.choose_record)
            panel.note_saved.connect(self.save_note)
            if self.tray.icon is not None:
                panel.locate_tray = self.tray.icon.geometry
            self._panel_follow(self._status)
        return self._panel

    # -- lifecycle --------------------------------------------------------------------------------

    def show(self) -> None:
        """Listen to the backend and show the tray (or the fallback window)."""
        self._unlisten = self.backend.add_listener(self)
        self.on_status(self.backend.status)
        self._refresh_recent()
        self.tray.show()
        if self.tray.icon is not None and self._panel is not None:
            self._panel.locate_tray = self.tray.icon.geometry

    def use_backend(self, backend: Backend) -> None:
        """Switch to another (not yet started) backend, e.g. once the first run configured one."""
        if self._unlisten is not None:
            self._unlisten()
        self.backend = self.click_to_call.backend = backend
        self._unlisten = backend.add_listener(self)
        backend.set_pops_paused(self.tray.paused)
        self.on_status(backend.status)
        self._refresh_recent()

    async def shutdown(self) -> None:
        """Close every window, stop listening, finish or cancel our tasks, and stop the backend."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self._unsubscribe()
        self._countdown.stop()
        if self._panel is not None:
            self._panel.close_all()
        for dialog in list(self.add_dialogs.values()):
            dialog.close()
        if self.settings_dialog is not None:
            self.settings_dialog.close()
        if self.history_window is not None:
            self.history_window.close()
        self.tray.hide()
        await self.tasks.cancel_all()
        await self.backend.stop()

    # -- BackendListener --------------------------------------------------------------------------

    def on_status(self, status: Status) -> None:
        """Show the connection state; call cards offer Add to CRM only where records can be created."""
        self._status = status
        waiting = status.link is LinkState.RECONNECTING and status.retry_in is not None
        self._retry_at = time.monotonic() + (status.retry_in or 0.0) if waiting else None
        if waiting:
            self._countdown.start()
        else:
            self._countdown.stop()
        self._show_link(status)
        if status.link is LinkState.CONNECTED:
            pending, self._pending_args = self._pending_args, []
            for args in pending:
                self.handle_args(args)
        elif status.link is LinkState.NOT_CONFIGURED and self._pending_args:
            self._pending_args = []  # the first-run window follows: the app raises it
            self._cannot_dial_yet()
        if self._panel is not None:
            self._panel_follow(status)

    def _panel_follow(self, status: Status) -> None:
        """The panel's CRM (name, region, dispositions, whether Add to CRM is offered) and banner."""
        panel = self.panel
        panel.can_create = bool(self.settings.get("create.enabled")) and bool(status.creatable)
        panel.set_crm(
            CRM_NAMES.get(status.crm_kind, ""),
            str(self.settings.get("match.region")),
            status.dispositions,
            int(str(self.settings.get("calllog.note_minutes"))),
        )
        panel.set_status(status)

    def _show_link(self, status: Status) -> None:
        """The status in the tray, the panel's banner and Settings."""
        self.tray.set_status(status)
        if self._panel is not None:
            self._panel.set_status(status)
        if self.settings_dialog is not None:
            self.settings_dialog.set_status(status)

    def _count_down(self) -> None:
        """Keep "reconnecting in N s" true between the backend's updates."""
        left = (self._retry_at or 0.0) - time.monotonic()
        if left < 1:
            self._countdown.stop()
        self._show_link(dataclasses.replace(self._status, retry_in=max(left, 0.0)))

    def on_call(self, call: CallView) -> None:
        """A call appeared or changed: its card, the notification, and the recent calls."""
        self._views[call.call_id] = call
        if len(self._views) > _MAX_KEPT_CALLS:
            self._views.pop(next(iter(self._views)))
        self.panel.show_call(call)
        self.notifier.on_call(call)
        if call.phase is CallPhase.ENDED:
            self._refresh_recent()
            if self.history_window is not None and self.history_window.isVisible():
                self.history_window.refresh()

    def on_pop(self, notice: PopNotice) -> None:
        """A CRM page was opened; nothing to show beyond the call's card."""
        log.info("screen pop for call %s (%s)", notice.call_id, notice.trigger)

    # -- user actions -----------------------------------------------------------------------------

    def open_in_crm(self, call_id: str) -> None:
        """Open the call's chosen record in the browser (manual pop)."""
        self.tasks.start(
            self.backend.open_in_crm(call_id),
            failed=lambda msg: self.show_error(
                QCoreApplication.translate("Shell", "Cannot open the CRM"), msg
            ),
        )

    def retry_lookup(self, call_id: str) -> None:
        """Ask the CRM again about a call whose lookup failed."""
        self.tasks.start(
            self.backend.retry_lookup(call_id),
            failed=lambda msg: self.show_error(
                QCoreApplication.translate("Shell", "Cannot look the number up"), msg
            ),
        )

    def save_note(self, call_id: str, note: CallNote) -> None:
        """Put what the user typed on a call's card into its CRM call log."""

        def answered(problem: str | None) -> None:
            card = self.panel.card(call_id)  # the user may have dismissed it meanwhile
            if card is None and problem is not None:
                self.show_error(QCoreApplication.translate("Shell", "Cannot save the note"), problem)
            elif card is not None:
                card.note_done() if problem is None else card.note_failed(problem)

        self.tasks.start(
            self.backend.save_note(call_id, note), done=lambda _none: answered(None), failed=answered
        )

    def call_back(self, call_id: str) -> None:
        """Dial the other party of an ended call."""
        call = self._views.get(call_id)
        if call is not None:
            self.dial(call.number)

    def choose_record(self, call_id: str, record_id: str) -> None:
        """The user picked one of several records for a call."""
        self.tasks.start(
            self.backend.choose_record(call_id, record_id),
            failed=lambda msg: self.show_error(
                QCoreApplication.translate("Shell", "Cannot choose the record"), msg
            ),
        )

    def add_to_crm(self, call_id: str) -> AddRecordDialog | None:
        """Open (or raise) the Add to CRM dialog for the call's number."""
        dialog = self.add_dialogs.get(call_id)
        if dialog is not None:
            bring_forward(dialog)
            return dialog
        call = self._views.get(call_id)
        if call is None:
            return None
        from linkus_companion.ui.add_record_dialog import AddRecordDialog

        kinds = self._status.creatable or (RecordKind.CONTACT,)
        preferred = RecordKind(str(self.settings.get("create.record_type")))
        dialog = AddRecordDialog(
            call.number,
            kinds=kinds,
            default_kind=preferred,
            region=str(self.settings.get("match.region")),
            crm_name=CRM_NAMES.get(self._status.crm_kind, ""),
        )
        dialog.setWindowIcon(icon("app"))
        dialog.save_requested.connect(lambda new: self._create(call_id, dialog, new))
        dialog.open_requested.connect(lambda _record: self.open_in_crm(call_id))
        dialog.finished.connect(lambda _code: self._forget_add_dialog(call_id))
        self.add_dialogs[call_id] = dialog
        dialog.show()
        return dialog

    def _create(self, call_id: str, dialog: AddRecordDialog, new: NewRecord) -> None:
        def done(record: Record) -> None:
            dialog.saved(record)
            self._refresh_recent()
            if self.history_window is not None:
                self.history_window.refresh()

        self.tasks.start(self.backend.create_record(call_id, new), done=done, failed=dialog.saving_failed)

    def dial(self, text: str) -> None:
        """Call what the user typed, a `tel:`/`callto:` URL or a suggestion, with the outbound prefix."""
        try:
            number = OutboundRule(str(self.settings.get("ui.dial_prefix"))).apply(number_from_text(text))
        except DialError as exc:
            self.show_error(QCoreApplication.translate("Shell", "Cannot dial"), tr_text(text_of(exc)))
            return
        self.tasks.start(
            self.backend.dial(number),
            failed=lambda msg: self.show_error(QCoreApplication.translate("Shell", "Cannot dial"), msg),
        )

    def handle_args(self, args: list[str]) -> None:
        """Arguments handed over by a second launch: dial a number or a URL, or just show ourselves.

        A number arriving before the PBX connection is up is dialled once it is.
        """
        if not args:
            self.show_window()
            return
        if self._status.link is LinkState.NOT_CONFIGURED:
            self.show_window()  # the first-run window (or the settings when it was closed)
            self._cannot_dial_yet()
            return
        if self._status.link is not LinkState.CONNECTED and self._status.link is not LinkState.ERROR:
            self._pending_args.append(list(args))
            return
        try:
            self.dial(number_from_args(args))
        except DialError as exc:
            self.show_error(QCoreApplication.translate("Shell", "Cannot dial"), tr_text(text_of(exc)))

    def _cannot_dial_yet(self) -> None:
        """A number handed over before the PBX is set up: say so (not dialled later, out of the blue)."""
        log.info("a number to dial was handed over, but the PBX is not set up yet: not dialled")
        text = QCoreApplication.translate(
            "Shell",
            "Cannot dial until the PBX connection is set up. Finish the setup, then dial the number again.",
        )
        if not self.tray.notify(APP_NAME, text):
            self._message(
                QMessageBox.Icon.Information, QCoreApplication.translate("Shell", "Cannot dial"), text
            )

    def handle_request(self, request: dict[str, str], reply: Reply) -> None:
        """A request from the browser extension (through its native host): answer it when done."""
        self.tasks.start(
            self.click_to_call.answer(request),
            done=lambda answer: reply.send(spoken(answer, tr_text)),
            failed=lambda msg: reply.send({"ok": False, "state": "app_error", "message": msg}),
        )

    def suggest(self, text: str) -> None:
        """Ask the CRM for records matching the dial box text ("always query CRM" on)."""
        if len(text) < _MIN_QUERY or not self.settings.get("match.always_query_crm"):
            return

        def show(records: list[Record]) -> None:
            from linkus_companion.ui.widgets.record_picker import record_line

            pairs = [(record_line(r), r.phones[0]) for r in records if r.phones]
            self.tray.menu.dial_box.set_suggestions(pairs)

        self.tasks.start(
            self.backend.suggest(text), done=show, failed=lambda msg: log.info("suggest: %s", msg)
        )

    def show_history(self) -> HistoryWindow:
        """Open (or raise) the call history, built on first use."""
        if self.history_window is None:
            from linkus_companion.ui.history import HistoryWindow

            window = HistoryWindow(
                self._history,
                region=str(self.settings.get("match.region")),
                crm=CRM_NAMES.get(self._status.crm_kind, ""),
            )
            window.call_back.connect(self.call_back)
            window.open_in_crm.connect(self.open_in_crm)
            window.add_to_crm.connect(self.add_to_crm)
            window.note_written.connect(
                lambda call_id, text: self.save_note(call_id, CallNote(text, keep_disposition=True))
            )
            self.history_window = window
        self.history_window.refresh()
        bring_forward(self.history_window)
        return self.history_window

    def _history(self, text: str) -> list[HistoryItem]:
        from linkus_companion.ui.history import DAYS

        items = self.backend.history(text, DAYS)
        for item in items:  # call back and Add to CRM find the call by its id
            self._views.setdefault(item.call.call_id, item.call)
        return items

    def show_settings(self) -> SettingsDialog:
        """Open (or raise) the settings window."""
        if self.settings_dialog is None:
            from linkus_companion.ui.settings.dialog import SettingsDialog

            dialog = SettingsDialog(self.settings, self.actions, self.tasks)
            dialog.set_status(self._status)
            dialog.finished.connect(lambda _code: self._forget_settings(dialog))
            self.settings_dialog = dialog
        bring_forward(self.settings_dialog)
        return self.settings_dialog

    def show_window(self) -> None:
        """Bring the app forward: the windows the user has open (first run, Add to CRM, settings, history;
        minimised ones restored), the fallback window, or the settings when nothing is set up."""
        windows = (self.first_run, *self.add_dialogs.values(), self.settings_dialog, self.history_window)
        open_windows = [w for w in windows if w is not None and w.isVisible()]
        for window in reversed(open_windows):  # the first one ends on top
            bring_forward(window)
        if open_windows:
            return
        if self.first_run is not None:
            bring_forward(self.first_run)
        elif self.tray.window is not None:
            bring_forward(self.tray.window)
        elif self._status.link is LinkState.NOT_CONFIGURED:
            self.show_settings()
        else:  # a second start of a running tray app says where the app is rather than doing nothing
            self.tray.notify(
                APP_NAME,
                QCoreApplication.translate(
                    "Shell", "Linkus Companion is already running: its menu is on the tray icon."
                ),
            )

    def open_logs(self) -> None:
        """Open the log folder in the file manager."""
        if self._open_logs is not None:
            self._open_logs()

    def show_about(self) -> None:
        """The About box (non-modal)."""
        text = QCoreApplication.translate(
            "Shell", "%1 %2\nConnects your Yeastar P-Series extension to HubSpot, Salesforce or Zoho CRM."
        )
        self._message(
            QMessageBox.Icon.Information,
            QCoreApplication.translate("Shell", "About %1").replace("%1", APP_NAME),
            text.replace("%1", APP_NAME).replace("%2", __version__),
        )

    def show_error(self, title: str, message: str) -> None:
        """Tell the user something failed, without blocking anything."""
        log.warning("%s: %s", title, message)
        self._message(QMessageBox.Icon.Warning, title, message)

    # -- internals --------------------------------------------------------------------------------

    def _message(self, kind: QMessageBox.Icon, title: str, text: str, parent: QWidget | None = None) -> None:
        if self.message_box is not None:
            self.message_box.close()
        box = QMessageBox(kind, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setWindowIcon(icon("app"))
        box.setModal(False)
        box.finished.connect(lambda _code: setattr(self, "message_box", None))
        self.message_box = box
        box.show()

    def _refresh_recent(self) -> None:
        recent = self.backend.recent_calls()
        for call in recent:
            self._views.setdefault(call.call_id, call)
        self.tray.menu.set_recent(recent)

    def _forget_add_dialog(self, call_id: str) -> None:
        dialog = self.add_dialogs.pop(call_id, None)
        if dialog is not None:
            dialog.deleteLater()

    def _forget_settings(self, dialog: SettingsDialog) -> None:
        if self.settings_dialog is dialog:
            self.settings_dialog = None
        dialog.deleteLater()

    def _on_setting(self, key: str, _effective: Effective) -> None:
        if key in ("create.enabled", "match.region", "calllog.note_minutes"):
            self.on_status(self._status)

    def _on_message_clicked(self) -> None:
        call_id = self.notifier.last_call_id
        if call_id and self._panel is not None and self.panel.card(call_id) is not None:
            bring_forward(self.panel)
