"""Desktop app composition root: QApplication on qasync, single instance, the shell, first run, clean quit."""

from __future__ import annotations

from linkus_companion.ui import qt_boot  # noqa: F401 - first: the modules imported after it stay lean

# isort: split

import argparse
import asyncio
import contextlib
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from qasync import QEventLoop  # after PySide6: qasync picks the binding already imported

from linkus_companion import APP_ID, APP_NAME, __version__, heap, paths, trust
from linkus_companion.backend import Backend, BackendError, LinkState
from linkus_companion.config import Effective, Settings
from linkus_companion.crm.base import CrmError
from linkus_companion.engine.binding import BindingReport
from linkus_companion.engine.crm_switch import CrmSwitch
from linkus_companion.engine.host import EngineHost
from linkus_companion.engine.screen_pop import PopRequest
from linkus_companion.os_cause import os_why
from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError
from linkus_companion.platform import logs, single_instance
from linkus_companion.platform.launcher import app_command
from linkus_companion.platform.url_events import OpenUrlEvents
from linkus_companion.runtime import CRM_SECRET, PBX_SECRET, NotConfigured, crm_grants
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable
from linkus_companion.terminal import tell
from linkus_companion.texts import Text, text_of
from linkus_companion.trust import verified_context
from linkus_companion.ui.actions import BindingRow, IntegrationActions
from linkus_companion.ui.i18n import Translations, tr_text
from linkus_companion.ui.resources import icon
from linkus_companion.ui.shell import DesktopShell

if TYPE_CHECKING:
    from linkus_companion.local_backend import LocalBackend
    from linkus_companion.platform.url_handler import UrlHandler
    from linkus_companion.ui.first_run import FirstRunWizard

log = logging.getLogger(__name__)

SMOKE_TEST = "--smoke-test"
"""Start, show the UI, touch the loop and the keyring, quit with 0 (checks a frozen build)."""
SMOKE_START_SECONDS = 10.0
_NO_SWITCH = Text(
    "Disable and Disconnect work once the app is connected to the PBX; check the PBX connection first."
)


class BrowserOpener:
    """Screen pops open in the system browser (the engine only asks for the CRM's https pages)."""

    def open(self, request: PopRequest) -> None:
        """Open the record page."""
        QDesktopServices.openUrl(QUrl(request.url))


