"""The desktop over the real engine: LocalBackend on the PBX simulator and a CRM emulator, on a qasync loop.

These are glue tests: they await conditions with asyncio (never qtbot.wait*), as notes §5 asks.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from linkus_companion.backend import BackendError, CallPhase, CallView, LinkState
from linkus_companion.config import Settings
from linkus_companion.crm import hubspot
from linkus_companion.demo import DemoWorld, demo_world
from linkus_companion.engine.host import EngineHost
from linkus_companion.local_backend import LocalBackend
from linkus_companion.model import Disposition
from linkus_companion.platform import single_instance
from linkus_companion.runtime import NotConfigured
from linkus_companion.sim import scenario
from linkus_companion.sim.crm_emulator import LoggedCall
from linkus_companion.ui.settings.dialog import SettingsDialog
from linkus_companion.ui.shell import DesktopShell
from tests.ui.conftest import until

pytestmark = pytest.mark.asyncio(loop_factories=["qt"])

EXTENSION = scenario.AGENTS[0]
ADA_NUMBER = scenario.KNOWN[0][2]
STRANGER = "+16285550999"


@dataclass
class Desk:
    shell: DesktopShell
    backend: LocalBackend
    world: DemoWorld
    views: list[CallView]
    opened_logs: list[bool]
    shown: list[Shown]

    def phases(self, call_id: str) -> list[CallPhase]:
        seen: list[CallPhase] = []
        for view in self.views:
            if view.call_id == call_id and (not seen or seen[-1] is not view.phase):
                seen.append(view.phase)
        return seen


@dataclass(frozen=True)
class Shown:
    """What a call's card showed right after an update."""

    phase: CallPhase
    without_activating: bool
    name: str
    heading: str


class _Recorder:
    """A BackendListener registered after the shell: keeps every CallView and what its window showed."""

    def __init__(self, shell: DesktopShell, views: list[CallView], shown: list[Shown]) -> None:
        self.shell = shell
        self.views = views
        self.shown = shown

    def on_status(self, status: object) -> None:
        pass

    def on_call(self, call: CallView) -> None:
        self.views.append(call)
        panel = self.shell.panel
        card = panel.card(call.call_id)
        if card is not None:
            self.shown.append(
                Shown(
                    call.phase,
                    panel.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating),
                    card._name.text(),
                    card._heading.text(),
                )
            )

    def on_pop(self, notice: object) -> None:
        pass


@contextlib.asynccontextmanager
async def running_desk(home: Path, settings: Settings) -> AsyncIterator[Desk]:
    """The shell over a LocalBackend on the demo's simulators, stopped before the test returns.

    Not an async fixture: pytest-qt processes Qt events between a test and its fixtures' teardown, which
    would run qasync callbacks outside the running loop.
    """
    worlds: list[DemoWorld] = []

    @contextlib.asynccontextmanager
    async def open_host() -> AsyncIterator[EngineHost]:
        async with demo_world("hubspot", home, lambda _line: None) as world:
            worlds.append(world)
            yield world.host

    backend = LocalBackend(open_host, EXTENSION)
    opened_logs: list[bool] = []
    shell = DesktopShell(backend, settings, use_tray=False, open_logs=lambda: opened_logs.append(True))
    views: list[CallView] = []
    shown: list[Shown] = []
    shell.show()
    backend.add_listener(_Recorder(shell, views, shown))
    try:
        await backend.start()
        world = worlds[0]
        await asyncio.wait_for(world.host.connected(), 10)
        await until(lambda: shell.tray.menu.dial_action.isEnabled(), what="connected status")
        yield Desk(shell, backend, world, views, opened_logs, shown)
    finally:
        await shell.shutdown()


@pytest.fixture
def desk_for(
    tmp_path: Path, settings: Settings
) -> Callable[[], contextlib.AbstractAsyncContextManager[Desk]]:
    return lambda: running_desk(tmp_path / "demo", settings)


