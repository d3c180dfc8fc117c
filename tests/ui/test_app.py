"""The composition root: `run_app` with the real LocalBackend, as a frozen build's smoke test runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

from linkus_companion.app import EmbeddedActions, make_application, run_app
from linkus_companion.config import Settings
from linkus_companion.demo import demo_world
from linkus_companion.engine.host import EngineHost
from linkus_companion.local_backend import LocalBackend
from linkus_companion.runtime import NotConfigured
from linkus_companion.secrets import SecretStore
from linkus_companion.sim.pbx import PbxSimulator
from linkus_companion.texts import Text
from linkus_companion.ui.first_run import FirstRunWizard
from linkus_companion.ui.tasks import Tasks
from tests.ui.conftest import until


def test_smoke_test_starts_the_engine_shows_the_ui_and_quits(
    qapp: QApplication, tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    @contextlib.asynccontextmanager
    async def open_host() -> AsyncIterator[EngineHost]:
        async with demo_world("hubspot", tmp_path / "demo", lambda _line: None) as world:
            yield world.host

    hook = sys.excepthook
    code = run_app(lambda _s: LocalBackend(open_host, "1001"), settings, ["linkus-companion", "--smoke-test"])
    assert code == 0
    assert "Linkus Companion smoke test:" in capsys.readouterr().out
    assert sys.excepthook is hook


def test_the_smoke_test_says_what_is_missing_in_the_users_language(
    qapp: QApplication, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    @contextlib.asynccontextmanager
    async def unconfigured() -> AsyncIterator[EngineHost]:
        raise NotConfigured(Text("Enter your extension number (setting pbx.extensions)."))
        yield  # pragma: no cover - never reached

    settings.set_user("ui.language", "zh_CN")
    try:
        run_app(lambda _s: LocalBackend(unconfigured, "1001"), settings, ["linkus-companion", "--smoke-test"])
    finally:
        for catalogue in qapp.findChildren(QTranslator):  # back to English for the other tests
            qapp.removeTranslator(catalogue)
    assert "Linkus Companion smoke test: 请输入您的分机号" in capsys.readouterr().out


def test_application_is_a_tray_app(qapp: QApplication) -> None:
    app = make_application(["linkus-companion"])
    assert app is qapp
    assert not app.quitOnLastWindowClosed()
    assert app.applicationDisplayName() == "Linkus Companion"
    assert not app.windowIcon().isNull()


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_first_run_checks_the_pbx_live(qapp: QApplication, settings: Settings, memory_keyring) -> None:
    restarts: list[bool] = []
    actions = EmbeddedActions(settings, SecretStore(), lambda: restarts.append(True))
    tasks = Tasks(crashed=lambda exc: pytest.fail(repr(exc)))
    async with PbxSimulator(step=0.05) as pbx:
        wizard = FirstRunWizard(settings, actions, tasks)
        wizard.show()
        wizard.next()
        page = wizard.connection
        page.url.setText(pbx.base_url)
        page.client_id.setText(pbx.client_id)
        page.secret.setText("wrong-secret")
        page.extension.setText("1001")
        page.check_button.click()
        await until(lambda: page.check_button.isEnabled())
        assert not page.isComplete()
        assert page.result.text()
        page.secret.setText(pbx.client_secret)
        page.check_button.click()
        await until(lambda: page.isComplete())
        assert page.result.text().startswith("Connected: ")
        assert "83.21.0.66" in page.result.text()
        assert actions.has_pbx_secret()
        assert settings.get("pbx.url") == pbx.base_url
        wizard.close()
    rows = await actions.bindings()
    assert [(r.extension, r.how) for r in rows] == [("1001", "sign-in")]


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_a_second_launch_raises_the_first_run_window_and_no_keyring_loses_nothing(
    qapp: QApplication, settings: Settings
) -> None:
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    from linkus_companion.app import _AppRun, configured_backend
    from linkus_companion.ui.i18n import Translations

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        run = _AppRun(qapp, configured_backend, settings, None, Translations(qapp), smoke=False)
        run._first_run()
        wizard = run.first_run
        assert wizard is not None and wizard.isVisible()
        wizard.hide()  # the user looks at another window; then launches the app again
        run.shell.handle_args([])
        assert wizard.isVisible(), "the second launch raised the first-run window"
        assert run.shell.settings_dialog is None, "and opened no settings over it"
        wizard.showMinimized()  # the user minimised it; then launches the app again
        assert wizard.isMinimized()
        run.shell.handle_args([])
        assert wizard.isVisible() and not wizard.isMinimized(), "the second launch restored it"

        wizard.next()
        page = wizard.connection
        page.url.setText("https://pbx.example.com:8088")
        page.client_id.setText("client-1")
        page.secret.setText("s3cret")
        page.extension.setText("1001")
        page.check_button.click()  # storing the secret needs a keyring: a sentence, not a crash
        assert "keyring" in page.result.text() and not page.isComplete()
        assert page.secret.text() == "s3cret" and settings.get("pbx.url") == "https://pbx.example.com:8088"

        wizard.close()
        run.shell.first_run = None
        dialog = run.shell.show_settings()  # reads the keyring for the secret's placeholder
        dialog.secret.setText("s3cret")
        dialog.test_button.click()
        assert "keyring" in dialog.pbx_result.text() and dialog.secret.text() == "s3cret"
        dialog.close()
    finally:
        keyring.set_keyring(previous)


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_the_demo_settings_show_the_configuration_the_demo_runs(
    qapp: QApplication, tmp_path: Path, settings: Settings
) -> None:
    from linkus_companion.ui.settings.dialog import SettingsDialog

    async with demo_world("hubspot", tmp_path / "demo", lambda _line: None, settings=settings) as world:
        dialog = SettingsDialog(settings, EmbeddedActions(settings, SecretStore(), lambda: None))
        try:
            assert dialog.fields["pbx.url"].editor.text() == world.pbx.base_url
            assert dialog.fields["pbx.client_id"].editor.text() == world.pbx.client_id
            assert dialog.secret.placeholderText() == "Stored in the keyring"
            assert dialog.fields["crm.kind"].editor.currentText() == "HubSpot"
            assert dialog.fields["create.mode"].editor.currentText() == "Auto", "the demo auto-creates"
            assert settings.get("binding"), "the demo's manual binding is shown"
            backend = LocalBackend(lambda: contextlib.nullcontext(world.host), "1001")
            await backend.start()
            await asyncio.wait_for(world.host.connected(), 10)
            running = EmbeddedActions(settings, SecretStore(), lambda: None, lambda: backend)
            settings.set_user("pbx.extensions", ("1001",))  # the desktop demo's extension
            agent = world.pbx.directory.extensions["1001"]
            rows = [(r.extension, r.crm_user, r.how) for r in await running.bindings()]
            who = f"{agent.caller_id_name} <{agent.email_addr}>"
            assert rows == [("1001", who, "email")], "the CRM user the desktop logs the calls as"
            await backend.stop()
        finally:
            dialog.close()
            dialog.deleteLater()


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_a_number_handed_to_an_app_not_set_up_yet_says_it_cannot_dial_and_raises_the_setup(
    qapp: QApplication,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`linkus-companion dial 123` to a running desktop with no PBX set up: the user is told, not left guessing."""
    import os
    import subprocess

    from linkus_companion.app import _AppRun, configured_backend
    from linkus_companion.backend import BackendError
    from linkus_companion.platform.single_instance import claim
    from linkus_companion.ui.i18n import Translations

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # the instance socket, where the dial looks for it
    caplog.set_level(logging.INFO)
    run = _AppRun(qapp, configured_backend, settings, None, Translations(qapp), smoke=False)
    run.shell.show()  # as the app's main does, before the backend starts
    run.shell.handle_args(["dial", "123"])  # a `tel:` link started the app: it waits for the start
    with pytest.raises(BackendError):
        await run.backend.start()
    run._start_failed("not set up")  # as the app does: the first-run window
    box = run.shell.message_box
    assert box is not None and "Cannot dial until the PBX connection is set up" in box.text()
    box.close()
    wizard = run.first_run
    assert wizard is not None
    wizard.hide()  # the user looks away; then a CRM page's link dials through the command line
    server = claim([])
    assert server is not None
    server.got_args.connect(run.shell.handle_args)
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        command = [sys.executable, "-m", "linkus_companion", "dial", "123"]
        loop = asyncio.get_running_loop()
        done = await loop.run_in_executor(
            None, lambda: subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        )
        assert (done.returncode, done.stderr) == (0, "")
        await until(lambda: run.shell.message_box is not None)
    finally:
        server.close()
    assert "Cannot dial until the PBX connection is set up" in run.shell.message_box.text()
    assert wizard.isVisible(), "the setup window came forward"
    assert "the PBX is not set up yet: not dialled" in caplog.text
    wizard.close()
    await run.shell.shutdown()