class EmbeddedActions:
    """IntegrationActions of the embedded topology: live PBX checks and the CRM sign-in in the browser.
    `changed()` is called when the backend must restart to pick a change up; `backend()` is the
    running backend, whose CrmSwitch does Disable / Enable / Disconnect."""

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        changed: Callable[[], None],
        backend: Callable[[], Backend | None] = lambda: None,
    ) -> None:
        self._settings = settings
        self._secrets = secrets
        self._changed = changed
        self._backend = backend

    async def check_pbx(self, url: str, client_id: str, secret: str) -> str:
        """Log in with these credentials (the stored secret when `secret` is empty) and read the PBX."""
        ca_file = str(self._settings.get("pbx.ca_file"))
        try:
            async with PbxClient(
                url,
                client_id,
                secret or self._secrets.get(PBX_SECRET) or "",
                ca_file=Path(ca_file) if ca_file else None,
                fingerprint=str(self._settings.get("pbx.cert_fingerprint")) or None,
            ) as pbx:
                info = await pbx.system_information()
        except (PbxError, ValueError) as exc:
            raise BackendError(text_of(exc)) from exc
        found = Text(
            "{device}, firmware {firmware}",
            device=info.device_name or info.model_name,
            firmware=info.firmware,
        )
        return (
            Text("{found} ({warning})", found=found, warning=info.firmware_warning)
            if info.firmware_warning
            else found
        )

    async def check_gateway(self, url: str) -> str:
        """The gateway needs the administrator's enrolment code; reaching it is checked on connect."""
        raise BackendError(Text("Ask your administrator for this desktop's gateway enrolment code."))

    def save_pbx_secret(self, secret: str) -> None:
        """Keep the Client Secret in the keyring; BackendError (saying what to do) when there is none."""
        try:
            self._secrets.set(PBX_SECRET, secret)
        except SecretStoreUnavailable as exc:
            raise BackendError(text_of(exc)) from None

    def has_pbx_secret(self) -> bool:
        """Whether a Client Secret is stored (False when no keyring can be read)."""
        try:
            return bool(self._secrets.get(PBX_SECRET))
        except SecretStoreUnavailable as exc:
            log.warning("%s", exc)
            return False

    async def authorize_crm(self) -> str:
        """Open the CRM's sign-in page and keep the grant."""
        async with httpx.AsyncClient(timeout=15, verify=verified_context()) as client:
            try:
                grants = crm_grants(self._settings, client, self._secrets)
                await grants.authorize(redirect_uri=str(self._settings.get("crm.redirect_uri")))
            except (NotConfigured, CrmError) as exc:
                raise BackendError(text_of(exc)) from exc
        self._changed()
        return grants.provider.name

    async def set_crm_enabled(self, enabled: bool) -> None:
        """Disable (every setting kept, no CRM traffic) or enable through the running LocalBackend's CrmSwitch."""
        await self._local().set_crm_enabled(enabled)

    async def disconnect_crm(self) -> None:
        """Revoke the sign-in and clear the CRM settings through the running LocalBackend's CrmSwitch."""
        report = await self._local().disconnect_crm()
        if report.undelivered:
            log.warning("%d call log(s) could not reach the CRM and were dropped", len(report.undelivered))

    def _local(self) -> LocalBackend:
        from linkus_companion.local_backend import LocalBackend

        backend = self._backend()
        if not isinstance(backend, LocalBackend):
            raise BackendError(_NO_SWITCH)
        return backend

    async def bindings(self) -> list[BindingRow]:
        """Your extension and the CRM user its calls are logged as, as the running engine bound it (by
        e-mail or the admin's manual binding; unbound: why); before the engine runs, your CRM sign-in."""
        from linkus_companion.local_backend import LocalBackend

        extensions = self._settings.get("pbx.extensions")
        numbers = [str(e) for e in extensions] if isinstance(extensions, tuple) else []
        backend = self._backend()
        report = backend.binding_report() if isinstance(backend, LocalBackend) else None
        if report is None:
            return [BindingRow(number, "", "sign-in") for number in numbers]
        return [binding_row(number, report) for number in numbers]


def binding_row(extension: str, report: BindingReport) -> BindingRow:
    """The binding table's row of `extension`: its CRM user and how it was bound, or why it is not."""
    binding = report.bound.get(extension)
    if binding is not None:
        user = binding.user
        return BindingRow(
            extension, f"{user.name} <{user.email}>" if user.name else user.email, binding.bound_by
        )
    why = next((u.reason for u in report.unbound if u.extension == extension), "")
    return BindingRow(extension, "", "", why)


def configured_backend(settings: Settings) -> Backend:
    """The Backend the settings ask for: the engine in process, or the site gateway's client."""
    opener = BrowserOpener()
    if settings.get("backend") == "gateway":
        from linkus_companion.gateway.client import GatewayBackend
        from linkus_companion.gateway.credentials import GatewayCredentials

        return GatewayBackend(GatewayCredentials(str(settings.get("gateway.url")), SecretStore()), opener)
    from linkus_companion.local_backend import LocalBackend
    from linkus_companion.runtime import embedded_host

    extensions = settings.get("pbx.extensions")
    extension = str(extensions[0]) if isinstance(extensions, tuple) and extensions else ""
    return LocalBackend(
        lambda: embedded_host(settings, opener),
        extension,
        open_switch=lambda host: crm_switch(settings, host),
    )


