"""The composition root: `run_app` with the real LocalBackend, as a frozen build's smoke test runs it."""

from __future__ import annotations

import asyncio
import contextlib
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
