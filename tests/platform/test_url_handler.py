"""tel:/callto: registration: the Windows keys through a fake registry, the XDG entry and xdg-mime for real."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from platform_fakes import FakeRegistry

from linkus_companion.platform import desktop_entry, url_handler
from linkus_companion.platform.url_handler import (
    PROG_ID,
    WindowsUrlHandler,
    XdgUrlHandler,
    info_plist_url_types,
    run_if_present,
)

EXE = r"C:\Program Files\Linkus Companion\linkus-companion.exe"
COMMAND = rf'"{EXE}" "dial" "%1"'
UNIX_COMMAND = ["/opt/Linkus Companion/linkus-companion"]


def test_windows_registers_both_schemes_and_appears_in_default_apps() -> None:
    registry = FakeRegistry()
    handler = WindowsUrlHandler(registry, [EXE])
    assert not handler.is_registered()
    handler.register()
    classes = r"HKCU\Software\Classes"
    for scheme in ("tel", "callto"):
        assert registry.read(rf"{classes}\{scheme}", "") == f"URL:{scheme}"
        assert registry.read(rf"{classes}\{scheme}", "URL Protocol") == ""
        assert registry.read(rf"{classes}\{scheme}\shell\open\command", "") == COMMAND
        caps = r"HKCU\Software\Linkus Companion\Capabilities"
        assert registry.read(rf"{caps}\URLAssociations", scheme) == PROG_ID
    assert registry.read(rf"{classes}\{PROG_ID}\shell\open\command", "") == COMMAND
    assert registry.read(rf"{classes}\{PROG_ID}\DefaultIcon", "") == f'"{EXE}",0'
    assert (
        registry.read(r"HKCU\Software\Linkus Companion\Capabilities", "ApplicationName") == "Linkus Companion"
    )
    assert (
        registry.read(r"HKCU\Software\RegisteredApplications", "Linkus Companion")
        == r"Software\Linkus Companion\Capabilities"
    )
    assert handler.is_registered()
    assert not any(key.startswith("hklm") for key in registry.keys)


def test_windows_all_users_writes_the_machine_hive() -> None:
    registry = FakeRegistry()
    WindowsUrlHandler(registry, [EXE], all_users=True).register()
    assert registry.read(r"HKLM\Software\Classes\tel\shell\open\command", "") == COMMAND
    assert registry.read(r"HKLM\Software\RegisteredApplications", "Linkus Companion")
    assert not any(key.startswith("hkcu") for key in registry.keys)


def test_windows_unregister_removes_everything_we_wrote() -> None:
    registry = FakeRegistry()
    registry.write(r"HKCU\Software\RegisteredApplications", "Other", r"Software\Other\Capabilities")
    handler = WindowsUrlHandler(registry, [EXE])
    handler.register()
    handler.unregister()
    assert not handler.is_registered()
    assert registry.subtree(r"HKCU\Software\Classes\tel") == {}
    assert registry.subtree(rf"HKCU\Software\Classes\{PROG_ID}") == {}
    assert registry.subtree(r"HKCU\Software\Linkus Companion\Capabilities") == {}
    assert registry.read(r"HKCU\Software\RegisteredApplications", "Linkus Companion") is None
    assert registry.read(r"HKCU\Software\RegisteredApplications", "Other") == r"Software\Other\Capabilities"


def test_windows_unregister_leaves_a_scheme_another_app_took_over() -> None:
    registry = FakeRegistry()
    handler = WindowsUrlHandler(registry, [EXE])
    handler.register()
    registry.write(r"HKCU\Software\Classes\tel\shell\open\command", "", '"C:\\Softphone.exe" "%1"')
    assert not handler.is_registered()
    handler.unregister()
    assert registry.read(r"HKCU\Software\Classes\tel\shell\open\command", "") == '"C:\\Softphone.exe" "%1"'
    assert registry.subtree(r"HKCU\Software\Classes\callto") == {}


def test_linux_entry_declares_both_schemes_and_becomes_default(tmp_path: Path) -> None:
    calls: list[list[str]] = []
    handler = XdgUrlHandler(
        tmp_path / "applications", UNIX_COMMAND, run=lambda argv: calls.append(list(argv))
    )
    assert not handler.is_registered()
    handler.register()
    entry = desktop_entry.read(tmp_path / "applications" / "linkus-companion-dial.desktop")
    assert entry is not None
    assert entry["MimeType"] == "x-scheme-handler/tel;x-scheme-handler/callto;"
    assert entry["Exec"] == '"/opt/Linkus Companion/linkus-companion" dial %u'
    assert entry["NoDisplay"] == "true"
    assert calls == [
        ["update-desktop-database", str(tmp_path / "applications")],
        [
            "xdg-mime",
            "default",
            "linkus-companion-dial.desktop",
            "x-scheme-handler/tel",
            "x-scheme-handler/callto",
        ],
    ]
    assert handler.is_registered()
    handler.unregister()
    assert not handler.is_registered()
    assert calls[-1] == ["update-desktop-database", str(tmp_path / "applications")]


def _fake_tool(bin_dir: Path, name: str, log: Path) -> None:
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_linux_runs_xdg_mime_only_where_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    _fake_tool(bin_dir, "xdg-mime", log)
    monkeypatch.setenv("PATH", str(bin_dir))
    XdgUrlHandler(tmp_path / "applications", UNIX_COMMAND).register()
    assert log.read_text() == (
        "xdg-mime default linkus-companion-dial.desktop x-scheme-handler/tel x-scheme-handler/callto\n"
    )


def test_missing_desktop_tools_are_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    run_if_present(["xdg-mime", "default", "x.desktop", "x-scheme-handler/tel"])


def test_macos_bundle_declares_both_schemes() -> None:
    (url_type,) = info_plist_url_types()
    assert url_type["CFBundleURLSchemes"] == ["tel", "callto"]
    assert str(url_type["CFBundleURLName"]).endswith(".dial")


def test_pick_on_linux_uses_the_xdg_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    handler = url_handler.pick(UNIX_COMMAND)
    assert isinstance(handler, XdgUrlHandler)
    (tmp_path / "applications").mkdir()
    (tmp_path / "applications" / "linkus-companion-dial.desktop").touch()
    assert handler.is_registered()
