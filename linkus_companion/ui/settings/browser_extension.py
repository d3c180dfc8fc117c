"""Settings box "Browser extension": register the native host, open the extension folder, and check both."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from linkus_companion import APP_NAME
from linkus_companion.platform.extension_pack import extension_dir
from linkus_companion.platform.native_commands import registration
from linkus_companion.platform.native_manifest import Registration
from linkus_companion.platform.native_messaging import CHROME_EXTENSION_ID

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("BrowserExtensionBox", text)


class BrowserExtensionBox(QGroupBox):
    """How to add click to call to Chrome, Edge and Firefox, with a live check of the host registration."""

    def __init__(self, parent: QWidget | None = None, reg: Registration | None = None) -> None:
        super().__init__(_tr("Browser extension (click to call in CRM pages)"), parent)
        self._reg = reg or registration()
        steps = QLabel(
            _tr(
                "1. Click Install the browser extension.\n"
                "2. In Chrome or Edge open the extensions page, turn on Developer mode, choose Load unpacked "
                "and pick the extension folder (your administrator may install it for you instead).\n"
                "3. Open a contact in HubSpot, Salesforce or Zoho CRM and click the call button beside a number."
            )
        )
        steps.setWordWrap(True)
        self.install_button = QPushButton(_tr("&Install the browser extension"))
        self.install_button.setAccessibleName(_tr("Register %1 with your browsers").replace("%1", APP_NAME))
        self.install_button.clicked.connect(self.install)
        self.folder_button = QPushButton(_tr("Open the extension &folder"))
        self.folder_button.clicked.connect(self.open_folder)
        self.result = QLabel()
        self.result.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.install_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(steps)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        self.check()

    def install(self) -> None:
        """Register the native messaging host for every browser of this user."""
        try:
            self._reg.install()
        except OSError as exc:
            log.warning("browser extension: %s", exc)
            self.result.setText(_tr("Could not register with the browsers: %1").replace("%1", str(exc)))
            return
        self.check()

    def check(self) -> bool:
        """Show whether every browser finds our host; True when it does."""
        problems = self._reg.problems()
        if problems:
            self.result.setText(
                _tr("Not installed yet: the browsers cannot reach %1 (%2).")
                .replace("%1", APP_NAME)
                .replace("%2", problems[0])
            )
        else:
            self.result.setText(
                _tr("Installed for Chrome, Edge, Chromium and Firefox. Extension id: %1").replace(
                    "%1", CHROME_EXTENSION_ID
                )
            )
        return not problems

    def open_folder(self) -> None:
        """Show the unpacked extension in the file manager (for Load unpacked)."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(extension_dir())))
