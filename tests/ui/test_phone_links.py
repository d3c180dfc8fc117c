"""Click-to-call registration from the settings' General page and at the end of the first run, with the
Linux XDG handler writing its desktop entry into tmp_path."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from linkus_companion.app import _AppRun
from linkus_companion.config import Settings
from linkus_companion.engine.host import EngineHost
from linkus_companion.local_backend import LocalBackend
from linkus_companion.platform import desktop_entry
from linkus_companion.platform.url_handler import DESKTOP_FILE, XdgUrlHandler
from linkus_companion.runtime import NotConfigured
from linkus_companion.ui.i18n import Translations
from linkus_companion.ui.settings.dialog import SettingsDialog, phone_link_handler
from linkus_companion.ui.tasks import Tasks
from tests.ui.conftest import until

QT_LOOP = pytest.mark.asyncio(loop_factories=["qt"])

COMMAND = ["/opt/Linkus Companion/linkus-companion"]


class Handler(XdgUrlHandler):
    """The real XDG handler in tmp_path; the desktop tools it runs are recorded, not run."""

    def __init__(self, applications: Path) -> None:
        self.ran: list[list[str]] = []
        super().__init__(applications, COMMAND, run=lambda argv: self.ran.append(list(argv)))


def _entry(applications: Path) -> dict[str, str]:
    return desktop_entry.read(applications / DESKTOP_FILE)


@QT_LOOP
async def test_the_general_page_registers_this_app_for_phone_links(
    qapp: QApplication, settings: Settings, tmp_path: Path
) -> None:
    handler = Handler(tmp_path / "applications")
    tasks = Tasks(crashed=lambda exc: pytest.fail(repr(exc)))
    dialog = SettingsDialog(settings, None, tasks, link_handler=lambda: handler)
    dialog.show_page("General")
    button = dialog.phone_links_button
    assert button.isEnabled() and "phone links" in button.text()
    button.click()
    await until(lambda: "now open" in dialog.phone_links_result.text(), "the registration")
    assert handler.is_registered()
    assert _entry(tmp_path / "applications")["MimeType"] == "x-scheme-handler/tel;x-scheme-handler/callto;"
    assert [
        "xdg-mime",
        "default",
        DESKTOP_FILE,
        "x-scheme-handler/tel",
        "x-scheme-handler/callto",
    ] in handler.ran
    dialog.close()
    await tasks.cancel_all()


@QT_LOOP
async def test_a_registration_failure_is_shown_not_crashed(
    qapp: QApplication, settings: Settings, tmp_path: Path
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the applications dir should be")
    tasks = Tasks(crashed=lambda exc: pytest.fail(repr(exc)))
    dialog = SettingsDialog(settings, None, tasks, link_handler=lambda: Handler(blocked / "applications"))
    dialog.phone_links_button.click()
    await until(lambda: "Could not register" in dialog.phone_links_result.text(), "the failure")
    dialog.close()
    await tasks.cancel_all()


def test_the_default_handler_writes_under_the_xdg_data_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    handler = phone_link_handler()
    assert isinstance(handler, XdgUrlHandler)
    assert not handler.is_registered()
    assert handler._path == tmp_path / "data" / "applications" / DESKTOP_FILE


@QT_LOOP
async def test_finishing_the_first_run_registers_for_phone_links(
    qapp: QApplication, settings: Settings, tmp_path: Path
) -> None:
    @contextlib.asynccontextmanager
    async def nothing_set_up() -> AsyncIterator[EngineHost]:
        raise NotConfigured("Enter the PBX address.")
        yield  # pragma: no cover

    handler = Handler(tmp_path / "applications")
    run = _AppRun(
        qapp, lambda _s: LocalBackend(nothing_set_up, ""), settings, None, Translations(qapp), False
    )
    run.link_handler = lambda: handler
    run.shell.show()
    try:
        run._first_run()
        wizard = run.first_run
        assert wizard is not None
        wizard.done(QDialog.DialogCode.Accepted)
        await until(handler.is_registered, "the registration at the end of the first run")
        await until(lambda: run.shell.tasks.pending == 0, "the restart")
    finally:
        await run.shell.shutdown()
