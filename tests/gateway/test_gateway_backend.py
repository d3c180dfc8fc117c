"""GatewayBackend from the desktop settings: what the tray says before enrollment and when the gateway is away."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from gateway_rig import Seen, until

from linkus_companion.backend import BackendError, LinkState
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.engine.screen_pop import PrintingOpener
from linkus_companion.gateway.client import GatewayBackend
from linkus_companion.gateway.credentials import REFRESH_SECRET
from linkus_companion.runtime import NotConfigured
from linkus_companion.secrets import SecretStore


def _settings(tmp_path: Path, url: str) -> Settings:
    settings = Settings(UserFile(tmp_path / "settings.json"))
    settings.set_user("backend", "gateway")
    if url:
        settings.set_user("gateway.url", url)
    return settings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_gateway_address_is_required(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured, match=r"gateway\.url"):
        GatewayBackend.from_settings(_settings(tmp_path, ""), PrintingOpener(print))


async def test_a_desktop_not_enrolled_says_so(tmp_path: Path) -> None:
    backend = GatewayBackend.from_settings(
        _settings(tmp_path, "https://gw.example.com"), PrintingOpener(print)
    )
    seen = Seen()
    backend.add_listener(seen)
    await backend.start()
    await until(lambda: backend.status.link is LinkState.ERROR)
    assert "not enrolled" in backend.status.message
    with pytest.raises(BackendError, match="Not connected"):
        await backend.dial("+14155550101")
    await backend.stop()


async def test_an_unreachable_gateway_shows_offline_and_keeps_trying(tmp_path: Path) -> None:
    url = f"https://127.0.0.1:{_closed_port()}"
    SecretStore().set(REFRESH_SECRET, "an-earlier-session")
    backend = GatewayBackend.from_settings(_settings(tmp_path, url), PrintingOpener(print))
    backend.backoff = (0.01, 0.05)
    with pytest.raises(BackendError, match="Cannot reach the gateway") as failed:
        await backend.credentials.enroll(f"{url}/enroll#abc")
    assert failed.value.retryable
    seen = Seen()
    backend.add_listener(seen)
    await backend.start()
    await until(lambda: len(seen.statuses) >= 3)
    await backend.stop()
    assert {s.link for s in seen.statuses} == {LinkState.RECONNECTING}
    said = [failed.value.args[0], seen.statuses[-1].message]
    assert all("nothing answers there" in m and "Error" not in m for m in said), said  # no exception names
