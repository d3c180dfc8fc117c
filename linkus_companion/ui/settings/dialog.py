"""The settings window: one page per group of the manuals, fields generated from the config schema."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from linkus_companion import APP_NAME
from linkus_companion.backend import BackendError, CrmState, Status
from linkus_companion.config import SCHEMA, Settings
from linkus_companion.platform import url_handler
from linkus_companion.texts import text_of
from linkus_companion.ui.actions import BindingRow, IntegrationActions
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.phone_links import phone_link_handler, register_phone_links
from linkus_companion.ui.resources import CRM_TROUBLE, icon
from linkus_companion.ui.settings.browser_extension import BrowserExtensionBox
from linkus_companion.ui.settings.fields import SettingField
from linkus_companion.ui.settings.labels import label
from linkus_companion.ui.settings.template_editor import KEYS as TEMPLATE_KEYS
from linkus_companion.ui.settings.template_editor import TemplateEditor
from linkus_companion.ui.tasks import Tasks
from linkus_companion.ui.tray import link_words, waiting_text

PAGES: tuple[tuple[object, tuple[str, ...]], ...] = (
    (QT_TRANSLATE_NOOP("SettingsDialog", "PBX connection"), ("backend", "gateway", "pbx")),
    (QT_TRANSLATE_NOOP("SettingsDialog", "CRM"), ("crm",)),
    (QT_TRANSLATE_NOOP("SettingsDialog", "User binding"), ("binding",)),
    (QT_TRANSLATE_NOOP("SettingsDialog", "Screen pop"), ("pop",)),
    (QT_TRANSLATE_NOOP("SettingsDialog", "Create new contact"), ("create",)),
    (QT_TRANSLATE_NOOP("SettingsDialog", "Call-log sync"), ("calllog",)),
    (QT_TRANSLATE_NOOP("SettingsDialog", "Contact sync"), ("sync",)),
    (QT_TRANSLATE_NOOP("SettingsDialog", "Number matching"), ("match",)),
    (QT_TRANSLATE_NOOP("SettingsDialog", "General"), ("ui",)),
)
"""Page titles and the first part of the setting names each page shows, in display order; a setting
whose first part no page claims lands on the last page. Within a group, settings keep the schema's order."""
OWN_EDITOR = frozenset(TEMPLATE_KEYS) | {"crm.enabled"}
"""Settings edited by a dedicated control: the template editor, the Disable/Enable button."""


def page_keys() -> list[list[str]]:
    """The setting keys of each page of PAGES, generated from the schema."""
    pages: list[list[str]] = [[] for _ in PAGES]
    for key in SCHEMA:
        if key in OWN_EDITOR:
            continue
        group = key.split(".")[0]
        index = next((i for i, (_t, groups) in enumerate(PAGES) if group in groups), len(PAGES) - 1)
        pages[index].append(key)
    for (_title, groups), keys in zip(PAGES, pages, strict=True):
        keys.sort(key=lambda k: groups.index(k.split(".")[0]) if k.split(".")[0] in groups else len(groups))
    return pages


SHOWN_WHEN: dict[str, tuple[str, tuple[str, ...]]] = {
    "gateway.url": ("backend", ("gateway",)),
    "pbx.url": ("backend", ("embedded",)),
    "pbx.client_id": ("backend", ("embedded",)),
    "pbx.ca_file": ("backend", ("embedded",)),
    "pbx.cert_fingerprint": ("backend", ("embedded",)),
    "pbx.heartbeat_seconds": ("backend", ("embedded",)),
    "crm.zoho_data_centre": ("crm.kind", ("zoho",)),
    "crm.salesforce_login": ("crm.kind", ("salesforce",)),
    "crm.phonebridge": ("crm.kind", ("zoho",)),
    "pop.trigger": ("pop.mode", ("auto",)),
    "create.inbound": ("create.mode", ("auto",)),
    "create.auto_name": ("create.mode", ("auto",)),
    "create.outbound": ("create.mode", ("auto",)),
}
"""Settings that only matter for some values of another one; their rows hide otherwise."""


