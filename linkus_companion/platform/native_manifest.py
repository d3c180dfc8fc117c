"""Register the native messaging host with Chrome, Edge, Chromium and Firefox: manifest files and registry keys."""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from linkus_companion import APP_ID, APP_NAME, paths
from linkus_companion.platform.launcher import app_command, windows_command_line
from linkus_companion.platform.native_messaging import CHROME_ORIGIN, FIREFOX_EXTENSION_ID, HOST_NAME
from linkus_companion.platform.registry import Registry
from linkus_companion.texts import Text

BROWSERS = ("chrome", "edge", "chromium", "firefox")
_LINUX_USER = {
    "chrome": ".config/google-chrome/NativeMessagingHosts",
    "edge": ".config/microsoft-edge/NativeMessagingHosts",
    "chromium": ".config/chromium/NativeMessagingHosts",
    "firefox": ".mozilla/native-messaging-hosts",
}
_LINUX_SYSTEM = {
    "chrome": "/etc/opt/chrome/native-messaging-hosts",
    "edge": "/etc/opt/edge/native-messaging-hosts",
    "chromium": "/etc/chromium/native-messaging-hosts",
    "firefox": "/usr/lib/mozilla/native-messaging-hosts",
}
_MACOS_USER = {
    "chrome": "Library/Application Support/Google/Chrome/NativeMessagingHosts",
    "edge": "Library/Application Support/Microsoft Edge/NativeMessagingHosts",
    "chromium": "Library/Application Support/Chromium/NativeMessagingHosts",
    "firefox": "Library/Application Support/Mozilla/NativeMessagingHosts",
}
_MACOS_SYSTEM = {
    "chrome": "/Library/Google/Chrome/NativeMessagingHosts",
    "edge": "/Library/Microsoft/Edge/NativeMessagingHosts",
    "chromium": "/Library/Application Support/Chromium/NativeMessagingHosts",
    "firefox": "/Library/Application Support/Mozilla/NativeMessagingHosts",
}
_WINDOWS_KEYS = {
    "chrome": r"Software\Google\Chrome\NativeMessagingHosts",
    "edge": r"Software\Microsoft\Edge\NativeMessagingHosts",
    "chromium": r"Software\Chromium\NativeMessagingHosts",
    "firefox": r"Software\Mozilla\NativeMessagingHosts",
}


def host_command() -> list[str]:
    """How the launcher starts us: on Windows the console build, whose stdin/stdout the browser can use."""
    command = app_command()
    if sys.platform == "win32" and getattr(sys, "frozen", False):
        console = Path(sys.executable).with_name(f"{APP_ID}.exe")
        if console.is_file():
            return [str(console)]
    return command


def host_manifest(browser: str, launcher: Path) -> dict[str, object]:
    """The manifest a browser reads to start `launcher`, naming our extension as its only caller."""
    manifest: dict[str, object] = {
        "name": HOST_NAME,
        "description": f"{APP_NAME}: dial phone numbers clicked in CRM pages",
        "path": str(launcher),
        "type": "stdio",
    }
    if browser == "firefox":
        manifest["allowed_extensions"] = [FIREFOX_EXTENSION_ID]
    else:
        manifest["allowed_origins"] = [CHROME_ORIGIN]
    return manifest


