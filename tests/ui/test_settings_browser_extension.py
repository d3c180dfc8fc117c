"""The Settings box for the browser extension: the install button registers the host and the check says so."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from linkus_companion.platform.native_manifest import Registration
from linkus_companion.platform.native_messaging import CHROME_EXTENSION_ID
from linkus_companion.ui.settings.browser_extension import BrowserExtensionBox


def test_install_registers_every_browser_and_the_check_shows_it(qtbot, tmp_path: Path) -> None:
    reg = Registration(platform="linux", home=tmp_path)
    box = BrowserExtensionBox(reg=reg)
    qtbot.addWidget(box)
    assert "Not installed yet" in box.result.text()
    qtbot.mouseClick(box.install_button, Qt.MouseButton.LeftButton)
    assert reg.problems() == []
    assert CHROME_EXTENSION_ID in box.result.text() and "Installed" in box.result.text()
    reg.uninstall()
    assert not box.check()
