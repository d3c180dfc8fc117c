"""Start at login on each OS: the Windows registry through a fake, plist and desktop files for real."""

from __future__ import annotations

import plistlib
from pathlib import Path

import pytest
from platform_fakes import FakeRegistry

from linkus_companion.platform import autostart
from linkus_companion.platform.autostart import (
    APPROVED_KEY,
    RUN_KEY,
    LaunchAgentAutostart,
    WindowsAutostart,
    XdgAutostart,
)

COMMAND = [r"C:\Program Files\Linkus Companion\linkus-companion.exe", "--minimized"]
UNIX_COMMAND = ["/opt/Linkus Companion/linkus-companion", "--minimized"]


def test_windows_run_value_starts_the_quoted_command() -> None:
    registry = FakeRegistry()
    starter = WindowsAutostart(registry, COMMAND)
    assert not starter.is_enabled()
    starter.enable()
    assert registry.read(RUN_KEY, "Linkus Companion") == (
        r'"C:\Program Files\Linkus Companion\linkus-companion.exe" "--minimized"'
    )
    assert starter.is_enabled()
    starter.disable()
    assert registry.read(RUN_KEY, "Linkus Companion") is None
    assert not starter.is_enabled()


@pytest.mark.parametrize(
    ("approved", "enabled"),
    [
        (bytes([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), True),
        (bytes([6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), True),
        (bytes([3, 0, 0, 0, 0x3A, 0x1F, 0x62, 0x7E, 0x41, 0x2B, 0xDA, 0x01]), False),
        (bytes([7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), False),
    ],
)
def test_windows_reports_what_task_manager_decided(approved: bytes, enabled: bool) -> None:
    registry = FakeRegistry()
    starter = WindowsAutostart(registry, COMMAND)
    starter.enable()
    registry.write_binary(APPROVED_KEY, "Linkus Companion", approved)
    assert starter.is_enabled() is enabled


def test_windows_enabling_again_overrides_a_task_manager_switch_off() -> None:
    registry = FakeRegistry()
    starter = WindowsAutostart(registry, COMMAND)
    starter.enable()
    registry.write_binary(APPROVED_KEY, "Linkus Companion", bytes([3] + [0] * 11))
    starter.enable()
    assert starter.is_enabled()
    starter.disable()
    assert registry.read(APPROVED_KEY, "Linkus Companion") is None


def test_windows_other_apps_run_values_are_untouched() -> None:
    registry = FakeRegistry()
    registry.write(RUN_KEY, "OneDrive", '"C:\\OneDrive.exe" /background')
    starter = WindowsAutostart(registry, COMMAND)
    starter.enable()
    starter.disable()
    assert registry.read(RUN_KEY, "OneDrive") == '"C:\\OneDrive.exe" /background'


def test_macos_launch_agent_runs_the_app_at_login(tmp_path: Path) -> None:
    starter = LaunchAgentAutostart(tmp_path / "LaunchAgents", UNIX_COMMAND, label="com.example.lc")
    assert not starter.is_enabled()
    starter.enable()
    agent = plistlib.loads((tmp_path / "LaunchAgents" / "com.example.lc.plist").read_bytes())
    assert agent["Label"] == "com.example.lc"
    assert agent["ProgramArguments"] == UNIX_COMMAND
    assert agent["RunAtLoad"] is True
    assert starter.is_enabled()
    starter.disable()
    assert not (tmp_path / "LaunchAgents" / "com.example.lc.plist").exists()
    assert not starter.is_enabled()


@pytest.mark.parametrize("content", [b"not a plist", plistlib.dumps({"RunAtLoad": True, "Disabled": True})])
def test_macos_broken_or_disabled_agent_is_reported_off(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "com.example.lc.plist").write_bytes(content)
    assert not LaunchAgentAutostart(tmp_path, UNIX_COMMAND, label="com.example.lc").is_enabled()


def test_linux_autostart_entry(tmp_path: Path) -> None:
    starter = XdgAutostart(tmp_path / "autostart", UNIX_COMMAND)
    starter.enable()
    text = (tmp_path / "autostart" / "linkus-companion.desktop").read_text()
    assert text.startswith("[Desktop Entry]\n")
    assert 'Exec="/opt/Linkus Companion/linkus-companion" --minimized\n' in text
    assert "Type=Application\n" in text
    assert starter.is_enabled()
    starter.disable()
    assert not starter.is_enabled()
    starter.disable()


@pytest.mark.parametrize("switch", ["X-GNOME-Autostart-enabled=false", "Hidden=true"])
def test_linux_entry_switched_off_by_the_desktop_is_reported_off(tmp_path: Path, switch: str) -> None:
    starter = XdgAutostart(tmp_path, UNIX_COMMAND)
    starter.enable()
    path = tmp_path / "linkus-companion.desktop"
    text = path.read_text().replace("X-GNOME-Autostart-enabled=true\n", "")
    path.write_text(text + switch + "\n")
    assert not starter.is_enabled()
    starter.enable()
    assert starter.is_enabled()


def test_pick_on_linux_uses_the_xdg_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    starter = autostart.pick(UNIX_COMMAND)
    starter.enable()
    assert (tmp_path / "autostart" / "linkus-companion.desktop").exists()
    assert starter.is_enabled()