async def test_call_card_follows_a_whole_scripted_call(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],
) -> None:
    async with desk_for() as desk:
        shell, world = desk.shell, desk.world
        call_id = await world.pbx.inbound(ADA_NUMBER, EXTENSION, talk=0.3)
        window = shell.panel.card(call_id)
        assert window is not None
        await until(lambda: window.call.phase is CallPhase.ENDED, what="ended")
        assert desk.phases(call_id) == [CallPhase.RINGING, CallPhase.TALKING, CallPhase.ENDED]
        ringing = [s for s in desk.shown if s.phase is CallPhase.RINGING]
        assert ringing and all(s.without_activating for s in ringing)
        assert "Incoming call" in ringing[0].heading and "ringing" in ringing[0].heading
        assert ringing[0].name in ("Looking up HubSpot…", "Ada Lovelace")
        assert any(s.name == "Ada Lovelace" for s in desk.shown)
        talking = [s for s in desk.shown if s.phase is CallPhase.TALKING]
        assert talking and all("talking" in s.heading for s in talking)
        assert window._heading.text() == "Incoming call · ended"
        assert window._name.text() == "Ada Lovelace" and window._open.isVisibleTo(window)
        assert window._call_back.isVisibleTo(window) and shell.panel.isVisible()
        assert [p.call_id for p in world.printer.pops] == [call_id]  # pop on ringing, once
        recent = [a.text() for a in shell.tray.menu.recent_menu.actions()]
        assert recent[0].startswith("Ada Lovelace — ") and recent[0].endswith(", incoming")
        window._open.click()  # manual pop from the window
        await until(lambda: len(world.printer.pops) == 2, what="the manual pop")
        assert world.printer.pops[-1].trigger == "manual"


async def test_a_note_typed_on_the_card_lands_in_the_one_call_log(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],
) -> None:
    async with desk_for() as desk:
        shell, world = desk.shell, desk.world
        talk = asyncio.ensure_future(world.pbx.inbound(ADA_NUMBER, EXTENSION, talk=1.5, record=False))
        await until(
            lambda: any(c.call.phase is CallPhase.TALKING for c in shell.panel.cards()), what="talking"
        )
        card = next(c for c in shell.panel.cards() if c.call.phase is CallPhase.TALKING)
        card._note.setPlainText("Asked for the May invoice")
        card._disposition.setCurrentIndex(card._disposition.findData(Disposition.LEFT_MESSAGE))
        card._save_note.click()
        await until(lambda: card._note_state.text() == "Saved for the call log.", what="the note saved")
        call_id = await talk
        key = f"{call_id}:{EXTENSION}"
        await until(lambda: any(log.idempotency_key == key for log in world.crm.call_logs()), what="logged")
        card._note.setPlainText("Asked for the May invoice; sent it")  # after the first write: an update
        card._save_note.click()

        def logged() -> list[LoggedCall]:
            return [log for log in world.crm.call_logs() if log.idempotency_key == key]

        await until(lambda: "sent it" in logged()[0].description, what="the updated log")
        assert len(logged()) == 1 and logged()[0].outcome == hubspot.PICKED[Disposition.LEFT_MESSAGE]


async def test_retry_after_a_failed_lookup_finds_the_caller(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],
) -> None:
    async with desk_for() as desk:
        shell, world = desk.shell, desk.world
        world.crm.set_outage(True)
        call_id = await world.pbx.inbound(ADA_NUMBER, EXTENSION, answer=False)
        card = shell.panel.card(call_id)
        assert card is not None
        await until(lambda: bool(card.call.lookup_error), what="the failed lookup")
        assert card._retry.isVisibleTo(card) and card._error.text().startswith("The CRM lookup failed: ")
        world.crm.set_outage(False)
        card._retry.click()
        await until(lambda: card._name.text() == "Ada Lovelace", what="the retried lookup")
        assert not card._retry.isVisibleTo(card) and not card._error.isVisibleTo(card)
        assert card._open.isVisibleTo(card)


async def test_add_to_crm_validation_crm_error_and_success(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],
) -> None:
    async with desk_for() as desk:
        shell, world = desk.shell, desk.world
        before = dict(world.crm.record_names())
        await world.pbx.outbound(EXTENSION, STRANGER, talk=0.2)
        await until(lambda: shell.panel.cards() and shell.panel.cards()[0].call.phase is CallPhase.ENDED)
        window = shell.panel.cards()[0]
        assert window._name.text() == "Not in the CRM"
        assert window._add.isVisibleTo(window)
        window._add.click()
        dialog = shell.add_dialogs[window.call.call_id]
        assert dialog.isVisible() and not dialog.isModal()
        assert dialog.number.text() == window._number.text() != STRANGER  # as the card shows it

        dialog.save_button.click()  # validation: no name
        assert "first name or a last name" in dialog.message.text()
        dialog.first_name.setText("Carol")
        dialog.last_name.setText("Danvers")
        dialog.email.setText("carol@example.com")

        world.crm.set_outage(True)
        dialog.save_button.click()
        assert dialog.busy
        await until(lambda: not dialog.busy, what="the CRM's answer")
        assert dialog.message.text().startswith("Not saved: ")
        assert (dialog.first_name.text(), dialog.last_name.text(), dialog.email.text()) == (
            "Carol",
            "Danvers",
            "carol@example.com",
        )
        assert dict(world.crm.record_names()) == before

        world.crm.set_outage(False)
        dialog.save_button.click()
        await until(lambda: dialog.open_button.isVisible(), what="saved")
        assert "Saved Carol Danvers" in dialog.message.text()
        assert "Carol Danvers" in world.crm.record_names().values()
        await until(lambda: window._name.text() == "Carol Danvers", what="the window showing the new record")
        dialog.open_button.click()
        await until(lambda: world.printer.pops and world.printer.pops[-1].trigger == "manual", what="opened")


