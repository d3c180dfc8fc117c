"""Whether this session can show windows (a tray app and its dialogs)."""

from __future__ import annotations

import os
import sys

_HEADLESS_PLATFORMS = ("offscreen", "minimal")


def can_show_windows(*, offscreen_counts: bool = True) -> bool:
    """Always on Windows and macOS; on Linux with X11, Wayland or a Qt platform plugin set.

    With `offscreen_counts=False` Qt's offscreen/minimal plugins do not count: nobody would see a window.
    """
    if not sys.platform.startswith("linux"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and (offscreen_counts or platform.split(":")[0] not in _HEADLESS_PLATFORMS):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY"))
