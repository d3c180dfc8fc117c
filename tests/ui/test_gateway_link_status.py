"""A gateway desktop whose gateway stops says so in the tray, tooltip, panel and Settings, shows no stale
"connected" CRM state, and shows the gateway's state again once it answers (en and zh_CN)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

import pytest

from linkus_companion.backend import CallPhase, Status
from linkus_companion.gateway.demo import gateway_world
from linkus_companion.ui.settings.dialog import SettingsDialog
from linkus_companion.ui.shell import DesktopShell


async def _until(check: Callable[[], object], what: str, patience: float = 15) -> None:
    deadline = time.monotonic() + patience
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} in time")
        await asyncio.sleep(0.05)


def _shown(shell: DesktopShell) -> dict[str, str]:
    """What the user reads: the tray's status line and tooltip, the panel's banner, Settings → CRM."""
    assert shell.tray.icon is not None and shell.settings_dialog is not None
    return {
        "tray": shell.tray.menu.status_action.text(),
        "tooltip": shell.tray.icon.toolTip(),
        "panel": shell.panel._trouble.text() if not shell.panel._trouble.isHidden() else "",
        "settings": shell.settings_dialog.crm_status.text(),
    }


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_a_stopped_gateway_is_shown_as_unreachable_and_its_state_returns(
    qtbot, qapp, settings, tmp_path, translations
):
    qapp.setQuitOnLastWindowClosed(False)  # as the app does: closing Settings leaves the tray running
    async with gateway_world("hubspot", tmp_path / "site", lambda _line: None) as world:
        backend = await world.desktop("1001", lambda _line: None, backoff_initial=2.0, backoff_max=3.0)
        shell = DesktopShell(backend, settings, use_tray=True)
        shell.show()
        try:
            shell.show_settings()
            assert "HubSpot connected" in _shown(shell)["tray"] and _shown(shell)["settings"] == "Connected"

            await world.gateway.stop()
            # The first attempt follows the drop at once; the next one waits, and says for how long.
            await _until(lambda: "in " in _shown(shell)["tray"], "countdown")
            down = _shown(shell)
            for where, text in down.items():
                assert "Gateway unreachable: reconnecting in " in text, where
                assert "connected" not in text.replace("reconnecting", ""), f"stale state in the {where}"
            assert not shell.tray.menu.dial_action.isEnabled()
            unreachable: Status = shell._status
            # Between attempts the seconds count down (the next attempt is at least 1.5 s away here).
            first = round(unreachable.retry_in or 0)
            await _until(lambda: _shown(shell)["tray"] != down["tray"], "countdown tick", 5)
            ticked = re.search(r"in (\d+) s", _shown(shell)["tray"])
            assert (int(ticked[1]) < first) if ticked else _shown(shell)["tray"].endswith("reconnecting…")

            world.gateway = world.build()
            await world.gateway.start(tls=world.tls)
            await _until(lambda: "HubSpot connected" in _shown(shell)["tray"], "gateway's state again", 20)
            back = _shown(shell)
            assert back["panel"] == "" and back["settings"] == "Connected"
            assert "unreachable" not in back["tooltip"] and shell.tray.menu.dial_action.isEnabled()
        finally:
            await shell.shutdown()
            qapp.setQuitOnLastWindowClosed(True)

    translations.apply("zh_CN")
    dialog = SettingsDialog(settings)
    qtbot.add_widget(dialog)
    dialog.set_status(unreachable)
    shell_line = shell.tray.menu
    shell_line.set_status(unreachable)
    for text in (shell_line.status_action.text(), dialog.crm_status.text()):
        assert "网关" in text and "Gateway" not in text and "gateway" not in text, text


@pytest.mark.asyncio(loop_factories=["qt"])
async def test_live_call_cards_say_their_state_is_unknown_while_the_gateway_is_down(
    qtbot, settings, tmp_path
):
    async with gateway_world("hubspot", tmp_path / "site", lambda _line: None) as world:
        backend = await world.desktop("1001", lambda _line: None, backoff_initial=0.2, backoff_max=0.5)
        shell = DesktopShell(backend, settings, use_tray=False)
        shell.show()
        try:
            calling = asyncio.ensure_future(world.pbx.inbound("+16285559021", "1001", talk=3.0))

            def heading() -> str:
                cards = shell.panel.cards()
                return cards[0]._heading.text() if cards else ""

            await _until(lambda: heading().endswith("talking"), "the talking card")
            await world.gateway.stop()
            await _until(lambda: "state unknown" in heading(), "the card marked")
            assert heading() == "Incoming call · gateway unreachable — state unknown"
            await asyncio.wait_for(calling, 10)  # the call ends on the PBX while the gateway is away

            world.gateway = world.build()  # the call ended while the gateway was away: reconciled on return
            await world.gateway.start(tls=world.tls)
            await _until(lambda: "state unknown" not in heading(), "the card reconciled", 20)
            assert shell.panel.cards()[0].call.phase is CallPhase.ENDED
        finally:
            await shell.shutdown()
