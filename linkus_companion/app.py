"""Desktop app composition root: QApplication on qasync, single instance, the shell, first run, clean quit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import qasync  # after PySide6: qasync picks the binding already imported
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from linkus_companion import APP_ID, APP_NAME
from linkus_companion.backend import Backend, LinkState
from linkus_companion.config import Effective, Settings
from linkus_companion.platform import autostart, logs, single_instance
from linkus_companion.platform.launcher import app_command
from linkus_companion.platform.url_events import OpenUrlEvents
from linkus_companion.secrets import SecretStore
from linkus_companion.ui.actions import IntegrationActions
from linkus_companion.ui.first_run import FirstRunWizard, needs_first_run
from linkus_companion.ui.i18n import Translations
from linkus_companion.ui.resources import icon
from linkus_companion.ui.shell import DesktopShell

log = logging.getLogger(__name__)

SMOKE_TEST = "--smoke-test"
"""Start, show the UI, touch the loop and the keyring, quit with 0 (checks a frozen build)."""
AUTOSTART = "--autostart"
"""Passed by the login item; nothing to do but start quietly."""
SMOKE_START_SECONDS = 10.0


def make_application(argv: Sequence[str]) -> QApplication:
    """The QApplication of a tray app (closing the last window does not quit)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv))
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setWindowIcon(icon("app"))
    app.setQuitOnLastWindowClosed(False)
    return app


def run_app(
    make_backend: Callable[[Settings], Backend],
    settings: Settings,
    argv: Sequence[str],
    *,
    actions: IntegrationActions | None = None,
) -> int:
    """Run the desktop app until Quit; `argv` is the command line (program name first).

    A second launch hands its arguments (a `tel:` URL, `dial NUMBER`) to the running app and returns 0.
    """
    smoke = SMOKE_TEST in argv
    args = [a for a in argv[1:] if a not in (SMOKE_TEST, AUTOSTART)]
    app = make_application(argv)
    server = None
    if not smoke:
        try:
            server = single_instance.claim(args)
        except single_instance.SingleInstanceError as exc:
            print(exc, file=sys.stderr)
            return 1
        if server is None:
            return 0  # the running instance took over
    url_events = OpenUrlEvents(app)
    log_file = logs.setup()
    for problem in settings.problems:
        log.warning("setting ignored: %s", problem)
    translations = Translations(app)
    translations.apply(str(settings.get("ui.language")))
    app_run = _AppRun(app, make_backend(settings), settings, actions, translations, smoke)
    try:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            code = runner.run(app_run.main(args, server, url_events, log_file))
    finally:
        url_events.remove()
        if server is not None:
            server.close()
    if app_run.launch_demo:
        subprocess.Popen(app_command("demo"))  # noqa: S603 - our own executable
    return code


class _AppRun:
    """One run of the app: what `main` builds, waits for and tears down."""

    def __init__(
        self,
        app: QApplication,
        backend: Backend,
        settings: Settings,
        actions: IntegrationActions | None,
        translations: Translations,
        smoke: bool,
    ) -> None:
        self.app = app
        self.backend = backend
        self.settings = settings
        self.actions = actions
        self.translations = translations
        self.smoke = smoke
        self.launch_demo = False
        self.shell = DesktopShell(backend, settings, actions=actions, open_logs=logs.open_logs_folder)
        self._quit: asyncio.Future[None] | None = None
        self.first_run: FirstRunWizard | None = None

    async def main(
        self,
        args: list[str],
        server: single_instance.InstanceServer | None,
        url_events: OpenUrlEvents,
        log_file: Path,
    ) -> int:
        loop = asyncio.get_running_loop()
        self._quit = loop.create_future()
        shell = self.shell
        reporter = logs.CrashReporter(lambda text: shell.show_error(APP_NAME, text), log_file)
        reporter.install()
        loop.set_exception_handler(reporter.asyncio_handler)
        self.app.aboutToQuit.connect(self.quit)
        shell.quit_requested.connect(self.quit)
        unsubscribe = self.settings.subscribe(self._on_setting)
        with _sigint_quits(self.quit):
            try:
                shell.show()
                if server is not None:
                    server.got_args.connect(shell.handle_args)
                url_events.url_opened.connect(lambda url: shell.handle_args([url]))
                url_events.set_ready()
                if args:
                    shell.handle_args(args)
                if self.smoke:
                    return await self._smoke()
                shell.tasks.start(self.backend.start(), failed=lambda m: shell.show_error(APP_NAME, m))
                if needs_first_run(self.settings):
                    self._first_run()
                await self._quit
                return 0
            finally:
                unsubscribe()
                await shell.shutdown()

    def quit(self) -> None:
        """End the run (Quit in the menu, the OS ending the session, Ctrl+C)."""
        if self._quit is not None and not self._quit.done():
            self._quit.set_result(None)

    async def _smoke(self) -> int:
        await asyncio.wait_for(self.backend.start(), SMOKE_START_SECONDS)
        await asyncio.sleep(0)
        status = self.backend.status
        print(f"{APP_NAME} smoke test: {status.link.value}, keyring {SecretStore().backend_name()}")
        return 0 if status.link is not LinkState.ERROR else 1

    def _first_run(self) -> None:
        wizard = FirstRunWizard(self.settings, self.actions, self.shell.tasks)
        self.first_run = wizard

        def finished(result: int) -> None:
            if wizard.welcome.demo.isChecked() and result:
                self.launch_demo = True
                self.quit()
            elif result:
                self.shell.tasks.start(self._restart_backend())

        wizard.finished.connect(finished)
        wizard.open()

    async def _restart_backend(self) -> None:
        """Pick up what the first run configured."""
        await self.backend.stop()
        await self.backend.start()

    def _on_setting(self, key: str, effective: Effective) -> None:
        if key == "ui.language":
            self.translations.apply(str(effective.value))
        elif key == "ui.start_at_login":
            login = autostart.pick(app_command(AUTOSTART))
            try:
                login.enable() if effective.value else login.disable()
            except OSError as exc:
                self.shell.show_error(APP_NAME, str(exc))


@contextlib.contextmanager
def _sigint_quits(quit_: Callable[[], None]) -> Iterator[None]:
    """Ctrl+C quits cleanly; a timer lets Python see the signal while Qt waits for events."""
    previous = signal.signal(signal.SIGINT, lambda *_: quit_())
    tick = QTimer()
    tick.timeout.connect(lambda: None)
    tick.start(500)
    try:
        yield
    finally:
        tick.stop()
        signal.signal(signal.SIGINT, previous)
