"""The command line that starts this app again (autostart, URL handlers) and how each OS wants it quoted."""

from __future__ import annotations

import sys
from collections.abc import Sequence

BUNDLE_ID = "com.linkuscompanion.desktop"
"""macOS bundle identifier (Info.plist, LaunchAgent label)."""


def app_command(*args: str) -> list[str]:
    """argv that runs this app with `args`: the frozen executable, else this Python with the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "linkus_companion", *args]


def windows_command_line(argv: Sequence[str]) -> str:
    """Every argument in double quotes, as the registry's `shell\\open\\command` and `Run` values expect."""
    for arg in argv:
        if '"' in arg:
            raise ValueError(f"a Windows command argument cannot contain a double quote: {arg!r}")
    return " ".join(f'"{arg}"' for arg in argv)
