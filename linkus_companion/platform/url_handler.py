"""Register this app as the `tel:`/`callto:` handler: Windows registry, XDG desktop entry, macOS Info.plist."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import platformdirs

from linkus_companion import APP_ID, APP_NAME
from linkus_companion.platform import desktop_entry
from linkus_companion.platform.dial import SCHEMES
from linkus_companion.platform.launcher import BUNDLE_ID, windows_command_line
from linkus_companion.platform.registry import Registry

PROG_ID = "LinkusCompanion.Dial"
"""Windows ProgID that the tel and callto URL associations point to."""
DESKTOP_FILE = f"{APP_ID}-dial.desktop"
DEFAULT_APPS_URL = "ms-settings:defaultapps"
"""Windows lets only the user pick the default handler; the settings page can deep-link here."""

Runner = Callable[[Sequence[str]], object]
"""Runs a command line; used for `xdg-mime` and `update-desktop-database`."""


class UrlHandler(Protocol):
    """Our registration as a handler of the dial URL schemes."""

    def register(self) -> None:
        """Offer this app for `tel:` and `callto:` links (the OS or the user may still pick another)."""

    def unregister(self) -> None:
        """Remove what register() wrote."""

    def is_registered(self) -> bool:
        """Whether our registration is in place."""


def info_plist_url_types() -> list[dict[str, object]]:
    """The `CFBundleURLTypes` entry of the macOS bundle (PyInstaller `BUNDLE(info_plist=...)`).

    macOS has nothing to register at run time: the bundle declares the schemes and the URLs arrive
    as QFileOpenEvents (see url_events.py); users pick the default in FaceTime > Settings.
    """
    return [{"CFBundleURLName": f"{BUNDLE_ID}.dial", "CFBundleURLSchemes": list(SCHEMES)}]


class WindowsUrlHandler:
    """Scheme keys, a ProgID, Capabilities and RegisteredApplications (so Default Apps lists us).

    Per user under HKCU by default; `all_users` writes HKLM (needs admin rights, i.e. an installer).
    """

    def __init__(self, registry: Registry, command: Sequence[str], *, all_users: bool = False) -> None:
        self._registry = registry
        self._command = windows_command_line([*command, "dial"]) + ' "%1"'
        self._icon = windows_command_line(command[:1]) + ",0"
        hive = "HKLM" if all_users else "HKCU"
        self._classes = f"{hive}\\Software\\Classes"
        self._capabilities = f"Software\\{APP_NAME}\\Capabilities"
        self._hive = hive

    def register(self) -> None:
        """Write every key; Windows then offers us when the user next clicks a tel: link."""
        self._write_handler(f"{self._classes}\\{PROG_ID}", f"{APP_NAME} phone number")
        for scheme in SCHEMES:
            self._write_handler(f"{self._classes}\\{scheme}", f"URL:{scheme}")
        caps = f"{self._hive}\\{self._capabilities}"
        self._registry.write(caps, "ApplicationName", APP_NAME)
        self._registry.write(caps, "ApplicationDescription", "Dial phone numbers from your PBX extension")
        for scheme in SCHEMES:
            self._registry.write(f"{caps}\\URLAssociations", scheme, PROG_ID)
        self._registry.write(self._registered_apps, APP_NAME, self._capabilities)

    def unregister(self) -> None:
        """Remove our keys; a scheme key is left alone when another app owns it now."""
        for scheme in SCHEMES:
            if self._is_ours(scheme):
                self._registry.delete_key(f"{self._classes}\\{scheme}")
        self._registry.delete_key(f"{self._classes}\\{PROG_ID}")
        self._registry.delete_key(f"{self._hive}\\{self._capabilities}")
        self._registry.delete_value(self._registered_apps, APP_NAME)

    def is_registered(self) -> bool:
        """Both schemes run our command and Default Apps knows us."""
        return all(self._is_ours(scheme) for scheme in SCHEMES) and (
            self._registry.read(self._registered_apps, APP_NAME) == self._capabilities
        )

    @property
    def _registered_apps(self) -> str:
        return f"{self._hive}\\Software\\RegisteredApplications"

    def _is_ours(self, scheme: str) -> bool:
        command = self._registry.read(f"{self._classes}\\{scheme}\\shell\\open\\command", "")
        return command == self._command

    def _write_handler(self, key: str, title: str) -> None:
        self._registry.write(key, "", title)
        self._registry.write(key, "URL Protocol", "")
        self._registry.write(f"{key}\\DefaultIcon", "", self._icon)
        self._registry.write(f"{key}\\shell\\open\\command", "", self._command)


def run_if_present(argv: Sequence[str]) -> None:
    """Run a desktop tool when it is installed; its failure is not ours to report."""
    tool = shutil.which(argv[0])
    if tool:
        subprocess.run([tool, *argv[1:]], check=False, capture_output=True, timeout=10)  # noqa: S603


class XdgUrlHandler:
    """A hidden `.desktop` entry declaring `x-scheme-handler/tel;callto`, made default with `xdg-mime`.

    `run` executes `xdg-mime` and `update-desktop-database` (blocking; call from an executor).
    """

    def __init__(self, applications_dir: Path, command: Sequence[str], run: Runner = run_if_present) -> None:
        self._dir = applications_dir
        self._path = applications_dir / DESKTOP_FILE
        self._command = command
        self._run = run

    def register(self) -> None:
        """Write the entry, refresh the desktop database and make it the default for both schemes."""
        mime_types = [f"x-scheme-handler/{scheme}" for scheme in SCHEMES]
        desktop_entry.write(
            self._path,
            {
                "Type": "Application",
                "Name": APP_NAME,
                "Comment": "Dial phone numbers from your PBX extension",
                "Exec": desktop_entry.exec_value([*self._command, "dial"], "%u"),
                "Icon": APP_ID,
                "Terminal": "false",
                "NoDisplay": "true",
                "MimeType": "".join(f"{mime};" for mime in mime_types),
            },
        )
        self._run(["update-desktop-database", str(self._dir)])
        self._run(["xdg-mime", "default", DESKTOP_FILE, *mime_types])

    def unregister(self) -> None:
        """Remove the entry; desktops then fall back to their next handler."""
        self._path.unlink(missing_ok=True)
        self._run(["update-desktop-database", str(self._dir)])

    def is_registered(self) -> bool:
        """Our entry exists."""
        return self._path.exists()


def pick(command: Sequence[str]) -> UrlHandler | None:
    """This OS's registration for `command`; None on macOS, where the bundle's Info.plist declares it."""
    if sys.platform == "win32":
        from linkus_companion.platform.registry import WindowsRegistry

        return WindowsUrlHandler(WindowsRegistry(), command)
    elif sys.platform == "darwin":
        return None
    else:
        return XdgUrlHandler(platformdirs.user_data_path() / "applications", command)
