"""Start at login (opt-in): Windows Run key honouring Task Manager, macOS LaunchAgent, XDG autostart."""

from __future__ import annotations

import plistlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import platformdirs

from linkus_companion import APP_ID, APP_NAME
from linkus_companion.platform import desktop_entry
from linkus_companion.platform.launcher import BUNDLE_ID, windows_command_line
from linkus_companion.platform.registry import Registry

RUN_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
"""Where Task Manager and Settings > Startup apps record the user's on/off choice (binary values)."""


class Autostart(Protocol):
    """Whether the app starts when the user logs in."""

    def enable(self) -> None:
        """Start the app at every login from now on."""

    def disable(self) -> None:
        """Stop starting the app at login."""

    def is_enabled(self) -> bool:
        """Whether the app will start at the next login, as the OS will decide it."""


class WindowsAutostart:
    """`HKCU\\...\\Run` value; Task Manager's StartupApproved choice is read so the checkbox tells the truth."""

    def __init__(self, registry: Registry, command: Sequence[str], name: str = APP_NAME) -> None:
        self._registry = registry
        self._command = windows_command_line(command)
        self._name = name

    def enable(self) -> None:
        """Write the Run value and clear a "disabled" mark left by Task Manager (the user asked again)."""
        self._registry.write(RUN_KEY, self._name, self._command)
        self._registry.delete_value(APPROVED_KEY, self._name)

    def disable(self) -> None:
        """Remove the Run value and its StartupApproved mark."""
        self._registry.delete_value(RUN_KEY, self._name)
        self._registry.delete_value(APPROVED_KEY, self._name)

    def is_enabled(self) -> bool:
        """Run value present and not switched off in StartupApproved (first byte even = on, e.g. 02)."""
        if self._registry.read(RUN_KEY, self._name) is None:
            return False
        approved = self._registry.read(APPROVED_KEY, self._name)
        return not isinstance(approved, bytes) or not approved or approved[0] % 2 == 0


class LaunchAgentAutostart:
    """`~/Library/LaunchAgents/<bundle id>.plist` with RunAtLoad, which launchd reads at login.

    On macOS 13+ a signed bundle could use `SMAppService.mainApp.register()` instead (listed under
    its own name in Login Items, pyobjc-framework-ServiceManagement); the agent works everywhere
    and shows as a background item of the app.
    """

    def __init__(self, agents_dir: Path, command: Sequence[str], label: str = BUNDLE_ID) -> None:
        self._path = agents_dir / f"{label}.plist"
        self._label = label
        self._command = list(command)

    def enable(self) -> None:
        """Write the agent plist."""
        agent = {
            "Label": self._label,
            "ProgramArguments": self._command,
            "RunAtLoad": True,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.write_bytes(plistlib.dumps(agent))

    def disable(self) -> None:
        """Remove the agent plist."""
        self._path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        """The plist exists, is readable, runs at load and is not marked Disabled."""
        try:
            agent = plistlib.loads(self._path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return isinstance(agent, dict) and agent.get("RunAtLoad") is True and not agent.get("Disabled")


class XdgAutostart:
    """`$XDG_CONFIG_HOME/autostart/linkus-companion.desktop`; desktops that switch it off are honoured."""

    def __init__(self, autostart_dir: Path, command: Sequence[str]) -> None:
        self._path = autostart_dir / f"{APP_ID}.desktop"
        self._command = command

    def enable(self) -> None:
        """Write the autostart entry."""
        desktop_entry.write(
            self._path,
            {
                "Type": "Application",
                "Name": APP_NAME,
                "Exec": desktop_entry.exec_value(self._command),
                "Icon": APP_ID,
                "Terminal": "false",
                "X-GNOME-Autostart-enabled": "true",
                "X-GNOME-Autostart-Delay": "5",
            },
        )

    def disable(self) -> None:
        """Remove the autostart entry."""
        self._path.unlink(missing_ok=True)

    def is_enabled(self) -> bool:
        """The entry exists and is neither Hidden nor switched off by GNOME's startup-apps tool."""
        fields = desktop_entry.read(self._path)
        return (
            fields is not None
            and fields.get("Hidden", "false") != "true"
            and fields.get("X-GNOME-Autostart-enabled", "true") != "false"
        )


def pick(command: Sequence[str]) -> Autostart:
    """The mechanism of this OS for starting `command` at login."""
    if sys.platform == "win32":
        from linkus_companion.platform.registry import WindowsRegistry

        return WindowsAutostart(WindowsRegistry(), command)
    elif sys.platform == "darwin":
        return LaunchAgentAutostart(Path.home() / "Library" / "LaunchAgents", command)
    else:
        return XdgAutostart(platformdirs.user_config_path() / "autostart", command)