@dataclass(frozen=True)
class Registration:
    """Where the host is registered for each browser on this computer, per user or per machine."""

    platform: str = sys.platform
    home: Path = field(default_factory=Path.home)
    all_users: bool = False
    registry: Registry | None = None
    """The Windows registry (required there)."""
    root: Path | None = None
    """Write everything under this directory instead (a machine image being built)."""
    profile: Path | None = None
    """One Chromium profile (`--user-data-dir`) on Linux or macOS: its own `NativeMessagingHosts` folder."""

    @property
    def _windows(self) -> bool:
        return self.platform == "win32"

    def host_dir(self) -> Path:
        """Where the launcher and, on Windows, the manifests live."""
        if self.all_users:
            base = Path(os.environ.get("ProgramData", r"C:\ProgramData")) if self._windows else Path("/opt")
            return self._rooted(base / APP_NAME.replace(" ", "") / "native-host")
        return self._rooted(paths.data_dir() / "native-host")

    def launcher(self) -> Path:
        """The executable each manifest names (browsers pass no arguments of ours, so a small script)."""
        return self.host_dir() / ("linkus-companion-host.bat" if self._windows else "linkus-companion-host")

    def manifest_path(self, browser: str) -> Path:
        """The manifest file for `browser`."""
        if self._windows:
            return self.host_dir() / f"{HOST_NAME}.{browser}.json"
        if self.profile is not None:
            return self.profile / "NativeMessagingHosts" / f"{HOST_NAME}.json"
        if self.platform == "darwin":
            folder = _MACOS_SYSTEM[browser] if self.all_users else str(self.home / _MACOS_USER[browser])
        else:
            folder = _LINUX_SYSTEM[browser] if self.all_users else str(self.home / _LINUX_USER[browser])
        return self._rooted(Path(folder)) / f"{HOST_NAME}.json"

    def registry_key(self, browser: str) -> str:
        r"""`HKCU\Software\Google\Chrome\NativeMessagingHosts\com.linkuscompanion.dial` and the like."""
        return f"{'HKLM' if self.all_users else 'HKCU'}\\{_WINDOWS_KEYS[browser]}\\{HOST_NAME}"

    def _rooted(self, path: Path) -> Path:
        if self.root is None:
            return path
        return self.root / path.relative_to(path.anchor)

    def install(self, command: Sequence[str] | None = None, browsers: Sequence[str] = BROWSERS) -> list[Path]:
        """Write the launcher and every browser's manifest (and registry value); returns the manifests."""
        launcher = self.launcher()
        launcher.parent.mkdir(parents=True, exist_ok=True)
        launcher.write_text(self._script(list(command or host_command())), encoding="utf-8")
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written = []
        for browser in browsers:
            path = self.manifest_path(browser)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(host_manifest(browser, launcher), indent=2) + "\n", encoding="utf-8")
            if self._windows:
                self._need_registry().write(self.registry_key(browser), "", str(path))
            written.append(path)
        return written

    def uninstall(self) -> None:
        """Remove what install() wrote."""
        for browser in BROWSERS:
            self.manifest_path(browser).unlink(missing_ok=True)
            if self._windows:
                self._need_registry().delete_key(self.registry_key(browser))
        self.launcher().unlink(missing_ok=True)

    def problems(self, browsers: Sequence[str] = BROWSERS) -> list[str]:
        """Why a browser would not find our host (empty when every one would); `texts.Text` sentences."""
        launcher = self.launcher()
        found: list[str] = []
        if not launcher.is_file():
            found.append(Text("the host program {path} is missing", path=str(launcher)))
        for browser in browsers:
            path = self.manifest_path(browser)
            if self._windows and self._need_registry().read(self.registry_key(browser), "") != str(path):
                key = self.registry_key(browser)
                found.append(Text("{browser}: the registry key {key} is missing", browser=browser, key=key))
                continue
            try:
                current = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found.append(
                    Text("{browser}: no readable manifest at {path}", browser=browser, path=str(path))
                )
                continue
            if current != host_manifest(browser, launcher):
                found.append(
                    Text(
                        "{browser}: the manifest at {path} is outdated or changed",
                        browser=browser,
                        path=str(path),
                    )
                )
        return found

    def _need_registry(self) -> Registry:
        if self.registry is None:
            raise RuntimeError("the Windows registry is needed to register the host")
        return self.registry

    def _script(self, command: list[str]) -> str:
        """The launcher: our command plus `native-host` and whatever the browser passes."""
        home = os.environ.get(paths.HOME_ENV, "")
        if self._windows:
            env = f'set "{paths.HOME_ENV}={home}"\r\n' if home and '"' not in home else ""
            return f"@echo off\r\n{env}{windows_command_line([*command, 'native-host'])} %*\r\n"
        env = f"export {paths.HOME_ENV}={shlex.quote(home)}\n" if home else ""
        return f'#!/bin/sh\n{env}exec {shlex.join([*command, "native-host"])} "$@"\n'