class SettingsDialog(QDialog):
    """Every setting on pages; the PBX secret, the CRM account buttons and the binding table call
    `actions` (None: those controls are disabled)."""

    def __init__(
        self,
        settings: Settings,
        actions: IntegrationActions | None = None,
        tasks: Tasks | None = None,
        parent: QWidget | None = None,
        *,
        link_handler: Callable[[], url_handler.UrlHandler | None] = phone_link_handler,
    ) -> None:
        super().__init__(parent)
        self._link_handler = link_handler
        self.setModal(False)
        self.setWindowIcon(icon("app"))
        self.settings = settings
        self._actions = actions
        self._tasks = tasks
        self.fields: dict[str, SettingField] = {}
        self._forms: dict[str, QFormLayout] = {}
        self._labels: list[tuple[QLabel, Callable[[], str]]] = []
        self.nav = QListWidget()
        self.nav.setAccessibleName(QCoreApplication.translate("SettingsDialog", "Settings pages"))
        self.pages = QStackedWidget()
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        builders = {
            "PBX connection": self._pbx_extras,
            "CRM": self._crm_extras,
            "User binding": self._binding_extras,
            "Call-log sync": self._calllog_extras,
            "General": self._general_extras,
        }
        for (title, _groups), keys in zip(PAGES, page_keys(), strict=True):
            self.nav.addItem(QCoreApplication.translate("SettingsDialog", str(title)))
            self.pages.addWidget(self._page(keys, builders.get(str(title))))
        self.nav.setCurrentRow(0)
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 24)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.saved_note = QLabel(
            QCoreApplication.translate("SettingsDialog", "Changes are saved and applied as you make them.")
        )
        self.saved_note.setAccessibleName(self.saved_note.text())
        footer = QHBoxLayout()
        footer.addWidget(self.saved_note, 1)
        footer.addWidget(buttons)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(footer)
        self.setWindowTitle(
            QCoreApplication.translate("SettingsDialog", "Settings")
        )  # Qt appends the app name
        self.resize(860, 600)
        unsubscribe = settings.subscribe(lambda key, _eff: self._update_rows())
        self.destroyed.connect(lambda _obj=None: unsubscribe())
        self._update_rows()

    def row_visible(self, key: str) -> bool:
        """Whether the row of setting `key` is shown (it may matter only for some other values)."""
        shown_when = SHOWN_WHEN.get(key)
        return shown_when is None or self.settings.get(shown_when[0]) in shown_when[1]

    def _update_rows(self) -> None:
        for key in SHOWN_WHEN:
            self._forms[key].setRowVisible(self.fields[key], self.row_visible(key))
        if hasattr(self, "secret"):
            self._forms["pbx.client_id"].setRowVisible(self.secret, self.row_visible("pbx.client_id"))

    # -- pages ------------------------------------------------------------------------------------

    def show_page(self, title: str) -> None:
        """Show the page with this (English) title."""
        self.nav.setCurrentRow([t for t, _ in PAGES].index(title))

    def _page(self, keys: Sequence[str], extras: Callable[[QFormLayout], None] | None) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(8, 8, 16, 8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key in keys:
            field = SettingField(self.settings, key)
            self.fields[key] = field
            self._forms[key] = form
            self._row(form, functools.partial(label, key), field)
        if extras is not None:
            extras(form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field (the page follows)
        scroll.setWidget(page)
        return scroll

    def _row(self, form: QFormLayout, text: Callable[[], str], widget: QWidget) -> QLabel:
        row_label = QLabel(text())
        row_label.setBuddy(widget)
        self._labels.append((row_label, text))
        form.addRow(row_label, widget)
        return row_label

    def _button(self, text: str, handler: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(handler)
        button.setEnabled(self._actions is not None and self._tasks is not None)
        if not button.isEnabled():
            button.setToolTip(QCoreApplication.translate("SettingsDialog", "Not available in this mode"))
        return button

    @staticmethod
    def _left(widget: QWidget) -> QWidget:
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(widget)
        row.addStretch(1)
        return holder

    def _pbx_extras(self, form: QFormLayout) -> None:
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(QCoreApplication.translate("SettingsDialog", "API Client Secret"))
        stored = self._actions is not None and self._actions.has_pbx_secret()
        self.secret.setPlaceholderText(
            QCoreApplication.translate("SettingsDialog", "Stored in the keyring")
            if stored
            else QCoreApplication.translate("SettingsDialog", "Not stored yet")
        )
        self.secret.setEnabled(self._actions is not None and not self.fields["pbx.client_id"].locked)
        self.secret.editingFinished.connect(lambda: self._save_secret())
        position = cast(
            tuple[int, QFormLayout.ItemRole], form.getWidgetPosition(self.fields["pbx.client_id"])
        )
        row = position[0]
        secret_label = QLabel(QCoreApplication.translate("SettingsDialog", "API Client Secret"))
        secret_label.setBuddy(self.secret)
        self._labels.append(
            (secret_label, lambda: QCoreApplication.translate("SettingsDialog", "API Client Secret"))
        )
        form.insertRow(row + 1, secret_label, self.secret)
        self.pbx_result = QLabel()
        self.pbx_result.setWordWrap(True)
        self.test_button = self._button(
            QCoreApplication.translate("SettingsDialog", "&Test connection"), self._test_pbx
        )
        form.addRow("", self._left(self.test_button))
        form.addRow(self.pbx_result)

    def _crm_extras(self, form: QFormLayout) -> None:
        self.crm_status = QLabel()
        self.crm_status.setAccessibleName(QCoreApplication.translate("SettingsDialog", "CRM status"))
        self.authorize_button = self._button(
            QCoreApplication.translate("SettingsDialog", "&Authorise…"), self._authorize
        )
        self.disable_button = self._button(
            QCoreApplication.translate("SettingsDialog", "&Disable"), self._toggle_enabled
        )
        self.disconnect_button = self._button(
            QCoreApplication.translate("SettingsDialog", "Dis&connect…"), self._confirm_disconnect
        )
        buttons = QHBoxLayout()
        for button in (self.authorize_button, self.disable_button, self.disconnect_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        holder = QWidget()
        holder.setLayout(buttons)
        self._row(form, lambda: QCoreApplication.translate("SettingsDialog", "Status"), self.crm_status)
        form.addRow(holder)
        self.crm_result = QLabel()
        self.crm_result.setWordWrap(True)
        form.addRow(self.crm_result)
        self.set_status(None)

    def _binding_extras(self, form: QFormLayout) -> None:
        self.binding_table = QTableWidget(0, 3)
        self.binding_table.setAccessibleName(QCoreApplication.translate("SettingsDialog", "Bound extensions"))
        self.binding_table.setHorizontalHeaderLabels(
            [
                QCoreApplication.translate("SettingsDialog", "Extension"),
                QCoreApplication.translate("SettingsDialog", "CRM user"),
                QCoreApplication.translate("SettingsDialog", "Bound by"),
            ]
        )
        self.binding_table.horizontalHeader().setStretchLastSection(True)
        self.binding_table.verticalHeader().setVisible(False)
        self.binding_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.refresh_bindings_button = self._button(
            QCoreApplication.translate("SettingsDialog", "&Refresh"), self.refresh_bindings
        )
        form.addRow(self.binding_table)
        form.addRow(self._left(self.refresh_bindings_button))

    def _calllog_extras(self, form: QFormLayout) -> None:
        self.templates = TemplateEditor(self.settings)
        self.fields.update(self.templates.fields)
        self._templates_box = QGroupBox(QCoreApplication.translate("SettingsDialog", "Call-log templates"))
        QVBoxLayout(self._templates_box).addWidget(self.templates)
        form.addRow(self._templates_box)

    def _general_extras(self, form: QFormLayout) -> None:
        self.phone_links_button = QPushButton(
            QCoreApplication.translate("SettingsDialog", "Make %1 the handler for &phone links").replace(
                "%1", APP_NAME
            )
        )
        self.phone_links_button.setAccessibleName(
            QCoreApplication.translate("SettingsDialog", "Handle tel: and callto: links")
        )
        self.phone_links_button.clicked.connect(self._register_phone_links)
        self.phone_links_result = QLabel()
        self.phone_links_result.setWordWrap(True)
        if sys.platform == "darwin":
            self.phone_links_button.setEnabled(False)
            self.phone_links_result.setText(
                QCoreApplication.translate(
                    "SettingsDialog", "On macOS, choose the app for phone links in FaceTime > Settings."
                )
            )
        elif self._tasks is None:
            self.phone_links_button.setEnabled(False)
        form.addRow("", self._left(self.phone_links_button))
        form.addRow(self.phone_links_result)
        self.browser_extension = BrowserExtensionBox()
        form.addRow(self.browser_extension)

    def _register_phone_links(self) -> None:
        handler = self._link_handler()
        if handler is None:
            return

        def done(registered: object) -> str:
            if sys.platform == "win32":
                QDesktopServices.openUrl(QUrl(url_handler.DEFAULT_APPS_URL))
                return QCoreApplication.translate(
                    "SettingsDialog", "Registered: pick %1 for TEL and CALLTO in Default Apps."
                ).replace("%1", APP_NAME)
            if registered:
                return QCoreApplication.translate(
                    "SettingsDialog", "Phone links (tel:, callto:) now open %1."
                ).replace("%1", APP_NAME)
            return QCoreApplication.translate("SettingsDialog", "The system did not accept the registration.")

        self._run(register_phone_links(handler), self.phone_links_result, done)

    # -- status and actions -----------------------------------------------------------------------

    def set_status(self, status: Status | None) -> None:
        """Show the CRM connection as the calls see it: Connected only while requests succeed."""
        crm = status.crm if status is not None else CrmState.NONE
        text = {
            CrmState.NONE: QCoreApplication.translate("SettingsDialog", "Not connected"),
            CrmState.CONNECTED: QCoreApplication.translate("SettingsDialog", "Connected"),
            CrmState.DISABLED: QCoreApplication.translate("SettingsDialog", "Disabled"),
            CrmState.ERROR: QCoreApplication.translate("SettingsDialog", "Error"),
            CrmState.FAILING: QCoreApplication.translate("SettingsDialog", "Failing since %1"),
            CrmState.RATE_LIMITED: QCoreApplication.translate("SettingsDialog", "Limiting requests"),
            CrmState.AUTH_EXPIRED: QCoreApplication.translate(
                "SettingsDialog", "Sign-in expired: your administrator must authorise the gateway again"
            )
            if status is not None and status.crm_by_gateway
            else QCoreApplication.translate("SettingsDialog", "Sign-in expired: use Re-authorise"),
        }[crm]
        since = status.crm_since if status is not None else None
        text = text.replace("%1", since.astimezone().strftime("%H:%M") if since else "?")
        problem = (status.crm_problem or status.message) if status is not None else ""
        if problem and crm in CRM_TROUBLE:
            text += " — " + tr_text(problem)
        if status is not None and status.waiting_logs:
            text += "\n" + waiting_text(status)
        trouble = crm in CRM_TROUBLE
        if status is not None and status.gateway_down:
            text = QCoreApplication.translate(
                "SettingsDialog", "Not known until the gateway answers again · %1"
            ).replace("%1", link_words(status))
            trouble = True
        self.crm_status.setText(text)
        self.crm_status.setWordWrap(True)
        self.crm_status.setStyleSheet("color: #b3261e;" if trouble else "")
        self.authorize_button.setText(
            QCoreApplication.translate("SettingsDialog", "Re-&authorise…")
            if crm is not CrmState.NONE
            else QCoreApplication.translate("SettingsDialog", "&Authorise…")
        )
        self.disable_button.setText(
            QCoreApplication.translate("SettingsDialog", "&Enable")
            if crm is CrmState.DISABLED
            else QCoreApplication.translate("SettingsDialog", "&Disable")
        )
        self._crm_state = crm

    def _run(self, coro: Coroutine[Any, Any, Any], result: QLabel, done_text: Callable[[Any], str]) -> None:
        assert self._tasks is not None
        result.setText(QCoreApplication.translate("SettingsDialog", "Working…"))
        result.setStyleSheet("")

        def failed(message: str) -> None:
            result.setText(message)
            result.setStyleSheet("color: #b3261e;")

        self._tasks.start(coro, done=lambda value: result.setText(done_text(value)), failed=failed)

    def _save_secret(self) -> bool:
        """Store a typed secret; False (and the reason shown) when it could not be stored."""
        secret = self.secret.text()
        if secret and self._actions is not None:
            try:
                self._actions.save_pbx_secret(secret)
            except BackendError as exc:  # no keyring: say what to do, keep what was typed
                self.pbx_result.setText(tr_text(text_of(exc)))
                self.pbx_result.setStyleSheet("color: #b3261e;")
                return False
            self.secret.clear()
            self.secret.setPlaceholderText(
                QCoreApplication.translate("SettingsDialog", "Stored in the keyring")
            )
        return True

    def _test_pbx(self) -> None:
        assert self._actions is not None
        if not self._save_secret():
            return
        url, client_id = str(self.settings.get("pbx.url")), str(self.settings.get("pbx.client_id"))
        if self.settings.get("backend") == "gateway":
            coro = self._actions.check_gateway(str(self.settings.get("gateway.url")))
        else:
            coro = self._actions.check_pbx(url, client_id, "")
        self._run(
            coro,
            self.pbx_result,
            lambda found: QCoreApplication.translate("SettingsDialog", "Connected: %1").replace(
                "%1", tr_text(found)
            ),
        )

    def _authorize(self) -> None:
        assert self._actions is not None
        self._run(
            self._actions.authorize_crm(),
            self.crm_result,
            lambda account: QCoreApplication.translate("SettingsDialog", "Authorised as %1").replace(
                "%1", str(account)
            ),
        )

    def _toggle_enabled(self) -> None:
        assert self._actions is not None
        enable = self._crm_state is CrmState.DISABLED
        self._run(
            self._actions.set_crm_enabled(enable),
            self.crm_result,
            lambda _r: (
                QCoreApplication.translate("SettingsDialog", "Enabled")
                if enable
                else QCoreApplication.translate("SettingsDialog", "Disabled; every setting is kept")
            ),
        )

    def _confirm_disconnect(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("SettingsDialog", "Disconnect the CRM?"),
            QCoreApplication.translate(
                "SettingsDialog",
                "Disconnecting clears the CRM settings and sign-in. Contacts already synced to the PBX "
                "stay there and become editable. To pause the integration and keep the settings, "
                "use Disable instead.",
            ),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        disconnect = box.addButton(
            QCoreApplication.translate("SettingsDialog", "Disconnect"), QMessageBox.ButtonRole.DestructiveRole
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box

        def decided() -> None:
            if box.clickedButton() is disconnect and self._actions is not None:
                self._run(
                    self._actions.disconnect_crm(),
                    self.crm_result,
                    lambda _r: QCoreApplication.translate("SettingsDialog", "Disconnected"),
                )

        box.finished.connect(lambda _code: decided())
        box.open()

    def refresh_bindings(self) -> None:
        """Load the extension ↔ CRM user table."""
        if self._actions is None or self._tasks is None:
            return
        self._tasks.start(self._actions.bindings(), done=self.show_bindings)

    def show_bindings(self, rows: Sequence[BindingRow]) -> None:
        """Fill the binding table."""
        hows = {
            "email": QCoreApplication.translate("SettingsDialog", "Auto bind (same e-mail)"),
            "manual": QCoreApplication.translate("SettingsDialog", "Manual bind"),
            "": QCoreApplication.translate("SettingsDialog", "Not bound"),
            "sign-in": QCoreApplication.translate("SettingsDialog", "Your own CRM sign-in"),
        }
        self.binding_table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            how = hows.get(row.how, row.how) + (f" — {tr_text(row.problem)}" if row.problem else "")
            user = row.crm_user or (
                QCoreApplication.translate("SettingsDialog", "The CRM user you signed in as")
                if row.how == "sign-in"
                else "—"
            )
            for j, text in enumerate((row.extension, user, how)):
                self.binding_table.setItem(i, j, QTableWidgetItem(text))
        self.binding_table.resizeColumnsToContents()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_bindings()  # the binding table shows the running configuration without a click

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == event.Type.LanguageChange:
            for row_label, text in self._labels:
                row_label.setText(text())
            for i, (title, _groups) in enumerate(PAGES):
                self.nav.item(i).setText(QCoreApplication.translate("SettingsDialog", str(title)))
            self.setWindowTitle(QCoreApplication.translate("SettingsDialog", "Settings"))
            self.saved_note.setText(
                QCoreApplication.translate(
                    "SettingsDialog", "Changes are saved and applied as you make them."
                )
            )
        super().changeEvent(event)