@contextlib.asynccontextmanager
async def crm_switch(
    settings: Settings, host: EngineHost, *, secrets: SecretStore | None = None
) -> AsyncIterator[CrmSwitch]:
    """The CrmSwitch of the embedded host: the user's CRM sign-in from the keyring, the app's client secret."""
    secrets = secrets or SecretStore()
    async with httpx.AsyncClient(timeout=15, verify=verified_context()) as client:
        yield CrmSwitch(
            settings,
            crm_grants(settings, client, secrets),
            host,
            secrets=secrets,
            secret_names=(CRM_SECRET,),
            phonebridge=host.phonebridge,
        )


def main(args: argparse.Namespace) -> int:
    """`linkus-companion run`: the desktop app for the configured extension.

    Optional attributes of `args`: `smoke_test` (bool) and `forward` (a `tel:` URL or `dial NUMBER`
    words to hand to the running app).
    """
    argv = [sys.argv[0], *(getattr(args, "forward", None) or [])]
    if getattr(args, "smoke_test", False):
        argv.append(SMOKE_TEST)
    return run_app(configured_backend, Settings.open(), argv)


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
    args = [a for a in argv[1:] if a != SMOKE_TEST]
    trust.load_in_background()
    app = make_application(argv)
    server = None
    if not smoke:
        try:
            server = single_instance.claim(args)
        except single_instance.SingleInstanceError as exc:
            tell(text_of(exc), error=True)
            return 1
        if server is None:
            return 0  # the running instance took over
    url_events = OpenUrlEvents(app)
    log_file = logs.setup()
    for problem in settings.problems:
        log.warning("setting ignored: %s", problem)
    translations = Translations(app)
    translations.apply(str(settings.get("ui.language")))
    app_run = _AppRun(app, make_backend, settings, actions, translations, smoke)
    hooks = sys.excepthook, threading.excepthook
    try:
        with asyncio.Runner(loop_factory=lambda: QEventLoop(app)) as runner:
            code = runner.run(app_run.main(args, server, url_events, log_file))
    finally:
        sys.excepthook, threading.excepthook = hooks
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
        make_backend: Callable[[Settings], Backend],
        settings: Settings,
        actions: IntegrationActions | None,
        translations: Translations,
        smoke: bool,
    ) -> None:
        self.app = app
        self.make_backend = make_backend
        self.backend = backend = make_backend(settings)
        self.settings = settings
        self.translations = translations
        self.smoke = smoke
        self.launch_demo = False
        if actions is None and settings.get("backend") == "embedded":
            actions = EmbeddedActions(settings, SecretStore(), self._restart, lambda: self.backend)
        self.actions = actions
        self.shell = DesktopShell(
            backend,
            settings,
            actions=actions,
            open_logs=logs.open_logs_folder,
            panel_file=paths.config_dir() / "panel.json",
        )
        self._quit: asyncio.Future[None] | None = None
        self.first_run: FirstRunWizard | None = None
        self.link_handler: Callable[[], UrlHandler | None] | None = None
        """The `tel:`/`callto:` registration made when the user finishes the first-run window (None:
        this OS's, `phone_links.phone_link_handler`)."""

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
        reporter = logs.CrashReporter(lambda text: shell.show_error(APP_NAME, tr_text(text)), log_file)
        reporter.install()
        loop.set_exception_handler(reporter.asyncio_handler)
        self.app.aboutToQuit.connect(self.quit)
        shell.quit_requested.connect(self.quit)
        unsubscribe = self.settings.subscribe(self._on_setting)
        trimming = loop.create_task(heap.trim_when_quiet())
        with _signals_quit(self.quit):
            try:
                shell.show()
                if server is not None:
                    server.got_args.connect(shell.handle_args)
                    server.got_request.connect(shell.handle_request)
                url_events.url_opened.connect(lambda url: shell.handle_args([url]))
                url_events.set_ready()
                if args:
                    shell.handle_args(args)
                if self.smoke:
                    return await self._smoke()
                shell.tasks.start(self.backend.start(), failed=self._start_failed)
                log.info("%s %s running (language %s)", APP_NAME, __version__, self.translations.language)
                await self._quit
                return 0
            finally:
                trimming.cancel()
                unsubscribe()
                await shell.shutdown()

    def _start_failed(self, message: str) -> None:
        """Say why the backend did not start; when nothing is set up, walk the user through it instead."""
        if self.backend.status.link is not LinkState.NOT_CONFIGURED:
            self.shell.show_error(APP_NAME, message)
            return
        from linkus_companion.ui.first_run import needs_first_run  # built only when nothing is set up

        if self.first_run is None and needs_first_run(self.settings):
            self._first_run()

    def quit(self) -> None:
        """End the run (Quit in the menu, the OS ending the session, Ctrl+C)."""
        if self._quit is not None and not self._quit.done():
            self._quit.set_result(None)

    async def _smoke(self) -> int:
        """Start the backend (nothing configured is fine), let the loop turn, report, and quit."""
        try:
            await asyncio.wait_for(self.backend.start(), SMOKE_START_SECONDS)
        except BackendError as exc:
            print(f"{APP_NAME} smoke test: {tr_text(text_of(exc))}")
        await asyncio.sleep(0)
        status = self.backend.status
        print(f"{APP_NAME} smoke test: {status.link.value}, keyring {SecretStore().backend_name()}")
        return 0 if status.link is not LinkState.ERROR else 1

    def _first_run(self) -> None:
        from linkus_companion.ui.first_run import FirstRunWizard

        wizard = FirstRunWizard(self.settings, self.actions, self.shell.tasks)
        self.first_run = self.shell.first_run = wizard

        def finished(result: int) -> None:
            self.shell.first_run = None
            if wizard.welcome.demo.isChecked() and result:
                self.launch_demo = True
                self.quit()
            elif result:
                self._register_phone_links()
                self._restart()

        wizard.finished.connect(finished)
        wizard.show()

    def _register_phone_links(self) -> None:
        """Offer this app for phone links (off the UI thread); a failure is logged, never fatal."""
        from linkus_companion.ui import phone_links

        handler = (self.link_handler or phone_links.phone_link_handler)()
        if handler is not None:
            self.shell.tasks.start(
                phone_links.register_phone_links(handler),
                failed=lambda message: log.warning("first run: %s", message),
            )

    def _restart(self) -> None:
        self.shell.tasks.start(self._restart_backend(), failed=self._start_failed)

    async def _restart_backend(self) -> None:
        """Pick up a new configuration: a fresh backend from the settings as they are now."""
        await self.backend.stop()
        self.backend = self.make_backend(self.settings)
        self.shell.use_backend(self.backend)
        await self.backend.start()

    def _on_setting(self, key: str, effective: Effective) -> None:
        if key == "ui.language":
            self.translations.apply(str(effective.value))
        elif key == "ui.start_at_login":
            from linkus_companion.platform import autostart

            login = autostart.pick(app_command("run"))
            try:
                login.enable() if effective.value else login.disable()
            except OSError as exc:
                log.warning("start at login: %s", exc)
                self.shell.show_error(
                    APP_NAME, tr_text(Text("Could not change starting at login ({why}).", why=os_why(exc)))
                )


@contextlib.contextmanager
def _signals_quit(quit_: Callable[[], None]) -> Iterator[None]:
    """Ctrl+C and SIGTERM (logout, service manager) quit cleanly; a timer lets Python see the signal
    while Qt waits for events."""
    previous = {sig: signal.signal(sig, lambda *_: quit_()) for sig in (signal.SIGINT, signal.SIGTERM)}
    tick = QTimer()
    tick.timeout.connect(lambda: None)
    tick.start(200)
    try:
        yield
    finally:
        tick.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