async def test_tray_menu_actions_reach_the_backend(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],
) -> None:
    async with desk_for() as desk:
        shell, world = desk.shell, desk.world
        menu = shell.tray.menu
        menu.pause_action.trigger()
        assert world.host.engine.pops_paused
        assert "pop-ups paused" in shell.tray.window.status_label.text()
        menu.pause_action.trigger()
        assert not world.host.engine.pops_paused

        menu.dial_box.setText(STRANGER)
        menu.dial_box.returnPressed.emit()
        await until(lambda: any(c.number == STRANGER for c in desk.views), what="the dialled call")
        assert next(c for c in desk.views if c.number == STRANGER).extension == EXTENSION

        menu.settings_action.trigger()
        assert isinstance(shell.settings_dialog, SettingsDialog) and shell.settings_dialog.isVisible()
        assert shell.settings_dialog.crm_status.text() == "Connected"
        menu.logs_action.trigger()
        assert desk.opened_logs == [True]
        menu.about_action.trigger()
        assert (
            isinstance(shell.message_box, QMessageBox)
            and "Linkus Companion" in shell.message_box.windowTitle()
        )
        quit_asked: list[bool] = []
        shell.quit_requested.connect(lambda: quit_asked.append(True))
        menu.quit_action.trigger()
        assert quit_asked == [True]


async def test_a_second_launch_hands_its_tel_url_to_the_running_app(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]], tmp_path: Path
) -> None:
    async with desk_for() as desk:
        server = single_instance.InstanceServer(str(tmp_path / "instance"))
        server.listen()
        server.got_args.connect(desk.shell.handle_args)
        try:
            loop = asyncio.get_running_loop()
            sent = await loop.run_in_executor(
                None, single_instance.send, server.full_name, ["tel:+1-628-555-0999"]
            )
            assert sent
            await until(lambda: any(c.number == STRANGER for c in desk.views), what="the dial")
        finally:
            server.close()
        assert desk.backend.status.link is LinkState.CONNECTED


async def test_the_shell_moves_to_the_backend_the_first_run_configured(
    tmp_path: Path, settings: Settings
) -> None:
    @contextlib.asynccontextmanager
    async def nothing_set_up() -> AsyncIterator[EngineHost]:
        raise NotConfigured("Enter your extension number (setting pbx.extensions).")
        yield  # pragma: no cover

    @contextlib.asynccontextmanager
    async def demo_host() -> AsyncIterator[EngineHost]:
        async with demo_world("hubspot", tmp_path / "demo", lambda _line: None) as world:
            yield world.host

    shell = DesktopShell(LocalBackend(nothing_set_up, ""), settings, use_tray=False)
    shell.show()
    try:
        with pytest.raises(BackendError, match="extension number"):
            await shell.backend.start()
        assert shell.tray.window.status_label.text() == "Not set up"
        shell.tray.menu.pause_action.trigger()
        configured = LocalBackend(demo_host, EXTENSION)
        shell.use_backend(configured)
        await configured.start()
        await until(lambda: shell.tray.menu.dial_action.isEnabled(), what="connected")
        assert shell.tray.window.status_label.text().startswith("Connected")
        assert "pop-ups paused" in shell.tray.window.status_label.text()
    finally:
        await shell.shutdown()


async def test_the_card_names_whom_the_call_was_transferred_to_and_the_callers_owner(
    desk_for: Callable[[], contextlib.AbstractAsyncContextManager[Desk]],
) -> None:
    """The PBX names its extensions (extension/list); the demo CRM's customers have owners, as real ones do."""
    async with desk_for() as desk:
        world = desk.world
        call_id = await world.pbx.blind_transfer(ADA_NUMBER, EXTENSION, "1002", talk=0.2)
        await until(
            lambda: (
                (card := desk.shell.panel.card(call_id)) is not None and card.call.phase is CallPhase.ENDED
            ),
            what="ended",
        )
        card = desk.shell.panel.card(call_id)
        assert card is not None
        await until(lambda: card._name.text() == "Ada Lovelace", what="the caller's name")
        assert card._heading.text() == "Incoming call · transferred to Bob Brown (1002)"
        owner = world.pbx.directory.extensions[EXTENSION].caller_id_name
        assert f"Owner: {owner}" in card._details.text()
