"""Settings box "Browser extension": register the native host, open the extension folder, and check both."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from linkus_companion import APP_NAME
from linkus_companion.os_cause import os_why
from linkus_companion.platform.extension_pack import extension_dir
from linkus_companion.platform.native_commands import registration
from linkus_companion.platform.native_manifest import Registration
from linkus_companion.platform.native_messaging import CHROME_EXTENSION_ID
from linkus_companion.ui.i18n import tr_text

log = logging.getLogger(__name__)


class BrowserExtensionBox(QGroupBox):
    """How to add click to call to Chrome, Edge and Firefox, with a live check of the host registration."""

    def __init__(self, parent: QWidget | None = None, reg: Registration | None = None) -> None:
        super().__init__(
            QCoreApplication.translate(
                "BrowserExtensionBox", "Browser extension (click to call in CRM pages)"
            ),
            parent,
        )
        self._reg = reg or registration()
        steps = QLabel(
            "\n".join(
                [
                    QCoreApplication.translate(
                        "BrowserExtensionBox", "1. Click Install the browser extension."
                    ),
                    QCoreApplication.translate(
                        "BrowserExtensionBox",
                        "2. In Chrome or Edge, open the extensions page and turn on Developer mode.",
                    ),
                    QCoreApplication.translate(
                        "BrowserExtensionBox",
                        "3. Choose Load unpacked and pick the extension folder (or your admin installs it).",
                    ),
                    QCoreApplication.translate(
                        "BrowserExtensionBox",
                        "4. Open a contact in your CRM and click the call button beside a phone number.",
                    ),
                ]
            )
        )
        steps.setWordWrap(True)
        self.install_button = QPushButton(
            QCoreApplication.translate("BrowserExtensionBox", "&Install the browser extension")
        )
        self.install_button.setAccessibleName(
            QCoreApplication.translate("BrowserExtensionBox", "Register %1 with your browsers").replace(
                "%1", APP_NAME
            )
        )
        self.install_button.clicked.connect(self.install)
        self.folder_button = QPushButton(
            QCoreApplication.translate("BrowserExtensionBox", "Open the extension &folder")
        )
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
            self.result.setText(
                QCoreApplication.translate(
                    "BrowserExtensionBox", "Could not register with the browsers: %1"
                ).replace("%1", tr_text(os_why(exc)))
            )
            return
        self.check()

    def check(self) -> bool:
        """Show whether every browser finds our host; True when it does."""
        problems = self._reg.problems()
        if problems:
            self.result.setText(
                QCoreApplication.translate(
                    "BrowserExtensionBox", "Not installed yet: the browsers cannot reach %1 (%2)."
                )
                .replace("%1", APP_NAME)
                .replace("%2", tr_text(problems[0]))
            )
        else:
            self.result.setText(
                QCoreApplication.translate(
                    "BrowserExtensionBox",
                    "Installed for Chrome, Edge, Chromium and Firefox. Extension id: %1",
                ).replace("%1", CHROME_EXTENSION_ID)
            )
        return not problems

    def open_folder(self) -> None:
        """Show the unpacked extension in the file manager (for Load unpacked)."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(extension_dir())))
