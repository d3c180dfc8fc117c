"""First run: walks the user through the PBX (or gateway), the extension and the CRM sign-in, checking each
step live; or starts the offline demo."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from linkus_companion import APP_NAME
from linkus_companion.backend import BackendError
from linkus_companion.config import SCHEMA, Settings, SettingsError
from linkus_companion.config.rules import Choice
from linkus_companion.texts import text_of
from linkus_companion.ui.actions import IntegrationActions
from linkus_companion.ui.i18n import tr_text
from linkus_companion.ui.resources import icon
from linkus_companion.ui.settings.labels import choice_label
from linkus_companion.ui.tasks import Tasks


def needs_first_run(settings: Settings) -> bool:
    """Nothing is configured and no admin policy set anything: the user must be walked through."""
    if settings.get("pbx.url") or settings.get("gateway.url"):
        return False
    return all(settings.effective(key).source in ("default", "user") for key in SCHEMA)


class _CheckedPage(QWizardPage):
    """A page whose Next button waits for a live check to succeed."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = False
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(self.tr("Check result"))

    def isComplete(self) -> bool:
        return self.checked

    def set_checked(self, ok: bool, text: str) -> None:
        self.checked = ok
        self.result.setText(text)
        self.result.setStyleSheet("" if ok else "color: #b3261e;")
        self.completeChanged.emit()


