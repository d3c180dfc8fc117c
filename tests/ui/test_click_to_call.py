"""Click-to-call from the browser: the native host subprocess relays to the running app's single-instance
channel, and the app dials through the PBX simulator once, in E.164, from the user's extension."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from PySide6.QtNetwork import QLocalSocket

from linkus_companion.backend import CallPhase
from linkus_companion.click_to_call import ClickToCall, dialled_number
from linkus_companion.config import Settings
from linkus_companion.platform import single_instance
from linkus_companion.platform.dial import DialError
from linkus_companion.platform.native_messaging import CHROME_ORIGIN
from tests.platform.test_native_host import frame, replies
from tests.ui.test_desktop_acceptance import EXTENSION, Desk, running_desk

pytestmark = pytest.mark.asyncio(loop_factories=["qt"])


async def host(*messages: object) -> list[dict[str, Any]]:
    """Run `linkus-companion native-host` as Chrome does, send `messages`, return its replies."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "linkus_companion",
        "native-host",
        CHROME_ORIGIN,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(b"".join(frame(m) for m in messages)), 60)
    return replies(out)


async def listening(desk: Desk) -> single_instance.InstanceServer:
    server = single_instance.InstanceServer(single_instance.server_name())
    server.listen()
    server.got_request.connect(desk.shell.handle_request)
    return server


async def test_a_clicked_number_is_dialled_once_in_e164(tmp_path, settings: Settings) -> None:
    async with running_desk(tmp_path / "demo", settings) as desk:
        server = await listening(desk)
        try:
            status, first, again = await host(
                {"type": "status"},
                {"type": "dial", "number": "(415) 555-0102", "source": "hubspot"},
                {"type": "dial", "number": "+1 415 555 0102", "source": "hubspot"},
            )
            assert status["state"] == "running" and status["pbx"] == "connected"
            assert first == {
                "type": "dial",
                "ok": True,
                "state": "dialling",
                "number": "+14155550102",
                "message": "",
            }
            assert again["state"] == "repeated"
            assert desk.world.pbx.dialled == [(EXTENSION, "+14155550102")]
            (refused,) = await host({"type": "dial", "number": "555-CALL-NOW"})
            assert refused["state"] == "invalid"
            assert desk.world.pbx.dialled == [(EXTENSION, "+14155550102")]
        finally:
            server.close()


async def test_busy_and_unconfigured_are_answered_without_dialling(tmp_path, settings: Settings) -> None:
    async with running_desk(tmp_path / "demo", settings) as desk:
        calls = ClickToCall(desk.backend, settings)
        await desk.world.pbx.inbound("+16285550999", EXTENSION, talk=5.0)
        for _ in range(200):
            if any(
                c.phase is CallPhase.RINGING or c.phase is CallPhase.TALKING
                for c in desk.backend.recent_calls()
            ):
                break
            await asyncio.sleep(0.025)
        busy = await calls.answer({"type": "dial", "number": "+14155550102"})
        assert busy["state"] == "busy" and busy["ok"] is False
        assert desk.world.pbx.dialled == []


async def test_the_outbound_prefix_rule_applies_to_external_numbers_only(settings: Settings) -> None:
    settings.set_user("ui.dial_prefix", "9")
    assert dialled_number("(415) 555-0102", settings) == "9+14155550102"
    assert dialled_number("1002", settings) == "1002"
    with pytest.raises(DialError):
        dialled_number("555-CALL-NOW", settings)


async def test_an_answer_after_the_asker_went_away_is_dropped_quietly() -> None:
    server = single_instance.InstanceServer(single_instance.server_name())
    server.listen()
    replies_: list[single_instance.Reply] = []
    server.got_request.connect(lambda _fields, reply: replies_.append(reply))
    try:
        asker = QLocalSocket()
        asker.connectToServer(server.full_name)
        assert asker.waitForConnected(1000)
        asker.write(b'{"v": 1, "request": {"type": "status"}}\n')
        asker.flush()
        for _ in range(100):
            if replies_:
                break
            await asyncio.sleep(0.01)
        asker.abort()
        await asyncio.sleep(0.2)  # the server sees the disconnect and deletes its socket
        replies_[0].send({"ok": True, "state": "running"})
        replies_[0].send({"ok": True, "state": "running"})
    finally:
        server.close()
