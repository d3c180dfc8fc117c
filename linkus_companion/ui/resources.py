"""Where the icons and translations live: the frozen bundle's copy or the source tree's `resources/`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

from linkus_companion.backend import CrmState, LinkState
from linkus_companion.paths import resource_dir


def translations_dir() -> Path:
    """Compiled `.qm` translations."""
    return resource_dir() / "translations"


@cache
def icon(name: str) -> QIcon:
    """The icon `resources/icons/<name>.svg` (an empty icon when it is missing)."""
    return QIcon(str(resource_dir() / "icons" / f"{name}.svg"))


CRM_TROUBLE = frozenset({CrmState.ERROR, CrmState.FAILING, CrmState.RATE_LIMITED, CrmState.AUTH_EXPIRED})
"""CRM states the tray icon shows as an error."""


def state_icon(link: LinkState, paused: bool, crm: CrmState = CrmState.CONNECTED) -> QIcon:
    """The tray icon for a connection state; a failing CRM shows as an error over a working PBX link,
    pausing pop-ups over a working connection."""
    if link is LinkState.CONNECTED and crm in CRM_TROUBLE:
        return icon("state-error")
    if paused and link in (LinkState.CONNECTED, LinkState.CONNECTING, LinkState.RECONNECTING):
        return icon("state-paused")
    name = {
        LinkState.NOT_CONFIGURED: "state-not-configured",
        LinkState.CONNECTING: "state-connecting",
        LinkState.RECONNECTING: "state-connecting",
        LinkState.CONNECTED: "state-connected",
        LinkState.ERROR: "state-error",
    }[link]
    return icon(name)