class WelcomePage(QWizardPage):
    """Choose: the PBX directly, the company's gateway, or the offline demo."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Welcome to %1").replace("%1", APP_NAME))
        self.setSubTitle(
            self.tr("%1 opens your callers' CRM pages and logs your calls. Let's connect it.").replace(
                "%1", APP_NAME
            )
        )
        self.direct = QRadioButton(self.tr("Connect to my &PBX (small office)"))
        self.gateway = QRadioButton(self.tr("Use my company's &gateway"))
        self.demo = QRadioButton(self.tr("Try the offline &demo (no account needed)"))
        self.direct.setChecked(True)
        group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        for button in (self.direct, self.gateway, self.demo):
            group.addButton(button)
            layout.addWidget(button)
        layout.addStretch(1)


class ConnectionPage(_CheckedPage):
    """The PBX address, API credentials and extension, or the gateway address; checked live."""

    def __init__(self, settings: Settings, actions: IntegrationActions | None, tasks: Tasks | None) -> None:
        super().__init__()
        self._settings = settings
        self._actions = actions
        self._tasks = tasks
        self.setTitle(self.tr("Connect to the PBX"))
        self.url = QLineEdit(str(settings.get("pbx.url")))
        self.url.setPlaceholderText("https://pbx.example.com:8088")
        self.client_id = QLineEdit(str(settings.get("pbx.client_id")))
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.extension = QLineEdit(", ".join(settings.get("pbx.extensions")))  # type: ignore[arg-type]
        self.extension.setPlaceholderText("1001")
        self.check_button = QPushButton(self.tr("&Check"))
        self.check_button.clicked.connect(self.check)
        self.form = QFormLayout(self)
        self._rows = {
            "url": self._add(self.tr("PBX &address:"), self.url),
            "client_id": self._add(self.tr("API Client &ID:"), self.client_id),
            "secret": self._add(self.tr("API Client &Secret:"), self.secret),
            "extension": self._add(self.tr("Your &extension:"), self.extension),
        }
        self.form.addRow(self.check_button)
        self.form.addRow(self.result)
        for edit in (self.url, self.client_id, self.secret, self.extension):
            edit.textEdited.connect(lambda _t: self.set_checked(False, ""))

    def _add(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        widget.setAccessibleName(text.replace("&", "").rstrip(":"))
        self.form.addRow(label, widget)
        return label

    @property
    def via_gateway(self) -> bool:
        wizard = self.wizard()
        return isinstance(wizard, FirstRunWizard) and wizard.welcome.gateway.isChecked()

    def initializePage(self) -> None:
        gateway = self.via_gateway
        self.setTitle(self.tr("Connect to the gateway") if gateway else self.tr("Connect to the PBX"))
        self.setSubTitle(
            self.tr("Your administrator gives you the gateway's address.")
            if gateway
            else self.tr(
                "Your administrator gives you the PBX address and the Open API Client ID and Secret."
            )
        )
        if gateway:
            self.url.setText(str(self._settings.get("gateway.url")))
        for key, edit in (("client_id", self.client_id), ("secret", self.secret)):
            self._rows[key].setVisible(not gateway)
            edit.setVisible(not gateway)
        self._rows["url"].setText(self.tr("Gateway &address:") if gateway else self.tr("PBX &address:"))

    def check(self) -> None:
        """Save what was typed and check it live."""
        try:
            self._save()
        except SettingsError as exc:
            self.set_checked(False, tr_text(text_of(exc)))
            return
        except BackendError as exc:  # no keyring for the secret: say so, keep what was typed
            self.set_checked(False, tr_text(text_of(exc)))
            return
        if self._actions is None or self._tasks is None:
            self.set_checked(True, self.tr("Saved. It will be checked when the app connects."))
            return
        self.check_button.setEnabled(False)
        self.result.setText(self.tr("Checking…"))
        if self.via_gateway:
            coro = self._actions.check_gateway(self.url.text().strip())
        else:
            coro = self._actions.check_pbx(
                self.url.text().strip(), self.client_id.text().strip(), self.secret.text()
            )

        def done(found: str) -> None:
            self.check_button.setEnabled(True)
            self.set_checked(True, self.tr("Connected: %1").replace("%1", tr_text(found)))

        def failed(message: str) -> None:
            self.check_button.setEnabled(True)
            self.set_checked(False, message)

        self._tasks.start(coro, done=done, failed=failed)

    def _save(self) -> None:
        settings = self._settings
        if self.via_gateway:
            settings.set_user("backend", "gateway")
            settings.set_user_text("gateway.url", self.url.text().strip())
        else:
            settings.set_user("backend", "embedded")
            settings.set_user_text("pbx.url", self.url.text().strip())
            settings.set_user_text("pbx.client_id", self.client_id.text().strip())
            if self.secret.text() and self._actions is not None:
                self._actions.save_pbx_secret(self.secret.text())
        settings.set_user_text("pbx.extensions", self.extension.text())


class CrmPage(_CheckedPage):
    """Which CRM, and the browser sign-in (can be skipped and done later in the settings)."""

    def __init__(self, settings: Settings, actions: IntegrationActions | None, tasks: Tasks | None) -> None:
        super().__init__()
        self._settings = settings
        self._actions = actions
        self._tasks = tasks
        self.checked = True  # signing in to the CRM can wait
        self.setTitle(self.tr("Sign in to your CRM"))
        self.setSubTitle(
            self.tr("Your browser opens the CRM's sign-in page. You can also do this later in the settings.")
        )
        self.kind = QComboBox()
        rule = SCHEMA["crm.kind"].rule
        assert isinstance(rule, Choice)
        for option in rule.options:
            self.kind.addItem(choice_label("crm.kind", option), option)
        self.kind.setCurrentIndex(max(0, self.kind.findData(settings.get("crm.kind"))))
        self.kind.setEnabled(not settings.effective("crm.kind").locked)
        self.kind.setAccessibleName(self.tr("CRM"))
        self.authorize_button = QPushButton(self.tr("&Sign in…"))
        self.authorize_button.setEnabled(actions is not None and tasks is not None)
        self.authorize_button.clicked.connect(self.authorize)
        form = QFormLayout(self)
        label = QLabel(self.tr("&CRM:"))
        label.setBuddy(self.kind)
        form.addRow(label, self.kind)
        form.addRow(self.authorize_button)
        form.addRow(self.result)

    def validatePage(self) -> bool:
        if not self._settings.effective("crm.kind").locked:
            self._settings.set_user("crm.kind", self.kind.currentData())
        return True

    def authorize(self) -> None:
        """Save the CRM choice and run the browser sign-in."""
        assert self._actions is not None and self._tasks is not None
        self.validatePage()
        self.authorize_button.setEnabled(False)
        self.result.setText(self.tr("Waiting for the sign-in in your browser…"))

        def done(account: str) -> None:
            self.authorize_button.setEnabled(True)
            self.set_checked(True, self.tr("Signed in as %1").replace("%1", account))

        def failed(message: str) -> None:
            self.authorize_button.setEnabled(True)
            self.set_checked(True, message)
            self.result.setStyleSheet("color: #b3261e;")

        self._tasks.start(self._actions.authorize_crm(), done=done, failed=failed)


class FirstRunWizard(QWizard):
    """The first-run walk-through (non-modal: `show()` it; never `exec()`).

    Signals:
        demo_requested(): the user chose the offline demo.
    """

    demo_requested = Signal()

    def __init__(
        self,
        settings: Settings,
        actions: IntegrationActions | None = None,
        tasks: Tasks | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Set up %1").replace("%1", APP_NAME))
        self.setWindowIcon(icon("app"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.welcome = WelcomePage()
        self.connection = ConnectionPage(settings, actions, tasks)
        self.crm = CrmPage(settings, actions, tasks)
        self.welcome_id = self.addPage(self.welcome)
        self.connection_id = self.addPage(self.connection)
        self.crm_id = self.addPage(self.crm)
        self.welcome.demo.toggled.connect(lambda on: self.welcome.setFinalPage(on))
        self.resize(560, 400)

    def nextId(self) -> int:
        if self.currentId() == self.welcome_id and self.welcome.demo.isChecked():
            return -1
        if self.currentId() == self.connection_id and self.connection.via_gateway:
            return -1  # the gateway holds the CRM sign-in
        return super().nextId()

    def accept(self) -> None:
        if self.welcome.demo.isChecked():
            self.demo_requested.emit()
        super().accept()
